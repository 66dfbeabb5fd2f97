import type {PricedEntry} from '../usage/blocks.js';
import {eventMessage, modelUsage, type ModelUsage} from './dashboard.js';
import {dedupeKey} from '../usage/dedupe.js';
import {bucketize} from '../util/series.js';
import type {ToolTiming} from '../otel/otel-join.js';
import type {TimeSplit} from '../otel/traces.js';
import type {ToolCall} from '../usage/tool-calls.js';
import {sessionOf} from '../usage/sessions.js';
import type {SessionSummary} from '../usage/session-summaries.js';
import {addTokenCounts, emptyTokenCounts, totalTokens, type TokenCounts, type UsageEvent} from '../usage/types.js';

/** One session in detail: what it cost, on which models and tools, when, and its costliest requests. */
export type SessionDetail = {
	sessionId: string;
	project: string;
	startMs: number;
	endMs: number;
	entries: number;
	tokens: TokenCounts;
	costUsd: number;
	models: ModelUsage[];
	/** Calls per tool, most used first; undefined when the transcripts were not read for them. */
	tools: Array<{name: string; calls: number}> | undefined;
	/** How long the tools ran, from OpenTelemetry `tool_result` events, when there are any. */
	toolTimings?: Record<string, ToolTiming>;
	/** Where the session's interactions spent their time, from traces, when there are any. */
	timeSplit?: TimeSplit & {interactions: number};
	sidechain: {entries: number; costUsd: number};
	/** Cost and tokens per bucket from the bucket holding `startMs` to the one holding `endMs`; `timelineBucketMs` wide. */
	timelineUsd: number[];
	timelineTokens: number[];
	timelineStartMs: number;
	timelineBucketMs: number;
	topRequests: Array<{requestId: string | undefined; model: string; costUsd: number; totalTokens: number; timestampMs: number; durationMs?: number}>;
	/** Limit hits and API errors, oldest first. */
	events: UsageEvent[];
};

/** Buckets narrow enough to show a short session's shape, at most `maxBuckets` of them. */
const timelineBucket = (spanMs: number, maxBuckets: number): number => {
	const steps = [60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 60 * 60_000, 3 * 60 * 60_000, 24 * 60 * 60_000];
	return steps.find(step => spanMs / step <= maxBuckets) ?? steps.at(-1)!;
};

/**
 * Calls per tool for one session: a call counts where its request counts (the
 * session it first appeared in), once per `tool_use` id; a call on a line
 * without both ids counts for the session the line names.
 */
export const toolCounts = (calls: Iterable<ToolCall>, sessionId: string, entries: readonly PricedEntry[]): Array<{name: string; calls: number}> => {
	const ownRequests = new Set<string>();
	for (const entry of entries) {
		const key = dedupeKey(entry);
		if (key !== undefined) ownRequests.add(key);
	}

	const seen = new Set<string>();
	const counts = new Map<string, number>();
	for (const call of calls) {
		const isOwn = call.requestKey === undefined ? sessionOf(call) === sessionId : ownRequests.has(call.requestKey);
		if (!isOwn) continue;
		if (call.id !== undefined) {
			if (seen.has(call.id)) continue;
			seen.add(call.id);
		}

		counts.set(call.name, (counts.get(call.name) ?? 0) + 1);
	}

	return [...counts].map(([name, count]) => ({name, calls: count})).sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
};

/**
 * The detail of one session from what it counts (see `sessionsFrom`), or
 * undefined when it has no requests. `tools` comes from {@link toolCounts}.
 */
