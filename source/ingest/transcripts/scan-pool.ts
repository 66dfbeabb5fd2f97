import os from 'node:os';
import {Worker} from 'node:worker_threads';
import type {ScanJob, ScanReply} from './scan-worker.js';
import type {TailUpdate} from './tail-file.js';
import {decodeIndexBytes, type IndexedFile} from '../index/usage-index.js';

export type ScanResult = {file: IndexedFile} | {updates: TailUpdate[]};

type Job = {path: string; projectSlug: string; resolve: (result: ScanResult) => void};

/**
 * A worker's young generation: its garbage is JSON.parse's, short-lived, so a
 * small one costs no measurable CPU, and each worker's heap stays ~20 MB instead
 * of ~40 (4 GB cold read: 523 -> 495 MiB peak RSS, same CPU within noise).
 */
const workerYoungMb = 8;

/** Jobs handed to one worker at a time: enough to keep it busy, few enough to bound memory. */
const jobsPerWorker = 2;

/**
 * Worker threads for the first, cold read of many files: JSON parsing is the
 * cost, and it spreads across cores (two workers even on a 2-core machine, so the
 * main thread's merging overlaps with parsing).
 */
export class ScanPool {
	private readonly workers: Array<{worker: Worker; running: Map<number, Job>; spent: ArrayBuffer[]}>;
	private readonly queue: Job[] = [];
	private nextId = 0;

	constructor(
		size = Math.max(2, Math.min(4, os.availableParallelism?.() ?? os.cpus().length)),
		/** The compiled worker script; tests running from TypeScript sources point at dist/. */
		workerUrl: URL = new URL('scan-worker.js', import.meta.url),
	) {
		this.workers = Array.from({length: size}, () => {
			const slot = {worker: new Worker(workerUrl, {resourceLimits: {maxYoungGenerationSizeMb: workerYoungMb}}), running: new Map<number, Job>(), spent: [] as ArrayBuffer[]};
			slot.worker.on('message', (reply: ScanReply) => {
				const job = slot.running.get(reply.id);
				slot.running.delete(reply.id);
				if (job !== undefined) void this.result(reply, job.path, slot.spent).then(job.resolve);
				this.dispatch();
			});
			// A crashed worker fails its files as unreadable instead of leaving them waiting forever.
			slot.worker.on('error', error => {
				for (const job of slot.running.values()) {
					job.resolve({updates: [{kind: 'error', path: job.path, reason: `scan worker failed: ${error.message}`}]});
				}

				slot.running.clear();
				this.workers.splice(this.workers.indexOf(slot), 1);
				this.dispatch();
			});
			return slot;
		});
	}

	/** Read one file from byte 0 in a worker. */
	scan(path: string, projectSlug: string): Promise<ScanResult> {
		return new Promise(resolve => {
			this.queue.push({path, projectSlug, resolve});
			this.dispatch();
		});
	}

	async close(): Promise<void> {
		for (const job of this.queue.splice(0)) job.resolve({updates: []});
		await Promise.all(this.workers.map(async slot => slot.worker.terminate()));
	}

	private dispatch(): void {
		if (this.workers.length === 0) {
			for (const job of this.queue.splice(0)) job.resolve({updates: [{kind: 'error', path: job.path, reason: 'no scan worker left'}]});
			return;
		}

		for (const slot of this.workers) {
			while (slot.running.size < jobsPerWorker && this.queue.length > 0) {
				const job = this.queue.shift()!;
				const id = this.nextId++;
				slot.running.set(id, job);
				const spent = slot.spent.splice(0);
				slot.worker.postMessage({id, path: job.path, projectSlug: job.projectSlug, spent} satisfies ScanJob, spent);
			}
		}
	}

	/**
	 * Decode a reply. Its bytes go back to the worker with the next job (see
	 * {@link ScanJob.spent}): kept here, each would wait for a full collection,
	 * and at 4 GB ~60 MB of them did.
	 */
	private async result(reply: ScanReply, path: string, spent: ArrayBuffer[]): Promise<ScanResult> {
		if ('updates' in reply) return {updates: reply.updates};
		const decoded = decodeIndexBytes(Buffer.from(reply.encoded.buffer, reply.encoded.byteOffset, reply.encoded.byteLength));
		const files = 'error' in decoded ? decoded : await decoded.entries();
		// Decoding copied every value out of the bytes: nothing refers to them now.
		spent.push(reply.encoded.buffer as ArrayBuffer);
		const file = 'error' in files ? undefined : files[0];
		return file === undefined ? {updates: [{kind: 'error', path, reason: 'scan worker sent an unreadable reply'}]} : {file};
	}
}
