import {closeSync, existsSync, openSync, rmSync, statSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import type {Options} from '../options.js';

/** Set in the environment of the background sweep (see {@link startSweep}). */
export const sweepVariable = 'CCTOP_STATUS_SWEEP';
/** A sweep lock older than this was left by a sweep that died. */
const staleSweepMs = 60_000;

/**
 * Start the snapshot's sweep (see `hotMs` in ingest/index/status-snapshot.ts)
 * in a detached `cctop status` that stats every file, writes the snapshot and
 * prints nothing, so no status line waits for it. An exclusive lock file keeps
 * it to one sweep at a time when several panes ask at once. `session` starts
 * it too, when it takes the last sweep's stats of the quiet files.
 */
export const startSweep = async (file: string, options: Options) => {
	// Built, every chunk sits beside cli.js (see rolldown.config.mjs). Run from
	// source (the tests), there is no built CLI to start: they sweep by hand.
	const cli = fileURLToPath(new URL('cli.js', import.meta.url));
	if (!existsSync(cli)) return;
	const lock = `${file}.sweep`;
	try {
		closeSync(openSync(lock, 'wx'));
	} catch {
		const startedMs = statSync(lock, {throwIfNoEntry: false})?.mtimeMs;
		if (startedMs !== undefined && Date.now() - startedMs > staleSweepMs) rmSync(lock, {force: true});
		return;
	}

	// Loaded only to start a sweep; not import(): in the CommonJS fast path that starts Node's ES module loader (~6 ms).
	const {spawn} = process.getBuiltinModule('node:child_process');
	const args = [cli, 'status', '--session-length', String(options.sessionLength), '--mode', options.mode, ...options.claudeDir.flatMap(dir => ['--claude-dir', dir])];
	if (options.pricing !== undefined) args.push('--pricing', options.pricing);
	if (options.now !== undefined) args.push('--now', new Date(options.now).toISOString());
	// It reads the code cache but leaves writing it to the status lines: what a sweep compiles is not what they need (code-cache.ts).
	const codeCache = process.env['CCTOP_CODE_CACHE'] === 'off' ? 'off' : 'read';
	spawn(process.execPath, args, {detached: true, stdio: 'ignore', env: {...process.env, [sweepVariable]: '1', CCTOP_CODE_CACHE: codeCache}}).unref();
};
