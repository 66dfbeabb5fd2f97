import {dedupeKey} from '../../core/usage/dedupe.js';
import {keyHash} from '../../core/util/hash.js';
import {lowerBound} from '../../core/util/lower-bound.js';
import {closeSync, fstatSync, openSync, readSync} from 'node:fs';
import {fsp} from '../lazy-fs.js';
import path from 'node:path';
import {crc32} from 'node:zlib';
import type {Block, ModelTotals} from '../../core/usage/blocks.js';
import type {FileUsage} from '../../core/usage/ledger.js';
import type {UsageEntry, UsageEvent} from '../../core/usage/types.js';
import type {UsageCounters} from '../../core/usage/usage-view.js';
import {sweepStaleTemps} from '../dirs.js';
import type {DirStamp, SavedDiscovery} from '../transcripts/discover.js';
import {entryFlags, fastFlag, nonBillableFlag, sidechainFlag, stringTable} from './entry-encoding.js';
import type {FileCursor} from '../transcripts/file-cursor.js';
import {identityOf, indexVersion, prefixBytes} from './index-file.js';

export {indexPath, indexVersion} from './index-file.js';

/**
 * The persistent index: per file its identity, size, mtime and the offset read,
 * plus the usage that file contributed, so a restart reads only new bytes.
 *
 * Layout: magic (8) | version | header bytes | ids bytes | body bytes | header
 * crc32 | ids+body crc32 | lookup bytes | lookup crc32 (u32 each) | header (a
 * binary table of the files' cursors, each file's segment crc32, and the folders'
 * mtimes, then JSON: the small string table and the report summary; see
 * {@link Header}) | the finished blocks' report texts | UTF-8 blob of
 * message/request ids | Float64 columns, 8-byte aligned, then the key table
 * (counted entries sorted by key hash) | the lookup section (see encodeLookup).
 * The header alone answers "has anything changed?" and holds the block summary,
 * so an unchanged history is reported without decoding a single entry; after
 * appends, the lookup section and the files appended to are enough.
 * Any mismatch (magic, version, sizes, checksum, JSON) means "no index": it is
 * rebuilt, never trusted. Writes go to a temp file renamed over the old one, so a reader
 * sees the old index or the new one, never half of one.
 */
const magic = Buffer.from('CCTOPIDX');
// 4: API error lines without a `usage` key are events (3 skipped them in the prefilter).
// 5: cursors carry ctimeMs and a fingerprint of the bytes read (in-place rewrites, chmod).
// 6: limit lines with `"error": "rate_limit"` or the `<synthetic>` model but no
// `isApiErrorMessage` are events (5 skipped them in the prefilter).
// 7: the files and folders are a binary table before the header's JSON, and the finished
// blocks' report text follows the header.
// 8: a lookup section with a checksum of its own ends the file (see encodeLookup), so a
// report after appends reads what changed instead of every row.
// (The version and the prefix's size are in index-file.ts.)

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

/** A file in the header: its entries are rows `[fileStart, +keyedCount+unkeyedCount)`, its ids bytes `[idsStart, idsEnd)`, checked by `segmentCrc`. */
export type HeaderFile = Omit<IndexedFile, 'keyed' | 'unkeyed'> & {keyedCount: number; unkeyedCount: number; idsStart: number; idsEnd: number; segmentCrc: number};

/** A block without its entries, as JSON. */
export type BlockSummary = Omit<Block, 'entries' | 'perModel' | 'actualEndMs' | 'firstEntryMs' | 'parts'> & {
	actualEndMs: number | null;
	firstEntryMs: number | null;
	perModel: Array<[string, ModelTotals]>;
};

/** What a report needs when nothing changed, valid for one pricing/mode/session-length fingerprint. */
export type ReportSummary = {
	fingerprint: string;
	blocks: BlockSummary[];
	counters: UsageCounters;
	unknownModels: string[];
};

/** Each name's position in a list of columns. */
const positionsOf = <Name extends string>(names: readonly Name[]): Record<Name, number> => Object.fromEntries(names.map((name, position) => [name, position])) as Record<Name, number>;

/**
 * The header: a binary table of the files and folders (what a warm run compares
 * with its stats, read without parsing any JSON), then JSON for the rest.
 * Layout: file count | folder count | path bytes | JSON bytes | summary bytes |
 * text bytes | text crc32 (u32 each, padded to 32 bytes) | Float64 rows,
 * {@link fileColumns} per file then one mtime per folder | the files' then the
 * folders' paths, NUL-separated (no path holds a NUL) | JSON | the
 * {@link ReportSummary} as JSON, or nothing. The summary is parsed when first
 * asked for, after the stats: garbage made while little is alive is cheap to
 * collect. Right after the header (outside it, read only when asked for): per
 * summary block its finished `report --json` text, NUL-separated, or nothing.
 */
type Header = {
	roots: string[];
	entryCount: number;
	/** Length of the key table: counted keyed entries, sorted by key hash. */
	winnerCount: number;
	/** Counted entries (keyed winners and unkeyed ones): the lookup section's time order. */
	countedCount: number;
	/** Session ids, projects, models and project folders; the `*Ref` columns index into it (-1 for none). */
	strings: string[];
	/** The events of the files that have any, by position. */
	events: Array<[number, UsageEvent[]]>;
	/** When the folders were walked: present when the table's folders are a complete walk, so an unchanged tree need not be walked again. */
	walkedAtMs?: number;
	/** Whether that walk followed a symbolic link (the live safety poll reads again only changed folders where none did). */
	hasLinks?: boolean;
};

/** What the header's table holds per file, as Float64 in this order. */
const fileColumns = [
	'dev',
	'ino',
	'size',
	'mtimeMs',
	'ctimeMs',
	'offset',
	'check',
	'slugRef',
	'lines',
	'usageLines',
	'invalidLines',
	'keyedCount',
	'unkeyedCount',
	'idsStart',
	'idsEnd',
	'segmentCrc',
] as const;
const fileColumn = positionsOf(fileColumns);
const tableHeadBytes = 32;

/**
 * The stored texts of `blocks`, the summary's blocks as restored (same order,
 * untouched): a block rebuilt since is another object and has none.
 */
export const storedBlockTexts = (index: DecodedIndex, blocks: readonly Block[]): Map<Block, Uint8Array> => {
	const texts = index.blockTexts();
	const stored = new Map<Block, Uint8Array>();
	if (texts?.length !== blocks.length) return stored;
	for (let position = 0; position < blocks.length; position++) {
		const text = texts[position];
		if (text !== undefined) stored.set(blocks[position]!, text);
	}

	return stored;
};

/**
 * A block as the summary stores it. Field by field, not `...rest`: a rest copy
 * takes V8's slow path before the JIT (~15 µs a block, ~12 ms for a warm report's
 * 800), and it stored `parts` too, whose Maps JSON keeps as `{}`: a restored block
 * holds no entries, so its parts are never used and are not stored.
 */
export const summarizeBlock = (block: Block): BlockSummary => ({
	id: block.id,
	startMs: block.startMs,
	endMs: block.endMs,
	isActive: block.isActive,
	isGap: block.isGap,
	entryCount: block.entryCount,
	tokens: block.tokens,
	costUsd: block.costUsd,
	models: block.models,
	actualEndMs: block.actualEndMs ?? null,
	firstEntryMs: block.firstEntryMs ?? null,
	perModel: [...block.perModel],
});

