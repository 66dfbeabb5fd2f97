import {createHash} from 'node:crypto';
import {mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {crc32} from 'node:zlib';
import type {FileUsage} from '../core/ledger.js';
import type {UsageEntry, UsageEvent} from '../core/types.js';
import type {FileCursor} from './tail-file.js';

/**
 * The persistent index: per file its identity, size, mtime and the offset read,
 * plus the usage that file contributed, so a restart reads only new bytes.
 *
 * Layout: magic (8) | version u32 | header bytes u32 | body bytes u32 | crc32 of
 * header+body u32 | JSON header | body of 8-byte-aligned Float64 columns. Any
 * mismatch (magic, version, sizes, checksum, JSON) means "no index": it is rebuilt,
 * never trusted. Writes go to a temp file renamed over the old one, so a reader
 * sees the old index or the new one, never half of one.
 */
const magic = Buffer.from('CCTOPIDX');
export const indexVersion = 1;
const prefixBytes = 24;

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

type Header = {
	roots: string[];
	files: HeaderFile[];
	entryCount: number;
	/** Every distinct text; the `*Ref` columns index into it (-1 for none). */
	strings: string[];
};

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
	'messageIdRef',
	'requestIdRef',
] as const;

export const cacheDir = (env: NodeJS.ProcessEnv = process.env): string =>
	env['CCTOP_CACHE_DIR'] || path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'cctop');

/** One index per set of transcript roots. */
export const indexPath = (dir: string, roots: readonly string[]): string =>
	path.join(dir, `index-v${indexVersion}-${createHash('sha256').update([...roots].sort().join('\n')).digest('hex').slice(0, 16)}.bin`);

export const encodeIndex = (roots: readonly string[], files: readonly IndexedFile[]): Buffer => {
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
	const body = new Float64Array(entries.length * columns.length);
	entries.forEach((entry, index) => {
		const row = [
			entry.timestampMs,
			entry.tokens.inputTokens,
			entry.tokens.outputTokens,
			entry.tokens.cacheCreationInputTokens,
			entry.tokens.cacheReadInputTokens,
			entry.cacheCreation1hTokens,
			entry.webSearchRequests,
			entry.loggedCostUsd ?? Number.NaN,
			(entry.isSidechain ? 1 : 0) | (entry.isFast ? 2 : 0) | (entry.isNonBillable ? 4 : 0),
			ref(entry.sessionId),
			ref(entry.project),
			ref(entry.model),
			ref(entry.messageId),
			ref(entry.requestId),
		];
		// Column-major: each column is one contiguous run.
		row.forEach((value, column) => {
			body[column * entries.length + index] = value;
		});
	});

	const header: Header = {
		roots: [...roots],
		files: files.map(({keyed, unkeyed, ...rest}) => ({...rest, keyedCount: keyed.length, unkeyedCount: unkeyed.length})),
		entryCount: entries.length,
		strings,
	};
	const headerJson = Buffer.from(JSON.stringify(header));
	const padding = (8 - ((prefixBytes + headerJson.length) % 8)) % 8;
	const headerBytes = Buffer.concat([headerJson, Buffer.alloc(padding, 0x20)]);
	const bodyBytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	const prefix = Buffer.alloc(prefixBytes);
	magic.copy(prefix, 0);
	prefix.writeUInt32LE(indexVersion, 8);
	prefix.writeUInt32LE(headerBytes.length, 12);
	prefix.writeUInt32LE(bodyBytes.length, 16);
	prefix.writeUInt32LE(crc32(bodyBytes, crc32(headerBytes)), 20);
	return Buffer.concat([prefix, headerBytes, bodyBytes]);
};

/** Decode an index, or say why it cannot be used. */
export const decodeIndex = (bytes: Buffer): {roots: string[]; files: IndexedFile[]} | {error: string} => {
	if (bytes.length < prefixBytes || !bytes.subarray(0, 8).equals(magic)) return {error: 'not an index'};
	if (bytes.readUInt32LE(8) !== indexVersion) return {error: `version ${bytes.readUInt32LE(8)}, expected ${indexVersion}`};
	const headerLength = bytes.readUInt32LE(12);
	const bodyLength = bytes.readUInt32LE(16);
	if (bytes.length !== prefixBytes + headerLength + bodyLength) return {error: 'truncated'};
	const headerBytes = bytes.subarray(prefixBytes, prefixBytes + headerLength);
	const bodyBytes = bytes.subarray(prefixBytes + headerLength);
	if (crc32(bodyBytes, crc32(headerBytes)) !== bytes.readUInt32LE(20)) return {error: 'checksum mismatch'};
	let header: Header;
	try {
		header = JSON.parse(headerBytes.toString('utf8')) as Header;
	} catch {
		return {error: 'unreadable header'};
	}

	const count = header.entryCount;
	if (bodyLength !== count * columns.length * 8) return {error: 'inconsistent sizes'};
	// Copy into an aligned buffer: a Float64Array view needs an 8-byte-aligned offset.
	const body = new Float64Array(bodyBytes.buffer.slice(bodyBytes.byteOffset, bodyBytes.byteOffset + bodyLength));
	const columnStart = Object.fromEntries(columns.map((name, position) => [name, position * count])) as Record<(typeof columns)[number], number>;
	const column = (name: (typeof columns)[number], index: number) => body[columnStart[name] + index]!;
	const text = (index: number, name: (typeof columns)[number]): string | undefined => {
		const id = column(name, index);
		return id < 0 ? undefined : header.strings[id];
	};

	const entryAt = (index: number): UsageEntry => {
		const flags = column('flags', index);
		const loggedCostUsd = column('loggedCostUsd', index);
		return {
			timestampMs: column('timestampMs', index),
			sessionId: text(index, 'sessionIdRef'),
			project: text(index, 'projectRef') ?? '',
			model: text(index, 'modelRef') ?? '',
			messageId: text(index, 'messageIdRef'),
			requestId: text(index, 'requestIdRef'),
			isSidechain: (flags & 1) !== 0,
			tokens: {
				inputTokens: column('inputTokens', index),
				outputTokens: column('outputTokens', index),
				cacheCreationInputTokens: column('cacheCreationInputTokens', index),
				cacheReadInputTokens: column('cacheReadInputTokens', index),
			},
			cacheCreation1hTokens: column('cacheCreation1hTokens', index),
			webSearchRequests: column('webSearchRequests', index),
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
	if (next !== count) return {error: 'inconsistent sizes'};
	return {roots: header.roots, files};
};

export type LoadedIndex = {files: IndexedFile[]} | {files: []; problem: string};

/** Read the index for these roots; a missing one is normal, a bad one is reported and ignored. */
export const loadIndex = async (file: string): Promise<LoadedIndex> => {
	let bytes: Buffer;
	try {
		bytes = await readFile(file);
	} catch {
		return {files: []};
	}

	const decoded = decodeIndex(bytes);
	return 'error' in decoded ? {files: [], problem: `index ${file} ignored (${decoded.error}); rebuilding`} : {files: decoded.files};
};

/** Atomically replace the index: temp file in the same folder, then rename. */
export const saveIndex = async (file: string, roots: readonly string[], files: readonly IndexedFile[]): Promise<void> => {
	await mkdir(path.dirname(file), {recursive: true});
	const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
	try {
		await writeFile(temp, encodeIndex(roots, files));
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
