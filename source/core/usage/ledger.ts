import {extendBlocks, identifyBlocks, regroupAnchor, withCost, type Block, type PricedEntry} from './blocks.js';
import {lowerBound} from '../util/lower-bound.js';
import {beatsCopy, compareEntries, isKeyed, RequestMap} from './dedupe.js';
import {entryCostUsd, type CostMode, type PriceLookup} from './pricing.js';
import type {LineResult} from './transcript.js';
import {totalTokens, type UsageEntry, type UsageEvent} from './types.js';
import type {UsageCounters} from './usage-view.js';

/**
 * A file's best copy per request. After a restore it is a plain list; the
 * request map is built only when the file is appended to, which saves a map
 * entry per request for the many files that never change again.
 */
export class KeyedEntries {
	private list: PricedEntry[];
	private byRequest: RequestMap<PricedEntry> | undefined;

	constructor(list: PricedEntry[] = []) {
		this.list = list;
		if (list.length === 0) this.byRequest = new RequestMap();
	}

	get size(): number {
		return this.byRequest?.size ?? this.list.length;
	}

	/** This file's copy of the same request as `entry`. */
	get(entry: UsageEntry): PricedEntry | undefined {
		return this.indexed().get(entry);
	}

	set(entry: PricedEntry): void {
		this.indexed().set(entry);
	}

	values(): Iterable<PricedEntry> {
		return this.byRequest?.values() ?? this.list;
	}

	private indexed(): RequestMap<PricedEntry> {
		if (this.byRequest === undefined) {
			this.byRequest = new RequestMap();
			for (const entry of this.list) this.byRequest.set(entry);
			this.list = [];
		}

		return this.byRequest;
	}
}

/** What one file contributed: its best copy per request, its unkeyed entries, events and line counts. */
export type FileUsage = {
	path: string;
	keyed: KeyedEntries;
	unkeyed: PricedEntry[];
	events: UsageEvent[];
	lines: number;
	usageLines: number;
	invalidLines: number;
};


export type LedgerOptions = {lookup: PriceLookup; mode: CostMode; sessionLengthMs: number};

/**
 * The usage engine's incremental state. Every file's contribution is kept apart,
 * so a truncated or deleted file can be taken out exactly; across files the copy
 * of a request with the largest token total wins, a tie going to the file whose
 * path sorts first and, within a file, to the earlier line. That order does not
 * depend on when bytes arrived, so live updates and a cold run agree exactly.
 */
export type Ledger = {
	options: LedgerOptions;
	files: Map<string, FileUsage>;
	/** The copy that counts per request; its `sourcePath` says which file holds it. */
	winners: RequestMap<PricedEntry>;
	/** Unique entries sorted by time. */
	sorted: PricedEntry[];
	blocks: Block[];
	/** Bumped on every change; the store publishes only when it moves. */
	version: number;
	/** While true (bulk loads), changes only touch per-file state; {@link endBulk} regroups once. */
	isBulk: boolean;
	needsRebuild: boolean;
	/**
	 * A bulk load begun on an empty ledger that has only restored new files:
	 * each was merged into `winners` as it came (restoreFile), while the workers
	 * were still reading, so the rebuild at its end need not dedupe (~70 ms at
	 * 118,745 requests, when nothing else runs). The copy that wins does not
	 * depend on the order files come in. Anything else a bulk load does clears it.
	 */
	isMergedBulk: boolean;
};

export const createLedger = (options: LedgerOptions): Ledger => ({
	options,
	files: new Map(),
	winners: new RequestMap(),
	sorted: [],
	blocks: [],
	version: 0,
	isBulk: false,
	needsRebuild: false,
	isMergedBulk: false,
});

/** Start a bulk load: per-file changes are recorded and grouping waits for {@link endBulk}. */
export const beginBulk = (ledger: Ledger): void => {
	ledger.isBulk = true;
	ledger.isMergedBulk = ledger.files.size === 0 && ledger.winners.size === 0;
};

