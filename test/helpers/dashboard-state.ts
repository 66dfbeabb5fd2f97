import {hourMs, identifyBlocks, type PricedEntry} from '../../source/core/usage/blocks.js';
import {buildDashboard, type DashboardInput, type DashboardState} from '../../source/core/screens/dashboard.js';
import type {TokenLimit} from '../../source/core/usage/limits.js';
import type {UsageEvent} from '../../source/core/usage/types.js';
import {makePriced} from './entries.js';

export const opus = 'claude-opus-4-5-20251101';
export const sonnet = 'claude-sonnet-4-5-20250929';
export const haiku = 'claude-haiku-4-5-20251001';

/** The clock of every dashboard fixture: 12:30 UTC, 2h30m into the 10:00–15:00 block. */
export const fixtureNowMs = Date.parse('2026-11-26T12:30:00Z');

/**
 * A block 10:00–15:00 UTC with two sessions and three models, priced by hand:
 * api-server: opus $3.00 (10:05) + $2.00 (12:25) + haiku sidechain $0.50 (11:00);
 * web-app: sonnet $1.50 (11:30) + sonnet $1.00 (12:20). Block total $8.00.
 * Each request has 1,000 input + 1,000 output tokens (2,000; 10,000 in the block).
 */
export const fixtureEntries = (): PricedEntry[] => [
	makePriced('2026-11-26T10:05:00Z', {sessionId: 'a1', project: 'api-server', model: opus, costUsd: 3, tokens: {inputTokens: 1000, outputTokens: 1000}}),
	makePriced('2026-11-26T11:00:00Z', {sessionId: 'a1', project: 'api-server', model: haiku, isSidechain: true, costUsd: 0.5, tokens: {inputTokens: 1000, outputTokens: 1000}}),
	makePriced('2026-11-26T11:30:00Z', {sessionId: 'w1', project: 'web-app', model: sonnet, costUsd: 1.5, tokens: {inputTokens: 1000, outputTokens: 1000}}),
	makePriced('2026-11-26T12:20:00Z', {sessionId: 'w1', project: 'web-app', model: sonnet, costUsd: 1, tokens: {inputTokens: 1000, outputTokens: 1000}}),
	makePriced('2026-11-26T12:25:00Z', {sessionId: 'a1', project: 'api-server', model: opus, costUsd: 2, tokens: {inputTokens: 1000, outputTokens: 1000}}),
];

export const limitOf = (tokens: number, label = `--token-limit ${tokens}`): TokenLimit => ({tokens, source: 'flag', label, measure: 'all'});

export const fixtureEvents: UsageEvent[] = [
	{kind: 'rate_limit', timestampMs: Date.parse('2026-11-26T12:10:00Z'), sessionId: 'a1', project: 'api-server', message: 'Claude usage limit reached. Your limit will reset at 3pm.'},
	{kind: 'api_error', timestampMs: Date.parse('2026-11-26T11:45:00Z'), sessionId: 'w1', project: 'web-app', message: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'},
];

/** The dashboard state for the fixture (or other entries) at `nowMs`. */
export const fixtureState = (overrides: Partial<DashboardInput> & {entries?: PricedEntry[]} = {}): DashboardState => {
	const {entries = fixtureEntries(), ...rest} = overrides;
	const nowMs = rest.nowMs ?? fixtureNowMs;
	return buildDashboard({
		blocks: identifyBlocks(entries, 5 * hourMs, nowMs),
		events: fixtureEvents,
		unknownModels: [],
		counters: {invalidLines: 0},
		unreadablePaths: 0,
		limit: limitOf(20_000),
		nowMs,
		dayStartMs: Date.parse('2026-11-26T00:00:00Z'),
		...rest,
	});
};
