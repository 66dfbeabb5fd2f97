import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {hourMs} from '../../../source/core/usage/blocks.js';
import {applyLines, beginBulk, createLedger, endBulk, ledgerCounters, unknownModels, type Ledger} from '../../../source/core/usage/ledger.js';
import {createPriceLookup, defaultPricing} from '../../../source/core/usage/pricing.js';
import {totalTokens, type UsageEntry} from '../../../source/core/usage/types.js';
import type {Block, PricedEntry} from '../../../source/core/usage/blocks.js';
import {sessionsFrom} from '../../../source/core/usage/sessions.js';
import {FrozenLedger} from '../../../source/ingest/index/frozen-ledger.js';
import {decodeIndexBytes, encodeIndex, indexedFile, summarizeBlock} from '../../../source/ingest/index/usage-index.js';
import {makeEntry} from '../../helpers/entries.js';

const nowMs = Date.parse('2026-11-26T12:00:00Z');
const options = {lookup: createPriceLookup(defaultPricing), mode: 'auto' as const, sessionLengthMs: 5 * hourMs};
const lines = (entries: UsageEntry[]) => entries.map(entry => ({kind: 'usage' as const, entry}));

const full = (batches: Array<[string, UsageEntry[]]>): Ledger => {
	const ledger = createLedger(options);
	beginBulk(ledger);
	for (const [path, entries] of batches) applyLines(ledger, path, lines(entries), {lines: entries.length, invalidLines: 0}, nowMs);
	endBulk(ledger, nowMs);
	return ledger;
};

/** Save `ledger` as an index in memory and open it frozen, on every column held or (lean) on what it reads. */
const freeze = async (ledger: Ledger, isLean = false): Promise<FrozenLedger> => {
	const cursor = {dev: 1, ino: 1, size: 0, mtimeMs: 0, ctimeMs: 0, offset: 0, check: 0};
	const counted = new Set<UsageEntry>(ledger.winners.values());
	const bytes = encodeIndex(
		[],
		[...ledger.files.values()].map(file => indexedFile(file, cursor, 'p')),
		{fingerprint: 'f', blocks: ledger.blocks.map(summarizeBlock), counters: ledgerCounters(ledger), unknownModels: unknownModels(ledger)},
		entry => counted.has(entry),
	);
	const index = decodeIndexBytes(bytes);
	if ('error' in index) throw new Error(index.error);
	const body = isLean ? index.leanBody() : await index.body();
	if ('error' in body) throw new Error(body.error);
	return new FrozenLedger(index, index.summary!, body, options);
};

const shape = (view: {blocks: ReturnType<FrozenLedger['usage']>['blocks']; counters: object; unknownModels: string[]}) => ({
	blocks: view.blocks.map(block => [block.id, block.isGap, block.endMs, block.entryCount, block.tokens, Math.round(block.costUsd * 1e9), block.models]),
	counters: view.counters,
	unknownModels: view.unknownModels,
});

