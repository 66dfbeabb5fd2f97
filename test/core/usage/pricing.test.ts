import {describe, expect, it} from 'vitest';
import {
	calculateCostUsd,
	createPriceLookup,
	defaultPricing,
	entryCostUsd,
	mergePricing,
	modelGeneration,
} from '../../../source/core/usage/pricing.js';
import {pricingTableSchema} from '../../../source/core/usage/pricing-schema.js';
import {makeEntry} from '../../helpers/entries.js';

const lookup = createPriceLookup(defaultPricing);
const priceOf = (model: string) => {
	const found = lookup(model);
	if (!found) throw new Error(`no price for ${model}`);
	return found;
};

const million = 1_000_000;

describe('pricing rules', () => {
	it.each([
		// [rule, model, entry overrides, expected USD]
		['input and output at list price (Opus 4.5 is $5/$25, not $15/$75)', 'claude-opus-4-5-20251101', {tokens: {inputTokens: million, outputTokens: million}}, 30],
		['cache read is 0.1× input', 'claude-sonnet-4-5', {tokens: {cacheReadInputTokens: 100_000}}, 0.03],
		['a 5-minute cache write is 1.25× input', 'claude-sonnet-4-5', {tokens: {cacheCreationInputTokens: 100_000}}, 0.375],
		['a 1-hour cache write is 2× input', 'claude-sonnet-4-5', {tokens: {cacheCreationInputTokens: 100_000}, cacheCreation1hTokens: 100_000}, 0.6],
		['a mixed 5m/1h write splits by the breakdown', 'claude-opus-4-5', {tokens: {cacheCreationInputTokens: 3 * million}, cacheCreation1hTokens: million}, 2 * 6.25 + 10],
		['exactly 200k input stays at base price', 'claude-sonnet-4-5', {tokens: {inputTokens: 200_000, outputTokens: million}}, 0.6 + 15],
		[
			'>200k prices every bucket of the request at premium (no split at 200k)',
			'claude-sonnet-4-5',
			{tokens: {inputTokens: 100_000, cacheReadInputTokens: 100_001, cacheCreationInputTokens: 10_000, outputTokens: million}, cacheCreation1hTokens: 10_000},
			(100_000 * 6 + 100_001 * 0.6 + 10_000 * 12) / million + 22.5,
		],
		['>200k premium also applies to Sonnet 4', 'claude-sonnet-4-20250514', {tokens: {inputTokens: 300_000}}, 1.8],
		['Opus 4.6 >200k premium applied in Feb 2026', 'claude-opus-4-6', {timestampMs: Date.UTC(2026, 1, 20), tokens: {inputTokens: 300_000}}, 3],
		['Opus 4.6 >200k at base price after 1M context went standard', 'claude-opus-4-6', {timestampMs: Date.UTC(2026, 5, 1), tokens: {inputTokens: 300_000}}, 1.5],
		['Opus 4.5 has no long-context premium', 'claude-opus-4-5', {tokens: {inputTokens: 300_000}}, 1.5],
		['speed fast multiplies by the model factor (Opus 4.8 ×2)', 'claude-opus-4-8', {isFast: true, tokens: {inputTokens: million, outputTokens: million}}, 60],
		['speed fast on Opus 4.6 is ×6', 'claude-opus-4-6', {isFast: true, tokens: {outputTokens: million}}, 150],
		['speed fast on a model without fast mode is ×1', 'claude-opus-4-20250514', {isFast: true, tokens: {outputTokens: million}}, 75],
		['web search is $10 per 1,000 requests', 'claude-sonnet-4-5', {webSearchRequests: 1000}, 10],
		['web search is not multiplied by fast mode', 'claude-opus-5', {webSearchRequests: 100, isFast: true}, 1],
	])('%s', (_rule, model, overrides, expected) => {
		expect(calculateCostUsd(makeEntry(overrides), priceOf(model))).toBeCloseTo(expected, 9);
	});
});

