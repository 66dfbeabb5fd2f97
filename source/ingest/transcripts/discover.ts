import {existsSync, readdirSync, realpathSync, statSync} from 'node:fs';
import path from 'node:path';
import {isDueOn, turnSlot, type PollTurn} from './poll-turn.js';
import {findRoots, type DiscoverOptions} from './roots.js';

export {configDirCandidates, findRoots, type DiscoverOptions} from './roots.js';

/** A transcript file and the project folder it sits in. */
export type TranscriptFile = {path: string; projectSlug: string};

export type Discovery = {
	/** Directories searched for `projects/`, in order, for the "looked in" message. */
	searched: string[];
	/** `projects/` roots that exist. */
	roots: string[];
	files: TranscriptFile[];
	unreadablePaths: Array<{path: string; reason: string}>;
	/** Every folder walked and its mtime then: an unchanged folder has the same entries. */
	dirs: DirStamp[];
	/** When the walk started (epoch ms). */
	walkedAtMs: number;
	/** Whether the walk followed a symbolic link (undefined: not known, as for a list saved with the index). */
	hasLinks?: boolean;
	/** Folders a safety poll took as they were, without a look: not on their turn (see rediscover). */
	carried?: ReadonlySet<string>;
};

export type DirStamp = {
	path: string;
	mtimeMs: number;
	/** The safety poll's turn for the folder, drawn once (see turnSlot). */
	turnSlot?: number;
};

/** What the index keeps of a walk (see Discovery), so an unchanged tree need not be walked again. */
export type SavedDiscovery = {dirs: readonly DirStamp[]; walkedAtMs: number; hasLinks?: boolean | undefined};

const errorReason = (error: unknown): string =>
	error instanceof Error && 'code' in error ? String((error as NodeJS.ErrnoException).code) : String(error);

/**
 * Every `*.jsonl` below `dir`, in name order, depth first. Synchronous: a
 * history has hundreds of folders, and a promise per folder and per stat made
 * the walk of 550 folders take ~0.25 s where the calls themselves take ~20 ms.
 * Symlinks are followed, with a visited set of real paths against loops; an
 * unreadable folder or a dangling link is reported, not fatal.
 */
const walk = (dir: string, out: Discovery, visited: Set<string>, isLink: boolean, found: FoundFiles, projectSlug?: string): TranscriptFile[] => {
	let entries;
	try {
		// Only a symlink can lead back into a folder already walked; plain folders skip the realpath call.
		if (isLink) {
			const real = realpathSync(dir);
			if (visited.has(real)) return [];
			visited.add(real);
		}

		// The folder's mtime is read before its entries, so an entry added meanwhile changes it after.
		const {mtimeMs} = statSync(dir);
		entries = readdirSync(dir, {withFileTypes: true});
		out.dirs.push({path: dir, mtimeMs});
	} catch (error) {
		out.unreadablePaths.push({path: dir, reason: errorReason(error)});
		return [];
	}

	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	const files: TranscriptFile[] = [];
	// `dir` is normalised and an entry's name is one segment, so this is path.join's result without its work, thousands of times.
	const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
	for (const entry of entries) {
		const full = prefix + entry.name;
		let isDir = entry.isDirectory();
		let isFile = entry.isFile();
		if (entry.isSymbolicLink()) {
			out.hasLinks = true;
			try {
				const target = statSync(full);
				isDir = target.isDirectory();
				isFile = target.isFile();
			} catch (error) {
				if (entry.name.endsWith('.jsonl')) out.unreadablePaths.push({path: full, reason: errorReason(error)});
				continue;
			}
		}

		if (isDir) {
			// A file's project is the folder below the root it sits in (as transcriptFileFor says, without a path.relative per file).
			for (const file of walk(full, out, visited, entry.isSymbolicLink(), found, projectSlug ?? entry.name)) files.push(file);
		} else if (isFile && entry.name.endsWith('.jsonl')) {
			const file = {path: full, projectSlug: projectSlug ?? ''};
			files.push(file);
			found.add(file);
		}
	}

	return files;
};

/** Hands the files found to `onMany` (see walkRoots) in batches, once there are `onMany.files` of them. */
class FoundFiles {
	private readonly batch: TranscriptFile[] = [];
	private count = 0;

	constructor(private readonly onMany?: {files: number; found: (files: readonly TranscriptFile[]) => void}) {}

	add(file: TranscriptFile): void {
		if (this.onMany === undefined) return;
		this.batch.push(file);
		if (++this.count >= this.onMany.files && this.batch.length >= Math.min(this.count, foundBatch)) this.flush();
	}

	flush(): void {
		if (this.onMany === undefined || this.count < this.onMany.files || this.batch.length === 0) return;
		this.onMany.found(this.batch.splice(0));
	}
}

/** Files per hand-over once there are many: a few workers' jobs. */
const foundBatch = 64;

/** The project folder of a transcript under one of `roots`, for files that appear later. */
export const transcriptFileFor = (roots: readonly string[], file: string): TranscriptFile | undefined => {
	for (const root of roots) {
		const relative = path.relative(root, file);
		if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
			const projectSlug = relative.split(path.sep)[0] ?? '';
			return {path: file, projectSlug: projectSlug.endsWith('.jsonl') ? '' : projectSlug};
		}
	}

	return undefined;
};

/**
 * Find transcripts: `<config>/projects/**\/*.jsonl` for every config dir. A
 * `--claude-dir` that has no `projects/` is searched itself, so pointing at a
 * projects folder directly also works. Roots reached twice (symlinks) count once.
 */
export const discoverTranscripts = async (options: DiscoverOptions = {}): Promise<Discovery> => walkRoots(await findRoots(options));

