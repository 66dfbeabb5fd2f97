import {openSync, readFileSync, readSync, closeSync, fstatSync} from 'node:fs';
import {mkdir, open} from 'node:fs/promises';
import path from 'node:path';
import type {OtelRecord} from '../../core/otel/console-records.js';
import type {OtelSummary} from '../../core/otel/otel-summary.js';
import {dataDir} from '../dirs.js';

/**
 * The OpenTelemetry spool: every record `cctop run` (and the receiver) took in,
 * one JSON line each, appended, so `report`, `status` and a running dashboard
 * all see them. A line is written whole in one append; a crash mid-write leaves
 * a last line without its newline, which readers drop (and count), and the next
 * append starts on a fresh line so the torn piece never spoils a good record.
 */
export const spoolPath = (dir = dataDir()): string => path.join(dir, 'otel-spool.ndjson');

type SpoolLine = {v: 1; record: OtelRecord; incomplete?: true};

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

/**
 * Append records to the spool in one write. `isDurable` waits for the disk
 * (fsync): the receiver acknowledges a request only after that.
 */
export const appendToSpool = async (records: ReadonlyArray<{record: OtelRecord; isIncomplete: boolean}>, {file = spoolPath(), isDurable = false}: {file?: string; isDurable?: boolean} = {}): Promise<void> => {
	if (records.length === 0) return;
	await mkdir(path.dirname(file), {recursive: true});
	const lines = records.map(({record, isIncomplete}) => JSON.stringify({v: 1, record, ...(isIncomplete ? {incomplete: true} : {})} satisfies SpoolLine)).join('\n');
	const handle = await open(file, 'a');
	try {
		await handle.write(`${endsCleanly(file) ? '' : '\n'}${lines}\n`);
		if (isDurable) await handle.sync();
	} finally {
		await handle.close();
	}
};

type SpoolRead = {records: Array<{record: OtelRecord; isIncomplete: boolean}>; bad: number};

/** The records of complete lines in `text`; `bad` counts the unreadable ones. */
const spoolLines = (text: string): SpoolRead => {
	const records: SpoolRead['records'] = [];
	let bad = 0;
	for (const line of text.split('\n')) {
		if (line === '') continue;
		try {
			const parsed = JSON.parse(line) as Partial<SpoolLine>;
			if (parsed.v !== 1 || typeof parsed.record !== 'object' || parsed.record === null) throw new Error('not a spool line');
			records.push({record: parsed.record, isIncomplete: parsed.incomplete === true});
		} catch {
			bad++;
		}
	}

	return {records, bad};
};

/** The spool's records, and how many lines were torn or unreadable; undefined when there is no spool. */
export const readSpoolRecords = (file = spoolPath()): SpoolRead | undefined => {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}

	// The piece after the last newline is empty, or a record whose write never finished.
	const end = text.lastIndexOf('\n') + 1;
	const read = spoolLines(text.slice(0, end));
	return {records: read.records, bad: read.bad + (end < text.length ? 1 : 0)};
};

/**
 * The records appended since `offset`, for a process that stays up: only new
 * bytes are read, and a last line still being written waits for the next call.
 * `offset` is where to start next time; a spool shorter than `offset` (replaced)
 * says so with `isReset`, and is read from the start.
 */
export const readSpoolFrom = (offset: number, file = spoolPath()): (SpoolRead & {offset: number; isReset: boolean}) | undefined => {
	let fd: number | undefined;
	try {
		fd = openSync(file, 'r');
		const {size} = fstatSync(fd);
		const isReset = size < offset;
		const from = isReset ? 0 : offset;
		const bytes = Buffer.alloc(size - from);
		readSync(fd, bytes, 0, bytes.length, from);
		const end = bytes.lastIndexOf(0x0a) + 1;
		return {...spoolLines(bytes.toString('utf8', 0, end)), offset: from + end, isReset};
	} catch {
		return undefined;
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
};

/** Every record in the spool into `summary`; a torn or unreadable line counts as a bad record. Returns whether a spool was there. */
export const readSpool = (summary: OtelSummary, file = spoolPath()): boolean => {
	const spool = readSpoolRecords(file);
	if (spool === undefined) return false;
	for (const {record, isIncomplete} of spool.records) summary.add(record, isIncomplete);
	for (let count = 0; count < spool.bad; count++) summary.addBad();
	return true;
};
