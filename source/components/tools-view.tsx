import {memo, type ReactNode} from 'react';
import {Text} from 'ink';
import {counted, formatDuration, formatMs, formatUsd, shortModelName} from '../core/util/format.js';
import type {OtelJson} from '../core/otel/otel-summary.js';
import type {TracesJson} from '../core/otel/traces.js';
import {firstFit, fit, percent, wrapIndented} from './text.js';

const howTo = [
	' tools & OpenTelemetry',
	'',
	'  Tool calls, failures and durations, API errors by',
	'  status, and productivity (lines changed, commits,',
	'  PRs, active time) come from Claude Code\'s',
	'  OpenTelemetry data. None has been received.',
	'',
	'  Run `cctop serve` and start Claude Code with',
	'    CLAUDE_CODE_ENABLE_TELEMETRY=1',
	'    OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp',
	'    OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
	'    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318',
	'  or use `cctop run -- claude -p "…"` (README).',
];

/** A duration for a table cell: `12ms`, `1.2s`, `3m05s`. */
const cell = (ms: number | null): string => (ms === null ? '–' : formatMs(ms));

/** Table columns after the name: right-aligned, 6 wide each. */
const columns = (values: string[]): string => values.map(value => value.padStart(6)).join('');

/** Where the interactions' time went (from traces), as a share each, and the slowest interaction. */
const timeSplitLines = (traces: TracesJson, scope: string | undefined, line: (key: string, text: string, props?: {bold?: boolean; dimColor?: boolean; color?: string}) => ReactNode): ReactNode[] => {
	const {model, toolExecution, blockedOnUser, other} = traces.timeSplitMs;
	const total = model + toolExecution + blockedOnUser + other;
	const share = (part: number) => (total > 0 ? percent(part / total) : '–');
	const slowest = traces.slowest[0];
	return [
		line('split-head', ` time · ${traces.interactions} interaction${traces.interactions === 1 ? '' : 's'}${scope === undefined ? '' : ` (${scope})`}`, {bold: true}),
		// Short enough for a 50-column pane: "you" is the time spent waiting on you.
		line('split', `  model ${share(model)} · tools ${share(toolExecution)} · you ${share(blockedOnUser)} · other ${share(other)}`),
		...(slowest === undefined ? [] : [line('slowest', `  slowest ${cell(slowest.durationMs)} · cctop trace ${slowest.traceId.slice(0, 8)}`)]),
	];
};

export type ToolsViewProps = {otel: OtelJson | undefined; traces?: TracesJson | undefined; tracesScope?: string | undefined; width: number; rows: number};

/** The fourth view: productivity, tools (the bottleneck finder) and API latency from OpenTelemetry, or how to send it. */
export const ToolsView = memo(({otel, traces, tracesScope, width, rows}: ToolsViewProps) => {
	if (rows <= 0) return null;
	const line = (key: string, text: string, props: {bold?: boolean; dimColor?: boolean; color?: string} = {}): ReactNode => (
		<Text key={key} wrap="truncate" {...props}>
			{fit(text, width)}
		</Text>
	);
	// The settings to export are wrapped, never cut: they are copied as they are.
	if (otel === undefined && traces === undefined) {
		return (
			<>
				{howTo
					.flatMap(text => wrapIndented(text, width))
					.slice(0, rows)
					.map((text, index) => line(`how-${index}`, text, index === 0 ? {bold: true} : {}))}
			</>
		);
	}

	// Spans without metrics or events (tracing alone): where the time went is all there is to show.
	if (otel === undefined) return <>{[line('title', ' tools & OpenTelemetry', {bold: true}), ...timeSplitLines(traces!, tracesScope, line)].slice(0, rows)}</>;
	const nameWidth = Math.max(8, Math.min(22, width - 25));
	const {linesOfCode, editDecisions, activeTimeSeconds, apiRequests} = otel;
	const decisions = editDecisions.accept + editDecisions.reject;
	const out: ReactNode[] = [
		// The spool holds whatever was sent to this machine's receiver, not only these transcripts' sessions: say so.
		line('title', firstFit(width, ` tools & OpenTelemetry · all received today · ${counted(otel.sessions.length, 'session')}`, ` OpenTelemetry · all received today`, ' OpenTelemetry'), {bold: true}),
		line('productivity', ' productivity', {bold: true}),
		line('code', `  lines +${linesOfCode.added} −${linesOfCode.removed} · ${otel.commits} commits · ${otel.pullRequests} PRs`),
		line('active', `  active: you ${formatDuration(activeTimeSeconds.user * 1000)} · Claude ${formatDuration(activeTimeSeconds.cli * 1000)}`),
		line(
			'edits',
			`  edits accepted ${decisions === 0 ? '–' : `${percent(editDecisions.accept / decisions)} (${editDecisions.accept} of ${decisions})`}${linesOfCode.added > 0 ? ` · ${formatUsd((otel.costUSD / linesOfCode.added) * 100)}/100 lines` : ''}`,
		),
		<Text key="tools-head" bold wrap="truncate">
			{fit(' tools', nameWidth)}
			{fit(columns(['calls', 'fail', 'p50', 'p95']), width - nameWidth)}
		</Text>,
		...Object.entries(otel.tools)
			// Slowest first: this is where the time goes.
			.sort(([, a], [, b]) => (b.durationMsP95 ?? 0) - (a.durationMsP95 ?? 0) || b.calls - a.calls)
			.map(([name, tool]) => (
				<Text key={`tool-${name}`} wrap="truncate">
					{fit(`  ${name}`, nameWidth)}
					<Text color={tool.failures > 0 ? 'yellow' : undefined}>{fit(columns([String(tool.calls), String(tool.failures), cell(tool.durationMsP50), cell(tool.durationMsP95)]), width - nameWidth)}</Text>
				</Text>
			)),
		<Text key="api-head" bold wrap="truncate">
			{fit(' API', nameWidth)}
			{fit(columns(['reqs', 'p50', 'p95']), width - nameWidth)}
		</Text>,
		...Object.entries(apiRequests.byModel).map(([model, api]) => (
			<Text key={`api-${model}`} wrap="truncate">
				{fit(`  ${shortModelName(model)}`, nameWidth)}
				{fit(columns([String(api.count), cell(api.durationMsP50), cell(api.durationMsP95)]), width - nameWidth)}
			</Text>
		)),
		...(traces === undefined ? [] : timeSplitLines(traces, tracesScope, line)),
		line(
			'errors',
			`  errors: ${apiRequests.errors === 0 ? 'none' : Object.entries(apiRequests.errorsByStatus).map(([status, count]) => `${status} ×${count}`).join(' · ')}`,
			apiRequests.errors > 0 ? {color: 'red'} : {dimColor: true},
		),
	];
	return <>{out.slice(0, rows)}</>;
});