export const blockFromSummary = (summary: BlockSummary): Block => ({
	id: summary.id,
	startMs: summary.startMs,
	endMs: summary.endMs,
	actualEndMs: summary.actualEndMs ?? undefined,
	isActive: summary.isActive,
	isGap: summary.isGap,
	firstEntryMs: summary.firstEntryMs ?? undefined,
	entryCount: summary.entryCount,
	entries: [],
	tokens: summary.tokens,
	costUsd: summary.costUsd,
	models: summary.models,
	perModel: new Map(summary.perModel),
});

/** The index's data did not match its checksums when read on demand: it is to be rebuilt, never trusted. */
export class IndexCorruptError extends Error {
	override name = 'IndexCorruptError';
}

/** Float64 columns per entry, in this order (ids are offsets into the ids blob, -1 for none). */
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
	'messageIdStart',
	'messageIdEnd',
	'requestIdStart',
	'requestIdEnd',
	'keyHashHigh',
	'keyHashLow',
] as const;
type Column = (typeof columns)[number];
const column = positionsOf(columns);

/** The entry is the copy that counts (keyed entries that lost to another file's copy lack it). */
const winnerFlag = 8;

/**
 * CRC-32 over several parts in order. Empty parts are skipped: Node 20's
 * `zlib.crc32` returns 0 for an empty buffer over an empty ArrayBuffer, dropping
 * the running value.
 */
const crcOf = (...parts: Buffer[]): number => parts.reduce((running, part) => (part.length === 0 ? running : crc32(part, running)), 0);


const entryRowBytes = columns.length * 8;

/*
 * The encoder is small functions, each with its own loop, on purpose: as one
 * function it inlined every column write and took TurboFan ~180 ms to compile,
 * three times in each scan worker (two deopts): ~1 s of a 1 GB cold read's CPU.
 */

/** One entry's row, ids aside. */
const writeRow = (body: Float64Array, base: number, entry: UsageEntry, flags: number, ref: (value: string | undefined) => number): void => {
	body[base + column.timestampMs] = entry.timestampMs;
	body[base + column.inputTokens] = entry.tokens.inputTokens;
	body[base + column.outputTokens] = entry.tokens.outputTokens;
	body[base + column.cacheCreationInputTokens] = entry.tokens.cacheCreationInputTokens;
	body[base + column.cacheReadInputTokens] = entry.tokens.cacheReadInputTokens;
	body[base + column.cacheCreation1hTokens] = entry.cacheCreation1hTokens;
	body[base + column.webSearchRequests] = entry.webSearchRequests;
	body[base + column.loggedCostUsd] = entry.loggedCostUsd ?? Number.NaN;
	body[base + column.flags] = flags;
	body[base + column.sessionIdRef] = ref(entry.sessionId);
	body[base + column.projectRef] = ref(entry.project);
	body[base + column.modelRef] = ref(entry.model);
};

/** An id's `[start, end)` in the blob into the row's two columns (-1, -1 for none); returns where the next id starts. */
const writeId = (body: Float64Array, startAt: number, endAt: number, at: number, value: string | undefined, isAscii: boolean): number => {
	if (value === undefined) {
		body[startAt] = -1;
		body[endAt] = -1;
		return at;
	}

	const end = at + (isAscii ? value.length : Buffer.byteLength(value));
	body[startAt] = at;
	body[endAt] = end;
	return end;
};

type EncodedRows = {body: Float64Array; idBlob: Buffer; idBytes: number; fileIdStarts: number[]; winners: number[]};

/** Every file's entries, keyed then unkeyed, as rows in file order; `fileIdStarts[i]` is where file i's ids begin. */
const encodeRows = (files: readonly IndexedFile[], ref: (value: string | undefined) => number, isWinner?: (entry: UsageEntry) => boolean): EncodedRows => {
	let count = 0;
	// Message and request ids are unique per entry: one UTF-8 blob with offsets, no
	// interning, written in one call (a write per id was a third of the encoding).
	// Ids are ASCII, and then a string's offsets are the blob's.
	let joined = '';
	const join = (entry: UsageEntry) => {
		joined += (entry.messageId ?? '') + (entry.requestId ?? '');
	};

	for (const file of files) {
		count += file.keyed.length + file.unkeyed.length;
		for (const entry of file.keyed) join(entry);
		for (const entry of file.unkeyed) join(entry);
	}

	const body = new Float64Array(count * columns.length);
	const asOne = Buffer.from(joined);
	const isAscii = asOne.length === joined.length;
	// Otherwise each id is encoded alone, as its length is counted: a lone surrogate ending one id must not pair up with one starting the next.
	const idBlob = isAscii ? asOne : Buffer.concat(files.flatMap(file => [...file.keyed, ...file.unkeyed].flatMap(entry => [entry.messageId ?? '', entry.requestId ?? ''].map(id => Buffer.from(id)))));
	let idBytes = 0;
	const winners: number[] = [];
	const fileIdStarts: number[] = [];
	let row = 0;
	const encode = (entry: UsageEntry): void => {
		const key = isWinner === undefined ? undefined : dedupeKey(entry);
		const isCounted = key === undefined || isWinner!(entry);
		const base = row * columns.length;
		writeRow(body, base, entry, entryFlags(entry) | (isCounted ? winnerFlag : 0), ref);
		idBytes = writeId(body, base + column.messageIdStart, base + column.messageIdEnd, idBytes, entry.messageId, isAscii);
		idBytes = writeId(body, base + column.requestIdStart, base + column.requestIdEnd, idBytes, entry.requestId, isAscii);
		const [high, low] = key === undefined ? [0, 0] : keyHash(key);
		body[base + column.keyHashHigh] = high;
		body[base + column.keyHashLow] = low;
		if (key !== undefined && isCounted) winners.push(row);
		row++;
	};

	for (const file of files) {
		fileIdStarts.push(idBytes);
		for (const entry of file.keyed) encode(entry);
		for (const entry of file.unkeyed) encode(entry);
	}

	const high = (index: number) => body[index * columns.length + column.keyHashHigh]!;
	const low = (index: number) => body[index * columns.length + column.keyHashLow]!;
	winners.sort((a, b) => high(a) - high(b) || low(a) - low(b));
	return {body, idBlob, idBytes, fileIdStarts, winners};
};

/** One file's row of the header's table at `base`. */
const writeFileStamps = (stamps: Float64Array, base: number, file: IndexedFile, slugRef: number, idsStart: number, idsEnd: number, segmentCrc: number): void => {
	const {cursor} = file;
	stamps[base + fileColumn.dev] = cursor.dev;
	stamps[base + fileColumn.ino] = cursor.ino;
	stamps[base + fileColumn.size] = cursor.size;
	stamps[base + fileColumn.mtimeMs] = cursor.mtimeMs;
	stamps[base + fileColumn.ctimeMs] = cursor.ctimeMs;
	stamps[base + fileColumn.offset] = cursor.offset;
	stamps[base + fileColumn.check] = cursor.check;
	stamps[base + fileColumn.slugRef] = slugRef;
	stamps[base + fileColumn.lines] = file.lines;
	stamps[base + fileColumn.usageLines] = file.usageLines;
	stamps[base + fileColumn.invalidLines] = file.invalidLines;
	stamps[base + fileColumn.keyedCount] = file.keyed.length;
	stamps[base + fileColumn.unkeyedCount] = file.unkeyed.length;
	stamps[base + fileColumn.idsStart] = idsStart;
	stamps[base + fileColumn.idsEnd] = idsEnd;
	stamps[base + fileColumn.segmentCrc] = segmentCrc;
};

