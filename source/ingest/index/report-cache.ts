import {readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {isUnchanged} from '../transcripts/file-cursor.js';
import {identityOfFile} from './index-file.js';
import {readQuietCheck, type QuietCheck} from './quiet-check-file.js';

// Why: a warm `report` that finds nothing changed prints what the last
// one printed, yet it loaded ~370 KB of code, read ~4 MB of index and rebuilt
// 800 blocks to do so (~90 ms beyond Node's start at 1 GB, against ccusage's
// ~2.7 s: the 0.05× needs ~135 ms in all). The status line keeps a
// snapshot for the same reason. Here the last such report's output is kept with
// what it found unchanged, and the next report prints it when it finds the same,
// looking exactly where a warm report under the same quiet check looks: the
// index's identity, the hot transcripts and the hot folders (quiet-check.ts).

type Stats = {dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number};

/** What a warm report under a quiet check looked at, as it found it: what the next must find as it is to print the same. */
export type ReportBasis = {
	indexFile: string;
	identity: string;
	check: QuietCheck;
	/** The hot transcripts (a warm report stats each, and reads what was appended past the index). */
	files: ReadonlyArray<{path: string; stats: Stats}>;
	/** The hot folders and their mtimes (a warm report stats each: a new transcript changes its folder's). */
	dirs: ReadonlyArray<{path: string; mtimeMs: number}>;
};

type Saved = {
	v: 1;
	key: string;
	/** The report's time: a later one sees the same finished blocks, an earlier one may not. */
	nowMs: number;
	identity: string;
	checkedAtMs: number;
	quietBeforeMs: number;
	/** Path, dev, ino, size, mtimeMs, ctimeMs. */
	files: Array<[string, number, number, number, number, number]>;
	dirs: Array<[string, number]>;
	stderr: string;
};

/** Beside `index-v<n>-<roots>.bin`: `report-v1-<roots>.bin`, one JSON line then the output's bytes. */
const cachePath = (indexFile: string): string => path.join(path.dirname(indexFile), path.basename(indexFile).replace(/^index-v\d+-/, 'report-v1-'));

/** What the last report of `key` printed, when everything a warm report would look at is as it found it; else undefined. */
export const readCachedReport = (indexFile: string, key: string, nowMs: number, wallMs: number): {stdout: Uint8Array; stderr: string} | undefined => {
	let bytes: Buffer;
	let saved: Saved;
	let end: number;
	try {
		bytes = readFileSync(cachePath(indexFile));
		end = bytes.indexOf(0x0a);
		if (end === -1) return undefined;
		saved = JSON.parse(bytes.toString('utf8', 0, end)) as Saved;
	} catch {
		return undefined;
	}

	if (saved.v !== 1 || saved.key !== key || !(nowMs >= saved.nowMs)) return undefined;
	// The same check, still recent: then a warm report would stat exactly these files and folders.
	const check = readQuietCheck(indexFile, saved.identity, wallMs);
	if (check?.checkedAtMs !== saved.checkedAtMs || check.quietBeforeMs !== saved.quietBeforeMs) return undefined;
	if (identityOfFile(indexFile) !== saved.identity) return undefined;
	// A stat that fails (a folder on the way lost its permissions) is a change: the report made deals with it.
	try {
		for (const [dir, mtimeMs] of saved.dirs) if (statSync(dir, {throwIfNoEntry: false})?.mtimeMs !== mtimeMs) return undefined;
		for (const [file, dev, ino, size, mtimeMs, ctimeMs] of saved.files) {
			const stats = statSync(file, {throwIfNoEntry: false});
			if (stats === undefined || !isUnchanged(stats, {dev, ino, size, mtimeMs, ctimeMs, offset: 0, check: 0})) return undefined;
		}
	} catch {
		return undefined;
	}

	return {stdout: bytes.subarray(end + 1), stderr: saved.stderr};
};

/** Keep what a report of `key` printed at `nowMs` on `basis`; a failure costs the next report its speed, never its answer. */
export const writeCachedReport = (basis: ReportBasis, key: string, nowMs: number, output: {stdout: Uint8Array; stderr: string}): void => {
	const saved: Saved = {
		v: 1,
		key,
		nowMs,
		identity: basis.identity,
		checkedAtMs: basis.check.checkedAtMs,
		quietBeforeMs: basis.check.quietBeforeMs,
		files: basis.files.map(({path: file, stats}) => [file, stats.dev, stats.ino, stats.size, stats.mtimeMs, stats.ctimeMs]),
		dirs: basis.dirs.map(dir => [dir.path, dir.mtimeMs]),
		stderr: output.stderr,
	};
	const file = cachePath(basis.indexFile);
	const temporary = `${file}.${process.pid}.tmp`;
	try {
		writeFileSync(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(saved)}\n`), output.stdout]));
		renameSync(temporary, file);
	} catch {
		rmSync(temporary, {force: true});
	}
};
