import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

// Why: V8 compiles every chunk a run loads, and every function it calls, from
// source, each run; a status line spent a third of its own time there. A code
// cache holds what V8 compiled: its bytecode, loaded instead (measured at 1 GB:
// -3 to -10 ms a status line, -6 to -18 ms a warm report). Node 22 has one built
// in (module.enableCompileCache); Node 20, which the machines run, has none.

/** The commands run often enough to keep a cache of their own: what a run compiles depends on the command. */
const profiles = new Set(['status', 'statusline', 'guard', 'session', 'report']);

/** Node's CommonJS Module class (what `node:module` exports), the parts used here. */
export type ModuleClass = {prototype: object; wrap: (content: string) => string; enableCompileCache?: (dir: string) => unknown};

export type CodeCacheOptions = {
	/**
	 * Not imported: in Node 20, `import 'node:module'` starts the ES module loader
	 * (~6 ms), which the status lines never need. The cli passes the main module's class.
	 */
	Module: ModuleClass | undefined;
	argv: readonly string[];
	/** `$CCTOP_CODE_CACHE`: `off` uses none; `read` uses one but never writes it (the status sweep, see start-sweep.ts). */
	env: NodeJS.ProcessEnv;
	/** The build's folder: only the chunks right in it are cached. */
	ownDir: string;
};

/**
 * ingest/dirs.ts's cacheDir, restated: the entry imports no module its chunks
 * share, or the build would put that module in a chunk the entry loads first.
 */
const cacheDirOf = (env: NodeJS.ProcessEnv): string => env['CCTOP_CACHE_DIR'] || path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'cctop');

export type CodeCache = {
	/** Chunks loaded so far through the cache, and compiled without it (none yet, or V8 refused it). */
	counts: () => {cached: number; compiled: number};
	/** Write the cache of every chunk compiled without one, or loaded from a first entry; run at exit. */
	save: () => void;
	/** Give Node its own compiler back (tests). */
	stop: () => void;
};

type Compilable = {exports: unknown; require: (id: string) => unknown; _compile: (content: string, filename: string) => unknown};
type Compiled = (exports: unknown, require: NodeJS.Require, module: Compilable, filename: string, dirname: string) => unknown;

/**
 * `<chunk>.<size>.<mtime ms>`, the key of a chunk's entries: a rebuilt chunk
 * gets a new key, never an old cache (and the build names each chunk by a hash
 * of its content, as npm gives every file it installs one mtime). An entry is
 * `<key>.1.bin`, written by the first run that compiled the chunk, or
 * `<key>.2.bin`, written by the next run, which loaded the first: it holds what
 * both runs compiled (a command's first run often takes another path than the
 * rest: it builds the index, or the snapshot).
 */
const keyOf = (chunk: string): string | undefined => {
	const stats = statSync(chunk, {throwIfNoEntry: false});
	return stats?.isFile() ? `${path.basename(chunk, '.js')}.${stats.size}.${Math.trunc(stats.mtimeMs)}` : undefined;
};

const entryName = /^((.+)\.\d+\.\d+)\.[12]\.bin$/;

const readIfAny = (file: string): Buffer | undefined => {
	try {
		return readFileSync(file);
	} catch {
		return undefined;
	}
};

/** Remove every entry that is not the cache of a chunk in the build now (older builds, writes cut short), and `replaced`. */
const removeStale = (folder: string, ownDir: string, replaced: ReadonlySet<string>): void => {
	for (const name of readdirSync(folder)) {
		const [, key, chunk] = entryName.exec(name) ?? [];
		if (chunk === undefined || keyOf(path.join(ownDir, `${chunk}.js`)) !== key || replaced.has(name)) rmSync(path.join(folder, name), {force: true});
	}
};

