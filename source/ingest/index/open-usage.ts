import {findRoots, reuseDiscovery, walkRoots} from '../transcripts/discover.js';
import {reportFromDelta, statTable} from './index-delta.js';
import type {OpenUsageOptions, UsageHandle} from './usage-handle.js';
import {cacheDir} from '../dirs.js';
import {indexPath, loadIndex} from './usage-index.js';
import type {ScanPool} from '../transcripts/scan-pool.js';

/**
 * Found this many transcripts and no index: the first read will most likely go
 * to workers (256 MiB), so they are started now. If it does not, they were
 * booted for nothing (~40 ms of CPU each, on other cores) and are closed.
 */
const prestartFiles = 512;

/**
 * Find the transcripts and the index for them. One-shot callers get the saved
 * summary, plus only the bytes appended since, whenever that is all that changed;
 * everything else goes through {@link openLive} (restore or freeze the index, read
 * past each cursor).
 */
export const openUsage = async (options: OpenUsageOptions): Promise<UsageHandle> => {
	const found = await findRoots({claudeDirs: options.claudeDirs});
	const indexFile = options.isCacheEnabled ? indexPath(cacheDir(), found.roots) : undefined;
	const loaded = indexFile === undefined ? undefined : await loadIndex(indexFile);
	const notes: string[] = [];
	const index = loaded !== undefined && 'problem' in loaded ? undefined : loaded;
	if (loaded !== undefined && 'problem' in loaded) notes.push(loaded.problem);
	// An unchanged folder tree is not walked again: the index remembers every folder's mtime.
	const reused = index?.discovery
		? await reuseDiscovery(found, {roots: index.roots, ...index.discovery, files: () => index.paths.map((filePath, position) => ({path: filePath, projectSlug: index.slugAt(position)}))})
		: undefined;
	// Without an index everything is read, in workers once there is enough of it:
	// a walk that finds many files starts them, and they boot while it goes on.
	const prestart = index === undefined && reused === undefined ? await import('../transcripts/scan-pool.js') : undefined;
	let pool: ScanPool | undefined;
	const discovery =
		reused ??
		(await walkRoots(found, prestart && {files: prestartFiles, reached: () => (pool = new prestart.ScanPool(undefined, options.scan?.workerUrl))}));
	// A reused list is the index's own: its files are stat'ed now, before the summary is parsed.
	const fileStats = options.isSummaryEnough && reused !== undefined ? statTable(index!.paths) : undefined;

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
			view: () => ({blocks: delta.blocks, unknownModels: delta.unknownModels, counters: delta.counters, events: []}),
			blockTexts: delta.texts,
			notes,
			unreadablePaths: () => [...discovery.unreadablePaths, ...delta.unreadable],
			save: async () => undefined,
			cacheErrors: () => [],
		};
	}

	// Everything past the summary path is loaded only when needed: a warm run that
	// finds nothing new never pays for the ledger, the tailers or the worker pool.
	const {openLive} = await import('./open-live.js');
	return openLive(options, {discovery, index, indexFile, notes, isIndexCorrupt, pool});
};