/** The header's table: a row per file, then each folder's mtime; and the files' events, by position. */
const encodeFileTable = (
	files: readonly IndexedFile[],
	dirs: readonly DirStamp[],
	rows: Pick<EncodedRows, 'idBlob' | 'idBytes' | 'fileIdStarts'> & {bodyView: Buffer},
	ref: (value: string | undefined) => number,
): {stamps: Float64Array; events: Array<[number, UsageEvent[]]>} => {
	const stamps = new Float64Array(files.length * fileColumns.length + dirs.length);
	const events: Array<[number, UsageEvent[]]> = [];
	let firstRow = 0;
	for (let position = 0; position < files.length; position++) {
		const file = files[position]!;
		const count = file.keyed.length + file.unkeyed.length;
		const idsStart = rows.fileIdStarts[position]!;
		const idsEnd = rows.fileIdStarts[position + 1] ?? rows.idBytes;
		const segmentCrc = crcOf(rows.idBlob.subarray(idsStart, idsEnd), rows.bodyView.subarray(firstRow * entryRowBytes, (firstRow + count) * entryRowBytes));
		writeFileStamps(stamps, position * fileColumns.length, file, ref(file.projectSlug), idsStart, idsEnd, segmentCrc);
		if (file.events.length > 0) events.push([position, file.events]);
		firstRow += count;
	}

	for (let position = 0; position < dirs.length; position++) stamps[files.length * fileColumns.length + position] = dirs[position]!.mtimeMs;
	return {stamps, events};
};

/**
 * The lookup section: what a report after appends needs besides the files it
 * reads, so it checks ~24 bytes per request instead of every row and id (~245).
 * The counted entries in time order (timestamps, then rows), to find a block's
 * entries from a time on; then the key table again with each slot's key hash
 * (rows, highs, lows), to dedupe new lines without the rows. Empty without a key
 * table (worker replies).
 */
const encodeLookup = (body: Float64Array, count: number, winners: readonly number[] | undefined): {bytes: Buffer; counted: number} => {
	if (winners === undefined) return {bytes: Buffer.alloc(0), counted: 0};
	const counted: number[] = [];
	for (let row = 0, base = 0; row < count; row++, base += columns.length) if ((body[base + column.flags]! & winnerFlag) !== 0) counted.push(row);
	const timeOf = (row: number) => body[row * columns.length + column.timestampMs]!;
	counted.sort((a, b) => timeOf(a) - timeOf(b) || a - b);
	const times = Float64Array.from(counted, timeOf);
	const slots = new Uint32Array(winners.length * 3);
	for (let slot = 0; slot < winners.length; slot++) {
		const base = winners[slot]! * columns.length;
		slots[slot] = winners[slot]!;
		slots[winners.length + slot] = body[base + column.keyHashHigh]!;
		slots[2 * winners.length + slot] = body[base + column.keyHashLow]!;
	}

	const rows = Uint32Array.from(counted);
	const bytes = Buffer.concat([times, rows, slots].map(array => Buffer.from(array.buffer, array.byteOffset, array.byteLength)));
	return {bytes, counted: counted.length};
};

/**
 * Encode files and their entries, as the index's sections, so a writer can send
 * them without one more whole copy. `isWinner` says which keyed entries are the
 * copies that count, so a later run can answer "does this request exist, and how
 * big is it?" from the sorted key table without decoding anything else.
 */
const encodeIndexParts = (
	roots: readonly string[],
	files: readonly IndexedFile[],
	summary?: ReportSummary,
	/** Omitted for worker replies, which are decoded whole and need no key table. */
	isWinner?: (entry: UsageEntry) => boolean,
	discovery?: SavedDiscovery,
	/** Per summary block, what `report --json` prints for it when it is finished (see OpenUsageOptions.blockText), or undefined. */
	blockTexts?: ReadonlyArray<string | undefined>,
): Buffer[] => {
	const {strings, ref} = stringTable();
	const {body, idBlob, idBytes, fileIdStarts, winners} = encodeRows(files, ref, isWinner);
	const count = body.length / columns.length;
	const bodyView = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	const dirs = discovery?.dirs ?? [];
	const {stamps, events} = encodeFileTable(files, dirs, {idBlob, idBytes, fileIdStarts, bodyView}, ref);
	const lookup = encodeLookup(body, count, isWinner === undefined ? undefined : winners);
	const header: Header = {
		roots: [...roots],
		entryCount: count,
		winnerCount: winners.length,
		countedCount: lookup.counted,
		strings,
		events,
		...(discovery === undefined ? {} : {walkedAtMs: discovery.walkedAtMs, ...(discovery.hasLinks === undefined ? {} : {hasLinks: discovery.hasLinks})}),
	};
	const paths = Buffer.from([...files.map(file => file.path), ...dirs.map(dir => dir.path)].join('\0'));
	const json = Buffer.from(JSON.stringify(header));
	const summaryJson = Buffer.from(summary === undefined ? '' : JSON.stringify(summary));
	// NUL-separated: JSON text never holds a raw NUL. Empty for a block without one, and nothing at all without a summary.
	const texts = Buffer.from(summary !== undefined && blockTexts?.length === summary.blocks.length ? blockTexts.map(text => text ?? '').join('\0') : '');
	const counts = Buffer.alloc(tableHeadBytes);
	counts.writeUInt32LE(files.length, 0);
	counts.writeUInt32LE(dirs.length, 4);
	counts.writeUInt32LE(paths.length, 8);
	counts.writeUInt32LE(json.length, 12);
	counts.writeUInt32LE(summaryJson.length, 16);
	counts.writeUInt32LE(texts.length, 20);
	counts.writeUInt32LE(crcOf(texts), 24);
	const headerBytes = Buffer.concat([counts, Buffer.from(stamps.buffer, stamps.byteOffset, stamps.byteLength), paths, json, summaryJson]);
	const ids = idBlob.subarray(0, idBytes);
	// Pad the ids so the Float64 body starts 8-byte aligned.
	const padding = (8 - ((prefixBytes + headerBytes.length + texts.length + ids.length) % 8)) % 8;
	const idsBytes = Buffer.concat([ids, Buffer.alloc(padding)]);
	const table = Float64Array.from(winners);
	const bodyBytes = bodyView;
	const tableBytes = Buffer.from(table.buffer, table.byteOffset, table.byteLength);
	const prefix = Buffer.alloc(prefixBytes);
	magic.copy(prefix, 0);
	prefix.writeUInt32LE(indexVersion, 8);
	prefix.writeUInt32LE(headerBytes.length, 12);
	prefix.writeUInt32LE(idsBytes.length, 16);
	prefix.writeUInt32LE(bodyBytes.length + tableBytes.length, 20);
	prefix.writeUInt32LE(crcOf(headerBytes), 24);
	prefix.writeUInt32LE(crcOf(idsBytes, bodyBytes, tableBytes), 28);
	prefix.writeUInt32LE(lookup.bytes.length, 32);
	prefix.writeUInt32LE(crcOf(lookup.bytes), 36);
	return [prefix, headerBytes, texts, idsBytes, bodyBytes, tableBytes, lookup.bytes];
};

