import type {UsageEntry} from '../../core/usage/types.js';
import {clearFiles, createFileUsage, ledgerCounters, restoreFile, unknownModels, type Ledger} from '../../core/usage/ledger.js';
import type {Discovery} from '../transcripts/discover.js';
import {readSessionRows, writeSessionRows} from './session-rows.js';
import {sessionSummaries} from '../../core/usage/session-summaries.js';
import {sessionsFrom} from '../../core/usage/sessions.js';
import {FrozenLedger} from './frozen-ledger.js';
import type {UsageView} from '../../core/usage/usage-view.js';
import {LiveUsage} from './live-usage.js';
import type {KnownStats, OpenUsageOptions, UsageHandle} from './usage-handle.js';
import type {FileCursor} from '../transcripts/file-cursor.js';
import {TranscriptSource} from '../transcripts/transcript-source.js';
import type {EarlyScan} from '../transcripts/early-scan.js';
import {indexedFile, saveIndex, summarizeBlock, type DecodedIndex} from './usage-index.js';

/**
 * Put the index's files into the ledger, streamed file by file, so at most one
 * file's bytes exist beside it. On a bad segment the caller starts over without
 * the index.
 */
const restoreFromIndex = async (
	ledger: Ledger,
	index: DecodedIndex,
	present: ReadonlySet<string>,
	cursors: Map<string, FileCursor>,
): Promise<{error?: string}> => {
	for await (const file of index.eachFile()) {
		if ('error' in file) return {error: file.error};
		if (!present.has(file.path)) continue;
		restoreFile(ledger, file);
		cursors.set(file.path, file.cursor);
	}

	return {};
};

/** Below this many bytes appended since the index, it is not rewritten (see save). */
export const deferredSaveBytes = 8 * 1024 * 1024;

/**
 * The full path of {@link openUsage}: restore or freeze the index, read only bytes
 * past each saved cursor (everything, in worker threads, on a first run), and keep
 * what is needed to write the index again.
 */
