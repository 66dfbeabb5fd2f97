import {mkdtempSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterEach, describe, expect, it} from 'vitest';
import type {UsageEntry} from '../../../source/core/usage/types.js';
import {blockFromSummary, decodeIndex, decodeIndexBytes, encodeIndex, IndexCorruptError, loadIndex, storedBlockTexts, type BlockSummary, type DecodedIndex, type IndexBody, type IndexedFile, type IndexReader} from '../../../source/ingest/index/usage-index.js';
import {makeEntry} from '../../helpers/entries.js';
import {hourMs} from '../../../source/core/usage/blocks.js';
import {applyLines, beginBulk, createLedger, endBulk} from '../../../source/core/usage/ledger.js';
import {createPriceLookup, defaultPricing} from '../../../source/core/usage/pricing.js';
import {summarizeBlock} from '../../../source/ingest/index/usage-index.js';

const cursor = {dev: 1, ino: 1, size: 0, mtimeMs: 0, ctimeMs: 0, offset: 0, check: 0};

/** `files` files of `perFile` entries each; every third unkeyed, ids of varying length. */
const indexedFiles = (files: number, perFile: number, tag = ''): IndexedFile[] =>
	Array.from({length: files}, (_, file) => {
		const entries = Array.from({length: perFile}, (_, row) =>
			makeEntry({
				timestampMs: Date.UTC(2026, 10, 1) + (file * perFile + row) * 60_000,
				sessionId: `session-${file % 7}`,
				project: `project-${file % 3}`,
				messageId: row % 3 === 0 ? undefined : `msg_${tag}${file}_${row}${'x'.repeat(row % 11)}`,
				requestId: row % 3 === 0 ? undefined : `req_${tag}${file}_${row}`,
				tokens: {inputTokens: row, outputTokens: 1000 + file, cacheReadInputTokens: 2 ** 33 + row},
				loggedCostUsd: row % 5 === 0 ? row / 100 : undefined,
			}),
		);
		return {
			path: `/p/${file}.jsonl`,
			projectSlug: 'p',
			cursor,
			keyed: entries.filter(entry => entry.messageId !== undefined),
			unkeyed: entries.filter(entry => entry.messageId === undefined),
			events: [],
			lines: perFile,
			usageLines: perFile,
			invalidLines: 0,
		};
	});

const encode = (files: IndexedFile[]) => encodeIndex([], files, {fingerprint: 'f', blocks: [], counters: {files: files.length, lines: 0, usageLines: 0, duplicateLines: 0, invalidLines: 0, limitHits: 0, apiErrors: 0}, unknownModels: []}, () => true);

const bodyOf = async (index: DecodedIndex | {problem: string} | {error: string} | undefined): Promise<IndexBody> => {
	if (index === undefined || 'problem' in index || 'error' in index) throw new Error('no index');
	const body = await index.body();
	if ('error' in body) throw new Error(body.error);
	return body;
};

const stored = (files: IndexedFile[]): UsageEntry[] => files.flatMap(file => [...file.keyed, ...file.unkeyed]);
/** An entry as decoded (the decoder adds the priced fields, unset). */
const decoded = (entry: UsageEntry) => ({...entry, costUsd: undefined, sourcePath: undefined});

