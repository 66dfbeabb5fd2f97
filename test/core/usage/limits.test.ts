import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {hourMs, identifyBlocks} from '../../../source/core/usage/blocks.js';
import {limitChoices, limitCycle, limitInForce, limitStatus, resolveTokenLimit, tokensForLimit} from '../../../source/core/usage/limits.js';
import {makePriced} from '../../helpers/entries.js';

// Ten finished blocks of 1k..10k input tokens, one a day, plus an active one.
const blocks = identifyBlocks(
	[
		...Array.from({length: 10}, (_, day) => makePriced(`2026-11-${String(day + 10).padStart(2, '0')}T10:00:00Z`, {tokens: {inputTokens: (day + 1) * 1000, outputTokens: 0}})),
		makePriced('2026-11-26T10:00:00Z', {tokens: {inputTokens: 100, outputTokens: 100, cacheReadInputTokens: 5000}}),
	],
	5 * hourMs,
	Date.parse('2026-11-26T11:00:00Z'),
);

describe('resolveTokenLimit', () => {
	it.each([
		['a number', 50_000, undefined, {tokens: 50_000, source: 'flag', measure: 'all'}],
		['max of finished blocks', 'max', undefined, {tokens: 10_000, source: 'max', measure: 'all'}],
		['p90 of finished blocks', 'p90', undefined, {tokens: 9000, source: 'p90', measure: 'all'}],
		['a plan preset, labelled an estimate', undefined, 'max5', {tokens: 88_000, source: 'plan', label: 'plan max5 (estimate)', measure: 'inputOutput'}],
		['custom plan = p90', undefined, 'custom', {tokens: 9000, source: 'p90'}],
		['--token-limit beats --plan', 1234, 'pro', {tokens: 1234, source: 'flag'}],
	] as const)('%s', (_name, option, plan, expected) => {
		expect(resolveTokenLimit(blocks, option, plan)).toMatchObject(expected);
	});

	it('is undefined with nothing asked for or nothing learnt yet', () => {
		expect(resolveTokenLimit(blocks, undefined, undefined)).toBeUndefined();
		expect(resolveTokenLimit([], 'p90', undefined)).toBeUndefined();
	});

	it('counts tokens by the limit measure', () => {
		const active = blocks.at(-1)!;
		expect(tokensForLimit(active, {tokens: 1, source: 'flag', label: '', measure: 'all'})).toBe(5200);
		expect(tokensForLimit(active, {tokens: 1, source: 'plan', label: '', measure: 'inputOutput'})).toBe(200);
	});
});

describe('limit status', () => {
	it.each([
		[79, 'ok'],
		[80, 'warning'],
		[100, 'warning'],
		[101, 'exceeds'],
	] as const)('%i of 100 is %s', (used, status) => {
		expect(limitStatus(used, 100)).toBe(status);
	});
});

describe('limitChoices', () => {
	it('puts the asked-for limit first, then learnt ones, then plan presets, without repeats', () => {
		expect(limitChoices(blocks, undefined, undefined).map(limit => limit.label)).toEqual(['p90 of past blocks', 'max of past blocks', 'plan pro (estimate)', 'plan max5 (estimate)', 'plan max20 (estimate)']);
		expect(limitChoices(blocks, 5000, undefined)[0]!.label).toBe('--token-limit 5000');
		expect(limitChoices(blocks, undefined, 'max5').map(limit => limit.label).slice(0, 2)).toEqual(['plan max5 (estimate)', 'p90 of past blocks']);
		expect(limitChoices(blocks, 'max', undefined).map(limit => limit.label).slice(0, 2)).toEqual(['max of past blocks', 'p90 of past blocks']);
	});

	it('offers only presets before any block has finished', () => {
		expect(limitChoices([], undefined, undefined).map(limit => limit.source)).toEqual(['plan', 'plan', 'plan']);
	});

	it('starts at no limit when nothing was asked and nothing can be learnt yet, with the presets one p away', () => {
		expect(limitCycle([], undefined, undefined).map(limit => limit?.label)).toEqual([undefined, 'plan pro (estimate)', 'plan max5 (estimate)', 'plan max20 (estimate)']);
		expect(limitCycle([], undefined, 'max5')[0]?.label).toBe('plan max5 (estimate)');
		expect(limitCycle(blocks, undefined, undefined)[0]?.label).toBe('p90 of past blocks');
	});
});

describe('limitInForce', () => {
	it('is the cycle\'s first limit, whatever was asked and whatever the blocks and earlier totals hold', () => {
		// Mostly zeros: p90 is then often 0 (no limit) while max is not.
		const total = fc.oneof({arbitrary: fc.constant(0), weight: 8}, {arbitrary: fc.integer({min: 1, max: 50_000}), weight: 1});
		const option = fc.option(fc.oneof(fc.integer({min: 1, max: 100_000}), fc.constantFrom('max' as const, 'p90' as const)), {nil: undefined});
		const plan = fc.option(fc.constantFrom('pro' as const, 'max5' as const, 'max20' as const, 'custom' as const), {nil: undefined});
		fc.assert(
			fc.property(fc.array(total, {maxLength: 12}), fc.array(total, {maxLength: 12}), option, plan, (dayTotals, earlierTotals, asked, askedPlan) => {
				const days = identifyBlocks(
					dayTotals.map((inputTokens, day) => makePriced(new Date(Date.UTC(2026, 10, 1 + day, 10)).toISOString(), {tokens: {inputTokens, outputTokens: 0}})),
					5 * hourMs,
					Date.UTC(2026, 11, 1),
				);
				expect(limitInForce(days, asked, askedPlan, earlierTotals)).toEqual(limitCycle(days, asked, askedPlan, earlierTotals)[0]);
			}),
			{numRuns: 400},
		);
	});
});
