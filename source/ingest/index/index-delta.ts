import {stat} from 'node:fs/promises';
import type {Stats} from 'node:fs';
import type {Block} from '../../core/usage/blocks.js';
import type {LedgerOptions} from '../../core/usage/ledger.js';
import type {TranscriptFile} from '../transcripts/discover.js';
import {isUnchanged} from '../transcripts/file-cursor.js';
import type {TailUpdate} from '../transcripts/tail-file.js';
import {blockFromSummary, type DecodedIndex, type ReportSummary} from './usage-index.js';

/** Past this many new bytes the caller does a full load (and saves a fresh index) instead. */
export const deltaByteLimit = 16 * 1024 * 1024;

export type DeltaResult = {blocks: Block[]; counters: ReportSummary['counters']; unknownModels: string[]; unreadable: Array<{path: string; reason: string}>};


/**
 * Report from the saved summary plus only the bytes appended since the index was
 * written, without decoding the index's entries: new lines are deduped against
 * the index's key table, and only the last two blocks are regrouped. Returns
 * undefined when the change is not a plain append (a file truncated, replaced or
 * deleted, too much new data, no summary to build on), and the caller loads fully;
 * `{error}` when the index's data turned out corrupt.
 */
export const reportFromDelta = async (
	index: DecodedIndex,
	files: readonly TranscriptFile[],
	options: LedgerOptions & {fingerprint: string; nowMs: number},
	/** Stats already taken, by path (taken alongside the folder check). */
	known: ReadonlyMap<string, Stats | undefined> = new Map(),
): Promise<DeltaResult | {error: string} | undefined> => {
	const summary = index.summary;
	if (summary?.fingerprint !== options.fingerprint) return undefined;
	const stored = new Map(index.files.map((file, position) => [file.path, {file, position}]));
	if (files.length < stored.size) return undefined;

	// Which files grew (same inode, not shorter than what was read) and which are new.
	const changed: Array<{file: TranscriptFile; position: number | undefined; offset: number}> = [];
	let newBytes = 0;
	let found = 0;
	// Usually every file was stat'ed already: then no promise per file (a thousand of them cost ~3 ms).
	const allStats = files.every(file => known.has(file.path))
		? files.map(file => known.get(file.path))
		: await Promise.all(files.map(async file => (known.has(file.path) ? known.get(file.path) : stat(file.path).catch(() => undefined))));
	for (const [position, stats] of allStats.entries()) {
		const file = files[position]!;
		const known = stored.get(file.path);
		if (stats === undefined) return undefined;
		if (known === undefined) {
			changed.push({file, position: undefined, offset: 0});
			newBytes += stats.size;
			continue;
		}

		found++;
		const cursor = known.file.cursor;
		if (stats.ino !== cursor.ino || stats.dev !== cursor.dev || stats.size < cursor.offset) return undefined;
		// Grown, touched or chmod'ed: the tailer checks the bytes already read and reads on.
		if (!isUnchanged(stats, cursor)) {
			changed.push({file, position: known.position, offset: cursor.offset});
			newBytes += stats.size - cursor.offset;
		}
	}

	if (found !== stored.size || newBytes > deltaByteLimit) return undefined;
	if (changed.length === 0) {
		return {blocks: summary.blocks.map(blockFromSummary), counters: summary.counters, unknownModels: summary.unknownModels, unreadable: []};
	}

	const body = await index.body();
	if ('error' in body) return body;
	// Loaded only when something changed: a run that finds nothing new stays lean.
	const [{FrozenLedger}, {FileTailer}] = await Promise.all([import('./frozen-ledger.js'), import('../transcripts/tail-file.js')]);
	const frozen = new FrozenLedger(index, summary, body, options);
	try {
		const unreadable: Array<{path: string; reason: string}> = [];
		for (const {file, position, offset} of changed) {
			const known = position === undefined ? undefined : index.files[position]!;
			const updates: TailUpdate[] = [];
			const cursor = known === undefined ? undefined : {...known.cursor, offset, size: -1};
			await new FileTailer(file.path, file.projectSlug, cursor, update => updates.push(update)).poll();
			for (const update of updates) {
				if (update.kind === 'error') {
					// A file the index counted became unreadable: its usage must go, which needs the full ledger.
					if (known !== undefined) return undefined;
					unreadable.push({path: update.path, reason: update.reason});
				} else if (update.kind === 'lines') {
					frozen.applyLines(update.path, update.results, update.counts);
				} else {
					return undefined;
				}
			}
		}

		return {...frozen.usage(options.nowMs), unreadable};
	} finally {
		frozen.close();
	}
};
