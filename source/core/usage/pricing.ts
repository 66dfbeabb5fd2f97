import type {UsageEntry} from './types.js';

/** One model's prices in USD per million tokens, plus the rules that change them. */
export type ModelPrice = {
	id: string;
	aliases?: string[] | undefined;
	inputPerMTok: number;
	outputPerMTok: number;
	cacheWrite5mPerMTok: number;
	cacheWrite1hPerMTok: number;
	cacheReadPerMTok: number;
	/** `speed: "fast"` multiplies every bucket by this. */
	fastMultiplier?: number | undefined;
	/** Above the threshold every bucket of the request is premium-priced (not split at 200k). */
	longContext?:
		| {
				thresholdTokens: number;
				inputMultiplier: number;
				outputMultiplier: number;
				/** The premium applied to requests before this time only (epoch ms). */
				untilMs?: number | undefined;
		  }
		| undefined;
};

export type PricingTable = {models: ModelPrice[]};

export type CostMode = 'auto' | 'calculate' | 'display';

/** $10 per 1,000 web search requests. */
export const webSearchUsdPerRequest = 0.01;

const price = (
	id: string,
	[input, output, write5m, write1h, read]: [number, number, number, number, number],
	extra: Partial<ModelPrice> = {},
): ModelPrice => ({
	id,
	inputPerMTok: input,
	outputPerMTok: output,
	cacheWrite5mPerMTok: write5m,
	cacheWrite1hPerMTok: write1h,
	cacheReadPerMTok: read,
	...extra,
});

const premium200k = {thresholdTokens: 200_000, inputMultiplier: 2, outputMultiplier: 1.5};
// Opus 4.6 and Sonnet 4.6 billed >200k at premium only until 1M context became standard (~2026-03-14).
const premium200kUntilMarch2026 = {...premium200k, untilMs: Date.UTC(2026, 2, 14)};

/** Embedded prices from ../shared/pricing.md (official page, 2026-08-21). Never fetched at run time. */
export const defaultPricing: PricingTable = {
	models: [
		price('claude-fable-5', [10, 50, 12.5, 20, 1]),
		price('claude-mythos-5', [10, 50, 12.5, 20, 1]),
		price('claude-opus-5', [5, 25, 6.25, 10, 0.5], {fastMultiplier: 2}),
		price('claude-opus-4-8', [5, 25, 6.25, 10, 0.5], {fastMultiplier: 2}),
		price('claude-opus-4-7', [5, 25, 6.25, 10, 0.5], {fastMultiplier: 6}),
		price('claude-opus-4-6', [5, 25, 6.25, 10, 0.5], {fastMultiplier: 6, longContext: premium200kUntilMarch2026}),
		price('claude-opus-4-5', [5, 25, 6.25, 10, 0.5]),
		price('claude-opus-4-1', [15, 75, 18.75, 30, 1.5]),
		price('claude-opus-4', [15, 75, 18.75, 30, 1.5], {aliases: ['claude-4-opus-20250514']}),
		price('claude-sonnet-5', [2, 10, 2.5, 4, 0.2]),
		price('claude-sonnet-4-6', [3, 15, 3.75, 6, 0.3], {longContext: premium200kUntilMarch2026}),
		price('claude-sonnet-4-5', [3, 15, 3.75, 6, 0.3], {longContext: premium200k}),
		price('claude-sonnet-4', [3, 15, 3.75, 6, 0.3], {longContext: premium200k, aliases: ['claude-4-sonnet-20250514']}),
		price('claude-haiku-4-5', [1, 5, 1.25, 2, 0.1]),
		price('claude-3-7-sonnet', [3, 15, 3.75, 6, 0.3]),
		price('claude-3-5-sonnet', [3, 15, 3.75, 6, 0.3]),
		price('claude-3-5-haiku', [0.8, 4, 1, 1.6, 0.08]),
		price('claude-3-opus', [15, 75, 18.75, 30, 1.5]),
		price('claude-3-haiku', [0.25, 1.25, 0.3, 0.5, 0.03]),
	],
};

const modernId = /claude-(opus|sonnet|haiku|fable|mythos)-(\d+)(?:[-.](\d{1,2}))?(?!\d)/;
const legacyId = /claude-(\d+)(?:[-.](\d{1,2}))?-(opus|sonnet|haiku)/;