describe('FrozenLedger', () => {
	const rowArb = fc.record({
		minute: fc.integer({min: 0, max: 3 * 24 * 60}),
		request: fc.integer({min: 0, max: 30}),
		isKeyed: fc.boolean(),
		output: fc.integer({min: 1, max: 2000}),
		file: fc.constantFrom('/p/a.jsonl', '/p/b.jsonl', '/p/c/sub.jsonl', '/p/new.jsonl'),
		model: fc.constantFrom('claude-opus-4-5', 'claude-sonnet-4-5', 'claude-unknown-9'),
	});
	const toEntry = (row: {minute: number; request: number; isKeyed: boolean; output: number; model: string}) =>
		makeEntry({
			timestampMs: Date.parse('2026-11-20T00:00:00Z') + row.minute * 60_000,
			messageId: row.isKeyed ? `m${row.request}` : undefined,
			requestId: row.isKeyed ? `r${row.request}` : undefined,
			model: row.model,
			tokens: {inputTokens: 10, outputTokens: row.output},
		});

	it.each([
		['every column held', false],
		['reading only the lookup section and the files it needs (lean)', true],
	])('equals a full ledger after any appends on top of a saved index, %s', async (_, isLean) => {
		await fc.assert(
			fc.asyncProperty(fc.array(rowArb, {minLength: 1, maxLength: 60}), fc.array(rowArb, {minLength: 1, maxLength: 40}), async (before, after) => {
				// The stored part never holds the "new" file: it appears only after the index was written.
				const stored = before.filter(row => row.file !== '/p/new.jsonl');
				if (stored.length === 0) return;
				const storedBatches = stored.map(row => [row.file, [toEntry(row)]] as [string, UsageEntry[]]);
				const appended = after.map(row => [row.file, [toEntry(row)]] as [string, UsageEntry[]]);
				const frozen = await freeze(full(storedBatches), isLean);
				for (const [path, entries] of appended) frozen.applyLines(path, lines(entries), {lines: entries.length, invalidLines: 0});
				const reference = full([...storedBatches, ...appended]);
				expect(shape(frozen.usage(nowMs))).toEqual(shape({blocks: reference.blocks, counters: ledgerCounters(reference), unknownModels: unknownModels(reference)}));
			}),
			{numRuns: 200},
		);
	});

	it('gives the blocks from detailFromMs on with their entries, the same blocks as the full ledger', async () => {
		const entries = [0, 60, 400, 420, 1500, 1510, 1520].map((minute, index) =>
			makeEntry({timestampMs: Date.parse('2026-11-25T00:00:00Z') + minute * 60_000, messageId: `m${index}`, requestId: `r${index}`, tokens: {inputTokens: 10, outputTokens: 5}}),
		);
		const reference = full([['/p/a.jsonl', entries]]);
		const frozen = await freeze(reference);
		// Straight from the index summary, blocks carry no entries.
		expect(frozen.usage(nowMs).blocks.every(block => block.entries.length === 0)).toBe(true);
		const detailed = frozen.usage(nowMs, Date.parse('2026-11-26T00:00:00Z'));
		expect(shape(detailed)).toEqual(shape({blocks: reference.blocks, counters: ledgerCounters(reference), unknownModels: unknownModels(reference)}));
		const last = detailed.blocks.at(-1)!;
		expect(last.entries.map(entry => entry.requestId)).toEqual(['r4', 'r5', 'r6']);
	});

	it('lists events from a time on, stored and new', async () => {
		const ledger = createLedger(options);
		const event = (iso: string) => ({kind: 'event' as const, event: {kind: 'api_error' as const, timestampMs: Date.parse(iso), sessionId: 's', project: 'p', message: 'API Error: 500'}});
		applyLines(ledger, '/p/a.jsonl', [event('2026-11-25T10:00:00Z'), event('2026-11-26T09:00:00Z'), ...lines([makeEntry()])], {lines: 3, invalidLines: 0}, nowMs);
		const frozen = await freeze(ledger);
		frozen.applyLines('/p/b.jsonl', [event('2026-11-26T11:00:00Z')], {lines: 1, invalidLines: 0});
		expect(frozen.eventsSince(Date.parse('2026-11-26T00:00:00Z')).map(item => new Date(item.timestampMs).toISOString())).toEqual(['2026-11-26T09:00:00.000Z', '2026-11-26T11:00:00.000Z']);
	});

	it.each([
		['every column held', false],
		['lean: the column scans hold every column when first asked', true],
	])('gives one session exactly what the whole history gives it (sessionCopies), stored and appended, %s', async (_, isLean) => {
		const sessionRow = fc.record({
			minute: fc.integer({min: 0, max: 600}),
			request: fc.integer({min: 0, max: 15}),
			isKeyed: fc.boolean(),
			output: fc.integer({min: 1, max: 2000}),
			file: fc.constantFrom('/p/a.jsonl', '/p/b.jsonl', '/p/c/sub.jsonl', '/p/new.jsonl'),
			session: fc.constantFrom('s1', 's2', 's3'),
		});
		const toSessionEntry = (row: {minute: number; request: number; isKeyed: boolean; output: number; session: string}) => ({
			...toEntry({...row, model: 'claude-opus-4-5'}),
			sessionId: row.session,
		});
		const summary = (usage: {entries: PricedEntry[]; events: unknown[]} | undefined) =>
			usage === undefined ? undefined : {requests: usage.entries.map(entry => [entry.requestId ?? 'unkeyed', entry.timestampMs, totalTokens(entry.tokens), entry.sourcePath]).sort(), events: usage.events.length};
		await fc.assert(
			fc.asyncProperty(fc.array(sessionRow, {minLength: 1, maxLength: 50}), fc.array(sessionRow, {maxLength: 20}), async (before, after) => {
				const stored = before.filter(row => row.file !== '/p/new.jsonl');
				if (stored.length === 0) return;
				const storedBatches = stored.map(row => [row.file, [toSessionEntry(row)]] as [string, UsageEntry[]]);
				const appended = after.map(row => [row.file, [toSessionEntry(row)]] as [string, UsageEntry[]]);
				const frozen = await freeze(full(storedBatches), isLean);
				for (const [path, entries] of appended) frozen.applyLines(path, lines(entries), {lines: entries.length, invalidLines: 0});
				const everything = sessionsFrom([...frozen.files()].map(file => ({path: file.path, keyed: file.keyed, unkeyed: file.unkeyed, events: file.events})));
				for (const sessionId of ['s1', 's2', 's3']) {
					const copies = frozen.sessionCopies(seen => (seen.has(sessionId) ? sessionId : undefined));
					const targeted = copies === undefined ? undefined : sessionsFrom(copies.files, copies.seen).get(sessionId);
					expect(summary(targeted)).toEqual(summary(everything.get(sessionId)));
				}
			}),
			{numRuns: 200},
		);
	});
});

