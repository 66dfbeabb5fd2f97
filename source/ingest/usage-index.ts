import {createHash} from 'node:crypto';
import {mkdir, open, readFile, rename, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {crc32} from 'node:zlib';
import type {Block, ModelTotals} from '../core/blocks.js';
import type {FileUsage} from '../core/ledger.js';
import type {UsageEntry, UsageEvent} from '../core/types.js';
import type {FileCursor} from './tail-file.js';

/**
 * The persistent index: per file its identity, size, mtime and the offset read,
 * plus the usage that file contributed, so a restart reads only new bytes.
 *
 * Layout: magic (8) | version | header bytes | ids bytes | body bytes | header
 * crc32 | ids+body crc32 (u32 each) | JSON header (cursors, small string table,
 * report summary) | JSON array of message/request ids | Float64 columns, 8-byte
 * aligned. The header alone answers "has anything changed?" and holds the block
 * summary, so an unchanged history is reported without decoding a single entry.
 * Any mismatch (magic, version, sizes, checksum, JSON) means "no index": it is
 * rebuilt, never trusted. Writes go to a temp file renamed over the old one, so a reader
 * sees the old index or the new one, never half of one.
 */
const magic = Buffer.from('CCTOPIDX');
export const indexVersion = 1;
const prefixBytes = 32;

/** One file as the index remembers it. */
export type IndexedFile = {
	path: string;
	projectSlug: string;
	cursor: FileCursor;
	keyed: UsageEntry[];
	unkeyed: UsageEntry[];
	events: UsageEvent[];
	lines: number;
	usageLines: number;
	invalidLines: number;
};

type HeaderFile = Omit<IndexedFile, 'keyed' | 'unkeyed'> & {keyedCount: number; unkeyedCount: number};

/** A block without its entries, as JSON. */
export type BlockSummary = Omit<Block, 'entries' | 'perModel' | 'actualEndMs' | 'firstEntryMs'> & {
	actualEndMs: number | null;
	firstEntryMs: number | null;
	perModel: Array<[string, ModelTotals]>;
};

/** What a report needs when nothing changed, valid for one pricing/mode/session-length fingerprint. */
export type ReportSummary = {
	fingerprint: string;
	blocks: BlockSummary[];
	counters: {files: number; lines: number; usageLines: number; duplicateLines: number; invalidLines: number; limitHits: number; apiErrors: number};
	unknownModels: string[];
};

type Header = {
	roots: string[];
	files: HeaderFile[];
	entryCount: number;
	/** Session ids, projects and models; the `*Ref` columns index into it (-1 for none). */
	strings: string[];
	summary?: ReportSummary;
};

export const summarizeBlock = ({entries: _entries, perModel, actualEndMs, firstEntryMs, ...rest}: Block): BlockSummary => ({
	...rest,
	actualEndMs: actualEndMs ?? null,
	firstEntryMs: firstEntryMs ?? null,
	perModel: [...perModel],
});

export const blockFromSummary = ({perModel, actualEndMs, firstEntryMs, ...rest}: BlockSummary): Block => ({
	...rest,
	actualEndMs: actualEndMs ?? undefined,
	firstEntryMs: firstEntryMs ?? undefined,
	perModel: new Map(perModel),
	entries: [],
});

/** Float64 columns per entry, in this order. */
const columns = [
	'timestampMs',
	'inputTokens',
	'outputTokens',
	'cacheCreationInputTokens',
	'cacheReadInputTokens',
	'cacheCreation1hTokens',
	'webSearchRequests',
	'loggedCostUsd',
	'flags',
	'sessionIdRef',
	'projectRef',
	'modelRef',
] as const;

export const cacheDir = (env: NodeJS.ProcessEnv = process.env): string =>
	env['CCTOP_CACHE_DIR'] || path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'cctop');

/** One index per set of transcript roots. */
export const indexPath = (dir: string, roots: readonly string[]): string =>
	path.join(dir, `index-v${indexVersion}-${createHash('sha256').update([...roots].sort().join('\n')).digest('hex').slice(0, 16)}.bin`);

