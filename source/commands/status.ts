import {existsSync, rmSync} from 'node:fs';
import {atTime} from '../core/usage/blocks.js';
import {limitInForce} from '../core/usage/limits.js';
import {buildStatus, statusLine, type Status, type StatusOtel} from '../core/screens/status.js';
import type {Budget} from '../core/config/budgets-schema.js';
import {findRoots} from '../ingest/transcripts/discover.js';
import {defaultBudgetsPath} from '../ingest/dirs.js';
import {advanceSnapshot, readSnapshot, snapshotPath} from '../ingest/index/status-snapshot.js';
import {dayBounds, lastDayStarts, type Options} from '../options.js';
import {ledgerSettings} from './ledger-settings.js';
import {startSweep, sweepVariable} from './start-sweep.js';
import {writeOut} from './write-out.js';

/**
 * Today's productivity figures from the spool (`cctop serve`, `cctop run`), null
 * when there is no spool. Loaded only when a line asks; today's records are found
 * by binary search, so a spool that grew for months costs what today's part costs.
 */
const otelNow = async (nowMs: number): Promise<StatusOtel | null> => {
	const [{readSpool}, {OtelSummary}] = await Promise.all([import('../ingest/otel/otel-spool.js'), import('../core/otel/otel-summary.js')]);
	const summary = new OtelSummary();
	if (!readSpool(summary, undefined, {sinceMs: lastDayStarts(nowMs, 1)[0]!})) return null;
	const json = summary.json();
	return {linesOfCode: json.linesOfCode, commits: json.commits, pullRequests: json.pullRequests, apiErrors: json.apiRequests.errors};
};

// Loaded when a line asks for them: every module is start-up time for a status bar.
const officialNow = async (nowMs: number) => {
	const [{readOfficial}, {currentWindows}] = await Promise.all([import('../ingest/claude-code/official-limits.js'), import('../core/usage/official-windows.js')]);
	const reading = readOfficial();
	return reading === undefined ? undefined : currentWindows(reading, nowMs);
};

/**
 * Blocks from the status snapshot plus the bytes appended since, when only
 * appends happened (see ingest/index/status-snapshot.ts); undefined when the
 * index must answer. A sweep stats every file; otherwise a due sweep is started in the background.
 */
const snapshotUsage = async (options: Options, settings: Awaited<ReturnType<typeof ledgerSettings>>, nowMs: number, cacheErrors: CacheErrors, isSweep: boolean) => {
	const {roots} = await findRoots({claudeDirs: options.claudeDir});
	const file = snapshotPath(roots);
	const {usage, failure} = await advanceSnapshot(file, await readSnapshot(file), {roots, ...settings, nowMs, dayStartsMs: lastDayStarts(nowMs), isSweep});
	noteFailure(cacheErrors, failure);
	if (isSweep) rmSync(`${file}.sweep`, {force: true});
	else if (usage?.isSweepDue) await startSweep(file, options);
	return usage;
};

type CacheErrors = Array<{path: string; reason: string}>;
const noteFailure = (errors: CacheErrors, failure: {path: string; reason: string} | undefined) => {
	if (failure !== undefined) errors.push(failure);
};

/**
 * The index path: the saved summary plus new bytes, and a fresh snapshot for
 * the next status line. With the cache on, the week's requests are read so the
 * snapshot can hold the last block's requests and the week's day sums.
 */
const indexUsage = async (options: Options, settings: Awaited<ReturnType<typeof ledgerSettings>>, clock: () => number, needsPeriods: boolean, cacheErrors: CacheErrors) => {
	const nowMs = clock();
	const [{openUsageFor}, {weeklyTotals}, {snapshotFromIndex}] = await Promise.all([import('./usage-for.js'), import('../core/usage/weekly.js'), import('./snapshot-from-index.js')]);
	const usage = await openUsageFor({...options, quiet: true}, clock, {isSummaryEnough: !options.cache && !needsPeriods, settings});
	const {view, weekEntries, dayStartsMs, failure} = await snapshotFromIndex(usage, {fingerprint: settings.fingerprint, nowMs, isCached: options.cache, needsWeek: needsPeriods});
	noteFailure(cacheErrors, failure);
	await usage.save();
	cacheErrors.push(...usage.cacheErrors());
	return {blocks: view.blocks, earlierTotals: [] as number[], week: needsPeriods ? weeklyTotals(weekEntries, dayStartsMs, nowMs) : undefined};
};

/**
 * The status now. `needsPeriods` reads entries for today's and the week's
 * totals; `needsOfficial` reads the official usage `cctop statusline` recorded.
 */
