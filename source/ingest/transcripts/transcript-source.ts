import {statSync} from 'node:fs';
import type {ScanProgress} from '../../core/usage/usage-view.js';
import type {UsageSink} from '../index/live-usage.js';
import type {TranscriptFile} from './discover.js';
import {ScanPool} from './scan-pool.js';
import {sizeOf, type EarlyScan} from './early-scan.js';
import {isUnchanged, type FileCursor} from './file-cursor.js';
import {isDueOn, turnSlot, type PollTurn} from './poll-turn.js';
import {FileTailer, type TailUpdate} from './tail-file.js';

/** Cold reads below this many bytes stay on the main thread: worker start-up and the copy back cost ~0.2 s, measured to break even near 300 MB on 2 cores. */
const workerThresholdBytes = 256 * 1024 * 1024;
const concurrentReads = 4;

/** Whether a file already read is as its cursor says, by a synchronous stat (a failed stat is a change: the poll reports it). */
const isStillUnchanged = (tailer: FileTailer): boolean => {
	if (tailer.cursor === undefined) return false;
	try {
		const stats = statSync(tailer.path, {throwIfNoEntry: false});
		return stats !== undefined && isUnchanged(stats, tailer.cursor);
	} catch {
		return false;
	}
};

export type ScanOptions = {
	workerFromBytes?: number;
	workerUrl?: URL;
	/** Files already with the workers, found by the walk (see EarlyScan): the first read is cold then, whatever its size. */
	early?: EarlyScan;
};

/**
 * All transcript files being followed, feeding one usage sink. Each file has a
 * tailer and a cursor; files that vanish are taken out.
 */
export class TranscriptSource {
	readonly tailers = new Map<string, FileTailer>();
	readonly unreadable = new Map<string, string>();
	/** Every tailer reports here: one function, not a closure per followed file. */
	private readonly onUpdate = (update: TailUpdate): void => this.handle(update);
	/** Files handed to the workers before they were tracked (see ScanOptions.early): the first poll takes their results. */
	private early: EarlyScan | undefined;

	constructor(
		private readonly sink: UsageSink,
		private readonly clock: () => number,
		private readonly onChange: () => void = () => undefined,
		private readonly scanOptions: ScanOptions = {},
	) {
		this.early = scanOptions.early;
	}

	/**
	 * Follow exactly `files`: new ones get a tailer (resuming a saved cursor),
	 * missing ones are forgotten, except where `isKept` says the list did not
	 * look (a safety poll's folders not on their turn, which a watcher may have
	 * found a file in).
	 */
	track(files: readonly TranscriptFile[], savedCursors: ReadonlyMap<string, FileCursor> = new Map(), isKept: (path: string) => boolean = () => false): void {
		const wanted = new Set(files.map(file => file.path));
		for (const path of this.tailers.keys()) {
			if (!wanted.has(path) && !isKept(path)) this.forget(path);
		}

		for (const file of files) {
			if (!this.tailers.has(file.path)) {
				this.tailers.set(file.path, new FileTailer(file.path, file.projectSlug, savedCursors.get(file.path), this.onUpdate));
			}
		}
	}

	/** Start following one more file (a watcher saw it appear). */
	follow(file: TranscriptFile): void {
		if (!this.tailers.has(file.path)) {
			this.tailers.set(file.path, new FileTailer(file.path, file.projectSlug, undefined, this.onUpdate));
		}
	}

	/** Forget a file: stop following it and take its usage out. */
	forget(path: string): void {
		this.tailers.delete(path);
		this.unreadable.delete(path);
		if (this.sink.hasFile(path)) {
			this.sink.removeFile(path, this.clock());
			this.onChange();
		}
	}

	/** Read what is new in one file (a watcher event). */
	async poll(path: string): Promise<void> {
		await this.tailers.get(path)?.poll();
	}

