import os from 'node:os';
import {Worker} from 'node:worker_threads';
import type {ScanJob, ScanReply} from './scan-worker.js';
import type {TailUpdate} from './tail-file.js';
import {decodeIndexBytes, type IndexedFile} from '../index/usage-index.js';

export type ScanResult = {file: IndexedFile} | {updates: TailUpdate[]};

type Job = {path: string; projectSlug: string; bytes: number; resolve: (result: ScanResult) => void};

/**
 * A worker's young generation: its garbage is JSON.parse's, short-lived, so a
 * small one costs no measurable CPU, and each worker's heap stays ~20 MB instead
 * of ~40 (4 GB cold read: 523 -> 495 MiB peak RSS, same CPU within noise).
 */
const workerYoungMb = 8;

/** Jobs handed to one worker at a time: enough to keep it busy, few enough to bound memory. */
const jobsPerWorker = 2;

/**
 * Jobs handed to one worker by {@link ScanPool.dispatchNow}: while the main
 * thread walks folders it cannot hand out the next job as a reply comes in,
 * so each worker gets more to go on with (~8 MiB, ~40 ms of parsing).
 */
const jobsPerWorkerWhileBlocked = 8;

/**
 * A job is several small files, up to this many bytes (or {@link filesPerJob}):
 * one message each way and one encoded reply per file was ~5% of a worker's
 * CPU at 5,000 files (postMessage, the index header, its decoding here). Cold
 * reads, interleaved (6 rounds at 1 GB, 3 at 4 GB): 2 MiB jobs 2.11 s and 7.19 s,
 * against 2.16 s and 7.48 s for 1 MiB; 0.5 MiB took 2.42 s at 1 GB, and 4 MiB
 * 2.25 s (the last jobs keep one worker busy while the other waits).
 */
const jobBytes = 2 * 1024 * 1024;
const filesPerJob = 64;

/**
 * V8's tier-up, tuned for a scan: its code runs for seconds in fresh isolates,
 * and TurboFan compiled (and, after deopts, compiled again) ~200 functions in
 * them, ~1.5 s of compile jobs, most on V8's helper threads, which share the 2
 * cores with the workers. A budget 6× the default (67,584) before a function is
 * optimized makes fewer compiles. Interleaved rounds of the cold read: 1 GB
 * 2.52 → 2.42 s wall, 4.61 → 4.37 s CPU (4 rounds; budgets of 250,000, 800,000
 * and 1,600,000 did less); the 700 MB session 2.73 → 2.79 s, one file whose
 * loops run long enough to repay early optimizing. Turning off inlining too
 * gained 0.02 s more at 1 GB and lost 0.04 s more on the 700 MB session.
 * V8's flags are the process's: set when the first pool starts (a one-shot
 * read, or a dashboard's first read, which builds the index it then restores from).
 */
const scanJitFlags = ['--interrupt-budget=400000'];
let isJitTuned = false;

const tuneJitForScan = (): void => {
	if (isJitTuned) return;
	isJitTuned = true;
	const v8 = process.getBuiltinModule('node:v8');
	for (const flag of scanJitFlags) v8.setFlagsFromString(flag);
};

/**
 * Worker threads for the first, cold read of many files: JSON parsing is the
 * cost, and it spreads across cores (two workers even on a 2-core machine, so the
 * main thread's merging overlaps with parsing).
 */
export class ScanPool {
	private readonly workers: Array<{worker: Worker; running: Map<number, Job[]>; spent: ArrayBuffer[]}>;
	private readonly queue: Job[] = [];
	private nextId = 0;
	private isClosed = false;
	/** Pools started and closed in this process: every one started must be closed, or its threads keep the process alive. */
	static readonly counts = {started: 0, closed: 0};
	/** Jobs sent so far (each one message out and one back). */
	get jobsSent(): number {
		return this.nextId;
	}