export const encodeIndex = (roots: readonly string[], files: readonly IndexedFile[], summary?: ReportSummary): Buffer => {
	const strings: string[] = [];
	const stringIds = new Map<string, number>();
	const ref = (value: string | undefined): number => {
		if (value === undefined) return -1;
		let id = stringIds.get(value);
		if (id === undefined) {
			id = strings.length;
			strings.push(value);
			stringIds.set(value, id);
		}

		return id;
	};

	const entries = files.flatMap(file => [...file.keyed, ...file.unkeyed]);
	const count = entries.length;
	const body = new Float64Array(count * columns.length);
	// Message and request ids are unique per entry, so they skip the interning table.
	const ids: Array<string | null> = [];
	const put = (column: number, index: number, value: number) => {
		body[column * count + index] = value;
	};

	for (let index = 0; index < count; index++) {
		const entry = entries[index]!;
		put(0, index, entry.timestampMs);
		put(1, index, entry.tokens.inputTokens);
		put(2, index, entry.tokens.outputTokens);
		put(3, index, entry.tokens.cacheCreationInputTokens);
		put(4, index, entry.tokens.cacheReadInputTokens);
		put(5, index, entry.cacheCreation1hTokens);
		put(6, index, entry.webSearchRequests);
		put(7, index, entry.loggedCostUsd ?? Number.NaN);
		put(8, index, (entry.isSidechain ? 1 : 0) | (entry.isFast ? 2 : 0) | (entry.isNonBillable ? 4 : 0));
		put(9, index, ref(entry.sessionId));
		put(10, index, ref(entry.project));
		put(11, index, ref(entry.model));
		ids.push(entry.messageId ?? null, entry.requestId ?? null);
	}

	const header: Header = {
		roots: [...roots],
		files: files.map(({keyed, unkeyed, ...rest}) => ({...rest, keyedCount: keyed.length, unkeyedCount: unkeyed.length})),
		entryCount: count,
		strings,
		...(summary === undefined ? {} : {summary}),
	};
	const headerBytes = Buffer.from(JSON.stringify(header));
	const idsJson = Buffer.from(JSON.stringify(ids));
	// Pad the ids with spaces (valid JSON whitespace) so the Float64 body starts 8-byte aligned.
	const padding = (8 - ((prefixBytes + headerBytes.length + idsJson.length) % 8)) % 8;
	const idsBytes = Buffer.concat([idsJson, Buffer.alloc(padding, 0x20)]);
	const bodyBytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	const prefix = Buffer.alloc(prefixBytes);
	magic.copy(prefix, 0);
	prefix.writeUInt32LE(indexVersion, 8);
	prefix.writeUInt32LE(headerBytes.length, 12);
	prefix.writeUInt32LE(idsBytes.length, 16);
	prefix.writeUInt32LE(bodyBytes.length, 20);
	prefix.writeUInt32LE(crc32(headerBytes), 24);
	prefix.writeUInt32LE(crc32(bodyBytes, crc32(idsBytes)), 28);
	return Buffer.concat([prefix, headerBytes, idsBytes, bodyBytes]);
};

/** A decoded index: the header at once, the entries on demand. */
export type DecodedIndex = {
	roots: string[];
	files: HeaderFile[];
	summary: ReportSummary | undefined;
	/** Decode every file's entries (checks the data checksum first). */
	entries: () => Promise<IndexedFile[] | {error: string}>;
};

/**
 * Decode an index's header, or say why the index cannot be used. `head` holds at
 * least the prefix and header; `rest` supplies the whole file when entries are needed.
 */
