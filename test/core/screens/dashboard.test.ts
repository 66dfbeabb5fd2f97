import {describe, expect, it} from 'vitest';
import {alertLevel, buildDashboard, burnLevel, eventMessage, modelUsage, sessionRows} from '../../../source/core/screens/dashboard.js';
import {hourMs, identifyBlocks} from '../../../source/core/usage/blocks.js';
import {fixtureEntries, fixtureNowMs, fixtureState, haiku, limitOf, opus, sonnet} from '../../helpers/dashboard-state.js';
import {makePriced} from '../../helpers/entries.js';

describe('buildDashboard: the active block', () => {
	const state = fixtureState();
	const block = state.block!;

	it('shows the block window, time gone and what is left', () => {
		expect(new Date(block.startMs).toISOString()).toBe('2026-11-26T10:00:00.000Z');
		expect(new Date(block.endMs).toISOString()).toBe('2026-11-26T15:00:00.000Z');
		expect(block.elapsedShare).toBe(0.5);
		expect(block.remainingMs).toBe(150 * 60_000);
	});

	it('totals tokens and cost, and projects them to the block end', () => {
		expect(block.totalTokens).toBe(10_000);
		expect(block.costUsd).toBe(8);
		// 10,000 tokens over 140 min, 150 min to go: 10,000 + 71.43 × 150.
		expect(block.projection).toEqual({totalTokens: 20_714, costUsd: 16.57});
	});

	it('gives the block average and the last 10 minutes apart', () => {
		expect(block.burn!.tokensPerMinute).toBeCloseTo(10_000 / 140);
		expect(block.burn!.costPerHour).toBeCloseTo((8 / 140) * 60);
		// Only 12:25 is inside (12:20, 12:30].
		expect(block.recent.tokensPerMinute).toBe(200);
		expect(block.recent.costPerHour).toBeCloseTo(12);
		expect(block.level).toBe('normal');
	});

	it('trends cost over the last hour in 5-minute buckets', () => {
		expect(block.trendUsd).toHaveLength(12);
		expect(block.trendUsd[0]).toBe(1.5);
		expect(block.trendUsd[10]).toBe(1);
		expect(block.trendUsd[11]).toBe(2);
		expect(block.trendUsd.reduce((a, b) => a + b, 0)).toBe(4.5);
	});

	it('ranks models by cost with their share and a cost series from the block start', () => {
		expect(block.models.map(row => [row.model, row.costUsd, row.share])).toEqual([
			[opus, 5, 0.625],
			[sonnet, 2.5, 0.3125],
			[haiku, 0.5, 0.0625],
		]);
		const opusRow = block.models[0]!;
		expect(opusRow.costSeries).toHaveLength(30);
		expect(opusRow.costSeries[1]).toBe(3);
		expect(opusRow.costSeries[29]).toBe(2);
		expect(opusRow.cumulativeUsd.at(-1)).toBe(5);
	});
});

describe('buildDashboard: the limit', () => {
	it.each([
		{limit: 30_000, alert: 0, status: 'ok'},
		{limit: 25_000, alert: 80, status: 'warning'},
		{limit: 22_000, alert: 90, status: 'warning'},
		{limit: 20_000, alert: 100, status: 'exceeds'},
		{limit: 9000, alert: 100, status: 'exceeds'},
	] as const)('projected 20,714 against $limit: alert $alert, $status', ({limit, alert, status}) => {
		const state = fixtureState({limit: limitOf(limit)});
		expect(state.limit).toMatchObject({usedTokens: 10_000, projectedTokens: 20_714, alert, status});
		expect(state.limit!.usedShare).toBeCloseTo(10_000 / limit);
	});

	it('projects plan limits (input+output) at the block’s own ratio', () => {
		const entries = fixtureEntries().map(entry => ({...entry, tokens: {...entry.tokens, cacheReadInputTokens: 3000}}));
		const state = fixtureState({entries, limit: {tokens: 88_000, source: 'plan', label: 'plan max5 (estimate)', measure: 'inputOutput'}});
		expect(state.limit!.usedTokens).toBe(10_000);
		expect(state.limit!.projectedTokens).toBe(Math.round((state.block!.projection!.totalTokens * 10_000) / 25_000));
	});

	it('has no limit state without a limit or an active block', () => {
		expect(fixtureState({limit: undefined}).limit).toBeUndefined();
		expect(fixtureState({nowMs: Date.parse('2026-11-26T18:00:00Z')}).limit).toBeUndefined();
	});

	it.each([
		[0.79, 0],
		[0.8, 80],
		[0.95, 90],
		[1, 100],
	] as const)('alertLevel(%f) = %i', (share, level) => {
		expect(alertLevel(share)).toBe(level);
	});

	it.each([
		[null, 'normal'],
		[{tokensPerMinute: 0, tokensPerMinuteForIndicator: 501, costPerHour: 0}, 'moderate'],
		[{tokensPerMinute: 0, tokensPerMinuteForIndicator: 1001, costPerHour: 0}, 'high'],
	] as const)('burnLevel %j = %s', (rate, level) => {
		expect(burnLevel(rate)).toBe(level);
	});
});