	constructor(
		size = Math.max(2, Math.min(4, os.availableParallelism?.() ?? os.cpus().length)),
		/** The compiled worker script; tests running from TypeScript sources point at dist/. */
		workerUrl: URL = new URL('scan-worker.js', import.meta.url),
	) {
		ScanPool.counts.started++;
		tuneJitForScan();
		this.workers = Array.from({length: size}, () => {
			const slot = {worker: new Worker(workerUrl, {resourceLimits: {maxYoungGenerationSizeMb: workerYoungMb}}), running: new Map<number, Job[]>(), spent: [] as ArrayBuffer[]};
			slot.worker.on('message', (reply: ScanReply) => {
				const jobs = slot.running.get(reply.id);
				slot.running.delete(reply.id);
				if (jobs !== undefined) void this.settle(reply, jobs, slot.spent);
				this.dispatch();
			});
			// A crashed worker fails its files as unreadable instead of leaving them waiting forever.
			slot.worker.on('error', error => {
				for (const job of [...slot.running.values()].flat()) {
					job.resolve({updates: [{kind: 'error', path: job.path, reason: `scan worker failed: ${error.message}`}]});
				}

				slot.running.clear();
				this.workers.splice(this.workers.indexOf(slot), 1);
				this.dispatch();
			});
			return slot;
		});
	}

	/** Read one file from byte 0 in a worker; `bytes`, its size, decides which files share a job. */
	scan(path: string, projectSlug: string, bytes = jobBytes): Promise<ScanResult> {
		return new Promise(resolve => {
			this.queue.push({path, projectSlug, bytes, resolve});
			// Once the caller has queued all it has (same tick), jobs are cut from the whole queue.
			if (this.queue.length === 1) queueMicrotask(() => this.dispatch());
		});
	}

	async close(): Promise<void> {
		if (this.isClosed) return;
		this.isClosed = true;
		ScanPool.counts.closed++;
		for (const job of this.queue.splice(0)) job.resolve({updates: []});
		await Promise.all(this.workers.map(async slot => slot.worker.terminate()));
	}

	/**
	 * Hand out what is queued now, from inside synchronous work (the walk), where
	 * the usual dispatch on a microtask would wait until that work is done.
	 */
	dispatchNow(): void {
		this.dispatch(jobsPerWorkerWhileBlocked);
	}

	private dispatch(perWorker = jobsPerWorker): void {
		if (this.workers.length === 0) {
			for (const job of this.queue.splice(0)) job.resolve({updates: [{kind: 'error', path: job.path, reason: 'no scan worker left'}]});
			return;
		}

		for (const slot of this.workers) {
			while (slot.running.size < perWorker && this.queue.length > 0) {
				const jobs = [this.queue.shift()!];
				let bytes = jobs[0]!.bytes;
				while (this.queue.length > 0 && jobs.length < filesPerJob && bytes + this.queue[0]!.bytes <= jobBytes) {
					bytes += this.queue[0]!.bytes;
					jobs.push(this.queue.shift()!);
				}

				const id = this.nextId++;
				slot.running.set(id, jobs);
				const spent = slot.spent.splice(0);
				slot.worker.postMessage({id, files: jobs.map(({path, projectSlug}) => ({path, projectSlug})), spent} satisfies ScanJob, spent);
			}
		}
	}

	/**
	 * Decode a reply and settle its files. Its bytes go back to the worker with
	 * the next job (see {@link ScanJob.spent}): kept here, each would wait for a
	 * full collection, and at 4 GB ~60 MB of them did.
	 */
	private async settle(reply: ScanReply, jobs: readonly Job[], spent: ArrayBuffer[]): Promise<void> {
		const failed = new Map(reply.failed.map(({position, updates}) => [position, updates]));
		let files: IndexedFile[] | {error: string} = [];
		if (reply.encoded !== undefined) {
			const decoded = decodeIndexBytes(Buffer.from(reply.encoded.buffer, reply.encoded.byteOffset, reply.encoded.byteLength));
			files = 'error' in decoded ? decoded : await decoded.entries();
			// Decoding copied every value out of the bytes: nothing refers to them now.
			spent.push(reply.encoded.buffer as ArrayBuffer);
		}

		let next = 0;
		for (const [position, job] of jobs.entries()) {
			const updates = failed.get(position);
			const file = updates !== undefined || 'error' in files ? undefined : files[next++];
			if (updates !== undefined) job.resolve({updates});
			else if (file?.path === job.path) job.resolve({file});
			else job.resolve({updates: [{kind: 'error', path: job.path, reason: 'scan worker sent an unreadable reply'}]});
		}
	}
}
