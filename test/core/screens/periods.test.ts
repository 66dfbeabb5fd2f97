import {describe, expect, it} from 'vitest';
import {localDater, mondayOf, orderRows, periodRows, periodsJson} from '../../../source/core/screens/periods.js';
import {makePriced} from '../../helpers/entries.js';

// Hand-worked: four requests around midnights and a month end, two models, one unpriced.
const entries = [
	makePriced('2026-10-31T22:30:00Z', {model: 'claude-opus-4-5', tokens: {inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 1000}, costUsd: 0.5}),
	makePriced('2026-11-01T00:30:00Z', {model: 'claude-sonnet-4-5', tokens: {inputTokens: 200, outputTokens: 20, cacheCreationInputTokens: 300}, costUsd: 0.25}),
	makePriced('2026-11-02T12:00:00Z', {model: 'claude-opus-4-5', tokens: {inputTokens: 50, outputTokens: 5}, costUsd: 0.125}),
	makePriced('2026-11-09T09:00:00Z', {model: 'claude-mystery-9', tokens: {inputTokens: 7, outputTokens: 3}, costUsd: undefined}),
];

describe('periods', () => {
	it('sums days in UTC, and in a zone where the first request is already November', () => {
		expect(periodRows(entries, {kind: 'daily', timeZone: 'UTC'}).map(row => [row.period, row.tokens.inputTokens, row.costUsd])).toEqual([
			['2026-10-31', 100, 0.5],
			['2026-11-01', 200, 0.25],
			['2026-11-02', 50, 0.125],
			['2026-11-09', 7, 0],
		]);
		// Berlin is UTC+1 in November: 22:30Z on Oct 31 is 23:30 there, 00:30Z is 01:30 on Nov 1.
		expect(periodRows(entries, {kind: 'daily', timeZone: 'Europe/Berlin'}).map(row => row.period)).toEqual(['2026-10-31', '2026-11-01', '2026-11-02', '2026-11-09']);
		// Tokyo is UTC+9: both of the first two fall on Nov 1.
		expect(periodRows(entries, {kind: 'daily', timeZone: 'Asia/Tokyo'}).map(row => [row.period, row.tokens.inputTokens])).toEqual([
			['2026-11-01', 300],
			['2026-11-02', 50],
			['2026-11-09', 7],
		]);
	});

	it('groups weeks by their Monday and months by the local month', () => {
		expect(mondayOf('2026-11-01')).toBe('2026-10-26');
		expect(mondayOf('2026-11-02')).toBe('2026-11-02');
		expect(mondayOf('2026-11-08')).toBe('2026-11-02');
		expect(periodRows(entries, {kind: 'weekly', timeZone: 'UTC'}).map(row => [row.period, row.tokens.inputTokens])).toEqual([
			['2026-10-26', 300],
			['2026-11-02', 50],
			['2026-11-09', 7],
		]);
		expect(periodRows(entries, {kind: 'monthly', timeZone: 'UTC'}).map(row => [row.period, row.costUsd])).toEqual([
			['2026-10', 0.5],
			['2026-11', 0.375],
		]);
	});

	it('picks requests by local date for --since and --until (inclusive)', () => {
		expect(periodRows(entries, {kind: 'monthly', timeZone: 'UTC', sinceDate: '2026-11-01', untilDate: '2026-11-02'}).map(row => [row.period, row.tokens.inputTokens])).toEqual([['2026-11', 250]]);
	});

	it('orders and cuts rows: oldest first by default, --order desc, --last N keeps the newest', () => {
		const rows = periodRows(entries, {kind: 'daily', timeZone: 'UTC'});
		expect(orderRows(rows, {order: 'asc', last: 2}).map(row => row.period)).toEqual(['2026-11-02', '2026-11-09']);
		expect(orderRows(rows, {order: 'desc', last: 2}).map(row => row.period)).toEqual(['2026-11-09', '2026-11-02']);
	});

	it('gives ccusage 20 JSON, with date/week/month kept for ccusage 17 scripts and unpriced models marked', () => {
		const json = periodsJson('daily', periodRows(entries.slice(0, 2), {kind: 'daily', timeZone: 'Asia/Tokyo'}));
		expect(json).toEqual({
			daily: [
				{
					period: '2026-11-01',
					date: '2026-11-01',
					inputTokens: 300,
					outputTokens: 30,
					cacheCreationTokens: 300,
					cacheReadTokens: 1000,
					totalTokens: 1630,
					totalCost: 0.75,
					modelsUsed: ['claude-opus-4-5', 'claude-sonnet-4-5'],
					modelBreakdowns: [
						{modelName: 'claude-opus-4-5', inputTokens: 100, outputTokens: 10, cacheCreationTokens: 0, cacheReadTokens: 1000, cost: 0.5},
						{modelName: 'claude-sonnet-4-5', inputTokens: 200, outputTokens: 20, cacheCreationTokens: 300, cacheReadTokens: 0, cost: 0.25},
					],
				},
			],
			totals: {inputTokens: 300, outputTokens: 30, cacheCreationTokens: 300, cacheReadTokens: 1000, totalTokens: 1630, totalCost: 0.75},
		});
		const monthly = periodsJson('monthly', periodRows(entries, {kind: 'monthly', timeZone: 'UTC'}));
		expect(monthly['monthly']![1]).toMatchObject({period: '2026-11', month: '2026-11'});
		expect(monthly['monthly']![1]!.modelBreakdowns.find(model => model.modelName === 'claude-mystery-9')).toMatchObject({cost: 0, priced: false});
		expect(periodsJson('weekly', periodRows(entries, {kind: 'weekly', timeZone: 'UTC'}))['weekly']![0]).toMatchObject({period: '2026-10-26', week: '2026-10-26'});
	});

	it('reads a zone offset once per quarter hour, and gets every instant right across a DST change', () => {
		const berlin = localDater('Europe/Berlin');
		const reference = new Intl.DateTimeFormat('en-CA', {timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit'});
		// Every 7 minutes over the night DST ends (2026-10-25, 03:00 → 02:00).
		for (let ms = Date.parse('2026-10-24T20:00:00Z'); ms < Date.parse('2026-10-25T06:00:00Z'); ms += 7 * 60_000) {
			expect(berlin(ms)).toBe(reference.format(ms));
		}
	});
});
