import {counted, formatDuration, formatMs, formatTokens, formatUsd} from '../core/util/format.js';
import type {OtelJson} from '../core/otel/otel-summary.js';

const ms = (value: number | null): string => (value === null ? '–' : formatMs(value));

/** The OpenTelemetry figures under `cctop report`'s table: what the transcripts do not say. */
export const renderOtelSummary = (otel: OtelJson, {isRange = false}: {isRange?: boolean} = {}): string => {
	const {tokens, apiRequests, diagnostics} = otel;
	const lines = [
		`OpenTelemetry (all telemetry received${isRange ? ' in that range' : ''}, not only these transcripts'): ${counted(otel.sessions.length, 'session')} · ${formatUsd(otel.costUSD)} · ${formatTokens(tokens.input + tokens.output + tokens.cacheRead + tokens.cacheCreation)} tokens`,
		`  API: ${counted(apiRequests.count, 'request')}, ${counted(apiRequests.errors, 'error')} · p50 ${ms(apiRequests.durationMsP50)}, p95 ${ms(apiRequests.durationMsP95)}`,
		`  code: +${otel.linesOfCode.added} −${otel.linesOfCode.removed} lines · ${otel.commits} commits · ${otel.pullRequests} PRs · edits accepted ${otel.editDecisions.accept}, rejected ${otel.editDecisions.reject} · active ${formatDuration(otel.activeTimeSeconds.user * 1000)} you, ${formatDuration(otel.activeTimeSeconds.cli * 1000)} Claude`,
	];
	const tools = Object.entries(otel.tools);
	if (tools.length > 0) lines.push(`  tools: ${tools.map(([name, tool]) => `${name} ${tool.calls}${tool.failures > 0 ? ` (${tool.failures} failed)` : ''} p95 ${ms(tool.durationMsP95)}`).join(' · ')}`);
	if (diagnostics.incompleteRecords > 0 || diagnostics.badRecords > 0) lines.push(`  ${diagnostics.records} records read, ${diagnostics.incompleteRecords} incomplete, ${diagnostics.badRecords} unreadable`);
	return lines.join('\n');
};
