import {closeSync, openSync, statSync, unlinkSync} from 'node:fs';
import {sleepSync} from './sleep-sync.js';

/** A lock older than this was left by a process that died. */
const staleMs = 10_000;
/** After this long the work goes ahead anyway: the records matter more than the chain, and verify would name a fork. */
const patienceMs = 5000;

/** Remove the lock; gone already is fine. (`rmSync` would load Node's rimraf, ~0.5 ms of a guard hook.) */
const release = (lock: string): void => {
	try {
		unlinkSync(lock);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
};

const tryTake = (lock: string): boolean => {
	try {
		closeSync(openSync(lock, 'wx'));
		return true;
	} catch {
		const age = Date.now() - (statSync(lock, {throwIfNoEntry: false})?.mtimeMs ?? Date.now());
		if (age > staleMs) release(lock);
		return false;
	}
};

/**
 * Hold `<file>.lock` (created exclusively) while `work` runs, so processes that
 * append to one hash-chained file (`cctop serve` and `cctop run` to the spool,
 * parallel guard hooks to the guard's record) never chain two lines onto the
 * same head.
 */
export const withFileLock = async <T>(file: string, work: () => Promise<T>): Promise<T> => {
	const lock = `${file}.lock`;
	let held = false;
	for (let waited = 0; waited < patienceMs && !held; waited += 5) {
		held = tryTake(lock);
		if (!held) await new Promise(resolve => setTimeout(resolve, 5));
	}

	try {
		return await work();
	} finally {
		if (held) release(lock);
	}
};

/** The same for synchronous work (the guard hook writes its decision and exits). */
export const withFileLockSync = <T>(file: string, work: () => T): T => {
	const lock = `${file}.lock`;
	let held = false;
	for (let waited = 0; waited < patienceMs && !held; waited += 5) {
		held = tryTake(lock);
		if (!held) sleepSync(5);
	}

	try {
		return work();
	} finally {
		if (held) release(lock);
	}
};
