/**
 * node:fs/promises, loaded when first used. A static import loads it with its
 * chunk, and it brings readline and the fs watchers (~2 ms): the status lines
 * and `session --list` that find nothing new never write, so never need it.
 */
export const fsp = () => process.getBuiltinModule('node:fs/promises');

/**
 * `value` as JSON in `file`, through a temp file and a rename, so a reader
 * sees the old file or the new one. For caches beside the index: a write that
 * fails costs the next run its speed, never its answer, and is not reported.
 */
export const replaceJsonFile = async (file: string, value: unknown): Promise<void> => {
	const temporary = `${file}.${process.pid}.tmp`;
	try {
		await fsp().writeFile(temporary, JSON.stringify(value));
		await fsp().rename(temporary, file);
	} catch {
		await fsp().rm(temporary, {force: true}).catch(() => undefined);
	}
};
