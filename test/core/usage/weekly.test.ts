import {expect, it} from 'vitest';
import {weeklyTotals} from '../../../source/core/usage/weekly.js';
import {lastDayStarts} from '../../../source/options.js';
import {makePriced} from '../../helpers/entries.js';

it('sums entries into local days, drops what is older or later than now, and totals the week', () => {
	const nowMs = Date.parse('2026-11-26T12:30:00Z');
	const starts = lastDayStarts(nowMs);
	expect(starts.map(ms => new Date(ms).toISOString().slice(0, 10))).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']);
	const weekly = weeklyTotals(
		[
			makePriced('2026-11-19T23:59:00Z', {costUsd: 100}),
			makePriced('2026-11-20T00:00:00Z', {costUsd: 1}),
			makePriced('2026-11-23T10:00:00Z', {costUsd: 2}),
			makePriced('2026-11-26T12:00:00Z', {costUsd: 4}),
			makePriced('2026-11-26T13:00:00Z', {costUsd: 1000}),
		],
		starts,
		nowMs,
	);
	expect(weekly.days.map(day => day.costUsd)).toEqual([1, 0, 0, 2, 0, 0, 4]);
	expect(weekly.days.map(day => day.entries)).toEqual([1, 0, 0, 1, 0, 0, 1]);
	expect(weekly.total).toEqual({entries: 3, totalTokens: 450, costUsd: 7});
});
