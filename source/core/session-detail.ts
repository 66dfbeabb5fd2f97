import type {PricedEntry} from './blocks.js';
import {modelUsage, type ModelUsage} from './dashboard.js';
import {bucketize} from './series.js';
import {addTokenCounts, emptyTokenCounts, totalTokens, type TokenCounts} from './types.js';

/** One session in detail: what it cost, on which models, when, and its costliest requests. */
export type SessionDetail = {
	sessionId: string;
	project: string;
	startMs: number;
	endMs: number;
	entries: number;
	tokens: TokenCounts;
	costUsd: number;
	models: ModelUsage[];
	sidechain: {entries: number; costUsd: number};
	/** Cost per bucket from start to end; `timelineBucketMs` wide. */
	timelineUsd: number[];
	timelineBucketMs: number;
	topRequests: Array<{requestId: string | undefined; model: string; costUsd: number; totalTokens: number; timestampMs: number}>;
};

/** Buckets narrow enough to show a short session's shape, at most `maxBuckets` of them. */
const timelineBucket = (spanMs: number, maxBuckets: number): number => {
	const steps = [60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 60 * 60_000, 3 * 60 * 60_000, 24 * 60 * 60_000];
	return steps.find(step => spanMs / step <= maxBuckets) ?? steps.at(-1)!;
};

/** The detail of `sessionId` among `entries`, or undefined when it has none. */
export const sessionDetail = (entries: readonly PricedEntry[], sessionId: string, {maxBuckets = 60, topCount = 5} = {}): SessionDetail | undefined => {
	const own = entries.filter(entry => (entry.sessionId ?? '(no session)') === sessionId);
	if (own.length === 0) return undefined;
	const tokens = emptyTokenCounts();
	let costUsd = 0;
	const sidechain = {entries: 0, costUsd: 0};
	let startMs = Number.POSITIVE_INFINITY;
	let endMs = Number.NEGATIVE_INFINITY;
	for (const entry of own) {
		addTokenCounts(tokens, entry.tokens);
		costUsd += entry.costUsd ?? 0;
		startMs = Math.min(startMs, entry.timestampMs);
		endMs = Math.max(endMs, entry.timestampMs);
		if (entry.isSidechain) {
			sidechain.entries++;
			sidechain.costUsd += entry.costUsd ?? 0;
		}
	}

	const timelineBucketMs = timelineBucket(endMs - startMs, maxBuckets);
	const firstBucketMs = Math.floor(startMs / timelineBucketMs) * timelineBucketMs;
	return {
		sessionId,
		project: own.at(-1)!.project,
		startMs,
		endMs,
		entries: own.length,
		tokens,
		costUsd,
		models: modelUsage(own),
		sidechain,
		timelineUsd: bucketize(own, firstBucketMs, timelineBucketMs, Math.floor((endMs - firstBucketMs) / timelineBucketMs) + 1, entry => entry.costUsd ?? 0),
		timelineBucketMs,
		topRequests: [...own]
			.sort((a, b) => (b.costUsd ?? 0) - (a.costUsd ?? 0) || totalTokens(b.tokens) - totalTokens(a.tokens))
			.slice(0, topCount)
			.map(entry => ({requestId: entry.requestId, model: entry.model, costUsd: entry.costUsd ?? 0, totalTokens: totalTokens(entry.tokens), timestampMs: entry.timestampMs})),
	};
};