describe('the index body', () => {
	let dir: string | undefined;
	afterEach(() => {
		if (dir !== undefined) rmSync(dir, {recursive: true, force: true});
		dir = undefined;
	});

	it('reads any rows back exactly, one at a time, as runs and as scattered sets', async () => {
		const files = indexedFiles(9, 40);
		const entries = stored(files);
		const body = await bodyOf(decodeIndexBytes(encode(files)));
		await fc.assert(
			fc.asyncProperty(fc.uniqueArray(fc.integer({min: 0, max: entries.length - 1}), {maxLength: 80}), fc.integer({min: 0, max: entries.length}), fc.integer({min: 0, max: entries.length}), async (picked, from, to) => {
				const rows = picked.sort((a, b) => a - b);
				expect(body.entriesAt(rows)).toEqual(rows.map(row => decoded(entries[row]!)));
				expect(body.entriesIn(Math.min(from, to), Math.max(from, to))).toEqual(entries.slice(Math.min(from, to), Math.max(from, to)).map(decoded));
				for (const row of rows.slice(0, 5)) expect(body.entryAt(row)).toEqual(decoded(entries[row]!));
			}),
			{numRuns: 100},
		);
	});

	it('keeps reading the index it checked after the file is replaced, holding a fraction of its bytes', async () => {
		dir = mkdtempSync(path.join(tmpdir(), 'cctop-index-'));
		const file = path.join(dir, 'index.bin');
		const files = indexedFiles(40, 2000);
		const bytes = encode(files);
		writeFileSync(file, bytes);
		const before = process.memoryUsage().arrayBuffers;
		const body = await bodyOf(await loadIndex(file));
		// The body holds six narrow columns (29 bytes a row), not the 144-byte rows and their ids.
		expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(bytes.length / 3);
		// Saving the index renames a new file over it: the open body still reads the one it checked.
		writeFileSync(`${file}.new`, encode(indexedFiles(40, 2000, 'other-')));
		renameSync(`${file}.new`, file);
		const entries = stored(files);
		expect(body.entriesIn(0, entries.length)).toEqual(entries.map(decoded));
		expect(body.findWinner(`${entries[1]!.messageId}\u0000${entries[1]!.requestId}`)).toBe(1);
		body.close();
		expect(() => body.entryAt(0)).toThrow(/after close/);
	});

	it('refuses a body whose bytes do not match the checksum', async () => {
		const bytes = encode(indexedFiles(3, 20));
		// In the key table, the last section before the lookup one.
		bytes[bytes.length - bytes.readUInt32LE(32) - 9]! ^= 1;
		const index = decodeIndexBytes(bytes);
		if ('error' in index) throw new Error(index.error);
		expect(await index.body()).toEqual({error: 'checksum mismatch'});
	});
});

describe('the lean index body', () => {
	const leanOf = (bytes: Buffer, openReader?: () => IndexReader): {lean: IndexBody; index: DecodedIndex} => {
		const index = openReader === undefined ? decodeIndexBytes(bytes) : decodeIndex(bytes, bytes.length, openReader);
		if ('error' in index) throw new Error(index.error);
		const lean = index.leanBody();
		if ('error' in lean) throw new Error(lean.error);
		return {lean, index};
	};

	it('answers every question as the body that holds every column does (property)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.integer({min: 1, max: 8}), fc.integer({min: 1, max: 30}), fc.array(fc.nat(), {maxLength: 40}), fc.integer({min: 0, max: 400}), async (fileCount, perFile, picks, minute) => {
				const files = indexedFiles(fileCount, perFile);
				const bytes = encode(files);
				const {lean} = leanOf(bytes);
				const body = await bodyOf(decodeIndexBytes(bytes));
				const count = fileCount * perFile;
				const rows = [...new Set(picks.map(pick => pick % count))].sort((a, b) => a - b);
				expect(lean.entriesAt(rows)).toEqual(body.entriesAt(rows));
				for (const row of rows) {
					expect(lean.entryAt(row)).toEqual(body.entryAt(row));
					expect([lean.timestampAt(row), lean.fileOf(row)]).toEqual([body.timestampAt(row), body.fileOf(row)]);
				}

				const fromMs = Date.UTC(2026, 10, 1) + minute * 60_000;
				expect(lean.countedFrom(fromMs)).toEqual(body.countedFrom(fromMs));
				for (const entry of stored(files).filter(entry => entry.messageId !== undefined)) {
					const key = `${entry.messageId}\u0000${entry.requestId}`;
					expect(lean.findWinner(key)).toBe(body.findWinner(key));
				}

				expect(lean.findWinner('msg_none\u0000req_none')).toBe(-1);
				// The column scans hold every column first: the same answers.
				expect(rows.map(row => [lean.sessionAt(row), lean.projectAt(row), lean.keyHashAt(row)])).toEqual(rows.map(row => [body.sessionAt(row), body.projectAt(row), body.keyHashAt(row)]));
			}),
			{numRuns: 100},
		);
	});

	it('reads the lookup section and the files it is asked about, not the other rows and ids', () => {
		const files = indexedFiles(50, 200);
		const bytes = encode(files);
		let read = 0;
		const {lean} = leanOf(bytes, () => ({
			read: (offset, length) => {
				read += length;
				return bytes.subarray(offset, offset + length);
			},
			close: () => undefined,
		}));
		const lookupBytes = bytes.readUInt32LE(32);
		expect(read).toBe(lookupBytes);
		const entries = stored(files);
		// A request of file 7, a lookup by key, and the counted entries of the last file's span.
		expect(lean.entryAt(7 * 200 + 3)).toEqual(decoded(entries[7 * 200 + 3]!));
		expect(lean.findWinner(`${entries[7 * 200 + 5]!.messageId}\u0000${entries[7 * 200 + 5]!.requestId}`)).toBe(7 * 200 + 5);
		const lastRows = lean.countedFrom(entries[49 * 200]!.timestampMs);
		expect(lean.entriesAt(lastRows)).toEqual(lastRows.map(row => decoded(entries[row]!)));
		// Two files' rows and ids, of fifty.
		expect(read - lookupBytes).toBeLessThan((bytes.length - lookupBytes) / 10);
	});

	it('refuses a changed lookup byte, and a changed byte of a file when that file is read', () => {
		const files = indexedFiles(4, 30);
		const bytes = encode(files);
		const lookup = Buffer.from(bytes);
		lookup[lookup.length - 5]! ^= 1;
		const index = decodeIndexBytes(lookup);
		if ('error' in index) throw new Error(index.error);
		expect(index.leanBody()).toEqual({error: 'checksum mismatch'});

		// A byte of the third file's ids: that file cannot be read, the others can.
		const rowsBroken = Buffer.from(bytes);
		const headerFile = leanOf(bytes).index.files[2]!;
		const idsOffset = 40 + rowsBroken.readUInt32LE(12) + rowsBroken.subarray(40, 40 + rowsBroken.readUInt32LE(12)).readUInt32LE(20);
		rowsBroken[idsOffset + headerFile.idsStart + 1]! ^= 1;
		const {lean} = leanOf(rowsBroken);
		expect(lean.entryAt(0)).toEqual(decoded(stored(files)[0]!));
		expect(() => lean.entryAt(2 * 30)).toThrow(IndexCorruptError);
	});
});

