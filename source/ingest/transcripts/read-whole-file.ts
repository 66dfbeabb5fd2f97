import {closeSync, fstatSync, openSync, readSync} from 'node:fs';
import {readFromStartSync} from './read-check.js';
import {collectingClassifier, type LineParser, type ReadSync} from './read-transcripts.js';
import type {TailUpdate} from './tail-file.js';

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);

/**
 * A transcript read from byte 0 with synchronous calls, for a scan worker: what
 * a FileTailer without a cursor reads (tail-file.ts), with the same updates:
 * none for a file that is gone, an error for one that cannot be opened or
 * read, else its lines and its cursor. A worker has nothing else to do while
 * it reads; the tailer's promises cost it a microtask per step and ~0.1 s of
 * V8's compiling per worker, and libuv's thread pool a round trip per call.
 */
export const readWholeFile = (path: string, projectSlug: string, parse: LineParser, scratch: Buffer): TailUpdate[] => {
	let fd: number;
	try {
		fd = openSync(path, 'r');
	} catch (error) {
		return errorCode(error) === 'ENOENT' ? [] : [{kind: 'error', path, reason: errorCode(error)}];
	}

	try {
		// fstat the opened file, not the path: a file swapped in between cannot mix two inodes.
		const stats = fstatSync(fd);
		const {classifier, results, counters} = collectingClassifier(projectSlug, parse);
		const read: ReadSync = (buffer, offset, length, position) => readSync(fd, buffer, offset, length, position);
		const mark = readFromStartSync(read, stats.size, classifier, scratch);
		const cursor = {dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, offset: mark.offset, check: mark.check};
		return [{kind: 'lines', path, results, counts: {lines: counters.lines, invalidLines: counters.invalidLines}, cursor}];
	} catch (error) {
		return [{kind: 'error', path, reason: errorCode(error)}];
	} finally {
		closeSync(fd);
	}
};
