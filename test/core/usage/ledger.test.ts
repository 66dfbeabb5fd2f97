import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {hourMs} from '../../../source/core/usage/blocks.js';
import {applyLines, beginBulk, clearFiles, compactResults, createLedger, endBulk, ledgerCounters, rebuildLedger, removeFile, restoreFile, type Ledger} from '../../../source/core/usage/ledger.js';
import {createPriceLookup, defaultPricing} from '../../../source/core/usage/pricing.js';
import type {UsageEntry} from '../../../source/core/usage/types.js';
import {makeEntry} from '../../helpers/entries.js';

const nowMs = Date.parse('2026-11-26T12:00:00Z');
const newLedger = () => createLedger({lookup: createPriceLookup(defaultPricing), mode: 'auto', sessionLengthMs: 5 * hourMs});
const apply = (ledger: Ledger, path: string, entries: UsageEntry[]) =>
	applyLines(ledger, path, entries.map(entry => ({kind: 'usage' as const, entry})), {lines: entries.length, invalidLines: 0}, nowMs);

/** What a report shows of a ledger: blocks with their sums, and the winning copies. */
const shape = (ledger: Ledger) => ({
	blocks: ledger.blocks.map(block => ({
		id: block.id,
		isGap: block.isGap,
		endMs: block.endMs,
		entryCount: block.entryCount,
		tokens: block.tokens,
		costUsd: Math.round(block.costUsd * 1e9),
		models: block.models,
	})),
	sorted: ledger.sorted.map(entry => `${entry.timestampMs}/${entry.messageId}/${entry.tokens.outputTokens}/${entry.model}`),
	counters: ledgerCounters(ledger),
});

describe('ledger', () => {
	it('keeps the largest copy across files, a tie going to the path that sorts first', () => {
		const ledger = newLedger();
		const ids = {messageId: 'm', requestId: 'r'};
		apply(ledger, '/b.jsonl', [makeEntry({...ids, model: 'from-b', tokens: {outputTokens: 5}})]);
		apply(ledger, '/a.jsonl', [makeEntry({...ids, model: 'from-a', tokens: {outputTokens: 5}})]);
		expect(ledger.sorted.map(entry => entry.model)).toEqual(['from-a']);
		apply(ledger, '/c.jsonl', [makeEntry({...ids, model: 'from-c', tokens: {outputTokens: 6}})]);
		expect(ledger.sorted.map(entry => entry.model)).toEqual(['from-c']);
		expect(ledgerCounters(ledger)).toMatchObject({usageLines: 3, duplicateLines: 2});
	});

	it('takes a removed file out exactly, falling back to the other files\' copies', () => {
		const ledger = newLedger();
		const ids = {messageId: 'm', requestId: 'r'};
		apply(ledger, '/a.jsonl', [makeEntry({...ids, tokens: {outputTokens: 3}})]);
		apply(ledger, '/b.jsonl', [makeEntry({...ids, tokens: {outputTokens: 358}}), makeEntry({messageId: 'x', requestId: 'y'})]);
		removeFile(ledger, '/b.jsonl', nowMs);
		expect(ledger.sorted.map(entry => entry.tokens.outputTokens)).toEqual([3]);
		expect(ledgerCounters(ledger)).toMatchObject({files: 1, usageLines: 1, duplicateLines: 0});
	});

	it('counts events and line counters per file', () => {
		const ledger = newLedger();
		applyLines(
			ledger,
			'/a.jsonl',
			[{kind: 'event', event: {kind: 'rate_limit', timestampMs: nowMs, sessionId: 's', project: 'p', message: 'limit'}}],
			{lines: 4, invalidLines: 2},
			nowMs,
		);
		expect(ledgerCounters(ledger)).toMatchObject({lines: 4, invalidLines: 2, limitHits: 1});
	});

	// Entries over three days: some keyed with streaming copies, some unkeyed, spread over files.
	const entryArb = fc.record({
		minute: fc.integer({min: 0, max: 3 * 24 * 60}),
		request: fc.integer({min: 0, max: 40}),
		isKeyed: fc.boolean(),
		output: fc.integer({min: 1, max: 2000}),
		file: fc.constantFrom('/p/a.jsonl', '/p/b.jsonl', '/p/c/sub.jsonl'),
		model: fc.constantFrom('claude-opus-4-5', 'claude-sonnet-4-5', 'claude-unknown-9'),
	});

	it('gives the same blocks whether lines arrive in any order and batches, or all at once', () => {
		fc.assert(
			fc.property(fc.array(entryArb, {minLength: 1, maxLength: 120}), fc.array(fc.integer({min: 1, max: 10}), {minLength: 1, maxLength: 30}), (rows, cuts) => {
				const lines = rows.map(row => ({
					file: row.file,
					entry: makeEntry({
						timestampMs: Date.parse('2026-11-20T00:00:00Z') + row.minute * 60_000,
						messageId: row.isKeyed ? `m${row.request}` : undefined,
						requestId: row.isKeyed ? `r${row.request}` : undefined,
						model: row.model,
						tokens: {inputTokens: 10, outputTokens: row.output},
					}),
				}));

				// Reference: bulk load in one go.
				const reference = newLedger();
				beginBulk(reference);
				for (const {file, entry} of lines) apply(reference, file, [entry]);
				endBulk(reference, nowMs);

				// Incremental: the same lines (per-file order kept) in uneven batches.
				const incremental = newLedger();
				let index = 0;
				let cut = 0;
				while (index < lines.length) {
					const size = cuts[cut++ % cuts.length]!;
					const batch = lines.slice(index, index + size);
					index += size;
					for (const file of new Set(batch.map(line => line.file))) {
						apply(incremental, file, batch.filter(line => line.file === file).map(line => line.entry));
					}
				}

				expect(shape(incremental)).toEqual(shape(reference));
				rebuildLedger(incremental, nowMs);
				expect(shape(incremental)).toEqual(shape(reference));
			}),
			{numRuns: 500},
		);
	});
});

