import {z} from 'zod';
import type {PricingTable} from './pricing.js';

/** The `--pricing FILE` format: the embedded table's own shape (see pricing.ts). */
const perMTok = z.number().finite().nonnegative();

/** One model's prices in USD per million tokens, plus the rules that change them. */
export const modelPriceSchema = z.object({
	id: z.string().min(1),
	aliases: z.array(z.string()).optional(),
	inputPerMTok: perMTok,
	outputPerMTok: perMTok,
	cacheWrite5mPerMTok: perMTok,
	cacheWrite1hPerMTok: perMTok,
	cacheReadPerMTok: perMTok,
	/** `speed: "fast"` multiplies every bucket by this. */
	fastMultiplier: z.number().positive().optional(),
	/** Above the threshold every bucket of the request is premium-priced (not split at 200k). */
	longContext: z
		.object({
			thresholdTokens: z.number().int().positive(),
			inputMultiplier: z.number().positive(),
			outputMultiplier: z.number().positive(),
			/** The premium applied to requests before this time only (epoch ms). */
			untilMs: z.number().optional(),
		})
		.optional(),
});

export const pricingTableSchema: z.ZodType<PricingTable> = z.object({models: z.array(modelPriceSchema)});

