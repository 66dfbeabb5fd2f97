import os from 'node:os';
import path from 'node:path';
import {fsp} from './lazy-fs.js';

// The two folders every cctop process shares (SPEC §1). The cache can be deleted
// at any time and is rebuilt; the data dir holds what cannot be read again.

/** Where the index and the status snapshot live: `$CCTOP_CACHE_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/cctop`. */
export const cacheDir = (env: NodeJS.ProcessEnv = process.env): string =>
	env['CCTOP_CACHE_DIR'] || path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'cctop');

/** The budgets file by default: `$XDG_CONFIG_HOME/cctop/budgets.json` (default `~/.config/cctop/budgets.json`). */
export const defaultBudgetsPath = (env: NodeJS.ProcessEnv = process.env): string => path.join(env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config'), 'cctop', 'budgets.json');

/** Where the OpenTelemetry spool and the official rate-limit reading live: `$CCTOP_DATA_DIR`, else `${XDG_DATA_HOME:-~/.local/share}/cctop`. */
export const dataDir = (env: NodeJS.ProcessEnv = process.env): string =>
	env['CCTOP_DATA_DIR'] || path.join(env['XDG_DATA_HOME'] || path.join(os.homedir(), '.local', 'share'), 'cctop');

/** `<name>.<pid>.tmp` or `<name>.<pid>.<ms>.tmp`: a write in progress, renamed into place when done. */
const tempName = /\.(\d+)(?:\.\d+)?\.tmp$/;

const isRunning = (pid: number): boolean => {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: alive, someone else's.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
};

/**
 * Remove temp files whose writer is gone: a process killed mid-write (kill -9,
 * a full disk, a power cut) never renames its temp file, and at 200 MB of
 * history an index's is ~8 MB. A live writer's temp file is left alone.
 * Returns the names removed; never throws.
 */
export const sweepStaleTemps = async (dir: string): Promise<string[]> => {
	const {readdir, rm} = fsp();
	const names = await readdir(dir).catch(() => [] as string[]);
	const stale = names.filter(name => {
		const pid = Number(tempName.exec(name)?.[1]);
		return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !isRunning(pid);
	});
	await Promise.all(stale.map(async name => rm(path.join(dir, name), {force: true}).catch(() => undefined)));
	return stale;
};
