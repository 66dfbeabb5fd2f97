import {fsp} from '../ingest/lazy-fs.js';
import {hourMs} from '../core/usage/blocks.js';
import {hashString} from '../core/util/hash.js';
import type {LedgerOptions} from '../core/usage/ledger.js';
import {createPriceLookup, defaultPricing, mergePricing, type PricingTable} from '../core/usage/pricing.js';
import {UsageError, type Options} from '../options.js';

/** Embedded prices, or the embedded ones overridden by `--pricing FILE`. */
export const loadPricing = async (file: string | undefined): Promise<PricingTable> => {
	if (file === undefined) {
		return defaultPricing;
	}

	let raw: unknown;
	try {
		raw = JSON.parse(await fsp().readFile(file, 'utf8'));
	} catch (error) {
		throw new UsageError(`--pricing ${file}: ${error instanceof Error ? error.message : String(error)}`);
	}

	// zod is loaded only for a pricing file: importing it costs ~37 ms of start-up.
	const {pricingTableSchema} = await import('../core/usage/pricing-schema.js');
	const parsed = pricingTableSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new UsageError(`--pricing ${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'} (expected {"models":[{"id", "inputPerMTok", …}]})`);
	}

	return mergePricing(defaultPricing, parsed.data);
};

/** Prices, cost mode and block length for these options, and the fingerprint a saved summary must match. */
export const ledgerSettings = async (options: Options): Promise<{ledger: LedgerOptions; fingerprint: string}> => {
	const pricing = await loadPricing(options.pricing);
	const sessionLengthMs = options.sessionLength * hourMs;
	return {
		ledger: {lookup: createPriceLookup(pricing), mode: options.mode, sessionLengthMs},
		fingerprint: hashString(JSON.stringify([pricing, options.mode, sessionLengthMs])),
	};
};