describe('a live session on a big block', () => {
	/** Block fields a report prints, costs to the last bit. */
	const exactBlocks = (ledger: Ledger) => ledger.blocks.map(block => [block.id, block.isGap, block.endMs, block.entryCount, block.tokens, block.costUsd, [...block.perModel], block.models]);

	it('reads its blocks after every batch, and they equal a cold ledger exactly (placeholder copies replaced, new files, late lines)', () => {
		fc.assert(
			fc.property(
				fc.integer({min: 0, max: 2500}),
				fc.array(fc.record({lines: fc.integer({min: 1, max: 8}), file: fc.constantFrom('/p/live.jsonl', '/p/live.jsonl', '/p/agent.jsonl'), isLate: fc.boolean(), gapMs: fc.constantFrom(1000, 90_000, 6 * hourMs)}), {minLength: 1, maxLength: 30}),
				(history, batches) => {
					const start = Date.parse('2026-11-26T06:00:00Z');
					let clock = start;
					let id = 0;
					// Claude Code's shape: per request a placeholder line (1 output token), then its final line.
					const request = (atMs: number, output: number) => {
						const messageId = `m${id++}`;
						return [
							makeEntry({timestampMs: atMs, messageId, requestId: `r${messageId}`, tokens: {inputTokens: 10, outputTokens: 1}}),
							makeEntry({timestampMs: atMs + 400, messageId, requestId: `r${messageId}`, model: id % 3 === 0 ? 'claude-sonnet-4-5' : 'claude-opus-4-5', tokens: {inputTokens: 10, outputTokens: output}}),
						];
					};

					const all: Array<[string, UsageEntry[]]> = [['/p/live.jsonl', Array.from({length: history}, (_, index) => request((clock += 1500), 50 + (index % 13))).flat()]];
					const live = newLedger();
					apply(live, ...all[0]!);
					for (const batch of batches) {
						// A late line is stamped before the block's last requests (a subagent file written after the fact).
						const lines = Array.from({length: batch.lines}, (_, index) => request(batch.isLate ? clock - 3000 * (index + 1) : (clock += batch.gapMs), 100 + index)).flat();
						apply(live, batch.file, lines);
						all.push([batch.file, lines]);
						const cold = newLedger();
						beginBulk(cold);
						for (const [file, entries] of all) apply(cold, file, entries);
						endBulk(cold, nowMs);
						expect(exactBlocks(live)).toEqual(exactBlocks(cold));
					}
				},
			),
			{numRuns: 60},
		);
	});
});

