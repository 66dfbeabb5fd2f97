import {sessionDetail, toolCounts, type SessionDetail} from '../core/screens/session-detail.js';
import {hourMs} from '../core/usage/blocks.js';
import {sessionsFrom, type SessionSeen} from '../core/usage/sessions.js';
import type {LiveUsage} from '../ingest/index/live-usage.js';
import {otelForSession} from '../core/otel/otel-join.js';
import {buildTraces, sumSplits} from '../core/otel/traces.js';
import type {OtelRecord} from '../core/otel/console-records.js';
import {streamSpool} from '../ingest/otel/otel-spool.js';
import {readToolCalls} from '../ingest/transcripts/read-tool-calls.js';

/**
 * One session in full, as `cctop session` and the dashboard's detail show it:
 * only that session's lines and the copies of its requests are decoded, and its
 * tool calls are read from its own files. `sessionId` is undefined when the
 * chosen session's lines are all copies counted elsewhere.
 */
export const loadSessionDetail = async (
	usage: LiveUsage,
	choose: (seen: ReadonlyMap<string, SessionSeen>) => string | undefined,
	{topCount = 5} = {},
): Promise<{sessionId: string; detail: SessionDetail | undefined; unreadable: Array<{path: string; reason: string}>} | undefined> => {
	const copies = usage.sessionCopies(choose);
	if (copies === undefined) return undefined;
	const session = sessionsFrom(copies.files, copies.seen).get(copies.sessionId);
	if (session === undefined || session.entries.length === 0) return {sessionId: copies.sessionId, detail: undefined, unreadable: []};
	const read = await readToolCalls([...session.paths].sort());
	const tools = toolCounts(read.calls, session.sessionId, session.entries);
	const detail = sessionDetail(session, {tools, topCount});
	// OpenTelemetry adds what the transcript lacks: how long tools and requests took.
	// Only records received while the session ran (an hour either side) are read.
	let firstMs = Number.POSITIVE_INFINITY;
	let lastMs = Number.NEGATIVE_INFINITY;
	for (const entry of session.entries) {
		firstMs = Math.min(firstMs, entry.timestampMs);
		lastMs = Math.max(lastMs, entry.timestampMs);
	}

	const ofSession = (record: OtelRecord) => {
		const attributes = record.kind === 'metric' ? {} : record.attributes;
		return attributes['session.id'] === session.sessionId || attributes['gen_ai.conversation.id'] === session.sessionId;
	};

	let records: OtelRecord[] = [];
	const spool = streamSpool({range: {sinceMs: firstMs - hourMs, untilMs: lastMs + hourMs}}, ({record}) => records.push(record));
	// Received at another time (captures replayed into a receiver later): look everywhere.
	if (spool.exists && !records.some(record => ofSession(record))) {
		records = [];
		streamSpool({}, ({record}) => records.push(record));
	}

	if (detail !== undefined && spool.exists) {
		const otel = otelForSession(records, session.sessionId);
		if (Object.keys(otel.tools).length > 0) detail.toolTimings = otel.tools;
		const traces = buildTraces(records.filter(record => record.kind === 'span')).filter(trace => trace.sessionId === session.sessionId);
		if (traces.length > 0) detail.timeSplit = sumSplits(traces);
		for (const request of detail.topRequests) {
			const durationMs = request.requestId === undefined ? undefined : otel.requestMs.get(request.requestId);
			if (durationMs !== undefined) request.durationMs = durationMs;
		}
	}

	return {sessionId: copies.sessionId, detail, unreadable: read.unreadable};
};