export const statusFor = async (
	options: Options,
	{needsPeriods, needsOfficial = needsPeriods, needsOtel = false, isSweep = process.env[sweepVariable] === '1'}: {needsPeriods: boolean; needsOfficial?: boolean; needsOtel?: boolean; isSweep?: boolean},
) => {
	const clock = () => options.now ?? Date.now();
	const settings = await ledgerSettings(options);
	const nowMs = clock();
	const cacheErrors: CacheErrors = [];
	const snapshot = options.cache ? await snapshotUsage(options, settings, nowMs, cacheErrors, isSweep) : undefined;
	// The week needs the snapshot's day sums; without them (another time zone) the index answers.
	const fast = snapshot !== undefined && (!needsPeriods || snapshot.week !== undefined) ? snapshot : undefined;
	const {blocks: found, earlierTotals, week: foundWeek} = fast ?? (await indexUsage(options, settings, clock, needsPeriods, cacheErrors));
	if (isSweep && options.cache) {
		// The same look for the report, once the index is what this run leaves: its quiet files and folders as the index has them (quiet-check.ts).
		const {checkQuietFiles} = await import('../ingest/index/quiet-check.js');
		await checkQuietFiles((await findRoots({claudeDirs: options.claudeDir})).roots);
	}

	// A saved summary's last block may have ended since: limits learn only from finished ones.
	const blocks = found.map(block => atTime(block, nowMs, settings.ledger.sessionLengthMs));
	// The same 7 local days as `report --weekly`: today and the six before.
	const week = (needsPeriods ? foundWeek : undefined) ?? {days: [{costUsd: 0, totalTokens: 0}], total: {costUsd: 0, totalTokens: 0}};
	const status = buildStatus({
		blocks,
		nowMs,
		limit: limitInForce(blocks, options.tokenLimit, options.plan, earlierTotals),
		today: week.days.at(-1)!,
		week: week.total,
		official: needsOfficial ? await officialNow(nowMs) : undefined,
		otel: needsOtel ? await otelNow(nowMs) : undefined,
	});
	return {status, nowMs, source: fast === undefined ? ('index' as const) : ('snapshot' as const), cacheErrors};
};

/**
 * The block, day and week budgets a status line shows (SPEC §8); none without a
 * budgets file. A broken file costs one stderr line, never the status line.
 */
export const statusBudgets = async (options: Options): Promise<Budget[]> => {
	// No budgets file: nothing more to load (a status line pays for every module).
	if (options.budgets === undefined && !existsSync(defaultBudgetsPath())) return [];
	try {
		const {readBudgets} = await import('../ingest/config/read-budgets.js');
		const {isFastPeriod} = await import('../core/screens/status-budget.js');
		return (await readBudgets(options.budgets)).budgets.filter(budget => budget.scope === 'local' && isFastPeriod(budget));
	} catch (error) {
		if (!options.quiet) process.stderr.write(`cctop: budgets not shown: ${error instanceof Error ? error.message : String(error)}\n`);
		return [];
	}
};

/** The status with its nearest budget beside the block, when there are budgets. */
export const withBudgets = async (status: Status, budgets: readonly Budget[], nowMs: number): Promise<Status> => {
	if (budgets.length === 0) return status;
	const {withBudget} = await import('../core/screens/status-budget.js');
	return withBudget(status, budgets, nowMs, dayBounds(nowMs));
};

const computeLine = async (options: Options): Promise<string> => {
	const budgets = await statusBudgets(options);
	const needsPeriods = options.format === 'json' || /\{(?:today|week)_/.test(options.template ?? '') || budgets.some(budget => budget.period !== 'block');
	const needsOtel = options.format === 'json' || /\{(?:lines_added|lines_removed|commits|pull_requests|api_errors)\}/.test(options.template ?? '');
	const found = await statusFor(options, {needsPeriods, needsOfficial: options.format === 'json', needsOtel});
	const {nowMs, cacheErrors} = found;
	const status = await withBudgets(found.status, budgets, nowMs);
	if (cacheErrors.length > 0) {
		// The line still goes out; the warning is one line on stderr (loaded only then).
		const {cacheWarning} = await import('./usage-for.js');
		process.stderr.write(`${cacheWarning(cacheErrors)}\n`);
	}

	return options.format === 'json' ? JSON.stringify(status.json) : statusLine(status, {nowMs, format: options.format, template: options.template});
};

/**
 * `status --watch`: the line again every `--refresh` seconds (default 5), for a
 * one-row tmux pane. On a terminal it is redrawn in place; piped, a new line is
 * printed only when it changed. Each round is the same cheap summary read.
 */
const watchStatus = async (options: Options): Promise<number> => {
	// A live mode owns its output (the stream redraws a terminal in place).
	const out = process.stdout; // eslint-disable-line no-restricted-properties
	const intervalMs = options.refreshMs > 0 ? options.refreshMs : 5000;
	const isTerminal = out.isTTY === true;
	let stopped = false;
	let wake: (() => void) | undefined;
	const stop = () => {
		stopped = true;
		wake?.();
	};

	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
	let previous: string | undefined;
	while (!stopped) {
		const line = await computeLine(options);
		if (isTerminal) {
			// Cut to the width: a wrapped line could not be redrawn in place.
			const width = out.columns ?? 80;
			out.write(`\r\u001B[2K${[...line].slice(0, Math.max(1, width - 1)).join('')}`);
		} else if (line !== previous) {
			out.write(`${line}\n`);
		}

		previous = line;
		if (stopped) break;
		await new Promise<void>(resolve => {
			const timer = setTimeout(resolve, intervalMs);
			wake = () => {
				clearTimeout(timer);
				resolve();
			};
		});
	}

	if (isTerminal) out.write('\n');
	return 0;
};

export const runStatus = async (options: Options): Promise<number> => {
	if (options.watch) return watchStatus(options);
	writeOut(`${await computeLine(options)}\n`);
	return 0;
};