/**
 * Family and generation of a model id, e.g. `opus-4-5` for `claude-opus-4-5-20251101`
 * and `sonnet-3-5` for `claude-3-5-sonnet-20241022`. A date suffix is never read as a
 * minor version. Undefined for ids that are not Claude models.
 */
export const modelGeneration = (modelId: string): string | undefined => {
	const id = modelId.toLowerCase();
	const modern = modernId.exec(id);
	if (modern) {
		return [modern[1], modern[2], modern[3]].filter(Boolean).join('-');
	}

	const legacy = legacyId.exec(id);
	if (legacy) {
		return [legacy[3], legacy[1], legacy[2]].filter(Boolean).join('-');
	}

	return undefined;
};

export type PriceLookup = (modelId: string) => ModelPrice | undefined;

/**
 * Build a lookup: exact id (or alias), then the id without its date suffix, then
 * family *and* generation. An id that matches none of these has no price: cctop
 * never borrows another model's price.
 */
export const createPriceLookup = (table: PricingTable): PriceLookup => {
	const byId = new Map<string, ModelPrice>();
	const byGeneration = new Map<string, ModelPrice>();
	for (const model of table.models) {
		for (const id of [model.id, ...(model.aliases ?? [])]) {
			byId.set(id, model);
		}

		const generation = modelGeneration(model.id);
		if (generation !== undefined && !byGeneration.has(generation)) {
			byGeneration.set(generation, model);
		}
	}

	const cache = new Map<string, ModelPrice | undefined>();
	return modelId => {
		if (cache.has(modelId)) {
			return cache.get(modelId);
		}

		const generation = modelGeneration(modelId);
		const found =
			byId.get(modelId) ??
			byId.get(modelId.replace(/-\d{8}$/, '')) ??
			(generation === undefined ? undefined : byGeneration.get(generation));
		cache.set(modelId, found);
		return found;
	};
};

/** Merge a `--pricing` file over the embedded table: same id replaces, new ids add. */
export const mergePricing = (base: PricingTable, override: PricingTable): PricingTable => {
	const overridden = new Set(override.models.map(model => model.id));
	return {models: [...override.models, ...base.models.filter(model => !overridden.has(model.id))]};
};

/** Cost of one request at list price, in USD (SPEC §3). */
export const calculateCostUsd = (entry: UsageEntry, model: ModelPrice): number => {
	const {inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens} = entry.tokens;
	const write1h = entry.cacheCreation1hTokens;
	const write5m = cacheCreationInputTokens - write1h;

	let inputMultiplier = 1;
	let outputMultiplier = 1;
	const longContext = model.longContext;
	if (
		longContext &&
		(longContext.untilMs === undefined || entry.timestampMs < longContext.untilMs) &&
		inputTokens + cacheCreationInputTokens + cacheReadInputTokens > longContext.thresholdTokens
	) {
		inputMultiplier = longContext.inputMultiplier;
		outputMultiplier = longContext.outputMultiplier;
	}

	const speedMultiplier = entry.isFast ? (model.fastMultiplier ?? 1) : 1;
	const inputSideUsd =
		inputTokens * model.inputPerMTok +
		write5m * model.cacheWrite5mPerMTok +
		write1h * model.cacheWrite1hPerMTok +
		cacheReadInputTokens * model.cacheReadPerMTok;
	const tokensUsd = (inputSideUsd * inputMultiplier + outputTokens * model.outputPerMTok * outputMultiplier) / 1_000_000;
	return tokensUsd * speedMultiplier + entry.webSearchRequests * webSearchUsdPerRequest;
};

/**
 * The cost cctop reports for one entry, or undefined when it cannot be priced
 * (unknown model and no logged cost). `auto` prefers a logged `costUSD`.
 */
export const entryCostUsd = (entry: UsageEntry, lookup: PriceLookup, mode: CostMode): number | undefined => {
	if (entry.isNonBillable) {
		return 0;
	}

	switch (mode) {
		case 'display': {
			return entry.loggedCostUsd ?? 0;
		}

		case 'auto': {
			if (entry.loggedCostUsd !== undefined) {
				return entry.loggedCostUsd;
			}

			const model = lookup(entry.model);
			return model ? calculateCostUsd(entry, model) : undefined;
		}

		case 'calculate': {
			const model = lookup(entry.model);
			return model ? calculateCostUsd(entry, model) : undefined;
		}
	}
};
