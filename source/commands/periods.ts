import {orderRows, periodRows, periodsJson, type PeriodKind} from '../core/screens/periods.js';
import {localMidnightMs, type LocalDate, type Options} from '../options.js';
import {renderPeriodTable} from '../views/period-table.js';
import {isColorFor} from './color.js';
import {cacheWarning, noTranscriptsMessage, openUsageFor} from './usage-for.js';

const isoDate = ({year, month, day}: LocalDate): string => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/**
 * `cctop daily|weekly|monthly`: ccusage's calendar reports from the same deduped,
 * priced requests as `report`. Days are local (or `--timezone`); `--since` and
 * `--until` pick requests by that date.
 */
export const runPeriods = async (options: Options, kind: PeriodKind): Promise<number> => {
	const clock = () => options.now ?? Date.now();
	const usage = await openUsageFor(options, clock, {isSummaryEnough: false});
	// Entries from a day before --since on (a zone may be a day ahead of this machine's).
	const fromMs = options.since === undefined ? 0 : localMidnightMs(options.since, -1);
	const entries = usage.view(fromMs).blocks.flatMap(block => block.entries);
	await usage.save();
	const rows = periodRows(entries, {
		kind,
		timeZone: options.timezone,
		sinceDate: options.since === undefined ? undefined : isoDate(options.since),
		untilDate: options.until === undefined ? undefined : isoDate(options.until),
	});
	const shown = orderRows(rows, {order: options.order, last: options.last});
	if (!options.quiet) {
		const cacheLine = cacheWarning(usage.cacheErrors());
		if (cacheLine) process.stderr.write(`${cacheLine}\n`);
		if (usage.discovery.files.length === 0) process.stderr.write(`${noTranscriptsMessage(usage.discovery)}\n`);
	}

	if (options.json) {
		process.stdout.write(`${JSON.stringify(periodsJson(kind, shown), null, 2)}\n`);
		return 0;
	}

	if (shown.length === 0) {
		process.stderr.write(`cctop: no usage${options.since || options.until ? ' in that range' : ''}\n`);
		return 0;
	}

	const width = process.stdout.columns ?? process.stderr.columns ?? (Number(process.env['COLUMNS']) || 100);
	process.stdout.write(`${renderPeriodTable(kind, shown, {width, isBreakdown: options.breakdown, isColor: isColorFor(process.stdout)})}\n`);
	return 0;
};
