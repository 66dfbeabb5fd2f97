import {statSync} from 'node:fs';
import {replaceJsonFile} from '../lazy-fs.js';
import type {DirStamp} from '../transcripts/discover.js';
import type {FileCursor} from '../transcripts/file-cursor.js';
import type {KnownStats} from './usage-handle.js';
import {hotDirTest} from './hot-tree.js';
import {quietCheckAt, quietCheckPath, type QuietCheck} from './quiet-check-file.js';
import {cacheDir} from '../dirs.js';
import {quietAsIndexed, statTable} from './index-delta.js';
import {indexPath, loadIndex, type DecodedIndex} from './usage-index.js';

export {quietCheckAt, readQuietCheck, type QuietCheck} from './quiet-check-file.js';

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