	/**
	 * Read what is new in every file. Files never read before go to worker
	 * threads when there is enough to read. `onProgress` hears about files never
	 * read before, as each one finishes. `statFirst` (the first poll, before
	 * anything is drawn, and the safety poll) stats the files already read
	 * synchronously and polls only those that changed: thousands of stat promises
	 * cost several times a loop, and their garbage (the safety poll of a 4 GB
	 * history took ~1 s of CPU every 2 minutes with them, ~60 ms so). The loop
	 * lets the event loop in every 2,000 files, so frames are not held up.
	 */
	async pollAll(
		onProgress?: (progress: ScanProgress) => void,
		{statFirst = false, knownStats, turn}: {statFirst?: boolean; knownStats?: ReadonlyMap<string, {dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number}> | undefined; turn?: PollTurn | undefined} = {},
	): Promise<void> {
		const fresh = [...this.tailers.values()].filter(tailer => tailer.cursor === undefined);
		const {early} = this;
		this.early = undefined;
		// Synchronous: thousands of stat promises take several times as long as a loop (~25 ms for 5,000 files).
		const sizes = new Map(fresh.map(tailer => [tailer.path, early?.bytesOf(tailer.path) ?? sizeOf(tailer.path)] as const));
		const progress: ScanProgress = {filesDone: 0, files: fresh.length, bytesDone: 0, bytes: [...sizes.values()].reduce((sum, size) => sum + size, 0)};
		const done = (tailer: FileTailer) => {
			if (!sizes.has(tailer.path)) return;
			progress.filesDone++;
			progress.bytesDone += sizes.get(tailer.path)!;
			onProgress?.({...progress});
		};

		const isCold = early !== undefined || progress.bytes >= (this.scanOptions.workerFromBytes ?? workerThresholdBytes);
		// A quiet file whose recent sweep saw it as the index did is taken as unchanged without a stat (see quietFileStats).
		const isKnownUnchanged = (tailer: FileTailer) => {
			const known = knownStats?.get(tailer.path);
			return known !== undefined && tailer.cursor !== undefined && isUnchanged(known, tailer.cursor);
		};

		const rest: FileTailer[] = [];
		let checked = 0;
		for (const tailer of [...this.tailers.values()]) {
			if (isCold && tailer.cursor === undefined) continue;
			// Not its turn (see PollTurn): taken as unchanged until it is.
			if (statFirst && turn !== undefined && tailer.cursor !== undefined && !isDueOn(turn, tailer.cursor.mtimeMs, tailer.path, (tailer.turnSlot ??= turnSlot(turn.roots, tailer.path)))) continue;
			if (statFirst && (isKnownUnchanged(tailer) || isStillUnchanged(tailer))) {
				if (++checked % 2000 === 0) await new Promise(resolve => setImmediate(resolve));
				continue;
			}

			rest.push(tailer);
		}

		await Promise.all([isCold ? this.coldScan(fresh, done, sizes, early) : undefined, this.pollEach(rest, done)]);
	}

	private async pollEach(tailers: readonly FileTailer[], done: (tailer: FileTailer) => void): Promise<void> {
		let next = 0;
		const lane = async () => {
			while (next < tailers.length) {
				const tailer = tailers[next++]!;
				await tailer.poll();
				done(tailer);
			}
		};

		await Promise.all(Array.from({length: concurrentReads}, lane));
	}

	private async coldScan(tailers: readonly FileTailer[], done: (tailer: FileTailer) => void, sizes: ReadonlyMap<string, number>, early: EarlyScan | undefined): Promise<void> {
		const pool = early?.pool ?? new ScanPool(undefined, this.scanOptions.workerUrl);
		// Worker results land per file; regroup once at the end, not once per file.
		const isOwnBulk = !this.sink.isBulk;
		if (isOwnBulk) this.sink.beginBulk();
		try {
			await Promise.all(
				tailers.map(async tailer => {
					const result = await (early?.take(tailer.path) ?? pool.scan(tailer.path, tailer.projectSlug, sizes.get(tailer.path)));
					if ('file' in result) {
						tailer.cursor = result.file.cursor;
						this.sink.restoreFile(result.file);
						this.onChange();
					} else {
						for (const update of result.updates) this.handle(update);
					}

					done(tailer);
				}),
			);
		} finally {
			await pool.close();
			if (isOwnBulk) this.sink.endBulk(this.clock());
		}
	}

	private handle(update: TailUpdate): void {
		const nowMs = this.clock();

		switch (update.kind) {
			case 'lines': {
				this.unreadable.delete(update.path);
				this.sink.applyLines(update.path, update.results, update.counts, nowMs);
				break;
			}

			case 'reset':
			case 'deleted': {
				this.sink.removeFile(update.path, nowMs);
				break;
			}

			case 'error': {
				// As a cold read would: an unreadable file counts for nothing until it can be read again, whole.
				this.unreadable.set(update.path, update.reason);
				if (this.sink.hasFile(update.path)) this.sink.removeFile(update.path, nowMs);
				break;
			}
		}

		this.onChange();
	}
}