export const sessionDetail = (
	usage: {sessionId: string; entries: readonly PricedEntry[]; events?: readonly UsageEvent[]},
	{maxBuckets = 60, topCount = 5, tools}: {maxBuckets?: number; topCount?: number; tools?: Array<{name: string; calls: number}>} = {},
): SessionDetail | undefined => {
	const own = usage.entries;
	if (own.length === 0) return undefined;
	const tokens = emptyTokenCounts();
	let costUsd = 0;
	const sidechain = {entries: 0, costUsd: 0};
	let startMs = Number.POSITIVE_INFINITY;
	let endMs = Number.NEGATIVE_INFINITY;
	let latest = own[0]!;
	for (const entry of own) {
		addTokenCounts(tokens, entry.tokens);
		costUsd += entry.costUsd ?? 0;
		startMs = Math.min(startMs, entry.timestampMs);
		endMs = Math.max(endMs, entry.timestampMs);
		if (entry.timestampMs >= latest.timestampMs) latest = entry;
		if (entry.isSidechain) {
			sidechain.entries++;
			sidechain.costUsd += entry.costUsd ?? 0;
		}
	}

	const timelineBucketMs = timelineBucket(endMs - startMs, maxBuckets);
	const timelineStartMs = Math.floor(startMs / timelineBucketMs) * timelineBucketMs;
	const bucketCount = Math.floor((endMs - timelineStartMs) / timelineBucketMs) + 1;
	return {
		sessionId: usage.sessionId,
		project: latest.project,
		startMs,
		endMs,
		entries: own.length,
		tokens,
		costUsd,
		models: modelUsage(own),
		tools,
		sidechain,
		timelineUsd: bucketize(own, timelineStartMs, timelineBucketMs, bucketCount, entry => entry.costUsd ?? 0),
		timelineTokens: bucketize(own, timelineStartMs, timelineBucketMs, bucketCount, entry => totalTokens(entry.tokens)),
		timelineStartMs,
		timelineBucketMs,
		topRequests: [...own]
			.sort((a, b) => (b.costUsd ?? 0) - (a.costUsd ?? 0) || totalTokens(b.tokens) - totalTokens(a.tokens) || a.timestampMs - b.timestampMs)
			.slice(0, topCount)
			.map(entry => ({requestId: entry.requestId, model: entry.model, costUsd: entry.costUsd ?? 0, totalTokens: totalTokens(entry.tokens), timestampMs: entry.timestampMs})),
		events: [...(usage.events ?? [])].sort((a, b) => a.timestampMs - b.timestampMs),
	};
};

const iso = (ms: number): string => new Date(ms).toISOString();

/** What the session JSON and the list rows share. */
const sessionHead = (session: {sessionId: string; project: string; startMs: number; endMs: number; entries: number}) => ({
	sessionId: session.sessionId,
	project: session.project,
	startTime: iso(session.startMs),
	endTime: iso(session.endMs),
	durationMs: session.endMs - session.startMs,
	entries: session.entries,
});

/** `cctop session --json`: the contract in the README (field names as in `report`). */
export const sessionJson = (detail: SessionDetail) => ({
	...sessionHead(detail),
	tokenCounts: detail.tokens,
	totalTokens: totalTokens(detail.tokens),
	costUSD: detail.costUsd,
	models: Object.fromEntries(
		detail.models.map(model => [
			model.model,
			{
				entries: model.entries,
				tokenCounts: {
					inputTokens: model.inputTokens,
					outputTokens: model.outputTokens,
					cacheCreationInputTokens: model.cacheWrite5mTokens + model.cacheWrite1hTokens,
					cacheReadInputTokens: model.cacheReadTokens,
				},
				costUSD: model.costUsd,
				priced: model.isPriced,
			},
		]),
	),
	tools: Object.fromEntries((detail.tools ?? []).map(tool => [tool.name, tool.calls])),
	toolTimings: detail.toolTimings ?? {},
	timeSplitMs: detail.timeSplit ?? null,
	sidechain: {entries: detail.sidechain.entries, costUSD: detail.sidechain.costUsd},
	timelineBucketMinutes: detail.timelineBucketMs / 60_000,
	timeline: detail.timelineUsd.map((costUSD, index) => ({start: iso(detail.timelineStartMs + index * detail.timelineBucketMs), costUSD, totalTokens: detail.timelineTokens[index]!})),
	topRequests: detail.topRequests.map(request => ({
		requestId: request.requestId ?? null,
		model: request.model,
		costUSD: request.costUsd,
		totalTokens: request.totalTokens,
		timestamp: iso(request.timestampMs),
		durationMs: request.durationMs ?? null,
	})),
	events: detail.events.map(event => ({kind: event.kind, timestamp: iso(event.timestampMs), message: eventMessage(event.message)})),
});

export const sessionSummaryJson = (row: SessionSummary) => ({
	...sessionHead(row),
	totalTokens: row.totalTokens,
	costUSD: row.costUsd,
	models: row.models,
});
