import {readFile} from 'node:fs/promises';
import {hourMs} from '../core/blocks.js';
import {hashString} from '../core/hash.js';
import {createPriceLookup, defaultPricing, mergePricing, type PricingTable} from '../core/pricing.js';
import type {Discovery} from '../ingest/discover.js';
import {openUsage, type UsageHandle} from '../ingest/open-usage.js';
import type {ScanProgress} from '../ingest/transcript-source.js';
import {UsageError, type Options} from '../options.js';
import {progressReporter} from '../views/progress-line.js';

// What every command opens usage with, apart from the report's own rendering:
// `status` loads this and not the report table.

/** Embedded prices, or the embedded ones overridden by `--pricing FILE`. */
export const loadPricing = async (file: string | undefined): Promise<PricingTable> => {
	if (file === undefined) {
		return defaultPricing;
	}

	let raw: unknown;
	try {
		raw = JSON.parse(await readFile(file, 'utf8'));
	} catch (error) {
		throw new UsageError(`--pricing ${file}: ${error instanceof Error ? error.message : String(error)}`);
	}

	// zod is loaded only for a pricing file: importing it costs ~37 ms of start-up.
	const {pricingTableSchema} = await import('../core/pricing-schema.js');
	const parsed = pricingTableSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new UsageError(`--pricing ${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'} (expected {"models":[{"id", "inputPerMTok", …}]})`);
	}

	return mergePricing(defaultPricing, parsed.data);
};

/** What to tell a user whose machine has no transcripts. */
export const noTranscriptsMessage = (discovery: Discovery): string =>
	[
		'cctop: no Claude Code transcripts found. Looked in:',
		...discovery.searched.map(dir => `  ${dir}/projects`),
		'Set CLAUDE_CONFIG_DIR or pass --claude-dir DIR.',
	].join('\n');

/** Open the transcripts for these options: index, then only new bytes. */
export const openUsageFor = async (
	options: Options,
	clock: () => number,
	{isSummaryEnough, onChange, onProgress}: {isSummaryEnough: boolean; onChange?: () => void; onProgress?: (progress: ScanProgress) => void},
): Promise<UsageHandle> => {
	const pricing = await loadPricing(options.pricing);
	const sessionLengthMs = options.sessionLength * hourMs;
	const progress = progressReporter(process.stderr);
	const usage = await openUsage({
		claudeDirs: options.claudeDir,
		ledger: {lookup: createPriceLookup(pricing), mode: options.mode, sessionLengthMs},
		fingerprint: hashString(JSON.stringify([pricing, options.mode, sessionLengthMs])),
		isCacheEnabled: options.cache,
		isSummaryEnough,
		clock,
		onChange,
		onProgress: onProgress ?? (options.quiet ? undefined : progress.onProgress),
	});
	progress.done();
	return usage;
};