export const endBulk = (ledger: Ledger, nowMs: number): void => {
	ledger.isBulk = false;
	const isDeduped = ledger.isMergedBulk;
	ledger.isMergedBulk = false;
	if (ledger.needsRebuild) {
		ledger.needsRebuild = false;
		rebuildLedger(ledger, nowMs, isDeduped);
	}
};

/** Forget every file (a bulk load starting over). */
export const clearFiles = (ledger: Ledger): void => {
	ledger.files.clear();
	ledger.isMergedBulk = false;
	ledger.needsRebuild = true;
};

/** Let `file`'s copies take their place among the winners, as the rebuild's loop does. */
const mergeWinners = (ledger: Ledger, file: FileUsage): void => {
	const wins = (challenger: PricedEntry, winner: PricedEntry) => beats(challenger, file.path, winner);
	for (const entry of file.keyed.values()) ledger.winners.offer(entry, wins);
};

export const createFileUsage = (path: string): FileUsage => ({
	path,
	keyed: new KeyedEntries(),
	unkeyed: [],
	events: [],
	lines: 0,
	usageLines: 0,
	invalidLines: 0,
});

const price = (ledger: Ledger, entry: UsageEntry, path: string): PricedEntry =>
	withCost(entry, entryCostUsd(entry, ledger.options.lookup, ledger.options.mode), path);

const beats = (challenger: PricedEntry, path: string, winner: PricedEntry): boolean => beatsCopy(challenger, path, winner, winner.sourcePath ?? '');

/** Index of the first entry not ordered before `entry`. */
const entryBound = (sorted: readonly PricedEntry[], entry: PricedEntry): number => lowerBound(sorted.length, index => compareEntries(sorted[index]!, entry) < 0);

const indexOfEntry = (sorted: readonly PricedEntry[], entry: PricedEntry): number => {
	for (let index = entryBound(sorted, entry); index < sorted.length && compareEntries(sorted[index]!, entry) === 0; index++) {
		if (sorted[index] === entry) return index;
	}

	return -1;
};

/** Sort and regroup everything: used after loads, truncations and deletions. */
export const rebuildLedger = (ledger: Ledger, nowMs: number, isDeduped = false): void => {
	if (!isDeduped) ledger.winners.clear();
	const unkeyed: PricedEntry[] = [];
	for (const path of [...ledger.files.keys()].sort()) {
		const file = ledger.files.get(path)!;
		if (!isDeduped) mergeWinners(ledger, file);
		unkeyed.push(...file.unkeyed);
	}

	const sorted = ledger.winners.toArray();
	for (const entry of unkeyed) sorted.push(entry);
	sorted.sort(compareEntries);
	ledger.sorted = sorted;
	ledger.blocks = identifyBlocks(sorted, ledger.options.sessionLengthMs, nowMs);
	ledger.version++;
};

/** Regroup blocks after a change at or after `changedMs`, from the anchor {@link regroupAnchor} picks. */
const regroupFrom = (ledger: Ledger, changedMs: number, nowMs: number): void => {
	const {blocks} = ledger;
	const anchor = regroupAnchor(blocks, changedMs);
	const first = anchor >= 0 ? blocks[anchor]!.entries[0] : undefined;
	const start = first === undefined ? -1 : indexOfEntry(ledger.sorted, first);
	if (start < 0) {
		ledger.blocks = identifyBlocks(ledger.sorted, ledger.options.sessionLengthMs, nowMs);
		return;
	}

	ledger.blocks = [...blocks.slice(0, anchor), ...identifyBlocks(ledger.sorted.slice(start), ledger.options.sessionLengthMs, nowMs)];
};

/** More changes than this in one batch re-sort everything instead of inserting one by one. */
const bulkThreshold = 2000;

/**
 * Apply one file's newly read lines. `counts` carries the lines that produced no
 * result worth keeping (plain lines and invalid ones are counted, not stored).
 * Returns true when totals changed.
 */