describe('the entries\' ids', () => {
	it('come back as each id alone encodes and decodes, ASCII or not, from the body and from the files (property)', async () => {
		// Any UTF-16, lone surrogates included: one ending a message id and one starting its request id must not pair up.
		const id = fc.option(fc.string({unit: fc.constantFrom('a', 'é', '\u{1F600}', '\uD83D', '\uDE00', 'z')}), {nil: undefined});
		await fc.assert(
			fc.asyncProperty(fc.array(fc.array(fc.tuple(id, id), {maxLength: 4}), {minLength: 1, maxLength: 3}), async perFile => {
				const files = perFile.map((ids, file): IndexedFile => {
					const entries = ids.map(([messageId, requestId], row) => makeEntry({timestampMs: row, messageId, requestId}));
					return {path: `/p/${file}.jsonl`, projectSlug: 'p', cursor, keyed: entries.filter(entry => entry.messageId && entry.requestId), unkeyed: entries.filter(entry => !(entry.messageId && entry.requestId)), events: [], lines: 0, usageLines: 0, invalidLines: 0};
				});
				const alone = (value: string | undefined) => (value === undefined ? undefined : Buffer.from(value).toString());
				const expected = stored(files).map(entry => [alone(entry.messageId), alone(entry.requestId)]);
				const index = decodeIndexBytes(encode(files));
				if ('error' in index) throw new Error(index.error);
				const fromFiles = await index.entries();
				if ('error' in fromFiles) throw new Error(fromFiles.error);
				expect(stored(fromFiles).map(entry => [entry.messageId, entry.requestId])).toEqual(expected);
				const body = await bodyOf(index);
				expect(body.entriesIn(0, expected.length).map(entry => [entry.messageId, entry.requestId])).toEqual(expected);
			}),
			{numRuns: 300},
		);
	});
});