describe('buildDashboard: sessions, models, events', () => {
	const state = fixtureState();

	it('lists block sessions most recent first, with the costliest model and the sidechain share', () => {
		expect(state.blockSessions.map(row => [row.sessionId, row.project, row.model, row.costUsd, row.entries])).toEqual([
			['a1', 'api-server', opus, 5.5, 3],
			['w1', 'web-app', sonnet, 2.5, 2],
		]);
		expect(state.blockSessions[0]!.sidechainShare).toBeCloseTo(0.5 / 5.5);
		expect(state.blockSessions[1]!.sidechainShare).toBe(0);
	});

	it('counts today from local midnight', () => {
		expect(state.today).toEqual({costUsd: 8, totalTokens: 10_000});
		expect(state.modelOrder).toEqual([haiku, opus, sonnet].sort());
	});

	it('splits cache writes into 5-minute and 1-hour and gives the cache-hit share', () => {
		const rows = modelUsage([
			makePriced('2026-11-26T10:00:00Z', {model: opus, costUsd: 1, cacheCreation1hTokens: 300, tokens: {inputTokens: 100, outputTokens: 10, cacheCreationInputTokens: 1000, cacheReadInputTokens: 8900}}),
			makePriced('2026-11-26T10:01:00Z', {model: '<synthetic>', costUsd: 0}),
		]);
		expect(rows).toEqual([
			{model: opus, entries: 1, inputTokens: 100, outputTokens: 10, cacheWrite5mTokens: 700, cacheWrite1hTokens: 300, cacheReadTokens: 8900, costUsd: 1, isPriced: true, cacheHitShare: 0.89},
		]);
	});

	it('shows events newest first with readable messages, then unpriced models and skipped input', () => {
		const withDiagnostics = fixtureState({unknownModels: ['claude-mystery-1'], counters: {invalidLines: 2}, unreadablePaths: 1});
		expect(withDiagnostics.events.map(event => [event.kind, event.text])).toEqual([
			['rate_limit', 'limit hit (api-server): Claude usage limit reached. Your limit will reset at 3pm.'],
			['api_error', 'API error (web-app): 529 Overloaded'],
			['unknown_model', 'no price for claude-mystery-1: its cost shows as unknown (--pricing FILE)'],
			['skipped', 'skipped 2 invalid lines, 1 unreadable path (cctop report --json → diagnostics)'],
		]);
	});

	it('lists an API error copied into a resumed session once', () => {
		const error = {kind: 'api_error' as const, timestampMs: Date.parse('2026-11-26T10:20:00Z'), sessionId: 's1', project: 'shop', message: 'API Error: 529 Overloaded'};
		const state = fixtureState({events: [error, {...error, sessionId: 's2'}]});
		expect(state.events.filter(event => event.kind === 'api_error')).toHaveLength(1);
	});

	it.each([
		['API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}', '500 Internal server error'],
		['API Error: Request timed out.', 'Request timed out.'],
		['Claude usage limit reached.\nResets 3pm', 'Claude usage limit reached. Resets 3pm'],
	])('eventMessage(%j) = %j', (message, expected) => {
		expect(eventMessage(message)).toBe(expected);
	});

	it('groups entries without a session id together', () => {
		expect(sessionRows([makePriced('2026-11-26T10:00:00Z', {sessionId: undefined})])[0]!.sessionId).toBe('(no session)');
	});
});

describe('buildDashboard: idle', () => {
	it('has no block 5 hours after the last request but keeps today and the last activity', () => {
		const state = fixtureState({nowMs: Date.parse('2026-11-26T18:00:00Z')});
		expect(state.block).toBeUndefined();
		expect(state.blockSessions).toEqual([]);
		expect(state.lastActivityMs).toBe(Date.parse('2026-11-26T12:25:00Z'));
		expect(state.sessions).toHaveLength(2);
	});

	it('goes idle when the clock passes the block end, without new data', () => {
		const blocks = identifyBlocks(fixtureEntries(), 5 * hourMs, fixtureNowMs);
		expect(blocks.at(-1)!.isActive).toBe(true);
		const at = (iso: string) => buildDashboard({blocks, events: [], unknownModels: [], counters: {invalidLines: 0}, unreadablePaths: 0, limit: undefined, nowMs: Date.parse(iso), dayStartMs: 0});
		expect(at('2026-11-26T14:59:00Z').block?.remainingMs).toBe(60_000);
		expect(at('2026-11-26T15:00:00Z').block).toBeUndefined();
	});

	it('is empty without entries', () => {
		const state = buildDashboard({blocks: [], events: [], unknownModels: [], counters: {invalidLines: 0}, unreadablePaths: 0, limit: undefined, nowMs: fixtureNowMs, dayStartMs: 0});
		expect(state).toMatchObject({block: undefined, limit: undefined, lastActivityMs: undefined, sessions: [], models: [], events: []});
	});

	it('leaves entries from before local midnight out of today', () => {
		const entries = [makePriced('2026-11-25T23:50:00Z', {costUsd: 7}), ...fixtureEntries()];
		const blocks = identifyBlocks(entries, 5 * hourMs, fixtureNowMs);
		const state = buildDashboard({blocks, events: [], unknownModels: [], counters: {invalidLines: 0}, unreadablePaths: 0, limit: undefined, nowMs: fixtureNowMs, dayStartMs: Date.parse('2026-11-26T00:00:00Z')});
		expect(state.today.costUsd).toBe(8);
	});
});