export const applyLines = (
	ledger: Ledger,
	path: string,
	results: readonly LineResult[],
	counts: {lines: number; invalidLines: number},
	nowMs: number,
): boolean => {
	let file = ledger.files.get(path);
	if (file === undefined) {
		file = createFileUsage(path);
		ledger.files.set(path, file);
	}

	file.lines += counts.lines;
	file.invalidLines += counts.invalidLines;
	if (ledger.isBulk) {
		addToFile(ledger, file, results);
		ledger.needsRebuild = true;
		ledger.isMergedBulk = false;
		return true;
	}

	// A copy can win and lose within one batch (streaming lines), so `added` is a set.
	const added = new Set<PricedEntry>();
	const removed: PricedEntry[] = [];
	const replace = (previous: PricedEntry) => {
		if (!added.delete(previous)) removed.push(previous);
	};

	let hasEvents = false;
	for (const result of results) {
		if (result.kind === 'event') {
			file.events.push(result.event);
			hasEvents = true;
			continue;
		}

		if (result.kind !== 'usage') continue;
		file.usageLines++;
		if (!isKeyed(result.entry)) {
			const entry = price(ledger, result.entry, path);
			file.unkeyed.push(entry);
			added.add(entry);
			continue;
		}

		const inFile = file.keyed.get(result.entry);
		if (inFile !== undefined && totalTokens(result.entry.tokens) <= totalTokens(inFile.tokens)) continue;
		const entry = price(ledger, result.entry, path);
		file.keyed.set(entry);
		const winner = ledger.winners.get(entry);
		if (winner === undefined) {
			ledger.winners.set(entry);
			added.add(entry);
		} else if (winner.sourcePath === path || beats(entry, path, winner)) {
			ledger.winners.set(entry);
			replace(winner);
			added.add(entry);
		}
	}

	if (added.size === 0 && removed.length === 0) {
		if (hasEvents || counts.lines > 0) ledger.version++;
		return hasEvents;
	}

	if (added.size + removed.length > bulkThreshold) {
		rebuildLedger(ledger, nowMs);
		return true;
	}

	const {sorted} = ledger;
	let changedMs = Number.POSITIVE_INFINITY;
	for (const entry of removed) {
		const index = indexOfEntry(sorted, entry);
		if (index >= 0) sorted.splice(index, 1);
		changedMs = Math.min(changedMs, entry.timestampMs);
	}

	const addedSorted = [...added].sort(compareEntries);
	for (const entry of addedSorted) {
		const last = sorted.at(-1);
		if (last === undefined || compareEntries(last, entry) <= 0) {
			sorted.push(entry);
		} else {
			sorted.splice(entryBound(sorted, entry), 0, entry);
		}

		changedMs = Math.min(changedMs, entry.timestampMs);
	}

	// A live session's lines: new requests at the end of the last block, O(change); anything else regroups.
	const extended = extendBlocks(ledger.blocks, removed, addedSorted, compareEntries, ledger.options.sessionLengthMs, nowMs);
	if (extended === undefined) regroupFrom(ledger, changedMs, nowMs);
	else ledger.blocks = extended;
	ledger.version++;
	return true;
};

/** Per-file dedupe only (bulk loads): the winners are settled by the rebuild. */
const addToFile = (ledger: Ledger, file: FileUsage, results: readonly LineResult[]): void => {
	for (const result of results) {
		if (result.kind === 'event') {
			file.events.push(result.event);
		} else if (result.kind === 'usage') {
			file.usageLines++;
			if (!isKeyed(result.entry)) {
				file.unkeyed.push(price(ledger, result.entry, file.path));
			} else {
				const inFile = file.keyed.get(result.entry);
				if (inFile === undefined || totalTokens(result.entry.tokens) > totalTokens(inFile.tokens)) {
					file.keyed.set(price(ledger, result.entry, file.path));
				}
			}
		}
	}
};

/** A file's usage reduced to what the ledger keeps: per-file best copy per request, unkeyed entries, events. */
export type CompactFileUsage = {keyed: UsageEntry[]; unkeyed: UsageEntry[]; events: UsageEvent[]; usageLines: number};

