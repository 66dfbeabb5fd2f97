import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {replaceJsonFile} from '../lazy-fs.js';
import type {DirStamp} from '../transcripts/discover.js';
import type {FileCursor} from '../transcripts/file-cursor.js';
import type {KnownStats} from './usage-handle.js';
import {hotDirTest, hotMs, isSweepDue} from './hot-tree.js';
import {cacheDir} from '../dirs.js';
import {quietAsIndexed, statTable} from './index-delta.js';
import {indexPath, loadIndex, type DecodedIndex} from './usage-index.js';

/**
 * What a one-shot report saw when it last stat'ed every transcript and folder:
 * the ones quiet since `quietBeforeMs` were all as the index named `identity`
 * has them. For the next {@link sweepMs} a report of that index stats only the
 * hot ones (see hot-tree.ts), the status line's rule: at 20,000 transcripts the
 * stats were half of a warm report. Written only by a run that has just stat'ed
 * them all itself, never carried on from another check.
 */
export type QuietCheck = {identity: string; checkedAtMs: number; quietBeforeMs: number};

/** Beside `index-v8-<roots>.bin`: `quiet-v1-<roots>.json`. */
const quietCheckPath = (indexFile: string): string => path.join(path.dirname(indexFile), path.basename(indexFile).replace(/^index-v\d+-/, 'quiet-v1-').replace(/\.bin$/, '.json'));

/** The check of the index named `identity`, while it is recent (on the wall clock); else undefined. */
export const readQuietCheck = (indexFile: string, identity: string, wallMs: number): QuietCheck | undefined => {
	try {
		const check = JSON.parse(readFileSync(quietCheckPath(indexFile), 'utf8')) as Partial<QuietCheck>;
		if (check.identity !== identity || typeof check.checkedAtMs !== 'number' || typeof check.quietBeforeMs !== 'number') return undefined;
		return isSweepDue(check.checkedAtMs, wallMs) ? undefined : (check as QuietCheck);
	} catch {
		return undefined;
	}
};

/** The check a full look starting at `wallMs` makes, when it finds every quiet file as the index has it. */
export const quietCheckAt = (identity: string, wallMs: number): QuietCheck => ({identity, checkedAtMs: wallMs, quietBeforeMs: wallMs - hotMs});

/** Written to a temp file and renamed; a failure costs the next report its speed, never its answer. */
export const writeQuietCheck = async (indexFile: string, check: QuietCheck): Promise<void> => replaceJsonFile(quietCheckPath(indexFile), check);

/**
 * What a check lets a report take as unchanged: the files quiet since its
 * `quietBeforeMs` (by their cursors' mtimes), and the folders that are not hot
 * with the files that are (see hotDirTest).
 */
export const quietParts = (index: DecodedIndex, check: QuietCheck) => {
	const hotFiles: string[] = [];
	const isQuiet = new Uint8Array(index.paths.length);
	for (let position = 0; position < index.paths.length; position++) {
		if (index.mtimeAt(position) < check.quietBeforeMs) isQuiet[position] = 1;
		else hotFiles.push(index.paths[position]!);
	}

	const isHotDir = hotDirTest(hotFiles, index.roots, check.quietBeforeMs);
	return {
		isQuietFile: (position: number) => isQuiet[position] === 1,
		isQuietDir: (dir: DirStamp) => !isHotDir(dir),
	};
};

/** The cursors of the files a check takes as unchanged, by path: stats a live open takes as known (see pollAll). */
export const quietCursors = (index: DecodedIndex, isQuietFile: (position: number) => boolean): KnownStats => {
	const known = new Map<string, FileCursor>();
	for (let position = 0; position < index.paths.length; position++) if (isQuietFile(position)) known.set(index.paths[position]!, index.cursorAt(position));
	return known;
};

/**
 * The status line's background sweep (every {@link sweepMs} while status lines
 * run) looks at the index's quiet files and folders too, and writes the check
 * when they are as the index has them: a tmux user's reports then stat only
 * the hot ones all day. Hot files and folders need no look (a report stats them).
 */
export const checkQuietFiles = async (roots: readonly string[]): Promise<void> => {
	const wallMs = Date.now();
	const indexFile = indexPath(cacheDir(), roots);
	const index = await loadIndex(indexFile);
	if (index === undefined || 'problem' in index || index.discovery === undefined) return;
	const check = quietCheckAt(index.identity, wallMs);
	const {isQuietDir} = quietParts(index, check);
	for (const dir of index.discovery.dirs) {
		if (isQuietDir(dir) && statSync(dir.path, {throwIfNoEntry: false})?.mtimeMs !== dir.mtimeMs) return;
	}

	const stats = statTable(index.paths, position => index.mtimeAt(position) >= check.quietBeforeMs);
	if (quietAsIndexed(index, stats, check.quietBeforeMs)) await writeQuietCheck(indexFile, check);
};
