import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {OfficialWindow} from '../../core/usage/official-windows.js';
import {dataDir} from '../dirs.js';

/** The newest official rate-limit reading Claude Code sent, with when cctop first received it. */
export type OfficialReading = {recordedAtMs: number; fiveHour: OfficialWindow | undefined; sevenDay: OfficialWindow | undefined};

const readingFile = (dir: string): string => path.join(dir, 'rate-limits.json');

const isWindow = (value: unknown): value is OfficialWindow =>
	typeof value === 'object' && value !== null && Number.isFinite((value as OfficialWindow).usedPercentage) && Number.isFinite((value as OfficialWindow).resetsAtMs);

const sameWindow = (a: OfficialWindow | undefined, b: OfficialWindow | undefined): boolean =>
	a === undefined || b === undefined ? a === b : a.usedPercentage === b.usedPercentage && a.resetsAtMs === b.resetsAtMs;

/** The recorded reading, or undefined when there is none or it is unreadable (never an error). */
export const readOfficial = (dir = dataDir()): OfficialReading | undefined => {
	try {
		const raw = JSON.parse(readFileSync(readingFile(dir), 'utf8')) as Partial<OfficialReading>;
		if (!Number.isFinite(raw.recordedAtMs)) return undefined;
		return {recordedAtMs: raw.recordedAtMs!, fiveHour: isWindow(raw.fiveHour) ? raw.fiveHour : undefined, sevenDay: isWindow(raw.sevenDay) ? raw.sevenDay : undefined};
	} catch {
		return undefined;
	}
};

/**
 * Keep `reading` if it is newer than the recorded one. Several cctop processes
 * write here (every Claude Code session runs the statusLine): the file is
 * replaced by rename, so a reader sees the old reading or the new, never half.
 */
export const recordOfficial = (reading: OfficialReading, dir = dataDir()): void => {
	const current = readOfficial(dir);
	if (current !== undefined && current.recordedAtMs > reading.recordedAtMs) return;
	// The same numbers again (most status lines between two requests): nothing to write (the rename alone is ~0.4 ms).
	if (current !== undefined && sameWindow(current.fiveHour, reading.fiveHour) && sameWindow(current.sevenDay, reading.sevenDay)) return;
	// Synchronous: a few hundred bytes, written on every status line Claude Code asks for,
	// sooner without the thread pool (and without loading node:fs/promises).
	mkdirSync(dir, {recursive: true});
	const temporary = `${readingFile(dir)}.${process.pid}.${Date.now()}.tmp`;
	writeFileSync(temporary, JSON.stringify(reading));
	renameSync(temporary, readingFile(dir));
};
