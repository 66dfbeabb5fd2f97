import {readFileSync, statSync, writeFileSync, mkdirSync, renameSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Config} from '../../core/config/config-schema.js';
import {cacheDir} from '../dirs.js';

/** `$XDG_CONFIG_HOME/cctop/config.json` (default `~/.config/cctop/config.json`). */
export const configPath = (env: NodeJS.ProcessEnv = process.env): string => path.join(env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config'), 'cctop', 'config.json');

/** A config that cannot be used: the file, and one line per problem. */
export class ConfigError extends Error {
	constructor(
		readonly file: string,
		readonly problems: readonly string[],
	) {
		super(`${file}: ${problems.join('; ')}`);
	}
}

type Stamp = {file: string; size: number; mtimeMs: number; config: Config};

const stampPath = (): string => path.join(cacheDir(), 'config-checked.json');

/**
 * The user's preferences, validated with zod (configSchema). zod costs ~55 ms to
 * load and `cctop status` runs every few seconds, so a file already validated
 * at the same size and mtime is taken from a stamp in the cache dir instead:
 * the same config, checked once per change. No file: no preferences.
 */
export const readConfig = async (file = configPath()): Promise<Config> => {
	const stats = statSync(file, {throwIfNoEntry: false});
	if (stats === undefined) return {};
	try {
		const stamp = JSON.parse(readFileSync(stampPath(), 'utf8')) as Stamp;
		if (stamp.file === file && stamp.size === stats.size && stamp.mtimeMs === stats.mtimeMs) return stamp.config;
	} catch {
		// No stamp, or an unreadable one: validate.
	}

	let raw: unknown;
	try {
		raw = JSON.parse(readFileSync(file, 'utf8'));
	} catch (error) {
		throw new ConfigError(file, [error instanceof SyntaxError ? `not valid JSON (${error.message})` : ((error as NodeJS.ErrnoException).code ?? String(error))]);
	}

	const {configProblems} = await import('../../core/config/config-schema.js');
	const checked = configProblems(raw);
	if ('problems' in checked) throw new ConfigError(file, checked.problems);
	try {
		// Best effort, like every cache: a failed write only means validating again next time.
		mkdirSync(cacheDir(), {recursive: true});
		const temporary = `${stampPath()}.${process.pid}.tmp`;
		writeFileSync(temporary, JSON.stringify({file, size: stats.size, mtimeMs: stats.mtimeMs, config: checked.config} satisfies Stamp));
		renameSync(temporary, stampPath());
	} catch {
		// Read-only cache: fine.
	}

	return checked.config;
};
