import {appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {dataDir} from './dirs.js';
import {chainHead, chainLines} from './otel/spool-chain.js';
import {withFileLockSync} from './file-lock.js';

// What `cctop guard` leaves in the data dir: its decisions (read by `cctop audit`),
// its own failures (shown by `cctop doctor`), and which warnings a session has seen.

/** One guard decision, in `cctop audit --json`'s shape. */
export type GuardRecord = {timestamp: string; event: 'guard'; user: string; sessionId: string | null; tool: string | null; decision: 'allow' | 'warn' | 'block'; source: string; detail: string};

export const guardDecisionsPath = (dir = dataDir()): string => path.join(dir, 'guard-decisions.jsonl');
export const guardFailuresPath = (dir = dataDir()): string => path.join(dir, 'guard-failures.log');
const warnedPath = (dir: string): string => path.join(dir, 'guard-warned.json');

/** Append one line; a line under PIPE_BUF is written whole even when hooks run at once. */
const appendLine = (file: string, line: string): void => {
	mkdirSync(path.dirname(file), {recursive: true});
	appendFileSync(file, `${line}\n`);
};

/** Append a decision, chained like the spool (see spool-chain.ts), so `cctop audit verify` can check the guard's record too. */
export const recordDecision = (record: GuardRecord, dir = dataDir()): void => {
	const file = guardDecisionsPath(dir);
	mkdirSync(dir, {recursive: true});
	// Parallel tool calls run their PreToolUse hooks at once: one decision at a time, or the chain forks.
	withFileLockSync(file, () => appendLine(file, chainLines([JSON.stringify(record)], chainHead(file)).text.trimEnd()));
};

/** `2026-12-02T19:30:00.000Z <reason>`: one line per failure, for `cctop doctor`. */
export const recordFailure = (reason: string, nowMs: number, dir = dataDir()): void => {
	try {
		appendLine(guardFailuresPath(dir), `${new Date(nowMs).toISOString()} ${reason.replaceAll(/\s+/g, ' ').trim()}`);
	} catch {
		// Nowhere to write: failing open is all that is left.
	}
};

/** The guard's failures: how many, and the latest line; undefined when there are none. */
export const readFailures = (dir = dataDir()): {count: number; latest: string} | undefined => {
	let text: string;
	try {
		text = readFileSync(guardFailuresPath(dir), 'utf8');
	} catch {
		return undefined;
	}

	const lines = text.split('\n').filter(line => line.trim() !== '');
	return lines.length === 0 ? undefined : {count: lines.length, latest: lines.at(-1)!};
};

/**
 * Whether this warning (a session, a budget, a level) was shown before, noting
 * it if not: a warning tells the user once per step (80%, 90%, over), not on
 * every tool call. Kept to the last 500 so the file stays small.
 */
export const isFirstWarning = (key: string, dir = dataDir()): boolean => {
	let keys: string[] = [];
	try {
		keys = JSON.parse(readFileSync(warnedPath(dir), 'utf8')) as string[];
		if (!Array.isArray(keys)) keys = [];
	} catch {
		// None yet.
	}

	if (keys.includes(key)) return false;
	mkdirSync(dir, {recursive: true});
	const temporary = `${warnedPath(dir)}.${process.pid}.tmp`;
	writeFileSync(temporary, JSON.stringify([...keys, key].slice(-500)));
	renameSync(temporary, warnedPath(dir));
	return true;
};

/** The guard's recorded decisions, oldest first; lines that cannot be read are counted, not dropped silently. */
export const readDecisions = (dir = dataDir()): {records: GuardRecord[]; bad: number} => {
	let text: string;
	try {
		text = readFileSync(guardDecisionsPath(dir), 'utf8');
	} catch {
		return {records: [], bad: 0};
	}

	const records: GuardRecord[] = [];
	let bad = 0;
	for (const line of text.split('\n')) {
		if (line.trim() === '') continue;
		try {
			// The chain's fields (p, h) are not part of the record.
			const value = JSON.parse(line) as Partial<GuardRecord> & {p?: string; h?: string};
			delete value.p;
			delete value.h;
			if (value.event === 'guard' && typeof value.timestamp === 'string' && typeof value.decision === 'string') records.push(value as GuardRecord);
			else bad++;
		} catch {
			bad++;
		}
	}

	return {records, bad};
};
