import {atTime, hourMs, isFinishedFrom, type Block} from '../core/usage/blocks.js';
import {resolveTokenLimit} from '../core/usage/limits.js';
import {counted} from '../core/util/format.js';
import {buildReportJson, reportJsonLine, reportJsonPretty, type Diagnostics} from '../core/screens/report.js';
import type {UsageHandle} from '../ingest/index/usage-handle.js';
import {lastDayStarts, localMidnightMs, UsageError, type Options} from '../options.js';
import {renderReportTable} from '../views/report-table.js';
import {renderWeeklyTable} from '../views/weekly-table.js';
import {currentWindows} from '../core/usage/official-windows.js';
import {entriesFrom, weeklyTotals} from '../core/usage/weekly.js';
import {readOfficial} from '../ingest/claude-code/official-limits.js';
import {cacheWarning, noTranscriptsMessage, openUsageFor} from './usage-for.js';
import {outColumns, writeOut} from './write-out.js';
import {mayKeepReport, reportKey} from './report-cached.js';
import {writeCachedReport} from '../ingest/index/report-cache.js';

export {noTranscriptsMessage, openUsageFor} from './usage-for.js';
export {loadPricing} from './ledger-settings.js';

/** The report's inputs for the usage's current state. */
const reportArguments = (usage: UsageHandle, options: Options, nowMs: number) => {
	const view = usage.view();
	const sessionLengthMs = options.sessionLength * hourMs;
	// Blocks restored from the index are active or not as of its writing: a learnt
	// limit counts the finished ones as of now, as a cold read does (the same objects when unchanged).
	const blocks = view.blocks.map(block => atTime(block, nowMs, sessionLengthMs));
	return [
		{
			blocks,
			unknownModels: view.unknownModels,
			limit: resolveTokenLimit(blocks, options.tokenLimit, options.plan),
			sessionLengthMs,
		},
		{...view.counters, unreadablePaths: usage.unreadablePaths(), cacheErrors: usage.cacheErrors()},
		{
			nowMs,
			sinceMs: options.since ? localMidnightMs(options.since) : undefined,
			untilMs: options.until ? localMidnightMs(options.until, 1) : undefined,
			last: options.last,
		},
	] as const;
};

/** One stderr line about what was skipped, or undefined when nothing was. */
const skippedSummary = (diagnostics: Diagnostics): string | undefined => {
	const {invalidLines, unreadablePaths, unknownModels} = diagnostics;
	const parts: string[] = [];
	if (invalidLines > 0) parts.push(`${counted(invalidLines, 'invalid line')} skipped`);
	if (unreadablePaths.length > 0) parts.push(`${counted(unreadablePaths.length, 'unreadable path')} (${unreadablePaths[0]!.path}${unreadablePaths.length > 1 ? ', …' : ''})`);
	if (unknownModels.length > 0) parts.push(`unpriced model${unknownModels.length === 1 ? '' : 's'}: ${unknownModels.join(', ')}`);
	return parts.length > 0 ? `cctop: ${parts.join('; ')} (details: report --json → diagnostics)` : undefined;
};

/**
 * Keep a warm report, for the next to print while nothing it looked at changes
 * (report-cache.ts): only when it depends on nothing else that
 * moves. Every block must stay finished as time goes on (a block after a fixed
 * `--now` may start later); no notes, unreadable paths or failed cache writes,
 * which belong to this run.
 */
const keepReport = (usage: UsageHandle, options: Options, nowMs: number, blocks: readonly Block[], diagnostics: Diagnostics, isWithoutOtel: boolean, pieces: ReadonlyArray<string | Uint8Array>): void => {
	if (usage.lookedAt === undefined || !isWithoutOtel || usage.discovery.files.length === 0) return;
	if (usage.notes.length > 0 || diagnostics.unreadablePaths.length > 0 || diagnostics.cacheErrors.length > 0) return;
	if (!blocks.every(block => isFinishedFrom(block, nowMs, options.sessionLength * hourMs))) return;
	let key;
	try {
		if (!mayKeepReport(options)) return;
		key = reportKey(options, usage.discovery.roots);
	} catch {
		// A path that cannot be stat'ed (the data folder, a `--pricing` file): nothing is kept, the report stands.
		return;
	}

	const summary = skippedSummary(diagnostics);
	writeCachedReport(usage.lookedAt(), key, nowMs, {stdout: Buffer.concat(pieces.map(piece => (typeof piece === 'string' ? Buffer.from(piece) : piece))), stderr: options.quiet || summary === undefined ? '' : `${summary}\n`});
};