/**
 * Per-file dedupe without pricing, so a worker thread can shrink what it sends
 * back: what {@link addToFile} keeps, in the order it keeps it. Keyed by the
 * request id the entry already holds (see RequestMap), not by a key string per
 * line, which was made, flattened and hashed for every usage line of a cold read.
 */
export const compactResults = (results: readonly LineResult[]): CompactFileUsage => {
	const keyed = new RequestMap<UsageEntry>();
	const compact: CompactFileUsage = {keyed: [], unkeyed: [], events: [], usageLines: 0};
	for (const result of results) {
		if (result.kind === 'event') {
			compact.events.push(result.event);
		} else if (result.kind === 'usage') {
			compact.usageLines++;
			if (!isKeyed(result.entry)) {
				compact.unkeyed.push(result.entry);
				continue;
			}

			const inFile = keyed.get(result.entry);
			if (inFile === undefined || totalTokens(result.entry.tokens) > totalTokens(inFile.tokens)) keyed.set(result.entry);
		}
	}

	compact.keyed = [...keyed.values()];
	return compact;
};

/** Restore a file's usage saved by a previous run or compacted by a worker (bulk loads only). */
export const restoreFile = (ledger: Ledger, usage: {path: string; keyed: UsageEntry[]; unkeyed: UsageEntry[]; events: UsageEvent[]; lines: number; usageLines: number; invalidLines: number}): void => {
	const file = createFileUsage(usage.path);
	// The ledger owns restored entries: one already shaped like a priced entry is priced
	// in place, which halves the garbage of loading a large index.
	const own = (entry: UsageEntry): PricedEntry => {
		if (!('costUsd' in entry)) return price(ledger, entry, usage.path);
		const priced = entry as PricedEntry;
		priced.costUsd = entryCostUsd(entry, ledger.options.lookup, ledger.options.mode);
		priced.sourcePath = usage.path;
		return priced;
	};

	file.keyed = new KeyedEntries(usage.keyed.map(own));
	for (const entry of usage.unkeyed) file.unkeyed.push(own(entry));
	file.events.push(...usage.events);
	file.lines = usage.lines;
	file.usageLines = usage.usageLines;
	file.invalidLines = usage.invalidLines;
	// A file restored twice replaces copies that may be winners: only the rebuild can say what wins then.
	if (ledger.files.has(usage.path)) ledger.isMergedBulk = false;
	ledger.files.set(usage.path, file);
	ledger.needsRebuild = true;
	if (ledger.isMergedBulk) mergeWinners(ledger, file);
};

/** Forget a file (deleted, truncated or replaced) and regroup without it. */
export const removeFile = (ledger: Ledger, path: string, nowMs: number): void => {
	if (!ledger.files.delete(path)) return;
	if (ledger.isBulk) {
		ledger.needsRebuild = true;
		ledger.isMergedBulk = false;
	} else {
		rebuildLedger(ledger, nowMs);
	}
};

/** Line counters summed over files, in the report's diagnostics shape. */
export const ledgerCounters = (ledger: Ledger): UsageCounters => {
	let lines = 0;
	let usageLines = 0;
	let invalidLines = 0;
	let limitHits = 0;
	let apiErrors = 0;
	for (const file of ledger.files.values()) {
		lines += file.lines;
		usageLines += file.usageLines;
		invalidLines += file.invalidLines;
		for (const event of file.events) {
			if (event.kind === 'rate_limit') limitHits++;
			else apiErrors++;
		}
	}

	return {files: ledger.files.size, lines, usageLines, duplicateLines: usageLines - ledger.sorted.length, invalidLines, limitHits, apiErrors};
};

/** Models that appear without a price, for diagnostics. */
export const unknownModels = (ledger: Ledger): string[] => {
	const models = new Set<string>();
	for (const block of ledger.blocks) {
		for (const [model, totals] of block.perModel) {
			if (!totals.isPriced) models.add(model || '(no model)');
		}
	}

	return [...models].sort();
};
