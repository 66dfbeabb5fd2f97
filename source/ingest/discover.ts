import {readdir, realpath, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A transcript file and the project folder it sits in. */
/** A transcript file and the project folder it sits in. */
export type TranscriptFile = {path: string; projectSlug: string};

export type Discovery = {
	/** Directories searched for `projects/`, in order, for the "looked in" message. */
	searched: string[];
	/** `projects/` roots that exist. */
	roots: string[];
	files: TranscriptFile[];
	unreadablePaths: Array<{path: string; reason: string}>;
};

export type DiscoverOptions = {
	claudeDirs?: readonly string[];
	env?: NodeJS.ProcessEnv;
	homeDir?: string;
};

/**
 * Candidate config dirs: `--claude-dir` (repeatable) overrides everything, then
 * the comma-separated `CLAUDE_CONFIG_DIR`, then `~/.config/claude` and `~/.claude`.
 */
export const configDirCandidates = ({claudeDirs = [], env = process.env, homeDir = os.homedir()}: DiscoverOptions): string[] => {
	if (claudeDirs.length > 0) {
		return claudeDirs.map(dir => path.resolve(dir));
	}

	const fromEnv = (env['CLAUDE_CONFIG_DIR'] ?? '')
		.split(',')
		.map(dir => dir.trim())
		.filter(Boolean);
	if (fromEnv.length > 0) {
		return fromEnv.map(dir => path.resolve(dir));
	}

	const xdgConfig = env['XDG_CONFIG_HOME'] || path.join(homeDir, '.config');
	return [path.join(xdgConfig, 'claude'), path.join(homeDir, '.claude')];
};

const isDirectory = async (dir: string): Promise<boolean> => {
	try {
		return (await stat(dir)).isDirectory();
	} catch {
		return false;
	}
};

const errorReason = (error: unknown): string =>
	error instanceof Error && 'code' in error ? String((error as NodeJS.ErrnoException).code) : String(error);

/**
 * Every `*.jsonl` below `dir`, in name order, depth first. Sibling folders are read
 * concurrently (the order of the result does not depend on it). Symlinks are
 * followed, with a visited set of real paths against loops; an unreadable folder
 * or a dangling link is reported, not fatal.
 */
const walk = async (root: string, dir: string, out: Discovery, visited: Set<string>, isLink = false): Promise<TranscriptFile[]> => {
	let entries;
	try {
		// Only a symlink can lead back into a folder already walked; plain folders skip the realpath call.
		if (isLink) {
			const real = await realpath(dir);
			if (visited.has(real)) return [];
			visited.add(real);
		}

		entries = await readdir(dir, {withFileTypes: true});
	} catch (error) {
		out.unreadablePaths.push({path: dir, reason: errorReason(error)});
		return [];
	}

	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	const found = await Promise.all(
		entries.map(async (entry): Promise<TranscriptFile[]> => {
			const full = path.join(dir, entry.name);
			let isDir = entry.isDirectory();
			let isFile = entry.isFile();
			if (entry.isSymbolicLink()) {
				try {
					const target = await stat(full);
					isDir = target.isDirectory();
					isFile = target.isFile();
				} catch (error) {
					if (entry.name.endsWith('.jsonl')) out.unreadablePaths.push({path: full, reason: errorReason(error)});
					return [];
				}
			}

			if (isDir) return walk(root, full, out, visited, entry.isSymbolicLink());
			return isFile && entry.name.endsWith('.jsonl') ? [transcriptFileFor([root], full)!] : [];
		}),
	);
	return found.flat();
};

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

/** The config dirs searched and the `projects/` roots among them, without walking them yet. */
export const findRoots = async (options: DiscoverOptions = {}): Promise<{searched: string[]; roots: string[]}> => {
	const searched = configDirCandidates(options);
	const isExplicit = (options.claudeDirs?.length ?? 0) > 0;
	const roots: string[] = [];
	const real = new Set<string>();
	for (const dir of searched) {
		let root = path.join(dir, 'projects');
		if (!(await isDirectory(root))) {
			if (!isExplicit || !(await isDirectory(dir))) continue;
			root = dir;
		}

		const resolved = await realpath(root).catch(() => root);
		if (real.has(resolved)) continue;
		real.add(resolved);
		roots.push(root);
	}

	return {searched, roots};
};

/** Every transcript under the roots {@link findRoots} found. */
export const walkRoots = async ({searched, roots}: {searched: string[]; roots: string[]}): Promise<Discovery> => {
	const out: Discovery = {searched, roots, files: [], unreadablePaths: []};
	const visited = new Set<string>();
	for (const root of roots) {
		out.files.push(...(await walk(root, root, out, visited, true)));
	}

	return out;
};