/** `report --json --watch`: one compact JSON snapshot per change, as NDJSON, until interrupted. */
const watchReport = async (options: Options, clock: () => number): Promise<number> => {
	// A process that stays up all day: trade some JIT speed for a smaller heap (~15% less RSS at 1 GB).
	// node:v8 is loaded here, not at the top: ~2.5 ms every one-shot report would pay.
	process.getBuiltinModule('node:v8').setFlagsFromString('--optimize-for-size');
	// Loaded here so one-shot reports never pay for chokidar.
	const [{watchSource}, {UsageStore}] = await Promise.all([import('../ingest/transcripts/watch.js'), import('../store.js')]);
	// A live mode owns its output: the stream waits for a slow reader, and its errors end the watch.
	const out = process.stdout; // eslint-disable-line no-restricted-properties
	let notify = (): void => undefined;
	const usage = await openUsageFor(options, clock, {isSummaryEnough: false, onChange: () => notify()});
	const {usage: live, source} = usage.live!;
	const finishedBlocks = new WeakMap<Block, string>();
	const print = () => {
		out.cork();
		for (const piece of reportJsonLine(...reportArguments(usage, options, clock()), finishedBlocks)) out.write(piece);
		out.write('\n');
		out.uncork();
	};
	const store = new UsageStore(() => live.version, version => ({version}), clock);
	notify = () => store.notify();
	const watcher = watchSource(source, usage.discovery, {claudeDirs: options.claudeDir, isPolling: options.poll});
	// The first snapshot goes out once the watcher is live, after one more read for
	// anything appended while it attached, so "printed" means "watching".
	await watcher.ready;
	await source.pollAll();
	store.subscribe(print);
	print();
	// Writing the index costs O(history) and, from the frozen live state, a full
	// in-memory ledger for the moment: a live process writes it only when it ran
	// thawed (a truncation happened) or at exit. One-shot runs meanwhile read what
	// was appended since (up to 16 MB) on their own, and rewrite it past that.
	const saveTimer = setInterval(() => {
		if (!live.isFrozen) void usage.save();
	}, 10 * 60_000);
	await new Promise<void>(resolve => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
		out.once('error', () => resolve());
	});
	clearInterval(saveTimer);
	store.close();
	await watcher.close();
	await usage.save();
	const cacheLine = cacheWarning(usage.cacheErrors());
	if (cacheLine && !options.quiet) process.stderr.write(`${cacheLine}\n`);
	return 0;
};

/** `report --weekly`: the last 7 local days from the entries, against the official 7-day reading. */
const weeklyReport = async (options: Options, clock: () => number): Promise<number> => {
	const usage = await openUsageFor(options, clock, {isSummaryEnough: false});
	const nowMs = clock();
	const starts = lastDayStarts(nowMs);
	const view = usage.view(starts[0]);
	const weekly = weeklyTotals(entriesFrom(view.blocks, starts[0]!), starts, nowMs, currentWindows(readOfficial(), nowMs).sevenDay);
	await usage.save();
	const cacheLine = cacheWarning(usage.cacheErrors());
	if (cacheLine && !options.quiet) process.stderr.write(`${cacheLine}\n`);
	if (options.json) {
		const day = ({startMs, entries: count, totalTokens, costUsd}: {startMs?: number; entries: number; totalTokens: number; costUsd: number}) => ({
			...(startMs === undefined ? {} : {start: new Date(startMs).toISOString()}),
			entries: count,
			totalTokens,
			costUSD: costUsd,
		});
		const official = weekly.official === undefined ? null : {usedPercentage: weekly.official.usedPercentage, resetsAt: new Date(weekly.official.resetsAtMs).toISOString()};
		writeOut(`${JSON.stringify({days: weekly.days.map(day), total: day(weekly.total), official}, null, 2)}\n`);
		return 0;
	}

	writeOut(`${renderWeeklyTable(weekly)}\n`);
	return 0;
};