describe('the index header', () => {
	const event = fc.record({kind: fc.constantFrom('api_error' as const, 'rate_limit' as const), timestampMs: fc.integer({min: 0, max: 2 ** 42}), sessionId: fc.option(fc.string(), {nil: undefined}), project: fc.string(), message: fc.string()});
	const headerFile = fc.record({
		// Any path but a NUL (no file name holds one), and every other character: the table splits paths on NUL.
		name: fc.string({unit: 'binary', minLength: 1}).filter(name => !name.includes('\0')),
		projectSlug: fc.string({unit: 'binary'}),
		cursor: fc.record({
			dev: fc.nat(),
			ino: fc.maxSafeNat(),
			size: fc.maxSafeNat(),
			mtimeMs: fc.double({min: 0, max: 2 ** 42, noNaN: true}),
			ctimeMs: fc.double({min: 0, max: 2 ** 42, noNaN: true}),
			offset: fc.maxSafeNat(),
			check: fc.nat({max: 2 ** 32 - 1}),
		}),
		events: fc.array(event, {maxLength: 2}),
		lines: fc.nat(),
		usageLines: fc.nat(),
		invalidLines: fc.nat(),
		entries: fc.nat({max: 3}),
	});
	const dir = fc.record({path: fc.string({unit: 'binary'}).filter(name => !name.includes('\0')), mtimeMs: fc.double({min: 0, max: 2 ** 42, noNaN: true})});

	it('gives back every file, folder and the summary as they were written, and refuses any changed byte', async () => {
		await fc.assert(
			fc.property(fc.array(headerFile, {maxLength: 6}), fc.option(fc.record({dirs: fc.array(dir, {maxLength: 4}), walkedAtMs: fc.nat(), hasLinks: fc.boolean()}, {requiredKeys: ['dirs', 'walkedAtMs']}), {nil: undefined}), fc.boolean(), fc.nat(), (specs, discovery, hasSummary, flip) => {
				const files: IndexedFile[] = specs.map(({name, entries, ...rest}, position) => ({
					...rest,
					path: `${position}/${name}`,
					keyed: indexedFiles(1, entries, String(position))[0]!.keyed,
					unkeyed: [],
				}));
				const summary = hasSummary ? {fingerprint: 'f', blocks: [], counters: {files: files.length, lines: 1, usageLines: 2, duplicateLines: 3, invalidLines: 4, limitHits: 5, apiErrors: 6}, unknownModels: ['m']} : undefined;
				const bytes = encodeIndex(['/r'], files, summary, () => true, discovery);
				const index = decodeIndexBytes(bytes);
				if ('error' in index) throw new Error(index.error);
				expect(index.paths).toEqual(files.map(file => file.path));
				// Read from the table before the files are built, and from the files after.
				const stored = () => files.map((_, position) => [index.slugAt(position), index.cursorAt(position)]);
				expect(stored()).toEqual(files.map(file => [file.projectSlug, file.cursor]));
				expect(index.files.map(({keyedCount, unkeyedCount, idsStart: _s, idsEnd: _e, segmentCrc: _c, ...rest}) => ({...rest, keyedCount, unkeyedCount}))).toEqual(
					files.map(({keyed, unkeyed, ...rest}) => ({...rest, keyedCount: keyed.length, unkeyedCount: unkeyed.length})),
				);
				expect(stored()).toEqual(files.map(file => [file.projectSlug, file.cursor]));
				expect(index.discovery).toEqual(discovery);
				expect(index.summary).toEqual(summary);
				// One flipped bit anywhere in the header or the prefix (but the data's and the lookup's checksums, which body() and leanBody() check): the index is refused, never misread.
				const headerEnd = 40 + bytes.readUInt32LE(12);
				const checked = Array.from({length: headerEnd}, (_, at) => at).filter(at => !(at >= 28 && at < 32) && !(at >= 36 && at < 40));
				const broken = Buffer.from(bytes);
				broken[checked[flip % checked.length]!]! ^= 1;
				expect('error' in decodeIndexBytes(broken)).toBe(true);
			}),
		);
	});
});

