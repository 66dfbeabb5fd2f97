import path from 'node:path';

/**
 * Claude Code appends only to live sessions (a resumed one gets a new file), so
 * between sweeps a one-shot command stats only the hot part of the tree:
 * transcripts written in the last `hotMs`, project folders (a new session
 * changes its folder's mtime), folders written lately and a live session's own
 * folders (its subagents). The rest of a history, thousands of files, is taken
 * as the last full look saw it. Every `sweepMs` (wall clock) everything is
 * stat'ed again, so an append to a file quiet for hours still shows within that
 * time. The status snapshot (status-snapshot.ts) and the report's quiet check
 * (quiet-check.ts) draw the parts with the same rules.
 */
export const hotMs = 6 * 3_600_000;
export const sweepMs = 10 * 60_000;

/** Whether a full look at `sweptAtMs` is due again (a clock set back counts too). */
export const isSweepDue = (sweptAtMs: number, wallMs: number): boolean => wallMs - sweptAtMs >= sweepMs || wallMs < sweptAtMs;

/** The project folder `dir` sits in (a root's child), or the root itself. */
const projectOf = (dir: string, roots: readonly string[]): string => {
	for (const root of roots) {
		if (dir === root) return root;
		if (dir.startsWith(root) && dir[root.length] === path.sep) {
			const end = dir.indexOf(path.sep, root.length + 1);
			return end === -1 ? dir : dir.slice(0, end);
		}
	}

	return dir;
};

/**
 * Which folders are hot, given the hot transcripts: roots and project folders,
 * folders written since `quietBeforeMs`, and a live session's own folders:
 * `<project>/<session>/` (named for its transcript) and everything in it, where
 * its subagents' transcripts appear, plus the folders holding a hot transcript.
 */
export const hotDirTest = (hotFiles: Iterable<string>, roots: readonly string[], quietBeforeMs: number): ((dir: {path: string; mtimeMs: number}) => boolean) => {
	const liveFolders = new Set<string>();
	for (const file of hotFiles) {
		liveFolders.add(file.replace(/\.jsonl$/, ''));
		const project = projectOf(path.dirname(file), roots);
		for (let dir = path.dirname(file); dir.length > project.length; dir = path.dirname(dir)) liveFolders.add(dir);
	}

	// Cheapest test first: at 4 GB a report asks this of ~9,500 folders.
	return dir => {
		if (dir.mtimeMs >= quietBeforeMs) return true;
		const project = projectOf(dir.path, roots);
		if (project === dir.path) return true;
		if (liveFolders.size === 0) return false;
		// The folder or one above it, up to its project folder, is a live session's.
		for (let at = dir.path; at.length > project.length; at = at.slice(0, at.lastIndexOf(path.sep))) {
			if (liveFolders.has(at)) return true;
		}

		return false;
	};
};