/** The index in one buffer (see {@link encodeIndexParts}). */
export const encodeIndex = (...parts: Parameters<typeof encodeIndexParts>): Buffer => Buffer.concat(encodeIndexParts(...parts));

/**
 * Random access to the stored entries, for a run that needs only a few of them.
 * The columns every scan reads (time, flags, session, project, key hash) are
 * held in memory; an entry itself is read from the index file when asked for.
 */
export type IndexBody = {
	count: number;
	timestampAt: (index: number) => number;
	/** One entry (a positioned read of its row and ids). */
	entryAt: (index: number) => UsageEntry;
	/** The entries `[start, end)`, in two reads. */
	entriesIn: (start: number, end: number) => UsageEntry[];
	/** The entries at `rows` (ascending), neighbours read together. */
	entriesAt: (rows: readonly number[]) => UsageEntry[];
	/** The entry index of the counted copy of `key`, or -1. */
	findWinner: (key: string) => number;
	/** The counted entries at or after `fromMs`, ascending. */
	countedFrom: (fromMs: number) => number[];
	/** Which file (position in the header's list) an entry belongs to. */
	fileOf: (index: number) => number;
	/** First entry index of each file, plus the total at the end. */
	fileStarts: number[];
	/** The session id and project of an entry, without decoding the rest of it. */
	sessionAt: (index: number) => string | undefined;
	projectAt: (index: number) => string;
	/** The low half of an entry's {@link keyHash} (0 without a key): a cheap first filter, to be verified on the ids. */
	keyLowAt: (index: number) => number;
	/** Both halves of an entry's {@link keyHash}. */
	keyHashAt: (index: number) => [number, number];
	/** Let go of the index file; entries cannot be read after. */
	close: () => void;
};

/** A decoded index: the header at once, the entries on demand. */
export type DecodedIndex = {
	/** Names this index's content (its checksums and size): what was derived from it and saved beside it must carry the same. */
	identity: string;
	roots: string[];
	/** Every file as the header stores it (built on first use). */
	readonly files: HeaderFile[];
	/** The file at `position`, as {@link files} has it, without building them all. */
	fileAt: (position: number) => HeaderFile;
	/** The files' paths, in the header's order, and what is stored for each by position, without building {@link files}. */
	paths: readonly string[];
	slugAt: (position: number) => string;
	cursorAt: (position: number) => FileCursor;
	/** The mtime in the cursor at `position`, without building the cursor. */
	mtimeAt: (position: number) => number;
	/** What a report needs when nothing changed (parsed on first use). */
	readonly summary: ReportSummary | undefined;
	/** Per summary block, its stored `report --json` text (UTF-8) when it was finished, or undefined when none were stored. */
	blockTexts: () => Array<Uint8Array | undefined> | undefined;
	/** The folders walked and when, so an unchanged tree need not be walked again. */
	discovery: (SavedDiscovery & {dirs: DirStamp[]}) | undefined;
	/** The entries on demand: each call checks the data and holds the file open until the body is closed. */
	body: () => Promise<IndexBody | {error: string}>;
	/**
	 * The same, reading only what is asked for: the lookup section, then each file
	 * whose rows are read, whole and checked against its segment checksum (a
	 * mismatch throws an {@link IndexCorruptError}). Column scans (sessions, key
	 * hashes) hold every column first, as {@link body} does.
	 */
	leanBody: () => IndexBody | {error: string};
	/** Every file's entries, streamed file by file (each segment checksummed). */
	eachFile: () => AsyncGenerator<IndexedFile | {error: string}>;
	/** Every file's entries at once. */
	entries: () => Promise<IndexedFile[] | {error: string}>;
};

/**
 * Positioned reads from an index, from a file or a buffer already in memory.
 * `read` fills `into` when given and big enough (a file read) or returns a view (a buffer).
 */
export type IndexReader = {
	read: (offset: number, length: number, into?: Buffer) => Buffer;
	close: () => void;
};

/**
 * A number read from a Float64Array is a double, and a double in an object
 * field is a 16-byte box of its own: one that fits 31 bits goes back as an
 * integer (the same value), so V8 keeps it in the field itself. Six boxes per
 * entry were ~45 MB at 474,000 requests; eleven per file in the header's
 * table, ~2.6 MB at 20,000 files.
 */
const unboxed = (number: number): number => (number === (number | 0) ? number | 0 : number);

/** An id from the blob (`ids` holds its bytes from `idsBase` on), or undefined for none. */
const idAt = (rows: Float64Array, base: number, startColumn: number, endColumn: number, ids: Buffer, idsBase: number): string | undefined => {
	const from = rows[base + startColumn]!;
	return from < 0 ? undefined : ids.toString('utf8', from - idsBase, rows[base + endColumn]! - idsBase);
};

/**
 * Row `row` of the row-major body as an entry; `ids` holds the id bytes from
 * `idsBase` on. One flat function, not closures over the rows: every cold read
 * decodes its workers' replies through it, and closures took TurboFan several
 * times as long to compile, twice or three times (~0.15 s of CPU per cold read).
 */
const decodeEntry = (rows: Float64Array, row: number, ids: Buffer, idsBase: number, strings: readonly string[]): UsageEntry => {
	const base = row * columns.length;
	const flags = rows[base + column.flags]!;
	const loggedCostUsd = rows[base + column.loggedCostUsd]!;
	const sessionRef = rows[base + column.sessionIdRef]!;
	const projectRef = rows[base + column.projectRef]!;
	const modelRef = rows[base + column.modelRef]!;
	return {
		timestampMs: rows[base + column.timestampMs]!,
		sessionId: sessionRef < 0 ? undefined : strings[sessionRef],
		project: (projectRef < 0 ? undefined : strings[projectRef]) ?? '',
		model: (modelRef < 0 ? undefined : strings[modelRef]) ?? '',
		messageId: idAt(rows, base, column.messageIdStart, column.messageIdEnd, ids, idsBase),
		requestId: idAt(rows, base, column.requestIdStart, column.requestIdEnd, ids, idsBase),
		isSidechain: (flags & sidechainFlag) !== 0,
		tokens: {
			inputTokens: unboxed(rows[base + column.inputTokens]!),
			outputTokens: unboxed(rows[base + column.outputTokens]!),
			cacheCreationInputTokens: unboxed(rows[base + column.cacheCreationInputTokens]!),
			cacheReadInputTokens: unboxed(rows[base + column.cacheReadInputTokens]!),
		},
		cacheCreation1hTokens: unboxed(rows[base + column.cacheCreation1hTokens]!),
		webSearchRequests: unboxed(rows[base + column.webSearchRequests]!),
		isFast: (flags & fastFlag) !== 0,
		loggedCostUsd: Number.isNaN(loggedCostUsd) ? undefined : loggedCostUsd,
		isNonBillable: (flags & nonBillableFlag) !== 0,
		// Shaped like a priced entry, so a restore can price it in place instead of copying it.
		costUsd: undefined,
		sourcePath: undefined,
	} as UsageEntry;
};

