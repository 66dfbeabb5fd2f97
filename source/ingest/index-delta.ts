import {stat} from 'node:fs/promises';
import {identifyBlocks, regroupAnchor, withCost, type Block, type PricedEntry} from '../core/blocks.js';
import {dedupeKey} from '../core/dedupe.js';
import {compareEntries, type LedgerOptions} from '../core/ledger.js';
import {entryCostUsd} from '../core/pricing.js';
import {totalTokens, type UsageEntry} from '../core/types.js';
import type {TranscriptFile} from './discover.js';
import {FileTailer, type TailUpdate} from './tail-file.js';
import {blockFromSummary, type DecodedIndex, type ReportSummary} from './usage-index.js';

/** Past this many new bytes the caller does a full load (and saves a fresh index) instead. */
export const deltaByteLimit = 16 * 1024 * 1024;

export type DeltaResult = {blocks: Block[]; counters: ReportSummary['counters']; unknownModels: string[]; unreadable: Array<{path: string; reason: string}>};

type Winner = {entry: UsageEntry; path: string; stored: number | undefined};

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
): Promise<DeltaResult | {error: string} | undefined> => {
	const summary = index.summary;
	if (summary?.fingerprint !== options.fingerprint) return undefined;
	const stored = new Map(index.files.map((file, position) => [file.path, {file, position}]));
	if (files.length < stored.size) return undefined;

	// Which files grew (same inode, not shorter than what was read) and which are new.
	const changed: Array<{file: TranscriptFile; position: number | undefined; offset: number}> = [];
	let newBytes = 0;
	let found = 0;
	const allStats = await Promise.all(files.map(async file => stat(file.path).catch(() => undefined)));
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
		if (stats.size !== cursor.size || stats.mtimeMs !== cursor.mtimeMs) {
			changed.push({file, position: known.position, offset: cursor.offset});
			newBytes += stats.size - cursor.offset;
		}
	}

	if (found !== stored.size || newBytes > deltaByteLimit) return undefined;
	const counters = {...summary.counters, files: summary.counters.files + changed.filter(change => change.position === undefined).length};
	if (changed.length === 0) {
		return {blocks: summary.blocks.map(blockFromSummary), counters, unknownModels: summary.unknownModels, unreadable: []};
	}

	const body = await index.body();
	if ('error' in body) return body;
	const price = (entry: UsageEntry): PricedEntry => withCost(entry, entryCostUsd(entry, options.lookup, options.mode));
	const added = new Set<PricedEntry>();
	const removedStored = new Set<number>();
	const winners = new Map<string, Winner>();
	const unreadable: Array<{path: string; reason: string}> = [];
	let uniqueChange = 0;

	for (const {file, position, offset} of changed) {
		const known = position === undefined ? undefined : index.files[position]!;
		const updates: TailUpdate[] = [];
		const cursor = known === undefined ? undefined : {...known.cursor, offset, size: -1};
		await new FileTailer(file.path, file.projectSlug, cursor, update => updates.push(update)).poll();
		// This file's stored best copies, to dedupe its new lines within the file.
		const inFile = new Map<string, UsageEntry>();
		if (position !== undefined) {
			const start = body.fileStarts[position]!;
			for (let entryIndex = start; entryIndex < start + known!.keyedCount; entryIndex++) {
				const entry = body.entryAt(entryIndex);
				inFile.set(dedupeKey(entry)!, entry);
			}
		}

		for (const update of updates) {
			if (update.kind === 'error') {
				unreadable.push({path: update.path, reason: update.reason});
				continue;
			}

			if (update.kind !== 'lines') return undefined;
			counters.lines += update.counts.lines;
			counters.invalidLines += update.counts.invalidLines;
			for (const result of update.results) {
				if (result.kind === 'event') {
					if (result.event.kind === 'rate_limit') counters.limitHits++;
					else counters.apiErrors++;
					continue;
				}

				if (result.kind !== 'usage') continue;
				counters.usageLines++;
				const entry = result.entry;
				const key = dedupeKey(entry);
				if (key === undefined) {
					added.add(price(entry));
					uniqueChange++;
					continue;
				}

				const previous = inFile.get(key);
				if (previous !== undefined && totalTokens(entry.tokens) <= totalTokens(previous.tokens)) continue;
				inFile.set(key, entry);
				let winner = winners.get(key);
				if (winner === undefined) {
					const storedIndex = body.findWinner(key);
					if (storedIndex >= 0) winner = {entry: body.entryAt(storedIndex), path: index.files[body.fileOf(storedIndex)]!.path, stored: storedIndex};
				}

				const difference = winner === undefined ? 1 : totalTokens(entry.tokens) - totalTokens(winner.entry.tokens);
				if (winner !== undefined && winner.path !== file.path && !(difference > 0 || (difference === 0 && file.path < winner.path))) continue;
				const priced = price(entry);
				if (winner === undefined) {
					uniqueChange++;
				} else if (winner.stored === undefined) {
					added.delete(winner.entry as PricedEntry);
				} else {
					removedStored.add(winner.stored);
				}

				added.add(priced);
				winners.set(key, {entry: priced, path: file.path, stored: undefined});
			}
		}
	}

	counters.duplicateLines = counters.usageLines - (summary.counters.usageLines - summary.counters.duplicateLines + uniqueChange);
	const summaryBlocks = summary.blocks.map(blockFromSummary);
	let changedMs = Number.POSITIVE_INFINITY;
	for (const entry of added) changedMs = Math.min(changedMs, entry.timestampMs);
	for (const storedIndex of removedStored) changedMs = Math.min(changedMs, body.timestampAt(storedIndex));
	if (changedMs === Number.POSITIVE_INFINITY) {
		return {blocks: summaryBlocks, counters, unknownModels: summary.unknownModels, unreadable};
	}

	const anchor = regroupAnchor(summaryBlocks, changedMs);
	if (anchor < 0) return undefined;
	// Every counted stored entry from the anchor block's first entry on, plus what is new.
	const fromMs = summaryBlocks[anchor]!.firstEntryMs!;
	const tail: PricedEntry[] = [...added];
	for (let entryIndex = 0; entryIndex < body.count; entryIndex++) {
		if (body.timestampAt(entryIndex) >= fromMs && body.isWinner(entryIndex) && !removedStored.has(entryIndex)) {
			tail.push(price(body.entryAt(entryIndex)));
		}
	}

	tail.sort(compareEntries);
	const blocks = [...summaryBlocks.slice(0, anchor), ...identifyBlocks(tail, options.sessionLengthMs, options.nowMs)];
	const unknown = new Set<string>();
	for (const block of blocks) {
		for (const [model, totals] of block.perModel) if (!totals.isPriced) unknown.add(model || '(no model)');
	}

	return {blocks, counters, unknownModels: [...unknown].sort(), unreadable};
};
