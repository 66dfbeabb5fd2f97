import {closeSync, fstatSync, openSync, readSync, type Stats} from 'node:fs';
import type {ReadHandle} from './read-transcripts.js';

/** What a tailer needs of an open file: read, fstat, close. */
export type TailHandle = ReadHandle & {stat: () => Promise<Stats>; close: () => Promise<void>};

/**
 * A file opened and read with synchronous calls behind the promise interface,
 * for code with nothing else to do while it waits: scan workers, and a status
 * line reading what was appended. Each fs/promises call is a round trip
 * through libuv's shared thread pool; over thousands of small files those hops
 * cost more CPU than the reads (open, fstat, read and close were ~1.4 s of a
 * 1 GB, 5,000-file scan), and a status line would load fs/promises for them.
 * Errors are thrown as fs/promises would reject, with their `code`.
 */
export const openSyncHandle = async (path: string): Promise<TailHandle> => {
	const fd = openSync(path, 'r');
	return {
		read: async (buffer, offset, length, position) => ({bytesRead: readSync(fd, buffer, offset, length, position)}),
		stat: async () => fstatSync(fd),
		close: async () => closeSync(fd),
	};
};
