import {describe, expect, it} from 'vitest';
import {hourMs, identifyBlocks} from '../../../source/core/usage/blocks.js';
import {blockBurnRate, projectBlock, recentBurnRate, settledBurnRate, settledProjection} from '../../../source/core/usage/burn-rate.js';
import {makePriced} from '../../helpers/entries.js';

const build = (nowIso: string) =>
	identifyBlocks(
		[
			makePriced('2026-11-26T14:10:00Z', {tokens: {inputTokens: 1000, outputTokens: 500, cacheReadInputTokens: 8000, cacheCreationInputTokens: 500}, costUsd: 1}),
			makePriced('2026-11-26T14:50:00Z', {tokens: {inputTokens: 1000, outputTokens: 500, cacheReadInputTokens: 8000, cacheCreationInputTokens: 500}, costUsd: 2}),
		],
		5 * hourMs,
		Date.parse(nowIso),
	)[0]!;

describe('burn rate and projection at a fixed now', () => {
	it('divides by the first-to-last entry span', () => {
		// 20,000 tokens over 40 minutes; 3,000 input+output; $3.
		expect(blockBurnRate(build('2026-11-26T15:00:00Z'))).toEqual({tokensPerMinute: 500, tokensPerMinuteForIndicator: 75, costPerHour: 4.5});
	});

	it('projects to the block end', () => {
		// 4h left (240 min): 20,000 + 500×240 = 140,000 tokens; $3 + $4.5/h × 4h = $21.
		expect(projectBlock(build('2026-11-26T15:00:00Z'), Date.parse('2026-11-26T15:00:00Z'))).toEqual({totalTokens: 140_000, totalCost: 21, remainingMinutes: 240});
	});

	it('has no projection once the block is over', () => {
		expect(projectBlock(build('2026-11-26T19:30:00Z'), Date.parse('2026-11-26T19:30:00Z'))).toBeNull();
	});

	it('has no burn rate for a single entry', () => {
		const [block] = identifyBlocks([makePriced('2026-11-26T14:10:00Z')], 5 * hourMs, Date.parse('2026-11-26T15:00:00Z'));
		expect(blockBurnRate(block!)).toBeNull();
		expect(projectBlock(block!, Date.parse('2026-11-26T15:00:00Z'))).toBeNull();
	});

	it('has a recent rate over the last 10 minutes only', () => {
		const entries = [
			makePriced('2026-11-26T14:00:00Z', {tokens: {inputTokens: 99_999, outputTokens: 0}, costUsd: 50}),
			makePriced('2026-11-26T14:52:00Z', {tokens: {inputTokens: 1000, outputTokens: 1000}, costUsd: 0.5}),
			makePriced('2026-11-26T14:58:00Z', {tokens: {inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 3000}, costUsd: 0.5}),
		];
		expect(recentBurnRate(entries, Date.parse('2026-11-26T15:00:00Z'))).toEqual({tokensPerMinute: 500, tokensPerMinuteForIndicator: 200, costPerHour: 6});
	});
});

describe('the live views wait for a settled rate', () => {
	const block = (secondsApart: number) =>
		identifyBlocks(
			[
				makePriced('2026-11-26T14:10:00Z', {tokens: {inputTokens: 5000, outputTokens: 500}, costUsd: 1}),
				makePriced(new Date(Date.parse('2026-11-26T14:10:00Z') + secondsApart * 1000).toISOString(), {tokens: {inputTokens: 5000, outputTokens: 500}, costUsd: 1}),
			],
			5 * hourMs,
			Date.parse('2026-11-26T14:20:00Z'),
		)[0]!;

	it('shows no average and no projection for requests a second apart, which the raw math blows up', () => {
		const early = block(1);
		// The report's ccusage-compatible numbers: 11,000 tokens "per second" projects to ~30M.
		expect(projectBlock(early, Date.parse('2026-11-26T14:20:00Z'))!.totalTokens).toBeGreaterThan(1_000_000);
		expect(settledBurnRate(early)).toBeNull();
		expect(settledProjection(early, Date.parse('2026-11-26T14:20:00Z'))).toBeNull();
	});

	it('shows both once the requests span five minutes', () => {
		const settled = block(300);
		expect(settledBurnRate(settled)).toEqual(blockBurnRate(settled));
		expect(settledProjection(settled, Date.parse('2026-11-26T14:20:00Z'))).toEqual(projectBlock(settled, Date.parse('2026-11-26T14:20:00Z')));
	});
});
