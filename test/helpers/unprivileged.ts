import {execFileSync, spawnSync, type SpawnSyncReturns} from 'node:child_process';
import {chmod, chown, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const nobody = 65_534;
const isRoot = process.getuid?.() === 0;

/**
 * The built CLI, runnable by a user that mode 000 stops. Root reads through any
 * permission, so as root the CLI runs as `nobody`, from a world-readable copy of
 * dist/ and node_modules/ made of hard links (the clone itself may sit under a
 * 0700 folder `nobody` cannot enter). Folders the CLI must write get `own`.
 */
export type UnprivilegedCli = {
	run: (args: readonly string[], env?: Record<string, string>) => SpawnSyncReturns<string>;
	/** Give `nobody` a folder (no-op when not root). */
	own: (dir: string) => Promise<void>;
	/** A folder under a world-traversable temp dir, for fixtures the CLI reads. */
	dir: string;
	cleanup: () => Promise<void>;
};

export const unprivilegedCli = async (): Promise<UnprivilegedCli> => {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-unpriv-'));
	await chmod(dir, 0o755);
	let cli = path.resolve('dist/cli.js');
	if (isRoot) {
		const app = path.join(dir, 'app');
		execFileSync('mkdir', [app]);
		execFileSync('cp', ['-al', path.resolve('dist'), path.resolve('node_modules'), path.resolve('package.json'), app]);
		await chmod(app, 0o755);
		cli = path.join(app, 'dist', 'cli.js');
	}

	const own = async (folder: string) => {
		if (isRoot) execFileSync('chown', ['-R', `${nobody}:${nobody}`, folder]);
		else await chmod(folder, 0o755);
	};

	return {
		dir,
		own,
		run: (args, env = {}) =>
			spawnSync(process.execPath, [cli, ...args], {
				...(isRoot ? {uid: nobody, gid: nobody} : {}),
				encoding: 'utf8',
				env: {PATH: process.env['PATH'] ?? '', HOME: dir, TZ: 'UTC', ...env},
			}),
		cleanup: async () => rm(dir, {recursive: true, force: true}),
	};
};

/** chown a file or folder to nobody when running as root (for files the unprivileged CLI must read). */
export const giveToNobody = async (target: string): Promise<void> => {
	if (isRoot) await chown(target, nobody, nobody);
};
