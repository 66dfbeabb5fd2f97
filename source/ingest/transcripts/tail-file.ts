import {open, stat} from 'node:fs/promises';
import type {LineResult} from '../../core/usage/transcript.js';
import {emptyCheck, isUnchanged, type FileCursor} from './file-cursor.js';
import {readPast} from './read-check.js';
import {collectingClassifier, loadLineParser} from './read-transcripts.js';
import type {TailHandle} from './sync-handle.js';

export type TailUpdate =
	| {kind: 'lines'; path: string; results: LineResult[]; counts: {lines: number; invalidLines: number}; cursor: FileCursor}
	/** The file was truncated, replaced or rewritten in place: what was read from it no longer stands. Lines read anew follow. */
	| {kind: 'reset'; path: string; reason: 'truncated' | 'replaced' | 'rewritten'}
	| {kind: 'deleted'; path: string}
	| {kind: 'error'; path: string; reason: string};

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);

/** One function for every tailer, not a closure each: a dashboard follows ~20,000 files at a year of history. */
const openForReading = async (path: string): Promise<TailHandle> => open(path, 'r');

/**
 * Follows one transcript file: reads only bytes past its cursor. One read is in
 * flight at a time; polls that arrive meanwhile coalesce into one more read.
 */
export class FileTailer {
	/** The safety poll's turn for the file, drawn once (see turnSlot). */
	turnSlot: number | undefined = undefined;
	private running: Promise<void> | undefined;
	private isAgain = false;

	constructor(
		readonly path: string,
		readonly projectSlug: string,
		public cursor: FileCursor | undefined,
		private readonly onUpdate: (update: TailUpdate) => void,
	) {}

	/** Read whatever is new. Resolves once the file has been read up to at least the moment of the call. */
	poll(): Promise<void> {
		if (this.running !== undefined) {
			this.isAgain = true;
			return this.running;
		}

		this.running = (async () => {
			try {
				do {
					this.isAgain = false;
					await this.readOnce();
				} while (this.isAgain);
			} finally {
				this.running = undefined;
			}
		})();
		return this.running;
	}

	private async readOnce(): Promise<void> {
		// A stat by path first: the safety poll visits every file, and most have not changed.
		if (this.cursor !== undefined) {
			const stats = await stat(this.path).catch(() => undefined);
			if (stats !== undefined && isUnchanged(stats, this.cursor)) return;
		}

		let handle;
		try {
			handle = await openForReading(this.path);
		} catch (error) {
			if (errorCode(error) === 'ENOENT') {
				if (this.cursor !== undefined) {
					this.cursor = undefined;
					this.onUpdate({kind: 'deleted', path: this.path});
				}
			} else {
				this.fail(errorCode(error));
			}

			return;
		}

		try {
			// fstat the opened handle, not the path: a file swapped in between cannot mix two inodes.
			const stats = await handle.stat();
			let cursor = this.cursor;
			if (cursor !== undefined && (stats.ino !== cursor.ino || stats.dev !== cursor.dev)) {
				this.onUpdate({kind: 'reset', path: this.path, reason: 'replaced'});
				cursor = undefined;
			} else if (cursor !== undefined && stats.size < cursor.offset) {
				// Truncated: everything read before is gone, so start again at byte 0.
				this.onUpdate({kind: 'reset', path: this.path, reason: 'truncated'});
				cursor = undefined;
			}

			const parse = await loadLineParser();
			const {classifier, results, counters} = collectingClassifier(this.projectSlug, parse);
			let mark = cursor === undefined ? undefined : await readPast(handle, cursor, stats.size, classifier);
			if (cursor !== undefined && mark === undefined) {
				// Same inode, not shorter, but the bytes already read changed: rewritten in place.
				this.onUpdate({kind: 'reset', path: this.path, reason: 'rewritten'});
			}

			mark ??= (await readPast(handle, {offset: 0, check: emptyCheck}, stats.size, classifier))!;
			this.cursor = {dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, offset: mark.offset, check: mark.check};
			this.onUpdate({kind: 'lines', path: this.path, results, counts: {lines: counters.lines, invalidLines: counters.invalidLines}, cursor: this.cursor});
		} catch (error) {
			this.fail(errorCode(error));
		} finally {
			await handle.close();
		}
	}

	/**
	 * The file cannot be read now. What was read from it no longer counts (as a
	 * cold read would not count it); the cursor goes, so it is read whole once it
	 * can be again.
	 */
	private fail(reason: string): void {
		this.cursor = undefined;
		this.onUpdate({kind: 'error', path: this.path, reason});
	}
}

