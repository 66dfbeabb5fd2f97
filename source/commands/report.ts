import {readFile} from 'node:fs/promises';
import {createPriceLookup, defaultPricing, mergePricing, pricingTableSchema, type PricingTable} from '../core/pricing.js';
import {buildReportJson, runEngine, type ReportJson} from '../core/report.js';
import {hourMs} from '../core/blocks.js';
import {discoverTranscripts, type Discovery} from '../ingest/discover.js';
import {loadTranscripts} from '../ingest/load-transcripts.js';
import {localMidnightMs, UsageError, type Options} from '../options.js';
import {renderReportTable} from '../views/report-table.js';

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

/** Build the report document for the given options. */
export const buildReport = async (options: Options, nowMs: number): Promise<{report: ReportJson; discovery: Discovery}> => {
	const pricing = await loadPricing(options.pricing);
	const discovery = await discoverTranscripts({claudeDirs: options.claudeDir});
	const loaded = await loadTranscripts(discovery);
	const engine = runEngine(loaded.dedupe, {
		nowMs,
		sessionLengthMs: options.sessionLength * hourMs,
		lookup: createPriceLookup(pricing),
		mode: options.mode,
		tokenLimit: options.tokenLimit,
		plan: options.plan,
	});
	const {files, lines, usageLines, invalidLines, unreadablePaths} = loaded.counters;
	const report = buildReportJson(
		engine,
		{
			files,
			lines,
			usageLines,
			duplicateLines: loaded.dedupe.duplicateLines,
			invalidLines,
			limitHits: loaded.events.filter(event => event.kind === 'rate_limit').length,
			apiErrors: loaded.events.filter(event => event.kind === 'api_error').length,
			unreadablePaths,
		},
		{
			nowMs,
			sinceMs: options.since ? localMidnightMs(options.since) : undefined,
			untilMs: options.until ? localMidnightMs(options.until, 1) : undefined,
		},
	);
	return {report, discovery};
};

/** One stderr line about what was skipped, or undefined when nothing was. */
export const skippedSummary = (report: ReportJson): string | undefined => {
	const {invalidLines, unreadablePaths, unknownModels} = report.diagnostics;
	const parts: string[] = [];
	if (invalidLines > 0) parts.push(`${invalidLines} invalid line${invalidLines === 1 ? '' : 's'} skipped`);
	if (unreadablePaths.length > 0) parts.push(`${unreadablePaths.length} unreadable path${unreadablePaths.length === 1 ? '' : 's'} (${unreadablePaths[0]!.path}${unreadablePaths.length > 1 ? ', …' : ''})`);
	if (unknownModels.length > 0) parts.push(`unpriced model${unknownModels.length === 1 ? '' : 's'}: ${unknownModels.join(', ')}`);
	return parts.length > 0 ? `cctop: ${parts.join('; ')} (details: report --json → diagnostics)` : undefined;
};

export const runReport = async (options: Options): Promise<number> => {
	const nowMs = options.now ?? Date.now();
	const {report, discovery} = await buildReport(options, nowMs);
	const summary = skippedSummary(report);
	if (summary && !options.quiet) {
		process.stderr.write(`${summary}\n`);
	}

	if (discovery.files.length === 0 && !options.quiet) {
		process.stderr.write(`${noTranscriptsMessage(discovery)}\n`);
	}

	if (options.json) {
		process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
		return 0;
	}

	if (discovery.files.length === 0) {
		return 0;
	}

	// Piped into `head` or `less`, stdout has no width; the terminal's is still on stderr.
	const width = process.stdout.columns ?? process.stderr.columns ?? (Number(process.env['COLUMNS']) || 100);
	process.stdout.write(`${renderReportTable(report, {width, nowMs, isBreakdown: options.breakdown})}\n`);
	return 0;
};
