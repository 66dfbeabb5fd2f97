import {limitChoices} from '../core/limits.js';
import {buildStatus, statusLine} from '../core/status.js';
import {entriesFrom, weeklyTotals} from '../core/weekly.js';
import {currentWindows} from '../core/statusline.js';
import {readOfficial} from '../ingest/official-limits.js';
import {lastDayStarts, type Options} from '../options.js';
import {openUsageFor} from './usage-for.js';

/** The status now; `needsPeriods` reads entries for today's and the week's totals. */
export const statusFor = async (options: Options, {needsPeriods}: {needsPeriods: boolean}) => {
	const clock = () => options.now ?? Date.now();
	const usage = await openUsageFor({...options, quiet: true}, clock, {isSummaryEnough: !needsPeriods});
	const nowMs = clock();
	// The same 7 local days as `report --weekly`: today and the six before.
	const dayStarts = lastDayStarts(nowMs);
	const view = usage.view(needsPeriods ? dayStarts[0] : undefined);
	const week = weeklyTotals(needsPeriods ? entriesFrom(view.blocks, dayStarts[0]!) : [], dayStarts, nowMs);
	const status = buildStatus({
		blocks: view.blocks,
		nowMs,
		limit: limitChoices(view.blocks, options.tokenLimit, options.plan)[0],
		today: week.days.at(-1)!,
		week: week.total,
		official: (() => {
			const reading = readOfficial();
			return reading === undefined ? undefined : currentWindows(reading, nowMs);
		})(),
	});
	await usage.save();
	return {status, nowMs};
};

const computeLine = async (options: Options): Promise<string> => {
	const needsPeriods = options.format === 'json' || /\{(?:today|week)_/.test(options.template ?? '');
	const {status, nowMs} = await statusFor(options, {needsPeriods});
	return options.format === 'json' ? JSON.stringify(status.json) : statusLine(status, {nowMs, format: options.format, template: options.template});
};

/**
 * `status --watch`: the line again every `--refresh` seconds (default 5), for a
 * one-row tmux pane. On a terminal it is redrawn in place; piped, a new line is
 * printed only when it changed. Each round is the same cheap summary read.
 */
const watchStatus = async (options: Options): Promise<number> => {
	const intervalMs = options.refreshMs > 0 ? options.refreshMs : 5000;
	const isTerminal = process.stdout.isTTY === true;
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
			const width = process.stdout.columns ?? 80;
			process.stdout.write(`\r\u001B[2K${[...line].slice(0, Math.max(1, width - 1)).join('')}`);
		} else if (line !== previous) {
			process.stdout.write(`${line}\n`);
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

	if (isTerminal) process.stdout.write('\n');
	return 0;
};

export const runStatus = async (options: Options): Promise<number> => {
	if (options.watch) return watchStatus(options);
	process.stdout.write(`${await computeLine(options)}\n`);
	return 0;
};