describe('FrozenLedger on a big block, read after every batch', () => {
	it.each([
		['every column held', false],
		['lean', true],
	])('equals a full ledger exactly at every step (extended in place, not regrouped), %s', async (_, isLean) => {
		const exact = (blocks: readonly Block[]) => blocks.map(block => [block.id, block.isGap, block.endMs, block.entryCount, block.tokens, block.costUsd, [...block.perModel]]);
		await fc.assert(
			fc.asyncProperty(fc.integer({min: 1, max: 2200}), fc.array(fc.record({lines: fc.integer({min: 1, max: 6}), file: fc.constantFrom('/p/a.jsonl', '/p/new.jsonl'), replacesStored: fc.boolean()}), {minLength: 1, maxLength: 20}), async (stored, batches) => {
				const start = Date.parse('2026-11-26T06:00:00Z');
				let clock = start;
				const storedEntries = Array.from({length: stored}, (_, index) => makeEntry({timestampMs: (clock += 1000), messageId: `m${index}`, requestId: `r${index}`, tokens: {inputTokens: 10, outputTokens: 20 + (index % 9)}}));
				const all: Array<[string, UsageEntry[]]> = [['/p/a.jsonl', storedEntries]];
				const frozen = await freeze(full(all), isLean);
				const detailFromMs = start;
				let id = stored;
				for (const batch of batches) {
					// New requests; perhaps the final copy of the newest stored request (a larger one wins).
					const entries = Array.from({length: batch.lines}, () => makeEntry({timestampMs: (clock += 2000), messageId: `m${id}`, requestId: `r${id++}`, tokens: {inputTokens: 10, outputTokens: 77}}));
					if (batch.replacesStored) entries.push(makeEntry({timestampMs: (clock += 10), messageId: `m${stored - 1}`, requestId: `r${stored - 1}`, tokens: {inputTokens: 10, outputTokens: 5000 + id}}));
					frozen.applyLines(batch.file, lines(entries), {lines: entries.length, invalidLines: 0});
					all.push([batch.file, entries]);
					const reference = full(all);
					expect(exact(frozen.usage(nowMs, detailFromMs).blocks)).toEqual(exact(reference.blocks));
				}
			}),
			{numRuns: 60},
		);
	});
});
