import {open, stat} from 'node:fs/promises';
import type {LineResult} from '../../core/usage/transcript.js';
import {createReadCounters, LineClassifier, loadLineParser, readCompleteLines} from './read-transcripts.js';

/**
 * Where reading a file stopped. `offset` is just past the last complete line, so
 * a half-written line is read again, whole, once its newline arrives.
 */
export type FileCursor = {dev: number; ino: number; size: number; mtimeMs: number; offset: number};

export type TailUpdate =
	| {kind: 'lines'; path: string; results: LineResult[]; counts: {lines: number; invalidLines: number}; cursor: FileCursor}
	/** The file was truncated or replaced: what was read from it no longer stands. Lines read anew follow. */
	| {kind: 'reset'; path: string; reason: 'truncated' | 'replaced'}
	| {kind: 'deleted'; path: string}
	| {kind: 'error'; path: string; reason: string};

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);

/**
 * Follows one transcript file: reads only bytes past its cursor. One read is in
 * flight at a time; polls that arrive meanwhile coalesce into one more read.
 */
export class FileTailer {
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
			if (stats !== undefined && stats.ino === this.cursor.ino && stats.dev === this.cursor.dev && stats.size === this.cursor.size && stats.mtimeMs === this.cursor.mtimeMs) {
				return;
			}
		}

		let handle;
		try {
			handle = await open(this.path, 'r');
		} catch (error) {
			if (errorCode(error) === 'ENOENT') {
				if (this.cursor !== undefined) {
					this.cursor = undefined;
					this.onUpdate({kind: 'deleted', path: this.path});
				}
			} else {
				this.onUpdate({kind: 'error', path: this.path, reason: errorCode(error)});
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

			cursor ??= {dev: stats.dev, ino: stats.ino, size: 0, mtimeMs: 0, offset: 0};
			if (stats.size === cursor.size && stats.mtimeMs === cursor.mtimeMs && this.cursor === cursor) {
				return;
			}

			const counters = createReadCounters();
			const results: LineResult[] = [];
			const classifier = new LineClassifier(
				result => {
					if (result.kind !== 'other') results.push(result);
				},
				counters,
				this.projectSlug,
				await loadLineParser(),
			);
			const {offset} = await readCompleteLines(handle, cursor.offset, stats.size, classifier);
			this.cursor = {dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, offset};
			this.onUpdate({kind: 'lines', path: this.path, results, counts: {lines: counters.lines, invalidLines: counters.invalidLines}, cursor: this.cursor});
		} catch (error) {
			this.onUpdate({kind: 'error', path: this.path, reason: errorCode(error)});
		} finally {
			await handle.close();
		}
	}
}
