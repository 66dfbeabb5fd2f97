import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {cacheDir} from '../dirs.js';

/** A file that cannot be used: the file, and one line per problem (`field: reason`). */
export class ConfigError extends Error {
	constructor(
		readonly file: string,
		readonly problems: readonly string[],
	) {
		super(`${file}: ${problems.join('; ')}`);
		this.name = 'ConfigError';
	}
}

type Stamp<T> = {file: string; size: number; mtimeMs: number; value: T};

/**
 * A JSON file validated by `check` (zod, loaded by the caller only when needed),
 * or undefined when there is no file. zod costs ~55 ms to load and `cctop status`
 * and the guard hook run every few seconds, so a file already validated at the
 * same size and mtime is taken from a stamp in the cache dir: checked once per change.
 */
export const readValidated = async <T>(
	file: string,
	stampName: string,
	check: (raw: unknown) => Promise<{value: T} | {problems: string[]}>,
): Promise<T | undefined> => {
	const stats = statSync(file, {throwIfNoEntry: false});
	if (stats === undefined) return undefined;
	const stampPath = path.join(cacheDir(), stampName);
	try {
		const stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as Stamp<T>;
		// A stamp of another shape (an older cctop's) has no `value`: validate again.
		if (stamp.file === file && stamp.size === stats.size && stamp.mtimeMs === stats.mtimeMs && stamp.value !== undefined) return stamp.value;
	} catch {
		// No stamp, or an unreadable one: validate.
	}

	let raw: unknown;
	try {
		raw = JSON.parse(readFileSync(file, 'utf8'));
	} catch (error) {
		throw new ConfigError(file, [error instanceof SyntaxError ? `not valid JSON (${error.message})` : ((error as NodeJS.ErrnoException).code ?? String(error))]);
	}

	const checked = await check(raw);
	if ('problems' in checked) throw new ConfigError(file, checked.problems);
	try {
		// Best effort, like every cache: a failed write only means validating again next time.
		mkdirSync(cacheDir(), {recursive: true});
		const temporary = `${stampPath}.${process.pid}.tmp`;
		writeFileSync(temporary, JSON.stringify({file, size: stats.size, mtimeMs: stats.mtimeMs, value: checked.value} satisfies Stamp<T>));
		renameSync(temporary, stampPath);
	} catch {
		// Read-only cache: fine.
	}

	return checked.value;
};