describe('model matching', () => {
	it.each([
		['claude-opus-4-5-20251101', 'claude-opus-4-5'],
		['claude-opus-4-5', 'claude-opus-4-5'],
		['claude-opus-4-20250514', 'claude-opus-4'],
		['claude-4-opus-20250514', 'claude-opus-4'],
		['claude-opus-4-1-20250805', 'claude-opus-4-1'],
		['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
		['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
		['claude-3-5-haiku-20241022', 'claude-3-5-haiku'],
		['claude-3-haiku-20240307', 'claude-3-haiku'],
		['claude-3-opus-20240229', 'claude-3-opus'],
		['claude-3-7-sonnet-20250219', 'claude-3-7-sonnet'],
		['us.anthropic.claude-opus-4-5-20251101-v1:0', 'claude-opus-4-5'],
		['claude-opus-4-5@20251101', 'claude-opus-4-5'],
		['claude-opus-5', 'claude-opus-5'],
		['claude-fable-5', 'claude-fable-5'],
		['claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
	])('%s prices as %s', (model, expected) => {
		expect(lookup(model)?.id).toBe(expected);
	});

	it.each(['claude-opus-6', 'claude-opus-5-1', 'claude-sonnet-4-7', 'gpt-4o', 'deepseek-chat', 'opus', ''])(
		'%s is unknown: no price is borrowed',
		model => {
			expect(lookup(model)).toBeUndefined();
		},
	);

	it('never reads a date suffix as a minor version', () => {
		expect(modelGeneration('claude-opus-4-20250514')).toBe('opus-4');
		expect(modelGeneration('claude-sonnet-4-5-20250929')).toBe('sonnet-4-5');
	});
});

describe('entryCostUsd modes', () => {
	const logged = makeEntry({model: 'claude-sonnet-4-5', loggedCostUsd: 0.5, tokens: {outputTokens: million}});
	const unlogged = makeEntry({model: 'claude-sonnet-4-5', tokens: {outputTokens: million}});
	it.each([
		['auto uses the logged cost', logged, 'auto', 0.5],
		['auto calculates without one', unlogged, 'auto', 15],
		['calculate ignores the logged cost', logged, 'calculate', 15],
		['display uses the logged cost', logged, 'display', 0.5],
		['display counts 0 without one', unlogged, 'display', 0],
	] as const)('%s', (_name, entry, mode, expected) => {
		expect(entryCostUsd(entry, lookup, mode)).toBeCloseTo(expected, 9);
	});

	it('returns undefined (unpriced) for an unknown model', () => {
		expect(entryCostUsd(makeEntry({model: 'claude-opus-9', tokens: {outputTokens: 5}}), lookup, 'calculate')).toBeUndefined();
	});

	it('prices synthetic and API-error entries at 0', () => {
		expect(entryCostUsd(makeEntry({model: '<synthetic>', isNonBillable: true, tokens: {outputTokens: 5}}), lookup, 'calculate')).toBe(0);
	});
});

describe('--pricing overrides', () => {
	it('replaces a model by id and adds new ones', () => {
		const override = pricingTableSchema.parse({
			models: [
				{id: 'claude-opus-4-5', inputPerMTok: 1, outputPerMTok: 2, cacheWrite5mPerMTok: 3, cacheWrite1hPerMTok: 4, cacheReadPerMTok: 5},
				{id: 'my-router-model', inputPerMTok: 1, outputPerMTok: 1, cacheWrite5mPerMTok: 1, cacheWrite1hPerMTok: 1, cacheReadPerMTok: 1},
			],
		});
		const merged = createPriceLookup(mergePricing(defaultPricing, override));
		expect(merged('claude-opus-4-5-20251101')?.outputPerMTok).toBe(2);
		expect(merged('my-router-model')?.inputPerMTok).toBe(1);
		expect(merged('claude-sonnet-4-5')?.outputPerMTok).toBe(15);
	});

	it('rejects a table with a missing price', () => {
		expect(pricingTableSchema.safeParse({models: [{id: 'x', inputPerMTok: 1}]}).success).toBe(false);
	});
});

describe('embedded table', () => {
	it('has every model of pricing.md with 1h = 2× input and read = 0.1× input', () => {
		expect(defaultPricing.models).toHaveLength(19);
		for (const model of defaultPricing.models) {
			expect(model.cacheWrite1hPerMTok).toBeCloseTo(model.inputPerMTok * 2, 9);
			expect(model.cacheWrite5mPerMTok).toBeCloseTo(model.inputPerMTok * 1.25, 1);
		}
	});
});
