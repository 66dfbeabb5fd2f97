/** The four token kinds every report counts, ccusage-compatible names. */
export type TokenCounts = {
	inputTokens: number;
	outputTokens: number;
	cacheCreationInputTokens: number;
	cacheReadInputTokens: number;
};

/**
 * One API request's usage, as read from a transcript line.
 * Times are epoch milliseconds (UTC). Costs are USD.
 */
export type UsageEntry = {
	timestampMs: number;
	sessionId: string | undefined;
	/** Project name: `cwd`'s last segment, else the folder slug. */
	project: string;
	model: string;
	messageId: string | undefined;
	requestId: string | undefined;
	isSidechain: boolean;
	tokens: TokenCounts;
	/** Part of `cacheCreationInputTokens` written with the 1-hour TTL; the rest is 5-minute. */
	cacheCreation1hTokens: number;
	webSearchRequests: number;
	isFast: boolean;
	/** `costUSD` written by old Claude Code versions, when the line had it. */
	loggedCostUsd: number | undefined;
	/** Synthetic and API-error lines are counted but never priced. */
	isNonBillable: boolean;
};

/** Something worth showing that is not usage: a limit hit or an API error. */
export type UsageEvent = {
	kind: 'rate_limit' | 'api_error';
	timestampMs: number;
	sessionId: string | undefined;
	project: string;
	message: string;
};

export const emptyTokenCounts = (): TokenCounts => ({
	inputTokens: 0,
	outputTokens: 0,
	cacheCreationInputTokens: 0,
	cacheReadInputTokens: 0,
});

/** All four kinds: what ccusage calls `totalTokens` and what dedupe compares. */
export const totalTokens = (tokens: TokenCounts): number =>
	tokens.inputTokens + tokens.outputTokens + tokens.cacheCreationInputTokens + tokens.cacheReadInputTokens;

export const addTokenCounts = (target: TokenCounts, add: TokenCounts): void => {
	target.inputTokens += add.inputTokens;
	target.outputTokens += add.outputTokens;
	target.cacheCreationInputTokens += add.cacheCreationInputTokens;
	target.cacheReadInputTokens += add.cacheReadInputTokens;
};
