import {closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {chainHead} from './spool-chain.js';
import {segmentListPath} from './spool-paths.js';

/**
 * The spool in segments. `otel-spool.ndjson` is the segment being written; when
 * a day ends (local) or it reaches `maxBytes`, it is sealed: renamed to
 * `otel-spool.<YYYY-MM-DD>.<n>.ndjson` and listed in `otel-spool.segments.json`
 * with its time range, size and chain head, and the next line written links to
 * that head, so the chain runs on across segments. Readers take only the
 * segments their time range needs. Retention removes sealed segments older than
 * `retainDays` and records each removal twice: in the segment list (`retired`)
 * and as a record in the chain itself, so `cctop audit verify` tells a
 * retention from a deletion. A spool from before segments is simply the first
 * segment being written: nothing is lost or rewritten.
 */
export type Segment = {file: string; firstMs: number; lastMs: number; bytes: number; head: string};
export type SegmentList = {v: 1; segments: Segment[]; retired: Array<Segment & {removedAtMs: number}>};

export type Rotation = {maxBytes: number; retainDays?: number | undefined};

/** What `cctop serve` and `cctop run` use unless told otherwise (`--spool-max-mb`, `--retain-days`). */
export const defaultRotation: Rotation = {maxBytes: 256 * 1024 * 1024};

const dayMs = 86_400_000;

export {segmentListPath} from './spool-paths.js';

export const readSegmentList = (active: string): SegmentList => {
	try {
		const value = JSON.parse(readFileSync(segmentListPath(active), 'utf8')) as Partial<SegmentList>;
		return {v: 1, segments: Array.isArray(value.segments) ? value.segments : [], retired: Array.isArray(value.retired) ? value.retired : []};
	} catch {
		return {v: 1, segments: [], retired: []};
	}
};

const writeSegmentList = (active: string, list: SegmentList): void => {
	const file = segmentListPath(active);
	const temporary = `${file}.${process.pid}.tmp`;
	writeFileSync(temporary, `${JSON.stringify(list, null, 1)}\n`);
	renameSync(temporary, file);
};

const localDay = (ms: number): string => {
	const date = new Date(ms);
	return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
};

const timeOfLine = (line: string): number | undefined => {
	const match = /^\{"v":1,"t":(\d+)/.exec(line);
	return match === null ? undefined : Number(match[1]);
};

/** `length` bytes of `file` from `position` (fewer at its end), as latin1 text: enough for `{"v":1,"t":…`. */
const readAt = (file: string, position: number, length: number): string => {
	const fd = openSync(file, 'r');
	try {
		const buffer = Buffer.alloc(length);
		const read = readSync(fd, buffer, 0, length, Math.max(0, position));
		return buffer.toString('latin1', 0, read);
	} finally {
		closeSync(fd);
	}
};

/** The receive time of a segment's last line (its last 64 KiB are read). */
const lastTime = (file: string, size: number, fallbackMs: number): number => {
	const tail = readAt(file, size - 65_536, 65_536).split('\n');
	return tail.map(timeOfLine).findLast(ms => ms !== undefined) ?? fallbackMs;
};

/** The chain's head where the active segment starts: the last sealed segment's, or its own. */
export const activeHead = (active: string): string => {
	if (existsSync(active) && statSync(active).size > 0) return chainHead(active);
	const last = readSegmentList(active).segments.at(-1);
	return last?.head ?? chainHead(active);
};

/**
 * Seal the active segment when `nowMs` is on another local day than its first
 * line, or it would pass `maxBytes`; then drop sealed segments past retention
 * (checked at each seal, so at least daily while the receiver gets anything).
 * Returns the records retention asks to add to the chain. Called under the spool lock.
 */
export const rotate = (active: string, nowMs: number, incomingBytes: number, rotation: Rotation): Array<{path: string; head: string; lastMs: number; bytes: number}> => {
	const stats = statSync(active, {throwIfNoEntry: false});
	if (stats === undefined || stats.size === 0) return [];
	const firstMs = timeOfLine(readAt(active, 0, 64)) ?? stats.mtimeMs;
	if (localDay(firstMs) === localDay(nowMs) && stats.size + incomingBytes <= rotation.maxBytes) return [];
	// Sealing: at most at each midnight and each `maxBytes`, so the list is read here and retention runs here too.
	const list = readSegmentList(active);
	const head = chainHead(active);
	const lastMs = lastTime(active, stats.size, firstMs);
	const day = localDay(firstMs);
	let sequence = 1;
	while (existsSync(active.replace(/\.ndjson$/, `.${day}.${sequence}.ndjson`))) sequence++;
	const sealed = active.replace(/\.ndjson$/, `.${day}.${sequence}.ndjson`);
	renameSync(active, sealed);
	list.segments.push({file: path.basename(sealed), firstMs, lastMs, bytes: stats.size, head});

	const removed: Array<{path: string; head: string; lastMs: number; bytes: number}> = [];
	if (rotation.retainDays !== undefined) {
		const cutoffMs = nowMs - rotation.retainDays * dayMs;
		while (list.segments.length > 0 && list.segments[0]!.lastMs < cutoffMs) {
			const segment = list.segments.shift()!;
			rmSync(path.join(path.dirname(active), segment.file), {force: true});
			list.retired.push({...segment, removedAtMs: nowMs});
			removed.push({path: segment.file, head: segment.head, lastMs: segment.lastMs, bytes: segment.bytes});
		}
	}

	writeSegmentList(active, list);
	return removed;
};

/** Searching by receive time is this much wider: several writers' times may step back a little. */
const marginMs = 10 * 60_000;

/** The files a reader of `[sinceMs, untilMs)` needs, oldest first: the sealed segments that overlap, then the active one. */
export const segmentFiles = (active: string, range: {sinceMs?: number | undefined; untilMs?: number | undefined}): string[] => {
	const dir = path.dirname(active);
	const sealed = readSegmentList(active).segments.filter(segment => (range.sinceMs === undefined || segment.lastMs >= range.sinceMs - marginMs) && (range.untilMs === undefined || segment.firstMs < range.untilMs + marginMs));
	return [...sealed.map(segment => path.join(dir, segment.file)), active];
};
