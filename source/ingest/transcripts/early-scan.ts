import {statSync} from 'node:fs';
import type {TranscriptFile} from './discover.js';
import {ScanPool, type ScanResult} from './scan-pool.js';

/** A file's size now, or 0 when it cannot be stat'ed (its read then says why). */
export const sizeOf = (path: string): number => {
	try {
		return statSync(path, {throwIfNoEntry: false})?.size ?? 0;
	} catch {
		return 0;
	}
};

/**
 * Transcripts handed to the scan workers while the walk that finds them still
 * runs (a first read without an index: see openUsage), so the workers parse on
 * the core the walk leaves free instead of waiting for it. The first cold read
 * takes their results by path (see TranscriptSource.pollAll).
 */
export class EarlyScan {
	private readonly started = new Map<string, {bytes: number; result: Promise<ScanResult>}>();

	readonly pool: ScanPool;

	constructor(workerUrl?: URL) {
		this.pool = new ScanPool(undefined, workerUrl);
	}

	/** Queue `files` and hand out jobs at once: the walk is synchronous, the pool's usual dispatch would wait for its end. */
	add(files: readonly TranscriptFile[]): void {
		for (const file of files) {
			const bytes = sizeOf(file.path);
			this.started.set(file.path, {bytes, result: this.pool.scan(file.path, file.projectSlug, bytes)});
		}

		this.pool.dispatchNow();
	}

	/** The size a file had when it was queued, if it was. */
	bytesOf(path: string): number | undefined {
		return this.started.get(path)?.bytes;
	}

	/** A queued file's result, once: later reads of it are the tailer's own. */
	take(path: string): Promise<ScanResult> | undefined {
		const started = this.started.get(path);
		this.started.delete(path);
		return started?.result;
	}
}
