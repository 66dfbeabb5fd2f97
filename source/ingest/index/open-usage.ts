import {findRoots, reuseDiscovery, walkRoots, type DirStamp} from '../transcripts/discover.js';
import {quietAsIndexed, reportFromDelta, statFields, statTable, type StatTable} from './index-delta.js';
import {quietCheckAt, quietCursors, quietParts, readQuietCheck, writeQuietCheck, type QuietCheck} from './quiet-check.js';
import type {ReportBasis} from './report-cache.js';
import type {OpenUsageOptions, UsageHandle} from './usage-handle.js';
import {cacheDir} from '../dirs.js';
import {indexPath, loadIndex, type DecodedIndex} from './usage-index.js';
import type {EarlyScan} from '../transcripts/early-scan.js';

/**
 * Found this many transcripts and no index: the first read goes to the workers,
 * started now and given files as the walk finds them (at the bench's 1.8 KB
 * lines, 256 MiB, where a read goes to workers anyway, is ~1,200 files).
 */
const earlyFromFiles = 1024;

/**
 * What a warm report under `check` looked at, as it found it: the hot
 * transcripts (their stats in `stats`) and the hot folders. While these stay as
 * they are, a report under the same check prints the same (report-cache.ts).
 */
const lookedAt = (index: DecodedIndex, indexFile: string, check: QuietCheck, parts: ReturnType<typeof quietParts>, stats: StatTable, dirs: readonly DirStamp[]): ReportBasis => {
	const {isQuietFile, isQuietDir} = parts;
	const files: ReportBasis['files'][number][] = [];
	for (let position = 0; position < index.paths.length; position++) {
		if (isQuietFile(position)) continue;
		const base = position * statFields;
		files.push({path: index.paths[position]!, stats: {dev: stats[base]!, ino: stats[base + 1]!, size: stats[base + 2]!, mtimeMs: stats[base + 3]!, ctimeMs: stats[base + 4]!}});
	}

	return {indexFile, identity: index.identity, check, files, dirs: dirs.filter(dir => !isQuietDir(dir))};
};

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
	// File times are the wall clock's, whatever --now says.
	const wallMs = (options.wallClock ?? Date.now)();
	// A one-shot report (or `session`, which takes quiet files' stats from elsewhere anyway) within
	// ten minutes of a full look that found the quiet files as the index has them stats only the
	// hot ones, as a status line does (quiet-check.ts).
	const mayTrust = options.isSummaryEnough || options.quietStats !== undefined;
	const check = mayTrust && index !== undefined && indexFile !== undefined ? readQuietCheck(indexFile, index.identity, wallMs) : undefined;
	const quiet = check === undefined ? undefined : quietParts(index!, check);
	// An unchanged folder tree is not walked again: the index remembers every folder's mtime.
	const reused = index?.discovery
		? await reuseDiscovery(found, {
				roots: index.roots,
				...index.discovery,
				files: () => index.paths.map((filePath, position) => ({path: filePath, projectSlug: index.slugAt(position)})),
				isTrusted: quiet?.isQuietDir,
			})
		: undefined;
	// Without an index everything is read, in workers once there is enough of it:
	// a walk that finds many files starts them and hands them files as it goes.
	const prestart = index === undefined && reused === undefined ? await import('../transcripts/early-scan.js') : undefined;
	let early: EarlyScan | undefined;
	const discovery =
		reused ??
		(await walkRoots(
			found,
			prestart && {
				files: options.scan?.earlyFromFiles ?? earlyFromFiles,
				found(files) {
					early ??= new prestart.EarlyScan(options.scan?.workerUrl);
					early.add(files);
				},
			},
		));
	// A reused list is the index's own: its files are stat'ed now, before the summary is parsed.
	const fileStats = options.isSummaryEnough && reused !== undefined ? statTable(index!.paths, quiet?.isQuietFile) : undefined;
	// Every folder and file was just stat'ed: when the quiet ones are all as the index has them, the next ten minutes' reports may take them so.
	let heldCheck = check;
	if (fileStats !== undefined && check === undefined) {
		const fresh = quietCheckAt(index!.identity, wallMs);
		if (quietAsIndexed(index!, fileStats, fresh.quietBeforeMs)) {
			await writeQuietCheck(indexFile!, fresh);
			heldCheck = fresh;
		}
	}

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
			...(heldCheck !== undefined && reused !== undefined && fileStats !== undefined ? {lookedAt: () => lookedAt(index!, indexFile!, heldCheck!, quiet ?? quietParts(index!, heldCheck!), fileStats, discovery.dirs)} : {}),
		};
	}

	// Everything past the summary path is loaded only when needed: a warm run that
	// finds nothing new never pays for the ledger, the tailers or the worker pool.
	const {openLive} = await import('./open-live.js');
	try {
		// The quiet files' stats: the index's own cursors under a check, else what the caller has.
		const knownStats = quiet !== undefined && reused !== undefined ? quietCursors(index!, quiet.isQuietFile) : await options.quietStats?.();
		return await openLive(options, {discovery, index, indexFile, notes, isIndexCorrupt, early, knownStats});
	} catch (error) {
		// Its first read closes the pool; a failure before that must too, or its threads keep the process alive.
		await early?.pool.close();
		throw error;
	}
};