/** Rows `[first, first + count)` as entries. */
const decodeEntries = (rows: Float64Array, first: number, count: number, ids: Buffer, idsBase: number, strings: readonly string[]): UsageEntry[] => {
	const entries: UsageEntry[] = [];
	for (let row = first; row < first + count; row++) entries.push(decodeEntry(rows, row, ids, idsBase, strings));
	return entries;
};

/** The id columns, as [start, end) pairs. */
const idColumnPairs = [
	['messageIdStart', 'messageIdEnd'],
	['requestIdStart', 'requestIdEnd'],
] as const satisfies ReadonlyArray<readonly [Column, Column]>;

/** Rows per read when the body is streamed (~1.2 MB). */
const chunkRows = 8192;

/** The columns of every row that an {@link IndexBody} keeps in memory, and the key table. */
type HeldColumns = {
	timestamps: Float64Array;
	flags: Uint8Array;
	sessionRefs: Int32Array;
	projectRefs: Int32Array;
	keyHighs: Uint32Array;
	keyLows: Uint32Array;
	/** Counted keyed rows, sorted by key hash. */
	table: Uint32Array;
};

const stride = columns.length;
const [timestampAt, flagsAt, sessionAt, projectAt, keyHighAt, keyLowAt] = [column.timestampMs, column.flags, column.sessionIdRef, column.projectRef, column.keyHashHigh, column.keyHashLow];

/**
 * Copy the held columns of `rows` rows from `values` (rows from `first` on).
 * A function of its own with everything in locals: it runs once per chunk of a
 * one-shot run, mostly before the JIT, where each property load counts (a warm
 * report after appends copies 118,745 rows × 6 columns at 1 GB).
 */
const holdRows = (held: HeldColumns, values: Float64Array, first: number, rows: number): void => {
	const {timestamps, flags, sessionRefs, projectRefs, keyHighs, keyLows} = held;
	for (let row = 0, base = 0, at = first; row < rows; row++, base += stride, at++) {
		timestamps[at] = values[base + timestampAt]!;
		flags[at] = values[base + flagsAt]!;
		sessionRefs[at] = values[base + sessionAt]!;
		projectRefs[at] = values[base + projectAt]!;
		keyHighs[at] = values[base + keyHighAt]!;
		keyLows[at] = values[base + keyLowAt]!;
	}
};

/** A stored entry's request key, as findWinner is asked for it. */
const storedKey = (entry: UsageEntry): string => `${entry.messageId}\u0000${entry.requestId}`;

/**
 * The row of `key` in a key table sorted by hash (per slot: its row and the
 * row's key hash), or -1. Equal hashes are verified against the stored ids
 * (`keyAt`), so a collision never merges two requests.
 */
const findInKeyTable = (
	table: {slots: number; rowAt: (slot: number) => number; highAt: (slot: number) => number; lowAt: (slot: number) => number},
	keyAt: (row: number) => string,
	key: string,
): number => {
	const [high, low] = keyHash(key);
	const {slots, rowAt, highAt, lowAt} = table;
	for (let slot = lowerBound(slots, at => (highAt(at) - high || lowAt(at) - low) < 0); slot < slots && highAt(slot) === high && lowAt(slot) === low; slot++) {
		if (keyAt(rowAt(slot)) === key) return rowAt(slot);
	}

	return -1;
};

/** A Float64Array over `bytes`, copying only when the offset is not 8-byte aligned. */
const float64s = (bytes: Buffer): Float64Array =>
	bytes.byteOffset % 8 === 0
		? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8)
		: new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));

/**
 * Decode an index's header, or say why the index cannot be used. `head` holds at
 * least the prefix and header; `openReader` gives access to the rest when entries are needed.
 */
