import type {Block, PricedEntry} from './blocks.js';
import {compareEntries} from './dedupe.js';
import type {OfficialWindow} from './official-windows.js';
import {totalTokens} from './types.js';

export type DayTotals = {startMs: number; entries: number; totalTokens: number; costUsd: number};

/** The weekly view: one row per local day, oldest first, their sum, and Claude Code's own 7-day figure when known. */
export type Weekly = {days: DayTotals[]; total: Omit<DayTotals, 'startMs'>; official: OfficialWindow | undefined};

/**
 * Add `entries` into `days` in time order, as {@link weeklyTotals} does, so
 * sums continued from kept ones equal sums over all requests to the last bit.
 */
const addInOrder = (days: DayTotals[], entries: readonly PricedEntry[], nowMs: number): void => {
	for (const entry of [...entries].sort(compareEntries)) {
		if (entry.timestampMs > nowMs) continue;
		let index = days.length - 1;
		while (index >= 0 && entry.timestampMs < days[index]!.startMs) index--;
		if (index < 0) continue;
		const day = days[index]!;
		day.entries++;
		day.totalTokens += totalTokens(entry.tokens);
		day.costUsd += entry.costUsd ?? 0;
	}
};

/**
 * Sum `entries` into the days that start at `dayStartsMs` (local midnights,
 * oldest first, computed by the caller who knows the time zone); the last day
 * runs to `nowMs`.
 */
export const weeklyTotals = (entries: readonly PricedEntry[], dayStartsMs: readonly number[], nowMs: number, official?: OfficialWindow): Weekly => {
	const days = dayStartsMs.map(startMs => ({startMs, entries: 0, totalTokens: 0, costUsd: 0}));
	addInOrder(days, entries, nowMs);

	const total = {entries: 0, totalTokens: 0, costUsd: 0};
	for (const day of days) {
		total.entries += day.entries;
		total.totalTokens += day.totalTokens;
		total.costUsd += day.costUsd;
	}

	return {days, total, official};
};

/** The entries of the blocks that reach past `fromMs` (blocks restored from a summary carry none). */
export const entriesFrom = (blocks: readonly Block[], fromMs: number): PricedEntry[] => blocks.filter(block => block.endMs > fromMs).flatMap(block => block.entries);

/**
 * Totals per local day of the requests dated before some instant, kept so the
 * week can be told without its requests: `startsMs` are local midnights, oldest
 * first, and `totals[i]` sums the day from `startsMs[i]`. `offsets` are the UTC
 * offsets (minutes, as Date gives them) at those midnights: under another time
 * zone they would not be midnights, and the totals must not be used.
 */
export type DaySums = {startsMs: number[]; offsets: number[]; totals: Array<Omit<DayTotals, 'startMs'>>};

const sumsOf = (days: readonly DayTotals[]): DaySums => ({
	startsMs: days.map(day => day.startMs),
	offsets: days.map(day => new Date(day.startMs).getTimezoneOffset()),
	totals: days.map(({startMs: _startMs, ...totals}) => totals),
});

/** Sum `entries` dated before `beforeMs` (and not after `nowMs`) into the days that start at `dayStartsMs`. */
export const daySums = (entries: readonly PricedEntry[], dayStartsMs: readonly number[], beforeMs: number, nowMs: number): DaySums => {
	const days = dayStartsMs.map(startMs => ({startMs, entries: 0, totalTokens: 0, costUsd: 0}));
	addInOrder(
		days,
		entries.filter(entry => entry.timestampMs < beforeMs),
		nowMs,
	);
	return sumsOf(days);
};

/**
 * The days that start at `dayStartsMs` from kept `sums` (requests before
 * `fromMs`) with `entries` dated from `fromMs` up to `beforeMs` added.
 * Undefined when a day needed is not kept and could hold requests from before
 * `fromMs`, or the time zone is not the one the sums were made in.
 */
const continued = (sums: DaySums, entries: readonly PricedEntry[], fromMs: number, beforeMs: number, dayStartsMs: readonly number[], nowMs: number): DayTotals[] | undefined => {
	const isSameZone = sums.startsMs.every((startMs, index) => {
		const date = new Date(startMs);
		return date.getTimezoneOffset() === sums.offsets[index] && date.getHours() === 0 && date.getMinutes() === 0;
	});
	if (!isSameZone) return undefined;
	const days: DayTotals[] = [];
	for (const startMs of dayStartsMs) {
		const at = sums.startsMs.indexOf(startMs);
		// A day not kept: none of its requests may be from before `fromMs`.
		if (at === -1 && startMs < fromMs) return undefined;
		days.push(at === -1 ? {startMs, entries: 0, totalTokens: 0, costUsd: 0} : {startMs, ...sums.totals[at]!});
	}

	addInOrder(
		days,
		entries.filter(entry => entry.timestampMs >= fromMs && entry.timestampMs < beforeMs),
		nowMs,
	);
	return days;
};

/** `sums` (requests before `fromMs`) moved on to `dayStartsMs` and to requests before `beforeMs`; see {@link continued}. */
export const movedDaySums = (sums: DaySums, entries: readonly PricedEntry[], fromMs: number, beforeMs: number, dayStartsMs: readonly number[], nowMs: number): DaySums | undefined => {
	const days = continued(sums, entries, fromMs, beforeMs, dayStartsMs, nowMs);
	return days === undefined ? undefined : sumsOf(days);
};

/** The week from kept day sums (requests before `fromMs`) and the requests from `fromMs` on; what {@link weeklyTotals} gives over all of them. */
export const weekFromSums = (sums: DaySums, entries: readonly PricedEntry[], fromMs: number, dayStartsMs: readonly number[], nowMs: number): Weekly | undefined => {
	const days = continued(sums, entries, fromMs, Number.POSITIVE_INFINITY, dayStartsMs, nowMs);
	if (days === undefined) return undefined;
	const total = {entries: 0, totalTokens: 0, costUsd: 0};
	for (const day of days) {
		total.entries += day.entries;
		total.totalTokens += day.totalTokens;
		total.costUsd += day.costUsd;
	}

	return {days, total, official: undefined};
};