export const openLive = async (
	options: OpenUsageOptions,
	{
		discovery,
		index,
		indexFile,
		notes,
		isIndexCorrupt,
		early,
		knownStats,
	}: {discovery: Discovery; index: DecodedIndex | undefined; indexFile: string | undefined; notes: string[]; isIndexCorrupt: boolean; early?: EarlyScan | undefined; knownStats?: KnownStats | undefined},
): Promise<UsageHandle> => {
	const summary = index?.summary;
	const cursors = new Map<string, FileCursor>();
	let isDirty = index === undefined || isIndexCorrupt || summary?.fingerprint !== options.fingerprint;
	const present = new Set(discovery.files.map(file => file.path));
	// A file gone, an index rebuilt or made for other prices: a rewrite is due whatever is read (see save). New files are appends.
	let isReshaped = isDirty || index === undefined || index.files.some(file => !present.has(file.path));
	// A process that stays up keeps the index frozen and holds only what changes;
	// one-shot callers that got here (truncations, big appends) load fully.
	const body = !options.isSummaryEnough && !isDirty && index !== undefined ? await index.body() : undefined;
	const live =
		body !== undefined && !('error' in body) && summary !== undefined
			? new LiveUsage(options.ledger, new FrozenLedger(index!, summary, body, options.ledger))
			: new LiveUsage(options.ledger);
	if (body !== undefined && 'error' in body) notes.push(`index ${indexFile} ignored (${body.error}); rebuilding`);
	else if (body !== undefined && !live.isFrozen) body.close();
	if (live.isFrozen) {
		for (const file of index!.files) {
			if (present.has(file.path)) cursors.set(file.path, file.cursor);
		}

		// Deleted while stopped: taking a file out needs the full ledger.
		for (const file of index!.files) {
			if (!present.has(file.path)) live.removeFile(file.path, options.clock());
		}
	} else {
		live.beginBulk();
		if (index !== undefined && !isIndexCorrupt && (body === undefined || !('error' in body))) {
			const restored = await restoreFromIndex(live.ledger, index, present, cursors);
			if (restored.error !== undefined) {
				notes.push(`index ${indexFile} ignored (${restored.error}); rebuilding`);
				// Forget whatever came before the bad segment: read everything afresh.
				clearFiles(live.ledger);
				cursors.clear();
			}

			isDirty ||= restored.error !== undefined || index.files.length !== discovery.files.length;
		}
	}

	isReshaped ||= isDirty || (body !== undefined && 'error' in body);
	const source = new TranscriptSource(
		live,
		options.clock,
		() => {
			isDirty = true;
			options.onChange?.();
		},
		{...options.scan, early},
	);
	source.track(discovery.files, cursors);
	await source.pollAll(options.onProgress, {statFirst: true, knownStats});
	if (live.isBulk) live.endBulk(options.clock());

	const view = (detailFromMs?: number): UsageView => live.view(options.clock(), detailFromMs);
	const cacheErrors: Array<{path: string; reason: string}> = [];
	// What the index says of each file, to tell appends since from anything else.
	const indexed = new Map(cursors);
	/** Bytes appended since the index, or infinity when a file was replaced or shrunk. */
	const appendedBytes = (): number => {
		let total = 0;
		for (const tailer of source.tailers.values()) {
			const now = tailer.cursor;
			const then = indexed.get(tailer.path);
			if (now === undefined) continue;
			if (then === undefined) total += now.offset;
			else if (now.dev !== then.dev || now.ino !== then.ino || now.offset < then.offset) return Number.POSITIVE_INFINITY;
			else total += now.offset - then.offset;
		}

		return total;
	};

	const save = async () => {
		if (indexFile === undefined || !isDirty) return;
		// Rewriting the index costs O(history); reading a few MB past its cursors
		// again costs O(those bytes). So appends are written down only once they add up.
		if (!isReshaped && appendedBytes() < deferredSaveBytes) return;
		isDirty = false;
		try {
			await writeIndex(indexFile);
		} catch (error) {
			const reason = (error as NodeJS.ErrnoException).code ?? String(error);
			if (!cacheErrors.some(known => known.path === indexFile && known.reason === reason)) cacheErrors.push({path: indexFile, reason});
		}
	};

	const writeIndex = async (indexFile: string) => {
		const nowMs = options.clock();
		const ledger = live.fullLedger(nowMs);
		const files = [...source.tailers.values()].flatMap(tailer =>
			tailer.cursor === undefined ? [] : [indexedFile(ledger.files.get(tailer.path) ?? createFileUsage(tailer.path), tailer.cursor, tailer.projectSlug)],
		);
		const counted = new Set<UsageEntry>(ledger.winners.values());
		const identity = await saveIndex(
			indexFile,
			discovery.roots,
			files,
			{fingerprint: options.fingerprint, blocks: ledger.blocks.map(summarizeBlock), counters: ledgerCounters(ledger), unknownModels: unknownModels(ledger)},
			entry => counted.has(entry),
			{dirs: discovery.dirs, walkedAtMs: discovery.walkedAtMs, hasLinks: discovery.hasLinks},
			options.blockText === undefined ? undefined : ledger.blocks.map(block => (block.isActive ? undefined : options.blockText!(block))),
		);
		// The full ledger is at hand: the session list's rows cost one pass now, and spare every list a decode of the history.
		const rows = sessionSummaries(sessionsFrom([...ledger.files.values()].map(file => ({path: file.path, keyed: [...file.keyed.values()], unkeyed: file.unkeyed, events: file.events}))).values());
		await writeSessionRows(indexFile, {identity, fingerprint: options.fingerprint, rows});
	};

	return {
		discovery,
		live: {usage: live, source},
		view,
		notes,
		unreadablePaths: () => [...discovery.unreadablePaths, ...[...source.unreadable].map(([path, reason]) => ({path, reason}))],
		save,
		savedSessionRows: () => (indexFile !== undefined && index !== undefined && live.isFrozen ? readSessionRows(indexFile, index.identity, options.fingerprint) : undefined),
		cacheErrors: () => [...cacheErrors],
	};
};