export const decodeIndex = (head: Buffer, totalBytes: number, openReader: () => IndexReader): DecodedIndex | {error: string} => {
	if (head.length < prefixBytes || !head.subarray(0, 8).equals(magic)) return {error: 'not an index'};
	if (head.readUInt32LE(8) !== indexVersion) return {error: `version ${head.readUInt32LE(8)}, expected ${indexVersion}`};
	const headerLength = head.readUInt32LE(12);
	const idsLength = head.readUInt32LE(16);
	const bodyLength = head.readUInt32LE(20);
	if (head.length < prefixBytes + headerLength) return {error: 'truncated'};
	const headerBytes = head.subarray(prefixBytes, prefixBytes + headerLength);
	if (crcOf(headerBytes) !== head.readUInt32LE(24)) return {error: 'checksum mismatch'};
	if (headerBytes.length < tableHeadBytes) return {error: 'inconsistent sizes'};
	const textBytes = headerBytes.readUInt32LE(20);
	const textsCrc = headerBytes.readUInt32LE(24);
	const lookupLength = head.readUInt32LE(32);
	if (totalBytes !== prefixBytes + headerLength + textBytes + idsLength + bodyLength + lookupLength) return {error: 'truncated'};
	const fileCount = headerBytes.readUInt32LE(0);
	const dirCount = headerBytes.readUInt32LE(4);
	const pathBytes = headerBytes.readUInt32LE(8);
	const jsonBytes = headerBytes.readUInt32LE(12);
	const summaryBytes = headerBytes.readUInt32LE(16);
	const tableEnd = tableHeadBytes + (fileCount * fileColumns.length + dirCount) * 8;
	const jsonEnd = tableEnd + pathBytes + jsonBytes;
	const summaryEnd = jsonEnd + summaryBytes;
	if (summaryEnd !== headerBytes.length) return {error: 'inconsistent sizes'};
	// Copied out, as the summary's text below: nothing keeps the header's bytes (at 4 GB ~10 MB) once it is decoded.
	let stamps = new Float64Array(fileCount * fileColumns.length + dirCount);
	Buffer.from(stamps.buffer).set(headerBytes.subarray(tableHeadBytes, tableEnd));
	const allPaths = fileCount + dirCount === 0 ? [] : headerBytes.toString('utf8', tableEnd, tableEnd + pathBytes).split('\0');
	if (allPaths.length !== fileCount + dirCount) return {error: 'inconsistent sizes'};
	let header: Header;
	try {
		header = JSON.parse(headerBytes.toString('utf8', tableEnd + pathBytes, jsonEnd)) as Header;
	} catch {
		return {error: 'unreadable header'};
	}

	const count = header.entryCount;
	const winnerCount = header.winnerCount;
	const countedCount = header.countedCount;
	if (bodyLength !== (count * columns.length + winnerCount) * 8) return {error: 'inconsistent sizes'};
	if (lookupLength !== 0 && lookupLength !== countedCount * 12 + winnerCount * 12) return {error: 'inconsistent sizes'};
	const textsOffset = prefixBytes + headerLength;
	const idsOffset = textsOffset + textBytes;
	const bodyOffset = idsOffset + idsLength;
	const rowBytes = columns.length * 8;
	// Named column offsets, not a lookup by name: thousands of files go through here before the JIT does.
	const width = fileColumns.length;
	const {dev, ino, size, mtimeMs, ctimeMs, offset, check, slugRef, keyedCount, unkeyedCount} = fileColumn;
	const fileStarts = [0];
	for (let position = 0, total = 0; position < fileCount; position++) {
		total += stamps[position * width + keyedCount]! + stamps[position * width + unkeyedCount]!;
		fileStarts.push(total);
	}

	if (fileStarts.at(-1) !== count) return {error: 'inconsistent sizes'};
	const paths = allPaths.slice(0, fileCount);
	// Built on first use: a warm run that finds nothing changed reads only the paths and stamps.
	let files: HeaderFile[] | undefined;
	const slugAt = (position: number): string => files?.[position]!.projectSlug ?? header.strings[stamps[position * width + slugRef]!] ?? '';
	const cursorAt = (position: number): FileCursor => {
		if (files !== undefined) return {...files[position]!.cursor};
		const base = position * width;
		return {
			dev: unboxed(stamps[base + dev]!),
			ino: unboxed(stamps[base + ino]!),
			size: unboxed(stamps[base + size]!),
			mtimeMs: stamps[base + mtimeMs]!,
			ctimeMs: stamps[base + ctimeMs]!,
			offset: unboxed(stamps[base + offset]!),
			check: unboxed(stamps[base + check]!),
		};
	};

	const mtimeAt = (position: number): number => files?.[position]!.cursor.mtimeMs ?? stamps[position * width + mtimeMs]!;

	let eventsAt: Map<number, UsageEvent[]> | undefined;
	/** One file from the table (before {@link headerFiles} builds them all). */
	const fromTable = (position: number): HeaderFile => {
		eventsAt ??= new Map(header.events);
		const base = position * width;
		return {
			path: paths[position]!,
			projectSlug: slugAt(position),
			cursor: cursorAt(position),
			events: eventsAt.get(position) ?? [],
			lines: unboxed(stamps[base + fileColumn.lines]!),
			usageLines: unboxed(stamps[base + fileColumn.usageLines]!),
			invalidLines: unboxed(stamps[base + fileColumn.invalidLines]!),
			keyedCount: unboxed(stamps[base + keyedCount]!),
			unkeyedCount: unboxed(stamps[base + unkeyedCount]!),
			idsStart: unboxed(stamps[base + fileColumn.idsStart]!),
			idsEnd: unboxed(stamps[base + fileColumn.idsEnd]!),
			segmentCrc: unboxed(stamps[base + fileColumn.segmentCrc]!),
		};
	};

	const headerFiles = (): HeaderFile[] => {
		if (files !== undefined) return files;
		const built: HeaderFile[] = [];
		for (let position = 0; position < paths.length; position++) built.push(fromTable(position));
		// The objects hold it all now: a live process does not keep the table twice (~2.6 MB at 4 GB).
		files = built;
		stamps = new Float64Array(0);
		eventsAt = undefined;
		return files;
	};

	/** One file, without building every file's object: a report after appends asks for the few it reads. */
	const fileAt = (position: number): HeaderFile => files?.[position] ?? fromTable(position);

	// A summary that does not parse is no summary: the report is built from the entries instead.
	let summary: ReportSummary | undefined | false = false;
	let summaryText: string | undefined = summaryBytes === 0 ? undefined : headerBytes.toString('utf8', jsonEnd, summaryEnd);
	const readSummary = (): ReportSummary | undefined => {
		if (summary !== false) return summary;
		try {
			summary = summaryText === undefined ? undefined : (JSON.parse(summaryText) as ReportSummary);
		} catch {
			summary = undefined;
		}

		summaryText = undefined;
		return summary;
	};

	// Read from the file when asked for (a warm report): a live process never holds them.
	// A file replaced since fails the checksum, and there are none.
	const blockTexts = (): Array<Uint8Array | undefined> | undefined => {
		const blocks = readSummary()?.blocks;
		if (blocks === undefined || textBytes === 0) return undefined;
		let bytes: Buffer;
		try {
			const reader = openReader();
			try {
				bytes = reader.read(textsOffset, textBytes);
			} finally {
				reader.close();
			}
		} catch {
			return undefined;
		}

		if (bytes.length !== textBytes || crcOf(bytes) !== textsCrc) return undefined;
		// Views of the bytes read, never decoded: they go to stdout as they are
		// (a JS string of them, then its encoding again, was ~2.5 MB of fresh memory at 1 GB).
		const texts: Array<Uint8Array | undefined> = [];
		for (let start = 0; start <= bytes.length; ) {
			const found = bytes.indexOf(0, start);
			const end = found === -1 ? bytes.length : found;
			texts.push(end === start ? undefined : bytes.subarray(start, end));
			start = end + 1;
		}

		return texts.length === blocks.length ? texts : undefined;
	};

	const discovery =
		header.walkedAtMs === undefined
			? undefined
			: {
					walkedAtMs: header.walkedAtMs,
					dirs: allPaths.slice(fileCount).map((dirPath, position) => ({path: dirPath, mtimeMs: stamps[fileCount * fileColumns.length + position]!})),
					...(typeof header.hasLinks === 'boolean' ? {hasLinks: header.hasLinks} : {}),
				};
	/** Which file (position) holds `row`. */
	const fileOf = (row: number): number => Math.max(0, lowerBound(fileCount, position => fileStarts[position]! <= row) - 1);

	const dataCrc = head.readUInt32LE(28);

	/**
	 * Check the ids and rows against their checksum and keep the columns scans
	 * read, streaming the file in chunks; the rest stays on disk and is read per
	 * entry through the reader, which stays open. The index is only ever replaced
	 * by a rename, so the open file keeps the bytes that were checked. At 474,000
	 * requests that is ~14 MB held instead of ~96.
	 */
	const fullBody = (): IndexBody | {error: string} => {
		const reader = openReader();
		let held: HeldColumns | {error: string};
		try {
			held = holdColumns(reader);
		} catch (error) {
			reader.close();
			throw error;
		}

		if ('error' in held) {
			reader.close();
			return held;
		}

		const {timestamps, flags, sessionRefs, projectRefs, keyHighs, keyLows, table} = held;
		let isClosed = false;
		const readExactly = (offset: number, length: number): Buffer => {
			if (isClosed) throw new Error('index body read after close');
			const bytes = reader.read(offset, length);
			if (bytes.length !== length) throw new Error('index changed while reading');
			return bytes;
		};

		/** Rows `[start, end)` and the ids they refer to, in two reads: row → entry. */
		const readRows = (start: number, end: number): ((row: number) => UsageEntry) => {
			const rows = float64s(readExactly(bodyOffset + start * rowBytes, (end - start) * rowBytes));
			// Ids are stored in row order: the rows' ids are one run of the blob.
			let idsFrom = Number.POSITIVE_INFINITY;
			let idsTo = 0;
			for (let row = 0; row < end - start; row++) {
				for (const [from, to] of idColumnPairs) {
					const first = rows[row * columns.length + column[from]]!;
					if (first < 0) continue;
					idsFrom = Math.min(idsFrom, first);
					idsTo = Math.max(idsTo, rows[row * columns.length + column[to]]!);
				}
			}

			const ids = idsTo > idsFrom ? readExactly(idsOffset + idsFrom, idsTo - idsFrom) : Buffer.alloc(0);
			const idsBase = Number.isFinite(idsFrom) ? idsFrom : 0;
			return row => decodeEntry(rows, row - start, ids, idsBase, header.strings);
		};

		const entriesIn = (start: number, end: number): UsageEntry[] => {
			if (end <= start) return [];
			const entryAt = readRows(start, end);
			return Array.from({length: end - start}, (_, offset) => entryAt(start + offset));
		};

		const entriesAt = (rows: readonly number[]): UsageEntry[] => {
			const entries: UsageEntry[] = [];
			for (let first = 0; first < rows.length; ) {
				// Rows close together share one read: a gap of a few rows costs less than a call.
				let last = first;
				while (last + 1 < rows.length && rows[last + 1]! - rows[last]! <= 32 && rows[last + 1]! - rows[first]! < chunkRows) last++;
				const entryAt = readRows(rows[first]!, rows[last]! + 1);
				for (let position = first; position <= last; position++) entries.push(entryAt(rows[position]!));
				first = last + 1;
			}

			return entries;
		};

		/** The stored ids of a row, as a request key. */
		const keyAt = (row: number): string => storedKey(readRows(row, row + 1)(row));

		const findWinner = (key: string): number =>
			findInKeyTable(
				{slots: table.length, rowAt: slot => table[slot]!, highAt: slot => keyHighs[table[slot]!]!, lowAt: slot => keyLows[table[slot]!]!},
				keyAt,
				key,
			);

		const countedFrom = (fromMs: number): number[] => {
			const found: number[] = [];
			for (let row = 0; row < count; row++) if (timestamps[row]! >= fromMs && (flags[row]! & winnerFlag) !== 0) found.push(row);
			return found;
		};

		return {
			count,
			timestampAt: row => timestamps[row]!,
			countedFrom,
			entryAt: row => readRows(row, row + 1)(row),
			entriesIn,
			entriesAt,
			findWinner,
			fileOf,
			fileStarts,
			sessionAt: row => {
				const ref = sessionRefs[row]!;
				return ref < 0 ? undefined : header.strings[ref];
			},
			projectAt: row => {
				const ref = projectRefs[row]!;
				return ref < 0 ? '' : header.strings[ref]!;
			},
			keyLowAt: row => keyLows[row]!,
			keyHashAt: row => [keyHighs[row]!, keyLows[row]!],
			close: () => {
				if (isClosed) return;
				isClosed = true;
				reader.close();
			},
		};
	};

	const body = async (): Promise<IndexBody | {error: string}> => fullBody();

	const lookupOffset = totalBytes - lookupLength;
	const lookupCrc = head.readUInt32LE(36);

	const leanBody = (): IndexBody | {error: string} => {
		if (lookupLength === 0) return fullBody();
		const reader = openReader();
		const bytes = reader.read(lookupOffset, lookupLength);
		if (bytes.length !== lookupLength || crcOf(bytes) !== lookupCrc) {
			reader.close();
			return {error: bytes.length === lookupLength ? 'checksum mismatch' : 'changed while reading'};
		}

		// Copied out of the read: typed arrays need aligned offsets, and nothing keeps the read buffer.
		const countedTimes = new Float64Array(countedCount);
		Buffer.from(countedTimes.buffer).set(bytes.subarray(0, countedCount * 8));
		const uints = new Uint32Array(countedCount + winnerCount * 3);
		Buffer.from(uints.buffer).set(bytes.subarray(countedCount * 8));
		const countedRows = uints.subarray(0, countedCount);
		const slotRows = uints.subarray(countedCount, countedCount + winnerCount);
		const slotHighs = uints.subarray(countedCount + winnerCount, countedCount + 2 * winnerCount);
		const slotLows = uints.subarray(countedCount + 2 * winnerCount);

		let isClosed = false;
		let full: IndexBody | undefined;
		/** Every column held, for the scans this body does not serve from what it read. */
		const held = (): IndexBody => {
			if (full !== undefined) return full;
			const found = fullBody();
			if ('error' in found) throw new IndexCorruptError(found.error);
			full = found;
			return full;
		};

		/** A file's rows and ids, read whole once and checked against its segment checksum. */
		const segments = new Map<number, {rows: Float64Array; ids: Buffer}>();
		const segment = (position: number): {rows: Float64Array; ids: Buffer} => {
			const known = segments.get(position);
			if (known !== undefined) return known;
			if (isClosed) throw new Error('index body read after close');
			const file = fileAt(position);
			const length = (file.keyedCount + file.unkeyedCount) * rowBytes;
			const rowBytesRead = reader.read(bodyOffset + fileStarts[position]! * rowBytes, length);
			const ids = reader.read(idsOffset + file.idsStart, file.idsEnd - file.idsStart);
			if (rowBytesRead.length !== length || ids.length !== file.idsEnd - file.idsStart) throw new IndexCorruptError('changed while reading');
			if (crcOf(ids, rowBytesRead) !== file.segmentCrc) throw new IndexCorruptError(`checksum mismatch in ${file.path}'s entries`);
			const found = {rows: float64s(rowBytesRead), ids};
			segments.set(position, found);
			return found;
		};

		const entryAt = (row: number): UsageEntry => {
			const position = fileOf(row);
			const {rows, ids} = segment(position);
			return decodeEntry(rows, row - fileStarts[position]!, ids, fileAt(position).idsStart, header.strings);
		};

		const timestampAt = (row: number): number => {
			const position = fileOf(row);
			return segment(position).rows[(row - fileStarts[position]!) * columns.length + column.timestampMs]!;
		};

		const findWinner = (key: string): number =>
			findInKeyTable({slots: winnerCount, rowAt: slot => slotRows[slot]!, highAt: slot => slotHighs[slot]!, lowAt: slot => slotLows[slot]!}, row => storedKey(entryAt(row)), key);

		const countedFrom = (fromMs: number): number[] =>
			Array.from(countedRows.subarray(lowerBound(countedCount, position => countedTimes[position]! < fromMs))).sort((a, b) => a - b);

		return {
			count,
			timestampAt,
			entryAt,
			entriesIn: (start, end) => Array.from({length: Math.max(0, end - start)}, (_, offset) => entryAt(start + offset)),
			entriesAt: rows => rows.map(entryAt),
			findWinner,
			countedFrom,
			fileOf,
			fileStarts,
			sessionAt: row => held().sessionAt(row),
			projectAt: row => held().projectAt(row),
			keyLowAt: row => held().keyLowAt(row),
			keyHashAt: row => held().keyHashAt(row),
			close: () => {
				if (isClosed) return;
				isClosed = true;
				reader.close();
				full?.close();
			},
		};
	};

	/** One pass over the ids and rows: their checksum, and the columns scans read. */
	const holdColumns = (reader: IndexReader): HeldColumns | {error: string} => {
		let crc = 0;
		const chunk = Buffer.allocUnsafeSlow(chunkRows * rowBytes);
		const readChunk = (offset: number, length: number): Buffer | undefined => {
			const bytes = reader.read(offset, length, chunk);
			if (bytes.length !== length) return undefined;
			if (length > 0) crc = crc32(bytes, crc);
			return bytes;
		};

		for (let offset = 0; offset < idsLength; offset += chunk.length) {
			if (readChunk(idsOffset + offset, Math.min(chunk.length, idsLength - offset)) === undefined) return {error: 'changed while reading'};
		}

		const held: HeldColumns = {
			timestamps: new Float64Array(count),
			flags: new Uint8Array(count),
			sessionRefs: new Int32Array(count),
			projectRefs: new Int32Array(count),
			keyHighs: new Uint32Array(count),
			keyLows: new Uint32Array(count),
			table: new Uint32Array(winnerCount),
		};
		for (let first = 0; first < count; first += chunkRows) {
			const rows = Math.min(chunkRows, count - first);
			const bytes = readChunk(bodyOffset + first * rowBytes, rows * rowBytes);
			if (bytes === undefined) return {error: 'changed while reading'};
			holdRows(held, float64s(bytes), first, rows);
		}

		const tableStart = bodyOffset + count * rowBytes;
		for (let first = 0; first < winnerCount; first += chunkRows) {
			const slots = Math.min(chunkRows, winnerCount - first);
			const bytes = readChunk(tableStart + first * 8, slots * 8);
			if (bytes === undefined) return {error: 'changed while reading'};
			held.table.set(float64s(bytes), first);
		}

		return crc === dataCrc ? held : {error: 'checksum mismatch'};
	};

	/**
	 * Every file's entries, one file at a time, each segment checked against its own
	 * checksum: a restore never holds more than one file's bytes.
	 */
	async function* eachFile(): AsyncGenerator<IndexedFile | {error: string}> {
		const reader = openReader();
		try {
			const files = headerFiles();
			for (let position = 0; position < files.length; position++) {
				const file = files[position]!;
				const {keyedCount, unkeyedCount} = file;
				const rows = keyedCount + unkeyedCount;
				const rowBytesRead = reader.read(bodyOffset + fileStarts[position]! * rowBytes, rows * rowBytes);
				const ids = reader.read(idsOffset + file.idsStart, file.idsEnd - file.idsStart);
				if (rowBytesRead.length !== rows * rowBytes || crcOf(ids, rowBytesRead) !== file.segmentCrc) {
					yield {error: 'checksum mismatch'};
					return;
				}

				const rowsRead = float64s(rowBytesRead);
				// Spelled out: objects made by a rest and a spread took slower shapes, and every restore of them with it.
				yield {
					path: file.path,
					projectSlug: file.projectSlug,
					cursor: file.cursor,
					events: file.events,
					lines: file.lines,
					usageLines: file.usageLines,
					invalidLines: file.invalidLines,
					keyed: decodeEntries(rowsRead, 0, keyedCount, ids, file.idsStart, header.strings),
					unkeyed: decodeEntries(rowsRead, keyedCount, unkeyedCount, ids, file.idsStart, header.strings),
				};
			}
		} finally {
			reader.close();
		}
	}

	const entries = async (): Promise<IndexedFile[] | {error: string}> => {
		const files: IndexedFile[] = [];
		for await (const file of eachFile()) {
			if ('error' in file) return file;
			files.push(file);
		}

		return files;
	};

	return {
		identity: identityOf(head, totalBytes),
		roots: header.roots,
		get files() {
			return headerFiles();
		},
		fileAt,
		paths,
		slugAt,
		cursorAt,
		mtimeAt,
		get summary() {
			return readSummary();
		},
		blockTexts,
		discovery,
		body,
		leanBody,
		eachFile,
		entries,
	};
};

