import {closeSync, fstatSync, openSync, readSync, statSync} from 'node:fs';
import {fsp} from '../lazy-fs.js';
import path from 'node:path';
import type {OtelRecord} from '../../core/otel/console-records.js';
import type {OtelSummary} from '../../core/otel/otel-summary.js';
import {chainHead, chainLines} from './spool-chain.js';
import {withFileLock} from '../file-lock.js';
import {activeHead, readSegmentList, rotate, segmentFiles, type Rotation} from './spool-segments.js';
import {spoolPath} from './spool-paths.js';

/**
 * The OpenTelemetry spool: every record `cctop run` (and the receiver) took in,
 * one JSON line each, appended, so `report`, `status` and a running dashboard
 * all see them. A line is written whole in one append; a crash mid-write leaves
 * a last line without its newline, which readers drop (and count), and the next
 * append starts on a fresh line so the torn piece never spoils a good record.
 *
 * Each line starts `{"v":1,"t":<ms received>`: lines are appended in the order
 * they arrive, so a reader that wants a time range finds its start by binary
 * search instead of reading the whole spool (a team receiver's grows all day).
 * Lines written before `t` existed count as received at 0: they come first.
 */
export {spoolPath} from './spool-paths.js';

/** Whether there is a spool at all: the segment being written, or sealed ones. */
export const spoolExists = (active = spoolPath()): boolean => statSync(active, {throwIfNoEntry: false}) !== undefined || readSegmentList(active).segments.length > 0;

type SpoolLine = {v: 1; t?: number; record: OtelRecord; incomplete?: true};

/** One record as read back: what was received, when (ms; 0 for lines from before that was kept). */
export type SpoolRecord = {record: OtelRecord; isIncomplete: boolean; receivedAtMs: number};

/** Receive times may step back a little (several writers, a clock adjusted): ranges are searched this much wider, then filtered exactly. */
const searchMarginMs = 10 * 60 * 1000;
// 1 MiB: a ranged reader stops within a chunk of its range's end (4 MiB read ~11 MB past a 1-day range in 3 segments).
const chunkBytes = 1024 * 1024;
const probeBytes = 64 * 1024;

