import {parentPort} from 'node:worker_threads';
import {compactResults} from '../../core/usage/ledger.js';
import {chunkBytes, loadLineParser} from './read-transcripts.js';
import {readWholeFile} from './read-whole-file.js';
import type {TailUpdate} from './tail-file.js';
import {encodeIndex, type IndexedFile} from '../index/usage-index.js';

/**
 * A cold-scan job: read a few files from their start. `spent` carries earlier
 * replies' bytes back, decoded and done with: transferred, they leave the main
 * thread at once and die young here, where nothing else holds them.
 */
export type ScanJob = {id: number; files: Array<{path: string; projectSlug: string}>; spent?: ArrayBuffer[]};

/**
 * The reply: the usage of the job's files that read cleanly, in job order,
 * deduped within each file and encoded in the index format (typed columns travel
 * without a copy), and the tailer's problem for the others, by position.
 */
export type ScanReply = {id: number; encoded: Uint8Array | undefined; failed: Array<{position: number; updates: TailUpdate[]}>};

/**
 * One read buffer for every file this worker reads, one at a time: a fresh 4 MiB
 * buffer per file is fresh memory, whose pages the kernel faults in and zeroes
 * as each read fills them, thousands of times in a cold scan.
 */
const scratch = Buffer.allocUnsafe(chunkBytes);

const runJob = async (job: ScanJob): Promise<void> => {
	const read: IndexedFile[] = [];
	const failed: ScanReply['failed'] = [];
	const parse = await loadLineParser();
	for (const [position, {path, projectSlug}] of job.files.entries()) {
		const updates = readWholeFile(path, projectSlug, parse, scratch);
		const [update] = updates;
		if (updates.length !== 1 || update?.kind !== 'lines') {
			failed.push({position, updates});
			continue;
		}

		const compact = compactResults(update.results);
		read.push({path, projectSlug, cursor: update.cursor, ...compact, lines: update.counts.lines, invalidLines: update.counts.invalidLines});
	}

	if (read.length === 0) {
		parentPort?.postMessage({id: job.id, encoded: undefined, failed} satisfies ScanReply);
		return;
	}

	const encoded = encodeIndex([], read);
	const bytes = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
	parentPort?.postMessage({id: job.id, encoded: bytes, failed} satisfies ScanReply, [bytes.buffer as ArrayBuffer]);
};

// Jobs one after another, never interleaved at an await (the pool sends two at
// a time): they share `scratch`.
let queue = Promise.resolve();
parentPort?.on('message', (job: ScanJob) => {
	queue = queue
		.then(async () => runJob(job))
		.catch((error: unknown) => {
			// Thrown again outside the chain, as from the handler before: the worker
			// ends and the pool fails its files, instead of later jobs never running.
			setImmediate(() => {
				throw error;
			});
		});
});