/** In-memory decode, for worker replies. */
export const decodeIndexBytes = (bytes: Buffer): DecodedIndex | {error: string} =>
	decodeIndex(bytes, bytes.length, () => ({read: (offset, length) => bytes.subarray(offset, offset + length), close: () => undefined}));

/** Fill `buffer` from `position` on; fewer bytes where the file ends. */
const readFully = (fd: number, buffer: Buffer, position: number): Buffer => {
	let done = 0;
	while (done < buffer.length) {
		const bytesRead = readSync(fd, buffer, done, buffer.length - done, position + done);
		if (bytesRead === 0) break;
		done += bytesRead;
	}

	return buffer.subarray(0, done);
};

/**
 * Positioned reads through one file descriptor. Synchronous: a body reads an
 * entry or a file's rows at a time (a few KB from the page cache), and closes
 * where no one awaits.
 */
const fileReader = (file: string): IndexReader => {
	const fd = openSync(file, 'r');
	return {
		read: (offset, length, into) => readFully(fd, into !== undefined && into.length >= length ? into.subarray(0, length) : Buffer.alloc(length), offset),
		close: () => closeSync(fd),
	};
};

/**
 * Read the index's header only; its entries are read when asked for. A missing
 * index is normal (undefined), a bad one is reported and ignored. Synchronous:
 * open, stat, two reads and close through the thread pool were five round
 * trips of a warm report that has nothing else to wait for.
 */