describe('the stored block texts', () => {
	const summaryOf = (blocks: number) => ({
		fingerprint: 'f',
		blocks: Array.from({length: blocks}, (_, position) => ({id: `b${position}`}) as unknown as BlockSummary),
		counters: {files: 0, lines: 0, usageLines: 0, duplicateLines: 0, invalidLines: 0, limitHits: 0, apiErrors: 0},
		unknownModels: [],
	});

	it('gives back each block\'s text, or none, whatever it holds', () => {
		fc.assert(
			fc.property(fc.array(fc.option(fc.string({unit: 'binary', minLength: 1}).map(text => JSON.stringify(text)), {nil: undefined}), {maxLength: 8}), texts => {
				const index = decodeIndexBytes(encodeIndex([], [], summaryOf(texts.length), () => true, undefined, texts));
				if ('error' in index) throw new Error(index.error);
				// No text at all is stored as nothing.
				expect(index.blockTexts()?.map(text => text && Buffer.from(text).toString('utf8')) ?? texts.map(() => undefined)).toEqual(texts);
			}),
		);
	});

	it('stores none when they do not match the summary\'s blocks, and pairs them only with the blocks as restored', () => {
		const index = decodeIndexBytes(encodeIndex([], [], summaryOf(2), () => true, undefined, ['"a"']));
		if ('error' in index) throw new Error(index.error);
		expect(index.blockTexts()).toBeUndefined();
		const stored = decodeIndexBytes(encodeIndex([], [], summaryOf(2), () => true, undefined, ['"a"', undefined]));
		if ('error' in stored) throw new Error(stored.error);
		const blocks = stored.summary!.blocks.map(blockFromSummary);
		expect([...storedBlockTexts(stored, blocks)].map(([block, text]) => [block, Buffer.from(text).toString('utf8')])).toEqual([[blocks[0], '"a"']]);
		expect(storedBlockTexts(stored, blocks.slice(1)).size).toBe(0);
	});

	it('gives none when their bytes changed (they sit after the header, under their own checksum)', () => {
		const bytes = encodeIndex([], [], summaryOf(2), () => true, undefined, ['"abc"', '"d"']);
		const textsAt = 40 + bytes.readUInt32LE(12);
		expect(bytes.toString('utf8', textsAt, textsAt + 9)).toBe('"abc"\0"d"');
		bytes[textsAt + 1] = 'x'.charCodeAt(0);
		const index = decodeIndexBytes(bytes);
		if ('error' in index) throw new Error(index.error);
		expect(index.summary?.blocks).toHaveLength(2);
		expect(index.blockTexts()).toBeUndefined();
	});
});

describe('the summary\'s blocks', () => {
	const nowMs = Date.parse('2026-11-26T12:00:00Z');
	const models = ['claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001', 'not-a-model'];

	it('come back from the saved JSON as the ledger had them, less their entries and parts', () => {
		fc.assert(
			fc.property(
				fc.array(fc.record({minute: fc.nat(60 * 24 * 3), model: fc.constantFrom(...models), output: fc.nat(5000)}), {maxLength: 40}),
				fc.boolean(),
				(picked, isLate) => {
					const ledger = createLedger({lookup: createPriceLookup(defaultPricing), mode: 'auto', sessionLengthMs: 5 * hourMs});
					const entries = picked.map(({minute, model, output}) => makeEntry({timestampMs: Date.UTC(2026, 10, 23) + minute * 60_000, model, tokens: {outputTokens: output}}));
					const at = isLate ? nowMs : Date.UTC(2026, 10, 24);
					beginBulk(ledger);
					applyLines(ledger, 'a.jsonl', entries.map(entry => ({kind: 'usage' as const, entry})), {lines: entries.length, invalidLines: 0}, at);
					endBulk(ledger, at);
					const saved = JSON.stringify(ledger.blocks.map(summarizeBlock));
					// A Map keeps nothing through JSON: a stored part would come back broken.
					expect(saved).not.toContain('"parts"');
					const restored = (JSON.parse(saved) as BlockSummary[]).map(blockFromSummary);
					expect(restored).toEqual(ledger.blocks.map(({parts: _parts, ...block}) => ({...block, entries: []})));
				},
			),
			{numRuns: 100},
		);
	});
});
