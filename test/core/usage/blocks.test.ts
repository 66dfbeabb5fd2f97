import {describe, expect, it} from 'vitest';
import {floorToHourMs, hourMs, identifyBlocks} from '../../../source/core/usage/blocks.js';
import {makePriced} from '../../helpers/entries.js';

const fiveHours = 5 * hourMs;
const now = Date.parse('2026-11-30T00:00:00Z');
const ids = (times: string[], nowMs = now) =>
	identifyBlocks(
		times.map(time => makePriced(time)),
		fiveHours,
		nowMs,
	).map(block => ({id: block.id, entries: block.entries.length, isGap: block.isGap, end: new Date(block.endMs).toISOString()}));

describe('identifyBlocks', () => {
	it('floors the block start to the UTC hour', () => {
		expect(ids(['2026-11-26T14:37:22Z'])).toEqual([{id: '2026-11-26T14:00:00.000Z', entries: 1, isGap: false, end: '2026-11-26T19:00:00.000Z'}]);
	});

	it.each([
		['exactly 5h after the block start stays in the block', ['2026-11-26T14:00:00Z', '2026-11-26T16:00:00Z', '2026-11-26T19:00:00Z'], 1],
		['one ms past 5h after the block start opens a new block', ['2026-11-26T14:00:00Z', '2026-11-26T16:00:00Z', '2026-11-26T19:00:00.001Z'], 2],
		['an hour-floored start makes the block end sooner than 5h after the first entry', ['2026-11-26T14:59:00Z', '2026-11-26T19:30:00Z'], 2],
	])('%s', (_name, times, count) => {
		expect(ids(times)).toHaveLength(count);
	});

	it('adds a gap block for a silence longer than 5h, from last entry + 5h to the next entry', () => {
		const blocks = ids(['2026-11-26T10:10:00Z', '2026-11-26T20:30:00Z']);
		expect(blocks).toEqual([
			{id: '2026-11-26T10:00:00.000Z', entries: 1, isGap: false, end: '2026-11-26T15:00:00.000Z'},
			{id: 'gap-2026-11-26T15:10:00.000Z', entries: 0, isGap: true, end: '2026-11-26T20:30:00.000Z'},
			{id: '2026-11-26T20:00:00.000Z', entries: 1, isGap: false, end: '2026-11-27T01:00:00.000Z'},
		]);
	});

	it('adds no gap block when the silence is exactly 5h', () => {
		const blocks = ids(['2026-11-26T10:00:00Z', '2026-11-26T15:00:00Z', '2026-11-26T20:00:00Z']);
		expect(blocks.filter(block => block.isGap)).toHaveLength(0);
	});

	it('is active only while now < end and the last entry is under 5h old', () => {
		const entries = [makePriced('2026-11-26T14:10:00Z'), makePriced('2026-11-26T15:00:00Z')];
		const active = (nowIso: string) => identifyBlocks(entries, fiveHours, Date.parse(nowIso))[0]?.isActive;
		expect(active('2026-11-26T18:59:59Z')).toBe(true);
		expect(active('2026-11-26T19:00:00Z')).toBe(false);
	});

	it('sums tokens, cost and per-model totals and lists models once', () => {
		const [block] = identifyBlocks(
			[
				makePriced('2026-11-26T14:10:00Z', {model: 'claude-opus-4-5', costUsd: 1.5}),
				makePriced('2026-11-26T14:20:00Z', {model: 'claude-sonnet-4-5', costUsd: 0.25}),
				makePriced('2026-11-26T14:30:00Z', {model: 'claude-opus-4-5', costUsd: 0.5}),
				makePriced('2026-11-26T14:40:00Z', {model: 'claude-opus-9', costUsd: undefined}),
			],
			fiveHours,
			now,
		);
		expect(block?.costUsd).toBe(2.25);
		expect(block?.tokens.inputTokens).toBe(400);
		expect(block?.models).toEqual(['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-opus-9']);
		expect(block?.perModel.get('claude-opus-4-5')).toMatchObject({costUsd: 2, entries: 2, inputTokens: 200, isPriced: true});
		expect(block?.perModel.get('claude-opus-9')).toMatchObject({costUsd: 0, isPriced: false, inputTokens: 100});
	});

	it('honours --session-length', () => {
		const blocks = identifyBlocks([makePriced('2026-11-26T10:00:00Z'), makePriced('2026-11-26T13:30:00Z')], 3 * hourMs, now);
		expect(blocks.map(block => block.isGap)).toEqual([false, true, false].slice(0, blocks.length));
		expect(blocks.filter(block => !block.isGap)).toHaveLength(2);
	});

	it('floorToHourMs works on exact hours', () => {
		expect(floorToHourMs(Date.parse('2026-11-26T14:00:00Z'))).toBe(Date.parse('2026-11-26T14:00:00Z'));
	});
});

describe('identifyBlocks with a clock in the past', () => {
	it('never marks a block that starts after now as active', () => {
		const blocks = identifyBlocks([makePriced('2026-11-26T14:10:00Z'), makePriced('2026-11-27T14:10:00Z')], fiveHours, Date.parse('2026-11-26T15:00:00Z'));
		expect(blocks.filter(block => !block.isGap).map(block => block.isActive)).toEqual([true, false]);
	});
});