export const decodeIndex = (head: Buffer, totalBytes: number, rest: () => Promise<Buffer>): DecodedIndex | {error: string} => {
	if (head.length < prefixBytes || !head.subarray(0, 8).equals(magic)) return {error: 'not an index'};
	if (head.readUInt32LE(8) !== indexVersion) return {error: `version ${head.readUInt32LE(8)}, expected ${indexVersion}`};
	const headerLength = head.readUInt32LE(12);
	const idsLength = head.readUInt32LE(16);
	const bodyLength = head.readUInt32LE(20);
	if (totalBytes !== prefixBytes + headerLength + idsLength + bodyLength || head.length < prefixBytes + headerLength) return {error: 'truncated'};
	const headerBytes = head.subarray(prefixBytes, prefixBytes + headerLength);
	if (crc32(headerBytes) !== head.readUInt32LE(24)) return {error: 'checksum mismatch'};
	let header: Header;
	try {
		header = JSON.parse(headerBytes.toString('utf8')) as Header;
	} catch {
		return {error: 'unreadable header'};
	}

	const count = header.entryCount;
	if (bodyLength !== count * columns.length * 8) return {error: 'inconsistent sizes'};
	const dataCrc = head.readUInt32LE(28);
	const entries = async (): Promise<IndexedFile[] | {error: string}> => {
		const bytes = await rest();
		if (bytes.length !== totalBytes) return {error: 'changed while reading'};
		const idsBytes = bytes.subarray(prefixBytes + headerLength, prefixBytes + headerLength + idsLength);
		const bodyBytes = bytes.subarray(prefixBytes + headerLength + idsLength);
		if (crc32(bodyBytes, crc32(idsBytes)) !== dataCrc) return {error: 'checksum mismatch'};
		let ids: Array<string | null>;
		try {
			ids = JSON.parse(idsBytes.toString('utf8')) as Array<string | null>;
		} catch {
			return {error: 'unreadable ids'};
		}

		if (ids.length !== count * 2) return {error: 'inconsistent sizes'};
		// Copy into an aligned buffer when needed: a Float64Array view needs an 8-byte-aligned offset.
		const body =
			bodyBytes.byteOffset % 8 === 0
				? new Float64Array(bodyBytes.buffer, bodyBytes.byteOffset, count * columns.length)
				: new Float64Array(bodyBytes.buffer.slice(bodyBytes.byteOffset, bodyBytes.byteOffset + bodyLength));
		const text = (id: number): string | undefined => (id < 0 ? undefined : header.strings[id]);
		const entryAt = (index: number): UsageEntry => {
			const flags = body[8 * count + index]!;
			const loggedCostUsd = body[7 * count + index]!;
			return {
				timestampMs: body[index]!,
				sessionId: text(body[9 * count + index]!),
				project: text(body[10 * count + index]!) ?? '',
				model: text(body[11 * count + index]!) ?? '',
				messageId: ids[index * 2] ?? undefined,
				requestId: ids[index * 2 + 1] ?? undefined,
				isSidechain: (flags & 1) !== 0,
				tokens: {
					inputTokens: body[count + index]!,
					outputTokens: body[2 * count + index]!,
					cacheCreationInputTokens: body[3 * count + index]!,
					cacheReadInputTokens: body[4 * count + index]!,
				},
				cacheCreation1hTokens: body[5 * count + index]!,
				webSearchRequests: body[6 * count + index]!,
				isFast: (flags & 2) !== 0,
				loggedCostUsd: Number.isNaN(loggedCostUsd) ? undefined : loggedCostUsd,
				isNonBillable: (flags & 4) !== 0,
			};
		};

		let next = 0;
		const files = header.files.map(({keyedCount, unkeyedCount, ...rest}): IndexedFile => {
			const keyed = Array.from({length: keyedCount}, () => entryAt(next++));
			const unkeyed = Array.from({length: unkeyedCount}, () => entryAt(next++));
			return {...rest, keyed, unkeyed};
		});
		return next === count ? files : {error: 'inconsistent sizes'};
	};

	return {roots: header.roots, files: header.files, summary: header.summary, entries};
};

/** In-memory decode, for worker replies. */
export const decodeIndexBytes = (bytes: Buffer): DecodedIndex | {error: string} => decodeIndex(bytes, bytes.length, async () => bytes);

/**
 * Read the index's header only; its entries are read when asked for. A missing
 * index is normal (undefined), a bad one is reported and ignored.
 */
export const loadIndex = async (file: string): Promise<DecodedIndex | {problem: string} | undefined> => {
	let handle;
	try {
		handle = await open(file, 'r');
	} catch {
		return undefined;
	}

	try {
		const {size} = await handle.stat();
		const prefix = Buffer.alloc(Math.min(size, prefixBytes));
		await handle.read(prefix, 0, prefix.length, 0);
		const headerLength = prefix.length === prefixBytes ? prefix.readUInt32LE(12) : 0;
		const head = Buffer.alloc(Math.min(size, prefixBytes + headerLength));
		await handle.read(head, 0, head.length, 0);
		const decoded = decodeIndex(head, size, async () => readFile(file));
		return 'error' in decoded ? {problem: `index ${file} ignored (${decoded.error}); rebuilding`} : decoded;
	} finally {
		await handle.close();
	}
};

/** Atomically replace the index: temp file in the same folder, then rename. */
export const saveIndex = async (file: string, roots: readonly string[], files: readonly IndexedFile[], summary?: ReportSummary): Promise<void> => {
	await mkdir(path.dirname(file), {recursive: true});
	const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
	try {
		await writeFile(temp, encodeIndex(roots, files, summary));
		await rename(temp, file);
	} catch (error) {
		await rm(temp, {force: true});
		throw error;
	}
};

/** What the index stores for one followed file. */
export const indexedFile = (usage: FileUsage, cursor: FileCursor, projectSlug: string): IndexedFile => ({
	path: usage.path,
	projectSlug,
	cursor,
	keyed: [...usage.keyed.values()],
	unkeyed: usage.unkeyed,
	events: usage.events,
	lines: usage.lines,
	usageLines: usage.usageLines,
	invalidLines: usage.invalidLines,
});