describe('compactResults', () => {
	// Few ids, NUL included, so requests repeat, share a request id under another message id, and join into the same key string.
	const id = fc.option(fc.constantFrom('a', 'b', 'a\u0000b', 'b\u0000', '\u0000b', ''), {nil: undefined});
	const result = fc.oneof(
		fc.record({messageId: id, requestId: id, output: fc.integer({min: 0, max: 4})}).map(({messageId, requestId, output}) => ({kind: 'usage' as const, entry: makeEntry({messageId, requestId, tokens: {outputTokens: output}})})),
		fc.constant({kind: 'other' as const}),
		fc.constant({kind: 'event' as const, event: {kind: 'api_error' as const, timestampMs: 1, sessionId: undefined, project: 'p', message: 'm'}}),
	);

	it('keeps what reading the lines on the main thread keeps, in the same order (property)', () => {
		fc.assert(
			fc.property(fc.array(result, {maxLength: 30}), results => {
				const viaWorker = newLedger();
				beginBulk(viaWorker);
				restoreFile(viaWorker, {path: '/f.jsonl', ...compactResults(results), lines: results.length, invalidLines: 0});
				const viaMain = newLedger();
				applyLines(viaMain, '/f.jsonl', results, {lines: results.length, invalidLines: 0}, 0);
				const shown = (ledger: Ledger) => {
					const file = ledger.files.get('/f.jsonl')!;
					const row = (entry: UsageEntry) => [entry.messageId, entry.requestId, entry.tokens.outputTokens];
					return {keyed: [...file.keyed.values()].map(row), unkeyed: file.unkeyed.map(row), events: file.events, usageLines: file.usageLines};
				};

				expect(shown(viaWorker)).toEqual(shown(viaMain));
			}),
			{numRuns: 1000},
		);
	});
});

describe('a bulk load that only restores new files', () => {
	const entry = fc
		.record({messageId: fc.option(fc.constantFrom('m1', 'm2', 'm3'), {nil: undefined}), requestId: fc.constantFrom('r1', 'r2', 'r3'), output: fc.integer({min: 0, max: 3}), minute: fc.integer({min: 0, max: 600})})
		.map(({messageId, requestId, output, minute}) => makeEntry({messageId, requestId, timestampMs: Date.UTC(2026, 10, 1) + minute * 60_000, tokens: {outputTokens: output}}));
	const path = fc.constantFrom('/a.jsonl', '/b.jsonl', '/c.jsonl', '/d.jsonl');
	const operation = fc.oneof(
		{weight: 4, arbitrary: fc.record({kind: fc.constant('restore' as const), path, entries: fc.array(entry, {maxLength: 6})})},
		fc.record({kind: fc.constant('lines' as const), path, entries: fc.array(entry, {maxLength: 3})}),
		fc.record({kind: fc.constant('remove' as const), path}),
		fc.record({kind: fc.constant('clear' as const)}),
	);
	type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

	const run = (ledger: Ledger, operations: readonly Operation[]) => {
		for (const step of operations) {
			if (step.kind === 'restore') {
				const {keyed, unkeyed} = compactResults(step.entries.map(entry => ({kind: 'usage' as const, entry: {...entry}})));
				restoreFile(ledger, {path: step.path, keyed, unkeyed, events: [], lines: 0, usageLines: 0, invalidLines: 0});
			} else if (step.kind === 'lines') {
				applyLines(ledger, step.path, step.entries.map(entry => ({kind: 'usage' as const, entry: {...entry}})), {lines: 0, invalidLines: 0}, 0);
			} else if (step.kind === 'remove') {
				removeFile(ledger, step.path, 0);
			} else {
				clearFiles(ledger);
			}
		}
	};

	const state = (ledger: Ledger) => ({
		winners: [...ledger.winners.values()].map(entry => [entry.messageId, entry.requestId, entry.sourcePath, entry.tokens.outputTokens]).sort(),
		sorted: ledger.sorted.map(entry => [entry.messageId, entry.requestId, entry.sourcePath, entry.tokens.outputTokens, entry.timestampMs]),
		blocks: ledger.blocks.map(block => [block.id, block.entryCount, block.tokens, block.costUsd, block.models]),
	});

	it('ends with the winners, order and blocks a full rebuild gives, whatever else the load did (property)', () => {
		fc.assert(
			fc.property(fc.array(operation, {maxLength: 10}), fc.array(operation, {maxLength: 3}), (operations, before) => {
				const ledger = newLedger();
				// Sometimes the ledger holds files already: then there is nothing to skip.
				run(ledger, before);
				rebuildLedger(ledger, 0);
				beginBulk(ledger);
				run(ledger, operations);
				endBulk(ledger, 0);
				const shortcut = state(ledger);
				rebuildLedger(ledger, 0);
				expect(shortcut).toEqual(state(ledger));
			}),
			{numRuns: 2000},
		);
	});

	it('skips the rebuild\'s dedupe only then', () => {
		const ledger = newLedger();
		beginBulk(ledger);
		restoreFile(ledger, {path: '/a.jsonl', keyed: [makeEntry({messageId: 'm', requestId: 'r'})], unkeyed: [], events: [], lines: 1, usageLines: 1, invalidLines: 0});
		expect(ledger.isMergedBulk).toBe(true);
		expect(ledger.winners.size).toBe(1);
		removeFile(ledger, '/a.jsonl', 0);
		expect(ledger.isMergedBulk).toBe(false);
		endBulk(ledger, 0);
		expect(ledger.winners.size).toBe(0);
	});
});