/**
 * Every transcript under the roots {@link findRoots} found. Once it has found
 * `onMany.files` of them, the walk hands every file to `onMany.found` as it goes,
 * in batches (the first holds all found so far, the last comes at its end), in
 * the order of the result: a caller can start on them while the walk goes on.
 */
export const walkRoots = async (
	{searched, roots}: {searched: string[]; roots: string[]},
	onMany?: {files: number; found: (files: readonly TranscriptFile[]) => void},
): Promise<Discovery> => {
	const out: Discovery = {searched, roots, files: [], unreadablePaths: [], dirs: [], walkedAtMs: Date.now(), hasLinks: false};
	const visited = new Set<string>();
	const found = new FoundFiles(onMany);
	for (const root of roots) {
		out.files.push(...walk(root, out, visited, true, found));
	}

	found.flush();

	return out;
};

/** Folders modified this recently are not trusted as unchanged (coarse-mtime filesystems). */
const settleMs = 2000;

/**
 * The file list saved with the index, if no folder changed since: every folder
 * still has the mtime it had when it was walked (so no entry was added, removed
 * or renamed), and none was modified just before that walk. Otherwise undefined:
 * walk again. Saves reading ~550 folders on a 1 GB history.
 */
export const reuseDiscovery = async (
	found: {searched: string[]; roots: string[]},
	/** `files` gives the saved list, built only when it is reused; `isTrusted` says which folders are taken as unchanged without a stat (quiet-check.ts). */
	saved: SavedDiscovery & {roots: readonly string[]; files: () => TranscriptFile[]; isTrusted?: ((dir: DirStamp) => boolean) | undefined},
): Promise<Discovery | undefined> => {
	if (saved.dirs.length === 0 || saved.roots.join('\n') !== found.roots.join('\n')) return undefined;
	// Synchronous: many small stats finish sooner in a loop than as promises.
	for (let position = 0; position < saved.dirs.length; position++) {
		const dir = saved.dirs[position]!;
		if (dir.mtimeMs >= saved.walkedAtMs - settleMs) return undefined;
		if (saved.isTrusted?.(dir) !== true && statSync(dir.path, {throwIfNoEntry: false})?.mtimeMs !== dir.mtimeMs) return undefined;
	}

	return {...found, files: saved.files(), unreadablePaths: [], dirs: [...saved.dirs], walkedAtMs: saved.walkedAtMs, hasLinks: saved.hasLinks};
};

/**
 * `previous` brought up to date, reading again only the folders whose mtime
 * changed (an entry added, removed or renamed), with what is below them: the
 * live dashboard's safety poll, every 2 minutes. With a `turn`, folders quiet
 * for days are looked at only on their session's turn (see PollTurn), and
 * listed in `carried` when not: a watcher may have found a file in one since.
 * Most polls find nothing changed and return `previous`'s lists as they are.
 * A walk from scratch when the roots changed, or when symbolic links are about
 * (or may be): the walk's loop and duplicate checks need all of it.
 *
 * At 4 GB (~9,500 folders, two per session) a walk reads them all (~80 ms)
 * and allocates an entry per file; the stats alone take ~45 ms; with turns,
 * ~1 in 5 of the quiet ones is stat'ed.
 */
export const rediscover = async (previous: Discovery, options: DiscoverOptions = {}, turn?: PollTurn): Promise<Discovery> => {
	const found = await findRoots(options);
	if (previous.hasLinks !== false || found.roots.join('\n') !== previous.roots.join('\n')) return walkRoots(found);
	const carried = new Set<string>();
	const isSame = (dir: DirStamp) => {
		if (turn !== undefined && !isDueOn(turn, dir.mtimeMs, dir.path, (dir.turnSlot ??= turnSlot(turn.roots, dir.path)))) {
			carried.add(dir.path);
			return true;
		}

		return dir.mtimeMs < previous.walkedAtMs - settleMs && statSync(dir.path, {throwIfNoEntry: false})?.mtimeMs === dir.mtimeMs;
	};

	// Synchronous: many small stats finish sooner in a loop than as promises.
	const firstChanged = previous.dirs.findIndex(dir => !isSame(dir));
	if (firstChanged === -1) return {...previous, ...found, carried};
	const out: Discovery = {...found, files: [], unreadablePaths: [], dirs: [], walkedAtMs: Date.now(), hasLinks: false, carried};
	const filesIn = new Map<string, TranscriptFile[]>();
	for (const file of previous.files) {
		const dir = path.dirname(file.path);
		const files = filesIn.get(dir);
		if (files === undefined) filesIn.set(dir, [file]);
		else files.push(file);
	}

	// Folders come parent first (the walk's order): a folder read again takes what is below it along.
	let walkedBelow: string | undefined;
	for (const [position, dir] of previous.dirs.entries()) {
		if (walkedBelow !== undefined && dir.path.startsWith(walkedBelow)) continue;
		walkedBelow = undefined;
		// Up to the first change, the first pass looked already (and noted what it carried).
		if (position < firstChanged || (position > firstChanged && isSame(dir))) {
			out.dirs.push(dir);
			for (const file of filesIn.get(dir.path) ?? []) out.files.push(file);
			continue;
		}

		walkedBelow = dir.path + path.sep;
		// Gone (with its parent read again, or about to be): nothing of it is left to find.
		if (!existsSync(dir.path)) continue;
		const isRoot = found.roots.includes(dir.path);
		for (const file of walk(dir.path, out, new Set(), false, new FoundFiles(), isRoot ? undefined : transcriptFileFor(found.roots, dir.path)?.projectSlug)) out.files.push(file);
		if (out.hasLinks) return walkRoots(found);
	}

	return out;
};
