import {stat} from 'node:fs/promises';
import type {UsageEntry} from '../core/types.js';
import {createFileUsage, ledgerCounters, restoreFile, unknownModels, type Ledger, type LedgerOptions} from '../core/ledger.js';
import {findRoots, reuseDiscovery, walkRoots, type Discovery} from './discover.js';
import {reportFromDelta} from './index-delta.js';
import type {FileCursor} from './tail-file.js';
import {TranscriptSource, type ScanProgress} from './transcript-source.js';
import {FrozenLedger} from './frozen-ledger.js';
import {LiveUsage, type UsageView} from './live-usage.js';
import {cacheDir, indexedFile, indexPath, loadIndex, saveIndex, summarizeBlock, type DecodedIndex} from './usage-index.js';

export type OpenUsageOptions = {
	claudeDirs: readonly string[];
	ledger: LedgerOptions;
	/** Identifies prices, cost mode and session length: a saved summary is only reused for the same one. */
	fingerprint: string;
	isCacheEnabled: boolean;
	/** One-shot callers may take the saved summary when no file changed, without decoding any entry. */
	isSummaryEnough: boolean;
	clock: () => number;
	onChange?: () => void;
	onProgress?: (progress: ScanProgress) => void;
	/** Where the first read goes to worker threads, and their script (tests set both). */
	scan?: {workerFromBytes?: number; workerUrl?: URL};
};


/** Transcripts found, read and kept current: the ledger plus what feeds it. */
export type UsageHandle = {
	discovery: Discovery;
	/** Undefined when the report came straight from the saved summary. */
	live: {usage: LiveUsage; source: TranscriptSource} | undefined;
	view: () => UsageView;
	/** Problems worth one stderr line (an index that had to be rebuilt). */
	notes: string[];
	unreadablePaths: () => Array<{path: string; reason: string}>;
	/** Write the index if anything was read since it was last written. */
	save: () => Promise<void>;
};

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

/**
 * Discover transcripts, restore what the persistent index already holds, and
 * read only bytes past each saved cursor (everything, in worker threads, on a
 * first run). The ledger is grouped once at the end, not per file.
 */
export const openUsage = async (options: OpenUsageOptions): Promise<UsageHandle> => {
	const found = await findRoots({claudeDirs: options.claudeDirs});
	const indexFile = options.isCacheEnabled ? indexPath(cacheDir(), found.roots) : undefined;
	const loaded = indexFile === undefined ? undefined : await loadIndex(indexFile);
	const notes: string[] = [];
	const index = loaded !== undefined && 'problem' in loaded ? undefined : loaded;
	if (loaded !== undefined && 'problem' in loaded) notes.push(loaded.problem);
	// An unchanged folder tree is not walked again: the index remembers every folder's mtime.
	// The transcripts it lists are stat'ed at the same time, for the summary path.
	const [reused, fileStats] = await Promise.all([
		index?.discovery ? reuseDiscovery(found, {roots: index.roots, ...index.discovery, files: index.files}) : undefined,
		options.isSummaryEnough && index?.discovery
			? Promise.all(index.files.map(async file => [file.path, await stat(file.path).catch(() => undefined)] as const)).then(pairs => new Map(pairs))
			: undefined,
	]);
	const discovery = reused ?? (await walkRoots(found));

	const summary = index?.summary;
	// One-shot callers: the saved summary plus only appended bytes, when that is all that changed.
	const delta =
		options.isSummaryEnough && index !== undefined
			? await reportFromDelta(index, discovery.files, {...options.ledger, fingerprint: options.fingerprint, nowMs: options.clock()}, fileStats)
			: undefined;
	const isIndexCorrupt = delta !== undefined && 'error' in delta;
	if (isIndexCorrupt) notes.push(`index ${indexFile} ignored (${delta.error}); rebuilding`);
	if (delta !== undefined && !('error' in delta)) {
		return {
			discovery,
			live: undefined,
			view: () => ({blocks: delta.blocks, unknownModels: delta.unknownModels, counters: delta.counters}),
			notes,
			unreadablePaths: () => [...discovery.unreadablePaths, ...delta.unreadable],
			save: async () => undefined,
		};
	}

	const cursors = new Map<string, FileCursor>();
	let isDirty = index === undefined || isIndexCorrupt || summary?.fingerprint !== options.fingerprint;
	const present = new Set(discovery.files.map(file => file.path));
	// A process that stays up keeps the index frozen and holds only what changes;
	// one-shot callers that got here (truncations, big appends) load fully.
	const body = !options.isSummaryEnough && !isDirty && index !== undefined ? await index.body() : undefined;
	const live =
		body !== undefined && !('error' in body) && summary !== undefined
			? new LiveUsage(options.ledger, new FrozenLedger(index!, summary, body, options.ledger))
			: new LiveUsage(options.ledger);
	if (body !== undefined && 'error' in body) notes.push(`index ${indexFile} ignored (${body.error}); rebuilding`);
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
				live.ledger.files.clear();
				cursors.clear();
			}

			isDirty ||= restored.error !== undefined || index.files.length !== discovery.files.length;
		}
	}

	const source = new TranscriptSource(
		live,
		options.clock,
		() => {
			isDirty = true;
			options.onChange?.();
		},
		options.scan,
	);
	source.track(discovery.files, cursors);
	await source.pollAll(options.onProgress);
	if (live.isBulk) live.endBulk(options.clock());

	const view = (): UsageView => live.view(options.clock());
	const save = async () => {
		if (indexFile === undefined || !isDirty) return;
		isDirty = false;
		const nowMs = options.clock();
		const ledger = live.fullLedger(nowMs);
		const files = [...source.tailers.values()].flatMap(tailer =>
			tailer.cursor === undefined ? [] : [indexedFile(ledger.files.get(tailer.path) ?? createFileUsage(tailer.path), tailer.cursor, tailer.projectSlug)],
		);
		const counted = new Set<UsageEntry>(ledger.winners.values());
		await saveIndex(
			indexFile,
			discovery.roots,
			files,
			{fingerprint: options.fingerprint, blocks: ledger.blocks.map(summarizeBlock), counters: ledgerCounters(ledger), unknownModels: unknownModels(ledger)},
			entry => counted.has(entry),
			{dirs: discovery.dirs, walkedAtMs: discovery.walkedAtMs},
		);
	};

	return {
		discovery,
		live: {usage: live, source},
		view,
		notes,
		unreadablePaths: () => [...discovery.unreadablePaths, ...[...source.unreadable].map(([path, reason]) => ({path, reason}))],
		save,
	};
};
