import {parentPort} from 'node:worker_threads';
import {compactResults} from '../../core/usage/ledger.js';
import {openSyncHandle} from './sync-handle.js';
import {FileTailer, type TailUpdate} from './tail-file.js';
import {encodeIndex} from '../index/usage-index.js';

/**
 * A cold-scan job: read one file from its start. `spent` carries earlier
 * replies' bytes back, decoded and done with: transferred, they leave the main
 * thread at once and die young here, where nothing else holds them.
 */
export type ScanJob = {id: number; path: string; projectSlug: string; spent?: ArrayBuffer[]};

/**
 * The reply: the file's usage, deduped within the file and encoded in the index
 * format (typed columns travel without a copy), or the tailer's problem.
 */
export type ScanReply = {id: number; encoded: Uint8Array} | {id: number; updates: TailUpdate[]};

parentPort?.on('message', async (job: ScanJob) => {
	const updates: TailUpdate[] = [];
	await new FileTailer(job.path, job.projectSlug, undefined, update => updates.push(update), openSyncHandle).poll();
	const [update] = updates;
	if (updates.length !== 1 || update?.kind !== 'lines') {
		parentPort?.postMessage({id: job.id, updates} satisfies ScanReply);
		return;
	}

	const compact = compactResults(update.results);
	const encoded = encodeIndex([], [{path: job.path, projectSlug: job.projectSlug, cursor: update.cursor, ...compact, lines: update.counts.lines, invalidLines: update.counts.invalidLines}]);
	const bytes = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
	parentPort?.postMessage({id: job.id, encoded: bytes} satisfies ScanReply, [bytes.buffer as ArrayBuffer]);
});
