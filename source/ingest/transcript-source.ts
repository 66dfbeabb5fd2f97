import {stat} from 'node:fs/promises';
import {applyLines, beginBulk, endBulk, removeFile, restoreFile, type Ledger} from '../core/ledger.js';
import type {TranscriptFile} from './discover.js';
import {ScanPool} from './scan-pool.js';
import {FileTailer, type FileCursor, type TailUpdate} from './tail-file.js';

/** Cold reads below this many bytes stay on the main thread: worker start-up and the copy back cost ~0.2 s, measured to break even near 300 MB on 2 cores. */
const workerThresholdBytes = 256 * 1024 * 1024;
const concurrentReads = 4;

/**
 * All transcript files being followed, feeding one ledger. Each file has a
 * tailer and a cursor; files that vanish are taken out of the ledger.
 */
export class TranscriptSource {
	readonly tailers = new Map<string, FileTailer>();
	readonly unreadable = new Map<string, string>();

	constructor(
		private readonly ledger: Ledger,
		private readonly clock: () => number,
		private readonly onChange: () => void = () => undefined,
	) {}

	/** Follow exactly `files`: new ones get a tailer (resuming a saved cursor), missing ones are forgotten. */
	track(files: readonly TranscriptFile[], savedCursors: ReadonlyMap<string, FileCursor> = new Map()): void {
		const wanted = new Set(files.map(file => file.path));
		for (const path of this.tailers.keys()) {
			if (!wanted.has(path)) this.forget(path);
		}

		for (const file of files) {
			if (!this.tailers.has(file.path)) {
				this.tailers.set(file.path, new FileTailer(file.path, file.projectSlug, savedCursors.get(file.path), update => this.handle(update)));
			}
		}
	}

	/** Start following one more file (a watcher saw it appear). */
	follow(file: TranscriptFile): void {
		if (!this.tailers.has(file.path)) {
			this.tailers.set(file.path, new FileTailer(file.path, file.projectSlug, undefined, update => this.handle(update)));
		}
	}

	/** Forget a file: stop following it and take its usage out. */
	forget(path: string): void {
		this.tailers.delete(path);
		this.unreadable.delete(path);
		if (this.ledger.files.has(path)) {
			removeFile(this.ledger, path, this.clock());
			this.onChange();
		}
	}

	/** Read what is new in one file (a watcher event). */
	async poll(path: string): Promise<void> {
		await this.tailers.get(path)?.poll();
	}

	/**
	 * Read what is new in every file. Files never read before go to worker
	 * threads when there is enough to read.
	 */
	async pollAll(): Promise<void> {
		const fresh = [...this.tailers.values()].filter(tailer => tailer.cursor === undefined);
		const sizes = await Promise.all(fresh.map(async tailer => (await stat(tailer.path).catch(() => undefined))?.size ?? 0));
		const freshBytes = sizes.reduce((sum, size) => sum + size, 0);
		const rest = [...this.tailers.values()].filter(tailer => freshBytes < workerThresholdBytes || tailer.cursor !== undefined);
		const work: Array<Promise<void>> = [];
		if (freshBytes >= workerThresholdBytes) {
			work.push(this.coldScan(fresh));
		}

		work.push(this.pollEach(rest));
		await Promise.all(work);
	}

	private async pollEach(tailers: readonly FileTailer[]): Promise<void> {
		let next = 0;
		const lane = async () => {
			while (next < tailers.length) {
				await tailers[next++]!.poll();
			}
		};

		await Promise.all(Array.from({length: concurrentReads}, lane));
	}

	private async coldScan(tailers: readonly FileTailer[]): Promise<void> {
		const pool = new ScanPool();
		// Worker results land per file; regroup once at the end, not once per file.
		const isOwnBulk = !this.ledger.isBulk;
		if (isOwnBulk) beginBulk(this.ledger);
		try {
			await Promise.all(
				tailers.map(async tailer => {
					const result = await pool.scan(tailer.path, tailer.projectSlug);
					if ('file' in result) {
						tailer.cursor = result.file.cursor;
						restoreFile(this.ledger, result.file);
						this.onChange();
					} else {
						for (const update of result.updates) this.handle(update);
					}
				}),
			);
		} finally {
			await pool.close();
			if (isOwnBulk) endBulk(this.ledger, this.clock());
		}
	}

	private handle(update: TailUpdate): void {
		const nowMs = this.clock();

		switch (update.kind) {
			case 'lines': {
				this.unreadable.delete(update.path);
				applyLines(this.ledger, update.path, update.results, update.counts, nowMs);
				break;
			}

			case 'reset':
			case 'deleted': {
				removeFile(this.ledger, update.path, nowMs);
				break;
			}

			case 'error': {
				this.unreadable.set(update.path, update.reason);
				break;
			}
		}

		this.onChange();
	}
}
