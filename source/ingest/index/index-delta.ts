import {statSync} from 'node:fs';
import type {Block} from '../../core/usage/blocks.js';
import type {LedgerOptions} from '../../core/usage/ledger.js';
import type {TranscriptFile} from '../transcripts/discover.js';
import {isUnchanged} from '../transcripts/file-cursor.js';
import type {TailUpdate} from '../transcripts/tail-file.js';
import {blockFromSummary, storedBlockTexts, type DecodedIndex, type ReportSummary} from './usage-index.js';

/** Past this many new bytes the caller does a full load (and saves a fresh index) instead. */
export const deltaByteLimit = 16 * 1024 * 1024;

export type DeltaResult = {
	blocks: Block[];
	counters: ReportSummary['counters'];
	unknownModels: string[];
	unreadable: Array<{path: string; reason: string}>;
	/** The stored texts of the blocks restored as saved, read from the index only when asked for (`report --json` only). */
	texts: () => Map<Block, Uint8Array>;
};


/** Per file the fields a cursor is checked against: dev, ino, size, mtimeMs, ctimeMs (NaN size: gone or unreadable). */
export type StatTable = Float64Array;
/** Fields per file in a {@link StatTable}. */
export const statFields = 5;
/** The size in a stat table of a file taken as the index has it, not stat'ed (see statTable). */
const asIndexed = -2;

/**
 * Stat every file into a {@link StatTable}. Synchronous on purpose (a thousand
 * stat promises cost ~20 ms more than a loop), and no Stats object is kept:
 * Node 20 builds each with four Dates, ~1 KB, and thousands of them held alive
 * made every young-generation collection copy them.
 */
export const statTable = (
	paths: readonly string[],
	/** Whether the file at a position is taken as the index has it, without a stat (quiet-check.ts): its size is then {@link asIndexed}. */
	isTrusted?: (position: number) => boolean,
): StatTable => {
	const table = new Float64Array(paths.length * statFields);
	// Index loops here and below: thousands of rounds run before the JIT, and an
	// iterator's result objects are garbage the young generation must sweep.
	for (let position = 0; position < paths.length; position++) {
		if (isTrusted?.(position) === true) {
			table[position * statFields + 2] = asIndexed;
			continue;
		}

		let stats;
		try {
			stats = statSync(paths[position]!, {throwIfNoEntry: false});
		} catch {
			// Unreadable (a folder on the way lost its permissions): as good as gone.
		}

		const base = position * statFields;
		if (stats === undefined) {
			table[base + 2] = Number.NaN;
			continue;
		}

		table[base] = stats.dev;
		table[base + 1] = stats.ino;
		table[base + 2] = stats.size;
		table[base + 3] = stats.mtimeMs;
		table[base + 4] = stats.ctimeMs;
	}

	return table;
};

/** Whether every file of the index quiet since `quietBeforeMs` (by its cursor's mtime) is, in `stats`, as the index has it. */
export const quietAsIndexed = (index: DecodedIndex, stats: StatTable, quietBeforeMs: number): boolean => {
	for (let position = 0; position < index.paths.length; position++) {
		if (index.mtimeAt(position) >= quietBeforeMs) continue;
		const base = position * statFields;
		const now = {dev: stats[base]!, ino: stats[base + 1]!, size: stats[base + 2]!, mtimeMs: stats[base + 3]!, ctimeMs: stats[base + 4]!};
		if (!isUnchanged(now, index.cursorAt(position))) return false;
	}

	return true;
};

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
	/** Stats already taken, one per file of `files` ({@link statTable}). */
	known?: StatTable,
): Promise<DeltaResult | {error: string} | undefined> => {
	if (files.length < index.paths.length) return undefined;
	// Usually the list is the index's own, in its order: then no map by path.
	const isIndexOrder = index.paths.every((filePath, position) => files[position]!.path === filePath);
	const stored = isIndexOrder ? undefined : new Map(index.paths.map((filePath, position) => [filePath, position]));
	const stats = known ?? statTable(files.map(file => file.path));

	// Which files grew (same inode, not shorter than what was read) and which are new.
	const changed: Array<{file: TranscriptFile; position: number | undefined; offset: number}> = [];
	let newBytes = 0;
	let found = 0;
	for (let position = 0; position < files.length; position++) {
		const file = files[position]!;
		const base = position * statFields;
		const size = stats[base + 2]!;
		if (Number.isNaN(size)) return undefined;
		const storedAt = stored === undefined ? (position < index.paths.length ? position : undefined) : stored.get(file.path);
		if (size === asIndexed) {
			// Only the index's own list is taken so, position for position.
			if (storedAt !== position) return undefined;
			found++;
			continue;
		}

		if (storedAt === undefined) {
			changed.push({file, position: undefined, offset: 0});
			newBytes += size;
			continue;
		}

		found++;
		const cursor = index.cursorAt(storedAt);
		const now = {dev: stats[base]!, ino: stats[base + 1]!, size, mtimeMs: stats[base + 3]!, ctimeMs: stats[base + 4]!};
		if (now.ino !== cursor.ino || now.dev !== cursor.dev || size < cursor.offset) return undefined;
		// Grown, touched or chmod'ed: the tailer checks the bytes already read and reads on.
		if (!isUnchanged(now, cursor)) {
			changed.push({file, position: storedAt, offset: cursor.offset});
			newBytes += size - cursor.offset;
		}
	}

	// Read only now, after the stats: see the header's layout.
	const summary = index.summary;
	if (summary?.fingerprint !== options.fingerprint) return undefined;
	if (found !== index.paths.length || newBytes > deltaByteLimit) return undefined;
	if (changed.length === 0) {
		const blocks = summary.blocks.map(blockFromSummary);
		return {blocks, counters: summary.counters, unknownModels: summary.unknownModels, unreadable: [], texts: () => storedBlockTexts(index, blocks)};
	}

	// Only the lookup section and the files read: O(what changed), not every row of the history.
	const body = index.leanBody();
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

		return {...frozen.usage(options.nowMs), unreadable, texts: () => frozen.storedTexts()};
	} catch (error) {
		// A file's stored entries did not match their checksum: the index is rebuilt.
		if (error instanceof Error && error.name === 'IndexCorruptError') return {error: error.message};
		throw error;
	} finally {
		frozen.close();
	}
};
