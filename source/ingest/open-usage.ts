import {beginBulk, createFileUsage, createLedger, endBulk, restoreFile, type Ledger, type LedgerOptions} from '../core/ledger.js';
import {discoverTranscripts, type Discovery} from './discover.js';
import type {FileCursor} from './tail-file.js';
import {TranscriptSource} from './transcript-source.js';
import {cacheDir, indexedFile, indexPath, loadIndex, saveIndex} from './usage-index.js';

export type OpenUsageOptions = {
	claudeDirs: readonly string[];
	ledger: LedgerOptions;
	isCacheEnabled: boolean;
	clock: () => number;
	onChange?: () => void;
};

/** Transcripts found, read and kept current: the ledger plus what feeds it. */
export type UsageHandle = {
	discovery: Discovery;
	ledger: Ledger;
	source: TranscriptSource;
	/** Problems worth one stderr line (an index that had to be rebuilt). */
	notes: string[];
	unreadablePaths: () => Array<{path: string; reason: string}>;
	/** Write the index if anything was read since it was last written. */
	save: () => Promise<void>;
};

/**
 * Discover transcripts, restore what the persistent index already holds, and
 * read only bytes past each saved cursor (everything, in worker threads, on a
 * first run). The ledger is grouped once at the end, not per file.
 */
export const openUsage = async (options: OpenUsageOptions): Promise<UsageHandle> => {
	const discovery = await discoverTranscripts({claudeDirs: options.claudeDirs});
	const ledger = createLedger(options.ledger);
	const notes: string[] = [];
	const cursors = new Map<string, FileCursor>();
	const indexFile = options.isCacheEnabled ? indexPath(cacheDir(), discovery.roots) : undefined;
	let isDirty = true;
	beginBulk(ledger);
	if (indexFile !== undefined) {
		const loaded = await loadIndex(indexFile);
		if ('problem' in loaded) notes.push(loaded.problem);
		const present = new Set(discovery.files.map(file => file.path));
		for (const file of loaded.files) {
			if (!present.has(file.path)) continue;
			restoreFile(ledger, file);
			cursors.set(file.path, file.cursor);
		}

		isDirty = loaded.files.length !== discovery.files.length || 'problem' in loaded;
	}

	const source = new TranscriptSource(ledger, options.clock, () => {
		isDirty = true;
		options.onChange?.();
	});
	source.track(discovery.files, cursors);
	await source.pollAll();
	endBulk(ledger, options.clock());

	const save = async () => {
		if (indexFile === undefined || !isDirty) return;
		const files = [...source.tailers.values()].flatMap(tailer =>
			tailer.cursor === undefined ? [] : [indexedFile(ledger.files.get(tailer.path) ?? createFileUsage(tailer.path), tailer.cursor, tailer.projectSlug)],
		);
		isDirty = false;
		await saveIndex(indexFile, discovery.roots, files);
	};

	return {
		discovery,
		ledger,
		source,
		notes,
		unreadablePaths: () => [...discovery.unreadablePaths, ...[...source.unreadable].map(([path, reason]) => ({path, reason}))],
		save,
	};
};
