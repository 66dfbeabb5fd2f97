import {readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseHookPayload, statuslineText} from '../../../source/core/screens/statusline.js';
import type {StatusJson} from '../../../source/core/screens/status.js';

const samples = path.resolve('fixtures/statusline');
const sample = (name: string): unknown => JSON.parse(readFileSync(path.join(samples, name), 'utf8'));
const nowMs = Date.parse('2025-02-01T12:00:00Z');
const status: StatusJson = {
	block: {startTime: '2025-02-01T10:00:00.000Z', endTime: '2025-02-01T15:00:00.000Z', percentElapsed: 40, costUSD: 3, totalTokens: 1000, projectedCostUSD: 7, projectedTokens: 2500, limitTokens: null, limitSource: null},
	burnRate: {tokensPerMinute: 10, costPerHour: 1.5, recentTokensPerMinute: null},
	official: null,
	today: {costUSD: 3, totalTokens: 1000},
	week: {costUSD: 3, totalTokens: 1000},
};

describe('parseHookPayload', () => {
	it('reads the full 2.1.x payload, official windows in ms', () => {
		expect(parseHookPayload(sample('claude-code-statusline-input.json'))).toEqual({
			model: 'Opus',
			sessionCostUsd: 0.012_34,
			contextPercent: 8,
			fiveHour: {usedPercentage: 23.5, resetsAtMs: 1_738_425_600_000},
			sevenDay: {usedPercentage: 41.2, resetsAtMs: 1_738_857_600_000},
		});
	});

	it.each(readdirSync(samples).filter(name => name.startsWith('9')))('reads the older payload %s, with context % from its token counts', name => {
		const payload = parseHookPayload(sample(name));
		expect(payload.model).toMatch(/^(Sonnet 4|Opus 4\.1)$/);
		expect(payload.sessionCostUsd).toBeGreaterThan(0);
		expect(payload.contextPercent).toBeGreaterThan(0);
		expect(payload.fiveHour).toBeUndefined();
	});

	it('clamps percentages to 0–100 (a known bug sends the epoch) and caps context at 100', () => {
		const payload = parseHookPayload({rate_limits: {five_hour: {used_percentage: 1_738_425_600, resets_at: 1_738_425_600}, seven_day: {used_percentage: -3, resets_at: 1}}, context_window: {context_window_size: 200_000, total_input_tokens: 450_000}});
		expect(payload.fiveHour?.usedPercentage).toBe(100);
		expect(payload.sevenDay?.usedPercentage).toBe(0);
		expect(payload.contextPercent).toBe(100);
	});

	it.each([undefined, null, 42, 'text', [], {model: 'x', cost: {total_cost_usd: 'lots'}, rate_limits: {five_hour: {used_percentage: 5}}}])('never throws on %j', raw => {
		expect(() => parseHookPayload(raw)).not.toThrow();
		expect(parseHookPayload(raw).fiveHour).toBeUndefined();
	});
});

describe('statuslineText', () => {
	it('shows model, session cost, block, burn, context and the official windows', () => {
		const payload = parseHookPayload(sample('claude-code-statusline-input.json'));
		expect(statuslineText(payload, status, nowMs)).toBe('Opus · $0.01 session · block 40% · resets 3h00m · $1.50/h · ctx 8% · 5h 24% 7d 41%');
	});

	it('falls back to what the transcripts say, and to "cctop" with nothing at all', () => {
		expect(statuslineText(parseHookPayload(undefined), status, nowMs)).toBe('block 40% · resets 3h00m · $1.50/h');
		expect(statuslineText(parseHookPayload(undefined), undefined, nowMs)).toBe('cctop');
	});
});
