import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {extendBlocks, floorToHourMs, hourMs, identifyBlocks, type Block} from '../../../source/core/usage/blocks.js';
import {compareEntries} from '../../../source/core/usage/dedupe.js';
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

describe('extendBlocks: a live session without regrouping', () => {
	const start = Date.parse('2026-11-26T08:00:00Z');
	const models = ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-unknown-9'];
	const priced = (id: number, atMs: number, output: number, model: string) =>
		makePriced(new Date(atMs).toISOString(), {messageId: `m${id}`, requestId: `r${id}`, model, tokens: {inputTokens: 10, outputTokens: output}, costUsd: model === 'claude-unknown-9' ? undefined : output * 0.000_015 + 0.000_03});

	/** Every field a view or a report reads, costs exactly (not rounded). */
	const exact = (blocks: readonly Block[]) =>
		blocks.map(block => ({...block, entries: block.entries.map(entry => `${entry.messageId}/${entry.tokens.outputTokens}`), perModel: [...block.perModel], parts: undefined}));

	it('gives exactly what grouping everything again gives, part boundaries and replaced copies included', () => {
		fc.assert(
			fc.property(
				fc.integer({min: 1, max: 2600}),
				fc.array(fc.record({gapMs: fc.constantFrom(0, 1, 700, 60_000, 3 * hourMs, 6 * hourMs), output: fc.integer({min: 1, max: 4000}), model: fc.constantFrom(...models), replaces: fc.option(fc.oneof(fc.nat(40), fc.nat(2500)), {nil: undefined}), size: fc.integer({min: 1, max: 6})}), {minLength: 1, maxLength: 25}),
				(initial, steps) => {
					let clock = start;
					let nextId = 0;
					let entries = Array.from({length: initial}, (_, index) => priced(nextId++, (clock += 500), 100 + (index % 7), models[index % 3]!));
					let blocks = identifyBlocks(entries, fiveHours, now);
					for (const step of steps) {
						// A batch of new requests at the end; perhaps one of the last block's requests replaced by its final copy.
						const added = Array.from({length: step.size}, () => priced(nextId++, (clock += step.gapMs + 1), step.output, step.model));
						const last = blocks.at(-1)!;
						const victim = step.replaces === undefined ? undefined : last.entries[Math.max(0, last.entries.length - 1 - step.replaces)];
						const removed = victim === undefined ? [] : [victim];
						if (victim !== undefined) added.push(priced(Number(victim.messageId!.slice(1)), (clock += 1), step.output + 1, victim.model));
						entries = [...entries.filter(entry => entry !== victim), ...added];
						const expected = exact(identifyBlocks(entries, fiveHours, now));
						const extended = extendBlocks(blocks, removed, added, compareEntries, fiveHours, now);
						if (extended === undefined) {
							// Only a change to the first entry of the last block may decline.
							expect(victim).toBe(last.entries[0]);
							blocks = identifyBlocks(entries, fiveHours, now);
						} else {
							expect(exact(extended)).toEqual(expected);
							blocks = extended;
						}
					}
				},
			),
			{numRuns: 150},
		);
	});

	it('declines what it cannot do in place: a removal outside the last block, an entry sorting before its end', () => {
		const entries = [0, 1, 2, 3].map(index => priced(index, start + index * 60_000, 10, 'claude-opus-4-5'));
		const blocks = identifyBlocks(entries, fiveHours, now);
		expect(extendBlocks(blocks, [priced(99, start, 1, 'claude-opus-4-5')], [], compareEntries, fiveHours, now)).toBeUndefined();
		expect(extendBlocks(blocks, [entries[0]!], [], compareEntries, fiveHours, now)).toBeUndefined();
		expect(extendBlocks(blocks, [], [priced(5, start + 90_000, 10, 'claude-opus-4-5')], compareEntries, fiveHours, now)).toBeUndefined();
		// Declining edits nothing.
		expect(blocks.at(-1)!.entries).toHaveLength(4);
	});
});
