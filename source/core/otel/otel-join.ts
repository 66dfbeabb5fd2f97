import {attributeText as text, numberOf, type OtelRecord} from './console-records.js';
import {percentile} from '../util/percentile.js';

export type ToolTiming = {calls: number; failures: number; durationMsP50: number | null; durationMsP95: number | null};


/**
 * What OpenTelemetry adds to one session from the transcripts: how long its
 * tools ran (`tool_result` events of that session) and how long each of its
 * requests took (`api_request` events, joined to the transcript on
 * `request_id` = `requestId`). The same event read twice counts once.
 */
export const otelForSession = (records: readonly OtelRecord[], sessionId: string): {tools: Record<string, ToolTiming>; requestMs: Map<string, number>} => {
	const seen = new Set<string>();
	const tools = new Map<string, {calls: number; failures: number; durations: number[]}>();
	const requestMs = new Map<string, number>();
	for (const record of records) {
		if (record.kind !== 'log' || text(record.attributes['session.id']) !== sessionId) continue;
		const name = record.name.replace(/^claude_code\./, '');
		const key = `${name}\u0000${record.timestampMs}\u0000${text(record.attributes['event.sequence']) ?? ''}\u0000${text(record.attributes['request_id']) ?? text(record.attributes['tool_use_id']) ?? ''}`;
		if (seen.has(key)) continue;
		seen.add(key);
		const duration = numberOf(record.attributes['duration_ms']);
		if (name === 'tool_result') {
			const tool = text(record.attributes['tool_name']) ?? '(unknown)';
			const timing = tools.get(tool) ?? {calls: 0, failures: 0, durations: []};
			tools.set(tool, timing);
			timing.calls++;
			if (text(record.attributes['success']) === 'false') timing.failures++;
			if (duration !== undefined) timing.durations.push(duration);
		} else if (name === 'api_request') {
			const requestId = text(record.attributes['request_id']);
			if (requestId !== undefined && duration !== undefined) requestMs.set(requestId, duration);
		}
	}

	return {
		tools: Object.fromEntries(
			[...tools].map(([tool, {calls, failures, durations}]) => [tool, {calls, failures, durationMsP50: percentile(durations, 50) ?? null, durationMsP95: percentile(durations, 95) ?? null}]),
		),
		requestMs,
	};
};