/**
 * Load the build's chunks (CommonJS, rolldown.config.mjs) through a V8 code
 * cache in the cache dir, one per Node version and per frequent command. A
 * chunk compiled without one has its cache written at exit, made then so that
 * it also holds every function the run called (V8 compiles those lazily), and
 * the next run writes it once more (see {@link keyOf}). V8 refuses a cache from
 * another version or build of itself, made under other flags, or for a source
 * of another length; an entry's key (its chunk's name, size and mtime) keeps a
 * rebuilt chunk from ever meeting an old cache. Anything that fails costs the
 * speed-up, never the run: the chunk is compiled as Node would. Returns
 * undefined when no cache is used (`--no-cache`, `--watch`, `CCTOP_CODE_CACHE=off`).
 */
export const useCodeCache = ({Module, argv, env, ownDir}: CodeCacheOptions): CodeCache | undefined => {
	const mode = env['CCTOP_CODE_CACHE'];
	if (Module === undefined) return undefined;
	// A live mode (--watch) starts once a day, and `report --watch` changes V8's flags once its
	// first chunks are loaded: V8 refuses a cache made under other flags, so what it wrote at
	// exit would be refused by its own next start, and rewritten, every time.
	if (mode === 'off' || argv.includes('--no-cache') || argv.includes('--watch')) return undefined;
	const cacheDir = cacheDirOf(env);
	if (Module.enableCompileCache !== undefined) {
		// Node 22.1 and later: its own, for ES modules too.
		Module.enableCompileCache(path.join(cacheDir, 'code-node'));
		return undefined;
	}

	const folder = path.join(cacheDir, `code-${process.version}-${process.arch}`, argv.find(argument => profiles.has(argument)) ?? 'other');
	const pending: Array<{script: vm.Script; file: string; replaces?: string}> = [];
	let cached = 0;
	let compiledAnew = 0;
	const prototype = Module.prototype as unknown as Compilable;
	const nodeCompile = prototype._compile;
	prototype._compile = function (this: Compilable, content: string, filename: string): unknown {
		// import() needs the loader V8 drops from restored code: a chunk with one is compiled as usual (es-modules.ts).
		if (path.dirname(filename) !== ownDir || !filename.endsWith('.js') || content.startsWith('#!') || content.includes('import(')) return nodeCompile.call(this, content, filename);
		let compiled: Compiled;
		try {
			const key = keyOf(filename);
			const [first, second] = key === undefined ? [] : [path.join(folder, `${key}.1.bin`), path.join(folder, `${key}.2.bin`)];
			const secondData = second === undefined ? undefined : readIfAny(second);
			const cachedData = secondData ?? (first === undefined ? undefined : readIfAny(first));
			const script = new vm.Script(Module.wrap(content), {filename, cachedData});
			if (cachedData !== undefined && script.cachedDataRejected !== true) {
				cached++;
				if (secondData === undefined) pending.push({script, file: second!, replaces: path.basename(first!)});
			} else {
				compiledAnew++;
				// A refused entry is replaced where it was read, or it would be read first again.
				if (first !== undefined) pending.push({script, file: secondData === undefined ? first : second!});
			}

			compiled = script.runInThisContext({displayErrors: true}) as Compiled;
		} catch {
			return nodeCompile.call(this, content, filename);
		}

		// The chunks (rolldown's CommonJS) call require(id) alone. Not createRequire: in Node 20 it starts the ES module loader (~6 ms).
		const require = ((id: string) => this.require(id)) as NodeJS.Require;
		return compiled.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
	};

	const save = (): void => {
		const batch = pending.splice(0);
		if (batch.length === 0) return;
		try {
			mkdirSync(folder, {recursive: true});
			removeStale(folder, ownDir, new Set(batch.flatMap(({replaces}) => (replaces === undefined ? [] : [replaces]))));
			for (const {script, file} of batch) {
				// Renamed into place: a reader sees a whole cache or none.
				const temporary = `${file}.${process.pid}.tmp`;
				writeFileSync(temporary, script.createCachedData());
				renameSync(temporary, file);
			}
		} catch {
			// A read-only or full cache dir costs the speed-up, nothing else.
		}
	};

	if (mode !== 'read') process.once('exit', save);
	return {
		counts: () => ({cached, compiled: compiledAnew}),
		save,
		stop() {
			prototype._compile = nodeCompile;
			process.removeListener('exit', save);
		},
	};
};