export const loadIndex = async (file: string): Promise<DecodedIndex | {problem: string} | undefined> => {
	let fd;
	try {
		fd = openSync(file, 'r');
	} catch {
		return undefined;
	}

	try {
		const {size} = fstatSync(fd);
		const prefix = readFully(fd, Buffer.alloc(Math.min(size, prefixBytes)), 0);
		const headerLength = prefix.length === prefixBytes ? prefix.readUInt32LE(12) : 0;
		const head = Buffer.alloc(Math.min(size, prefixBytes + headerLength));
		prefix.copy(head);
		const rest = readFully(fd, head.subarray(prefix.length), prefix.length);
		const decoded = decodeIndex(head.subarray(0, prefix.length + rest.length), size, () => fileReader(file));
		return 'error' in decoded ? {problem: `index ${file} ignored (${decoded.error}); rebuilding`} : decoded;
	} finally {
		closeSync(fd);
	}
};

/**
 * An index of an older version for the same roots is never read again (see
 * indexPath): once this version's is written, its space (~110 MB at 4 GB) goes back.
 */
const removeOlderVersions = async (file: string): Promise<void> => {
	const dir = path.dirname(file);
	const suffix = path.basename(file).replace(/^index-v\d+/, '');
	const names = await fsp().readdir(dir).catch(() => [] as string[]);
	for (const name of names) {
		const version = /^index-v(\d+)-/.exec(name)?.[1];
		if (version !== undefined && Number(version) < indexVersion && name === `index-v${version}${suffix}`) await fsp().rm(path.join(dir, name), {force: true}).catch(() => undefined);
	}
};

/** Atomically replace the index: temp file in the same folder, then rename. Returns its {@link DecodedIndex.identity}. */
export const saveIndex = async (
	file: string,
	roots: readonly string[],
	files: readonly IndexedFile[],
	summary: ReportSummary,
	isWinner: (entry: UsageEntry) => boolean,
	discovery?: SavedDiscovery,
	blockTexts?: ReadonlyArray<string | undefined>,
): Promise<string> => {
	await fsp().mkdir(path.dirname(file), {recursive: true});
	// Before writing: on a full disk, what a killed writer left may be the room this write needs.
	await sweepStaleTemps(path.dirname(file));
	const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
	try {
		// writeFile takes the sections as an iterable and writes each one whole
		// (a single writev may write only part of ~20 MB and report it).
		const parts = encodeIndexParts(roots, files, summary, isWinner, discovery, blockTexts);
		await fsp().writeFile(temp, parts);
		await fsp().rename(temp, file);
		await removeOlderVersions(file);
		return identityOf(parts[0]!, parts.reduce((total, part) => total + part.length, 0));
	} catch (error) {
		await fsp().rm(temp, {force: true});
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