/** True when `file` is missing, empty or ends with a newline. */
const endsCleanly = (file: string): boolean => {
	let fd: number | undefined;
	try {
		fd = openSync(file, 'r');
		const {size} = fstatSync(fd);
		if (size === 0) return true;
		const last = Buffer.alloc(1);
		readSync(fd, last, 0, 1, size - 1);
		return last[0] === 0x0a;
	} catch {
		return true;
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
};

/** Records as spool lines, each ending in a newline. */
export const spoolText = (records: ReadonlyArray<{record: OtelRecord; isIncomplete: boolean}>, receivedAtMs: number): string =>
	records.map(({record, isIncomplete}) => `${JSON.stringify({v: 1, t: receivedAtMs, record, ...(isIncomplete ? {incomplete: true} : {})} satisfies SpoolLine)}\n`).join('');

/** Appends to one spool, one at a time within this process: each needs the head the one before it wrote. */
const appending = new Map<string, Promise<void>>();

/**
 * What this process last left at the end of each spool: its size and chain
 * head. While the file is still that size nobody wrote in between, so a
 * receiver's next append neither reads the tail for the head nor checks for a
 * torn line: one stat per request, not a 256 KiB read.
 */
const lastWritten = new Map<string, {size: number; head: string}>();

/**
 * Append records to the spool in one write, chained on from its head (see
 * spool-chain.ts). `isDurable` waits for the disk (fsync): the receiver
 * acknowledges a request only after that.
 */
export const appendToSpool = async (
	records: ReadonlyArray<{record: OtelRecord; isIncomplete: boolean}>,
	{file = spoolPath(), isDurable = false, receivedAtMs = Date.now(), rotation}: {file?: string; isDurable?: boolean; receivedAtMs?: number; rotation?: Rotation | undefined} = {},
): Promise<void> => {
	if (records.length === 0) return;
	const previous = appending.get(file) ?? Promise.resolve();
	const done = previous.then(async () => {
		await fsp().mkdir(path.dirname(file), {recursive: true});
		await withFileLock(file, async () => {
			const bodies = records.map(({record, isIncomplete}) => JSON.stringify({v: 1, t: receivedAtMs, record, ...(isIncomplete ? {incomplete: true} : {})} satisfies SpoolLine));
			// Each chained line carries 80 bytes of link and hash.
			const removed = rotation === undefined ? [] : rotate(file, receivedAtMs, bodies.reduce((sum, body) => sum + body.length + 81, 0), rotation);
			// A segment retention removed is recorded in the chain itself (readers skip resource records).
			const retired = removed.map(segment =>
				JSON.stringify({
					v: 1,
					t: receivedAtMs,
					record: {kind: 'resource', attributes: {'cctop.spool.retired': segment.path, 'cctop.spool.retired_head': segment.head, 'cctop.spool.retired_last_ms': segment.lastMs, 'cctop.spool.retired_bytes': segment.bytes}},
				}),
			);
			const size = statSync(file, {throwIfNoEntry: false})?.size ?? 0;
			const known = lastWritten.get(file);
			const isOurs = known !== undefined && known.size === size;
			const isClean = isOurs || endsCleanly(file);
			const {text, head} = chainLines([...retired, ...bodies], isOurs ? known.head : rotation === undefined ? chainHead(file) : activeHead(file));
			const written = `${isClean ? '' : '\n'}${text}`;
			const handle = await fsp().open(file, 'a');
			try {
				await handle.write(written);
				if (isDurable) await handle.sync();
			} finally {
				await handle.close();
			}

			lastWritten.set(file, {size: size + Buffer.byteLength(written), head});
		});
	});
	const settled = done.catch(() => undefined);
	appending.set(file, settled);
	void settled.then(() => {
		if (appending.get(file) === settled) appending.delete(file);
	});
	return done;
};

const receivedPattern = /^\{"v":1,"t":(\d+)/;

/** The receive time at the start of a line's text (0 when it has none). */
const receivedAt = (head: string): number => Number(receivedPattern.exec(head)?.[1] ?? 0);

/** Which records a reader wants: receive times in `[sinceMs, untilMs)`, either side open. */
export type SpoolRange = {sinceMs?: number | undefined; untilMs?: number | undefined};

/**
 * The offset of a line at or before the first one received at `sinceMs` (less
 * the margin), by binary search over line starts: O(log size) small reads.
 */
const startOffset = (fd: number, size: number, sinceMs: number): number => {
	const target = sinceMs - searchMarginMs;
	const window = Buffer.allocUnsafe(probeBytes);
	let low = 0;
	let high = size;
	while (high - low > probeBytes) {
		const middle = Math.floor((low + high) / 2);
		const bytesRead = readSync(fd, window, 0, probeBytes, middle);
		const newline = window.subarray(0, bytesRead).indexOf(0x0a);
		// A line longer than the probe: no line start to look at here, so narrow from above.
		if (newline === -1 || middle + newline + 1 >= size) {
			high = middle;
			continue;
		}

		const lineStart = middle + newline + 1;
		const headBytes = readSync(fd, window, 0, 64, lineStart);
		if (receivedAt(window.toString('latin1', 0, headBytes)) < target) low = lineStart;
		else high = middle;
	}

	return low;
};

/** What a streamed read found: where its complete lines end, and whether the spool was there at all. */
export type SpoolReadResult = {exists: boolean; offset: number; isReset: boolean};

/**
 * Stream the spool's complete lines from `fromOffset` (or from where `range`
 * starts), 1 MiB at a time: memory stays bounded whatever its size. `onRecord`
 * gets each record in range; `onBad` each line that cannot be read, and a torn
 * last one unless `isFollowing` (a follower waits for the rest of it). A spool
 * shorter than `fromOffset` was replaced: it is read from the start and
 * `isReset` says so.
 */
export const streamSpool = (
	{file, fromOffset = 0, range = {}, isFollowing = false, onlyMetrics = false}: {file?: string | undefined; fromOffset?: number; range?: SpoolRange; isFollowing?: boolean; onlyMetrics?: boolean},
	onRecord: (record: SpoolRecord) => void,
	onBad: () => void = () => undefined,
): SpoolReadResult => {
	if (file !== undefined || isFollowing || fromOffset > 0) return streamFile({file: file ?? spoolPath(), fromOffset, range, isFollowing, onlyMetrics}, onRecord, onBad);
	// The whole spool: the sealed segments the range needs (see spool-segments.ts), then the one being written.
	const active = spoolPath();
	let exists = false;
	let result: SpoolReadResult = {exists: false, offset: 0, isReset: false};
	for (const segment of segmentFiles(active, range)) {
		result = streamFile({file: segment, range, onlyMetrics}, onRecord, onBad);
		exists ||= result.exists;
	}

	return {...result, exists};
};

/** The start of a line spoolText wrote: its receive time, then its record's kind. */
const linePattern = /^\{"v":1,"t":\d+,"record":\{"kind":"(\w+)"/;

const streamFile = (
	{file, fromOffset = 0, range = {}, isFollowing = false, onlyMetrics = false}: {file: string; fromOffset?: number; range?: SpoolRange; isFollowing?: boolean; onlyMetrics?: boolean},
	onRecord: (record: SpoolRecord) => void,
	onBad: () => void = () => undefined,
): SpoolReadResult => {
	let fd: number;
	try {
		fd = openSync(file, 'r');
	} catch {
		return {exists: false, offset: fromOffset, isReset: false};
	}

	try {
		const {size} = fstatSync(fd);
		const isReset = size < fromOffset;
		let position = isReset ? 0 : fromOffset;
		if (range.sinceMs !== undefined) position = Math.max(position, startOffset(fd, size, range.sinceMs));
		const stopAfterMs = range.untilMs === undefined ? Number.POSITIVE_INFINITY : range.untilMs + searchMarginMs;
		const chunk = Buffer.allocUnsafe(chunkBytes);
		let pending: Buffer[] = [];
		let offset = position;
		const line = (bytes: Buffer): boolean => {
			if (bytes.length === 0) return true;
			// Only metrics wanted (the /metrics rebuild): a line spoolText wrote names its record's kind in its
			// first bytes, and one of another kind is not even parsed. A line of any other shape is parsed below.
			if (onlyMetrics) {
				const kind = linePattern.exec(bytes.subarray(0, 64).toString('latin1'))?.[1];
				if (kind !== undefined && kind !== 'metric') return true;
			}
			let parsed: Partial<SpoolLine>;
			try {
				parsed = JSON.parse(bytes.toString('utf8')) as Partial<SpoolLine>;
			} catch {
				onBad();
				return true;
			}

			if (parsed.v !== 1 || typeof parsed.record !== 'object' || parsed.record === null) {
				onBad();
				return true;
			}

			const receivedAtMs = typeof parsed.t === 'number' ? parsed.t : 0;
			if (receivedAtMs > stopAfterMs) return false;
			if ((range.sinceMs === undefined || receivedAtMs >= range.sinceMs) && (range.untilMs === undefined || receivedAtMs < range.untilMs)) {
				onRecord({record: parsed.record, isIncomplete: parsed.incomplete === true, receivedAtMs});
			}

			return true;
		};

		reading: while (position < size) {
			const bytesRead = readSync(fd, chunk, 0, Math.min(chunkBytes, size - position), position);
			if (bytesRead === 0) break;
			const view = chunk.subarray(0, bytesRead);
			let start = 0;
			for (let at = view.indexOf(0x0a); at !== -1; at = view.indexOf(0x0a, start)) {
				const bytes = pending.length === 0 ? view.subarray(start, at) : Buffer.concat([...pending, view.subarray(start, at)]);
				pending = [];
				start = at + 1;
				offset = position + start;
				if (!line(bytes)) break reading;
			}

			if (start < bytesRead) pending.push(Buffer.from(view.subarray(start)));
			position += bytesRead;
		}

		// A piece after the last newline at the end: a record whose write never finished (or, for a follower, is finishing).
		if (!isFollowing && position >= size && pending.length > 0) onBad();
		return {exists: true, offset, isReset};
	} finally {
		closeSync(fd);
	}
};

/** Every record in the spool (in `range`) into `summary`; a torn or unreadable line counts as a bad record. Returns whether a spool was there. */
export const readSpool = (summary: OtelSummary, file: string | undefined = undefined, range: SpoolRange = {}): boolean =>
	streamSpool(
		{file, range},
		({record, isIncomplete}) => summary.add(record, isIncomplete),
		() => summary.addBad(),
	).exists;