/**
 * OpenTelemetry figures from the spool (`cctop run`, the receiver) and
 * `--otel-log` files, or undefined when there is neither. Unreadable logs are
 * named on stderr. Loaded only then: most reports have no OpenTelemetry.
 */
const readOtel = async (options: Options) => {
	const {spoolExists, readSpool} = await import('../ingest/otel/otel-spool.js');
	if (options.otelLog.length === 0 && !spoolExists()) return undefined;
	const [{OtelSummary}, {readOtelLogs}] = await Promise.all([import('../core/otel/otel-summary.js'), import('../ingest/otel/read-otel-log.js')]);
	const summary = new OtelSummary();
	// --since/--until cover the records received in those days: found by binary search, not a full read.
	readSpool(summary, undefined, {sinceMs: options.since ? localMidnightMs(options.since) : undefined, untilMs: options.until ? localMidnightMs(options.until, 1) : undefined});
	const {unreadable} = await readOtelLogs(options.otelLog, {summary});
	for (const {path, reason} of unreadable) process.stderr.write(`cctop: --otel-log ${path}: ${reason}\n`);
	const spans = summary.spans;
	// Whenever spans were read: the agent workflow's traces and where their time went.
	let traces;
	if (spans.length > 0) {
		const {buildTraces, tracesJson} = await import('../core/otel/traces.js');
		traces = tracesJson(buildTraces(spans));
	}

	return {otel: summary.json(), traces};
};

export const runReport = async (options: Options): Promise<number> => {
	const clock = () => options.now ?? Date.now();
	if (options.otelLog.length > 0 && (options.watch || options.weekly)) {
		throw new UsageError('--otel-log works with `cctop report` and `report --json`, not yet with --watch or --weekly');
	}

	if (options.watch) {
		return watchReport(options, clock);
	}

	if (options.weekly) {
		return weeklyReport(options, clock);
	}

	const usage = await openUsageFor(options, clock, {isSummaryEnough: true});
	await usage.save();
	const nowMs = clock();
	const report = reportArguments(usage, options, nowMs);
	const diagnostics: Diagnostics = {...report[1], unknownModels: report[0].unknownModels};
	const {otel, traces} = (await readOtel(options)) ?? {};
	if (!options.quiet) {
		for (const note of usage.notes) process.stderr.write(`cctop: ${note}\n`);
		const cacheLine = cacheWarning(diagnostics.cacheErrors);
		if (cacheLine) process.stderr.write(`${cacheLine}\n`);
		const summary = skippedSummary(diagnostics);
		if (summary) process.stderr.write(`${summary}\n`);
		if (usage.discovery.files.length === 0) process.stderr.write(`${noTranscriptsMessage(usage.discovery)}\n`);
	}

	if (options.json) {
		// `scope` says what the section covers: all the telemetry received (any session, any machine sending here), not only these transcripts.
		const extra = {...(otel === undefined ? {} : {otel: {scope: 'all telemetry received', ...otel}}), ...(traces === undefined ? {} : {traces})};
		// Finished blocks are printed from the text stored with the index when it has them (see reportJsonPretty).
		const pieces = [...reportJsonPretty(...report, usage.blockTexts?.(), extra), '\n'];
		writeOut(pieces);
		keepReport(usage, options, nowMs, report[0].blocks, diagnostics, otel === undefined, pieces);
		return 0;
	}

	if (usage.discovery.files.length > 0) {
		// Piped into `head` or `less`, stdout has no width; the terminal's is still on stderr.
		const width = outColumns();
		const table = `${renderReportTable(buildReportJson(...report), {width, nowMs, isBreakdown: options.breakdown})}\n`;
		writeOut(table);
		keepReport(usage, options, nowMs, report[0].blocks, diagnostics, otel === undefined, [table]);
	}

	if (otel !== undefined) {
		const {renderOtelSummary} = await import('../views/otel-text.js');
		writeOut(`\n${renderOtelSummary(otel, {isRange: options.since !== undefined || options.until !== undefined})}\n`);
	}

	return 0;
};
