import type {Block, PricedEntry} from './blocks.js';
import type {OfficialWindow} from './official-windows.js';
import {totalTokens} from './types.js';

export type DayTotals = {startMs: number; entries: number; totalTokens: number; costUsd: number};

/** The weekly view: one row per local day, oldest first, their sum, and Claude Code's own 7-day figure when known. */
export type Weekly = {days: DayTotals[]; total: Omit<DayTotals, 'startMs'>; official: OfficialWindow | undefined};

/**
 * Sum `entries` into the days that start at `dayStartsMs` (local midnights,
 * oldest first, computed by the caller who knows the time zone); the last day
 * runs to `nowMs`.
 */
export const weeklyTotals = (entries: readonly PricedEntry[], dayStartsMs: readonly number[], nowMs: number, official?: OfficialWindow): Weekly => {
	const days = dayStartsMs.map(startMs => ({startMs, entries: 0, totalTokens: 0, costUsd: 0}));
	for (const entry of entries) {
		if (entry.timestampMs > nowMs) continue;
		let index = days.length - 1;
		while (index >= 0 && entry.timestampMs < days[index]!.startMs) index--;
		if (index < 0) continue;
		const day = days[index]!;
		day.entries++;
		day.totalTokens += totalTokens(entry.tokens);
		day.costUsd += entry.costUsd ?? 0;
	}

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
