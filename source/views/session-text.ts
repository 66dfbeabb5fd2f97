import {eventMessage} from '../core/screens/dashboard.js';
import {counted, formatDuration, formatMs, formatTokens, formatUsd, shortModelName, truncate} from '../core/util/format.js';
import {downsample, groupSize, sparkline} from '../core/util/series.js';
import type {SessionDetail} from '../core/screens/session-detail.js';
import type {SessionSummary} from '../core/usage/session-summaries.js';
import {totalTokens} from '../core/usage/types.js';
import {formatLocalTime} from './report-table.js';

const right = (text: string, width: number): string => text.padStart(width);

const share = (part: number, whole: number): string => `${Math.round(whole > 0 ? (part / whole) * 100 : 0)}%`;
const bucketWords = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`);

/** A time on the session's first day as `14:05`, on a later day with its date. */
const timeAfter = (ms: number, firstMs: number): string => {
	const time = formatLocalTime(ms);
	return time.slice(0, 10) === formatLocalTime(firstMs).slice(0, 10) ? time.slice(11) : time;
};

/** Items `a 3 · b 2 · …` wrapped to `width`, each line indented. */
const flow = (items: string[], width: number, indent = '  '): string[] => {
	const lines: string[] = [];
	let line = '';
	for (const item of items) {
		if (line !== '' && indent.length + line.length + 3 + item.length > width) {
			lines.push(indent + line);
			line = '';
		}

		line = line === '' ? item : `${line} · ${item}`;
	}

	if (line !== '') lines.push(indent + line);
	return lines;
};

/**
 * `cctop session`: one session as text for a terminal `width` columns wide.
 * Narrow terminals drop the per-kind token columns; nothing wraps.
 */
export const renderSessionText = (detail: SessionDetail, {width}: {width: number}): string => {
	const lines: string[] = [];
	const total = totalTokens(detail.tokens);
	lines.push(
		// The project first: a narrow terminal cuts the end of the id, not the name.
		`session ${detail.project} · ${detail.sessionId}`,
		`  ${formatLocalTime(detail.startMs)} → ${timeAfter(detail.endMs, detail.startMs)} · ${formatDuration(detail.endMs - detail.startMs)} · ${counted(detail.entries, 'request')}`,
		`  cost ${formatUsd(detail.costUsd)} · ${formatTokens(total)} tokens`,
		detail.sidechain.entries > 0
			? `  subagents ${share(detail.sidechain.costUsd, detail.costUsd)} of cost (${formatUsd(detail.sidechain.costUsd)}, ${counted(detail.sidechain.entries, 'request')})`
			: '  subagents none',
	);

	const sparkWidth = Math.max(8, width - 22);
	const perBucket = groupSize(detail.timelineUsd.length, sparkWidth) * detail.timelineBucketMs;
	lines.push(`  cost per ${bucketWords(perBucket)}`.padEnd(20) + sparkline(downsample(detail.timelineUsd, sparkWidth)), '');

	const isWide = width >= 76;
	const nameWidth = Math.max(12, Math.min(24, width - (isWide ? 60 : 30)));
	lines.push(
		'models'.padEnd(nameWidth) +
			right('requests', 9) +
			(isWide ? right('input', 9) + right('output', 9) + right('cache w', 9) + right('cache r', 9) : right('tokens', 9)) +
			right('cost', 12),
	);
	for (const model of detail.models) {
		const tokens = model.inputTokens + model.outputTokens + model.cacheWrite5mTokens + model.cacheWrite1hTokens + model.cacheReadTokens;
		lines.push(
			truncate(`  ${shortModelName(model.model)}`, nameWidth - 1).padEnd(nameWidth) +
				right(String(model.entries), 9) +
				(isWide
					? right(formatTokens(model.inputTokens), 9) +
						right(formatTokens(model.outputTokens), 9) +
						right(formatTokens(model.cacheWrite5mTokens + model.cacheWrite1hTokens), 9) +
						right(formatTokens(model.cacheReadTokens), 9)
					: right(formatTokens(tokens), 9)) +
				right(model.isPriced ? formatUsd(model.costUsd) : 'unpriced', 12),
		);
	}

	if (detail.tools !== undefined) {
		const calls = detail.tools.reduce((sum, tool) => sum + tool.calls, 0);
		// With OpenTelemetry, how long each tool ran: the bottleneck at a glance.
		const timing = (name: string): string => {
			const otel = detail.toolTimings?.[name];
			if (otel?.durationMsP95 === undefined || otel.durationMsP95 === null) return '';
			return ` (p95 ${formatMs(otel.durationMsP95)}${otel.failures > 0 ? `, ${otel.failures} failed` : ''})`;
		};

		lines.push('', calls === 0 ? 'tools: none called' : `tools (${counted(calls, 'call')})`, ...flow(detail.tools.map(tool => `${tool.name} ${tool.calls}${timing(tool.name)}`), width));
	}

	if (detail.timeSplit !== undefined) {
		const {model, timeToFirstToken, toolExecution, blockedOnUser, other, interactions} = detail.timeSplit;
		lines.push('', `time (${counted(interactions, 'interaction')}, from traces)`, `  model ${formatMs(model)} (first token ${formatMs(timeToFirstToken)}) · tools ${formatMs(toolExecution)} · waiting on you ${formatMs(blockedOnUser)} · other ${formatMs(other)}`);
	}

	lines.push('', 'costliest requests');
	for (const request of detail.topRequests) {
		const took = request.durationMs === undefined ? '' : right(formatMs(request.durationMs), 7);
		const prefix = `  ${timeAfter(request.timestampMs, detail.startMs).padStart(5)}  ${shortModelName(request.model).padEnd(14)}${right(formatUsd(request.costUsd), 9)}${right(formatTokens(request.totalTokens), 9)}${took}  `;
		lines.push(prefix + truncate(request.requestId ?? '(no request id)', Math.max(0, width - prefix.length)));
	}

	if (detail.events.length > 0) {
		lines.push('', 'limit hits and API errors');
		for (const event of detail.events) {
			lines.push(truncate(`  ${timeAfter(event.timestampMs, detail.startMs).padStart(5)}  ${event.kind === 'rate_limit' ? 'limit' : 'error'}  ${eventMessage(event.message)}`, width));
		}
	}

	return lines.map(line => truncate(line, width)).join('\n');
};

/** `cctop session --list`: recent sessions, a row each; narrow terminals drop the year and the models. */
export const renderSessionList = (rows: readonly SessionSummary[], {width}: {width: number}): string => {
	const isWide = width >= 90;
	const timeWidth = width >= 70 ? 18 : 13;
	// Time, session and cost always; in a side pane, requests and then span make
	// room for the project (at least 6 columns) rather than be cut mid-number.
	const fixed = timeWidth + 10 + 10;
	const showRequests = width >= fixed + 9 + 10;
	const showSpan = width >= fixed + 9 + 7 + 10;
	const projectWidth = Math.max(0, Math.min(24, width - fixed - (showRequests ? 9 : 0) - (showSpan ? 7 : 0) - (isWide ? 26 : 0)));
	const showProject = projectWidth >= 6;
	const time = (ms: number): string => formatLocalTime(ms).slice(18 - timeWidth);
	const line = (cells: {time: string; session: string; project: string; span: string; requests: string; cost: string; models: string}) =>
		`${cells.time.padEnd(timeWidth)}${cells.session.padEnd(10)}${showProject ? truncate(cells.project, projectWidth - 1).padEnd(projectWidth) : ''}${showSpan ? right(cells.span, 7) : ''}${showRequests ? right(cells.requests, 9) : ''}${right(cells.cost, 10)}${isWide ? `  ${cells.models}` : ''}`;
	const lines = [line({time: 'last active', session: 'session', project: 'project', span: 'span', requests: 'requests', cost: 'cost', models: 'models'})];
	for (const row of rows) {
		lines.push(
			line({
				time: time(row.endMs),
				session: row.sessionId.slice(0, 8),
				project: row.project,
				span: formatDuration(row.endMs - row.startMs),
				requests: String(row.entries),
				cost: formatUsd(row.costUsd),
				models: row.models.map(model => shortModelName(model)).join(', '),
			}),
		);
	}

	return lines.map(line => truncate(line, width)).join('\n');
};
