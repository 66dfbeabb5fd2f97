import type {PricedEntry} from '../../source/core/usage/blocks.js';
import {applyLines, createLedger, type Ledger} from '../../source/core/usage/ledger.js';
import {createPriceLookup, defaultPricing} from '../../source/core/usage/pricing.js';
import type {TokenCounts, UsageEntry} from '../../source/core/usage/types.js';

export type EntryOverrides = Partial<Omit<UsageEntry, 'tokens'>> & {tokens?: Partial<TokenCounts>};

/** A usage entry with sensible defaults; override what the test is about. */
export const makeEntry = (overrides: EntryOverrides = {}): UsageEntry => {
	const {tokens, ...rest} = overrides;
	return {
		timestampMs: Date.UTC(2026, 10, 26, 10, 0),
		sessionId: 'session-1',
		project: 'api-server',
		model: 'claude-opus-4-5-20251101',
		messageId: undefined,
		requestId: undefined,
		isSidechain: false,
		cacheCreation1hTokens: 0,
		webSearchRequests: 0,
		isFast: false,
		loggedCostUsd: undefined,
		isNonBillable: false,
		...rest,
		tokens: {inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, ...tokens},
	};
};

export const makePriced = (
	at: string,
	overrides: EntryOverrides & {costUsd?: number | undefined} = {},
): PricedEntry => {
	const {costUsd, ...rest} = overrides;
	// An explicit `costUsd: undefined` means unpriced; leaving it out means $1.
	return {...makeEntry({timestampMs: Date.parse(at), tokens: {inputTokens: 100, outputTokens: 50}, ...rest}), costUsd: 'costUsd' in overrides ? costUsd : 1};
};

/** A real-format assistant line (Claude Code 2.x shape) as a JSON object. */
export const assistantLine = (overrides: Record<string, unknown> = {}, usage: Record<string, unknown> = {}): Record<string, unknown> => ({
	parentUuid: 'ee3cf531-7d37-4e16-8e40-e7f51288a876',
	isSidechain: false,
	userType: 'external',
	cwd: '/home/dev/api-server',
	sessionId: '8427ae52-369a-420b-bf83-434a42ea03ab',
	version: '2.1.72',
	gitBranch: 'main',
	message: {
		model: 'claude-opus-4-6',
		id: 'msg_013YZ68naDuds27CD9ZGNVDE',
		type: 'message',
		role: 'assistant',
		content: [{type: 'text', text: 'Done.'}],
		stop_reason: 'end_turn',
		usage: {
			input_tokens: 3,
			cache_creation_input_tokens: 453,
			cache_read_input_tokens: 82_371,
			output_tokens: 186,
			server_tool_use: {web_search_requests: 0, web_fetch_requests: 0},
			service_tier: 'standard',
			cache_creation: {ephemeral_1h_input_tokens: 453, ephemeral_5m_input_tokens: 0},
			speed: 'standard',
			...usage,
		},
	},
	requestId: 'req_011CYwZUU7RHFoZn2ppDGGRK',
	type: 'assistant',
	uuid: 'c1a8f7d2-0c55-4bd2-9b7e-1d6f7b3f5a10',
	timestamp: '2026-03-11T15:52:12.033Z',
	...overrides,
});

/** A ledger holding `entries` as one file's lines, grouped at `nowMs`. */
export const ledgerOf = (entries: UsageEntry[], nowMs: number, sessionLengthMs = 5 * 3_600_000): Ledger => {
	const ledger = createLedger({lookup: createPriceLookup(defaultPricing), mode: 'auto', sessionLengthMs});
	applyLines(
		ledger,
		'/virtual/session.jsonl',
		entries.map(entry => ({kind: 'usage', entry})),
		{lines: entries.length, invalidLines: 0},
		nowMs,
	);
	return ledger;
};
