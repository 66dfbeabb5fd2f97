import {execFile, execFileSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import Module, {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {useCodeCache, type CodeCache} from '../source/code-cache.js';
import {assistantLine} from './helpers/entries.js';

// The code cache loads the build's chunks through V8's cache. Here: through a
// real Node require of real files (this test's process), V8's verdict on what
// was written (a fresh process), and the built cli run twice.

const require = createRequire(import.meta.url);
let root: string;
let ownDir: string;
let cacheDir: string;
let cache: CodeCache | undefined;

/** A chunk-like CommonJS file whose inner function V8 compiles only when called. */
const writeChunk = async (name: string, value: number): Promise<string> => {
	const file = path.join(ownDir, name);
	await writeFile(file, `'use strict';\nconst inner = x => x * ${value};\nexports.answer = () => inner(2) + 0;\n`);
	return file;
};

/** Require `file` afresh, as a new process would. */
const load = (file: string): {answer: () => number} => {
	delete require.cache[file];
	return require(file) as {answer: () => number};
};

const entriesOf = (profile: string): string[] => {
	const folder = path.join(cacheDir, `code-${process.version}-${process.arch}`, profile);
	return existsSync(folder) ? readdirSync(folder).sort() : [];
};

/** The entry of `name` in `profile`: the first run's (1) or the next run's (2). */
const entryFile = (profile: string, name: string, generation: 1 | 2 = 1): string => {
	const stats = statSync(path.join(ownDir, name));
	return path.join(cacheDir, `code-${process.version}-${process.arch}`, profile, `${path.basename(name, '.js')}.${stats.size}.${Math.trunc(stats.mtimeMs)}.${generation}.bin`);
};

/** Whether V8, in a process of its own, takes `cacheFile` as the code of `file` (as a chunk is compiled). */
const isAcceptedByV8 = (file: string, cacheFile: string): boolean =>
	execFileSync(
		process.execPath,
		[
			'-e',
			`const vm = require('node:vm'); const fs = require('node:fs'); const {wrap} = require('node:module');
			const script = new vm.Script(wrap(fs.readFileSync(process.argv[1], 'utf8')), {filename: process.argv[1], cachedData: fs.readFileSync(process.argv[2])});
			process.stdout.write(String(!script.cachedDataRejected));`,
			file,
			cacheFile,
		],
		{encoding: 'utf8'},
	) === 'true';

beforeEach(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'cctop-code-cache-'));
	ownDir = path.join(root, 'dist');
	cacheDir = path.join(root, 'cache');
	await mkdir(ownDir);
});
afterEach(async () => {
	cache?.stop();
	cache = undefined;
	await rm(root, {recursive: true, force: true});
});

describe('useCodeCache', () => {
	it('compiles a chunk once, writes what V8 compiled, loads it from there next time and writes it once more', async () => {
		const file = await writeChunk('status-AbC.js', 21);
		const run = (): {counts: {cached: number; compiled: number}; entries: string[]} => {
			cache = useCodeCache({Module, argv: ['status', '--claude-dir', 'x'], env: {CCTOP_CACHE_DIR: cacheDir}, ownDir});
			expect(load(file).answer()).toBe(42);
			const counts = cache!.counts();
			cache!.save();
			cache!.stop();
			return {counts, entries: entriesOf('status')};
		};

		expect(run()).toEqual({counts: {cached: 0, compiled: 1}, entries: [path.basename(entryFile('status', 'status-AbC.js', 1))]});
		expect(isAcceptedByV8(file, entryFile('status', 'status-AbC.js', 1))).toBe(true);
		// The next run loads the first entry and writes the second, which replaces it.
		expect(run()).toEqual({counts: {cached: 1, compiled: 0}, entries: [path.basename(entryFile('status', 'status-AbC.js', 2))]});
		expect(isAcceptedByV8(file, entryFile('status', 'status-AbC.js', 2))).toBe(true);
		// From then on, runs load it and write nothing.
		const writtenMs = statSync(entryFile('status', 'status-AbC.js', 2)).mtimeMs;
		expect(run()).toEqual({counts: {cached: 1, compiled: 0}, entries: [path.basename(entryFile('status', 'status-AbC.js', 2))]});
		expect(statSync(entryFile('status', 'status-AbC.js', 2)).mtimeMs).toBe(writtenMs);
	});

	it('keeps one cache per frequent command, and one for every other', async () => {
		const file = await writeChunk('cli-x.js', 1);
		for (const argv of [['--claude-dir', 'd', 'guard'], ['daily'], []]) {
			cache = useCodeCache({Module, argv, env: {CCTOP_CACHE_DIR: cacheDir}, ownDir});
			load(file);
			cache!.save();
			cache!.stop();
		}

		expect(entriesOf('guard')).toHaveLength(1);
		expect(entriesOf('other')).toHaveLength(1);
	});

	it.each([1, 2] as const)('compiles anew when V8 refuses an entry %i (another build of V8, a damaged file), and replaces it', async generation => {
		const file = await writeChunk('report-Q.js', 3);
		const cacheFile = entryFile('report', 'report-Q.js', generation);
		await mkdir(path.dirname(cacheFile), {recursive: true});
		await writeFile(cacheFile, Buffer.alloc(4096, 7));
		cache = useCodeCache({Module, argv: ['report'], env: {CCTOP_CACHE_DIR: cacheDir}, ownDir});
		expect(load(file).answer()).toBe(6);
		expect(cache!.counts()).toEqual({cached: 0, compiled: 1});
		cache!.save();
		expect(entriesOf('report')).toEqual([path.basename(cacheFile)]);
		expect(isAcceptedByV8(file, cacheFile)).toBe(true);
	});

	it('never meets a rebuilt chunk with an old cache, and removes what no chunk of the build uses', async () => {
		const file = await writeChunk('session-Z.js', 5);
		cache = useCodeCache({Module, argv: ['session'], env: {CCTOP_CACHE_DIR: cacheDir}, ownDir});
		load(file);
		cache!.save();
		cache!.stop();
		const old = entriesOf('session')[0]!;
		const folder = path.dirname(entryFile('session', 'session-Z.js'));
		await writeFile(path.join(folder, 'gone-chunk.100.200.1.bin'), 'x');
		await writeFile(path.join(folder, `${old}.4242.tmp`), 'x');

		// Same name, new source (a longer one: V8 checks only the length): a new entry, never the old one's code.
		await new Promise(resolve => setTimeout(resolve, 5));
		await writeFile(file, `'use strict';\nconst inner = x => x * 50;\nexports.answer = () => inner(2) + 1000;\n`);
		cache = useCodeCache({Module, argv: ['session'], env: {CCTOP_CACHE_DIR: cacheDir}, ownDir});
		expect(load(file).answer()).toBe(1100);
		expect(cache!.counts()).toEqual({cached: 0, compiled: 1});
		cache!.save();
		expect(entriesOf('session')).toEqual([path.basename(entryFile('session', 'session-Z.js'))]);
	});

	it('leaves alone what is not a chunk of the build: other folders, the entry (#!), a chunk with import()', async () => {
		const outside = path.join(root, 'elsewhere.js');
		await writeFile(outside, 'exports.answer = () => 1;\n');
		await writeFile(path.join(ownDir, 'entry.js'), '#!/usr/bin/env node\nexports.answer = () => 2;\n');
		await writeFile(path.join(ownDir, 'es.js'), 'exports.answer = () => 3;\nexports.load = () => import("node:os");\n');
		cache = useCodeCache({Module, argv: ['status'], env: {CCTOP_CACHE_DIR: cacheDir}, ownDir});
		expect([load(outside).answer(), load(path.join(ownDir, 'entry.js')).answer(), load(path.join(ownDir, 'es.js')).answer()]).toEqual([1, 2, 3]);
		// Compiled by Node, so its import() still works.
		await expect((load(path.join(ownDir, 'es.js')) as unknown as {load: () => Promise<{platform: unknown}>}).load()).resolves.toHaveProperty('platform');
		expect(cache!.counts()).toEqual({cached: 0, compiled: 0});
	});

	it('is off with --no-cache, --watch or CCTOP_CODE_CACHE=off, and a cache dir it cannot write costs nothing else', async () => {
		const file = await writeChunk('status-N.js', 4);
		expect(useCodeCache({Module, argv: ['status', '--no-cache'], env: {CCTOP_CACHE_DIR: cacheDir}, ownDir})).toBeUndefined();
		expect(useCodeCache({Module, argv: ['status'], env: {CCTOP_CACHE_DIR: cacheDir, CCTOP_CODE_CACHE: 'off'}, ownDir})).toBeUndefined();
		// report --watch changes V8's flags after its first chunks load: a cache it wrote would be refused by its next start.
		expect(useCodeCache({Module, argv: ['report', '--json', '--watch'], env: {CCTOP_CACHE_DIR: cacheDir}, ownDir})).toBeUndefined();
		expect(load(file).answer()).toBe(8);
		expect(existsSync(cacheDir)).toBe(false);

		// The cache dir is a file: nothing can be written under it.
		await writeFile(cacheDir, 'not a folder');
		cache = useCodeCache({Module, argv: ['status'], env: {CCTOP_CACHE_DIR: cacheDir}, ownDir});
		expect(load(file).answer()).toBe(8);
		expect(() => cache!.save()).not.toThrow();
	});
});

describe('the built cli with its code cache', () => {
	let home: string;
	beforeAll(async () => {
		home = await mkdtemp(path.join(os.tmpdir(), 'cctop-code-cache-cli-'));
		await mkdir(path.join(home, 'claude', 'projects', 'p'), {recursive: true});
		await writeFile(path.join(home, 'claude', 'projects', 'p', 's.jsonl'), `${JSON.stringify(assistantLine({timestamp: '2026-05-31T12:00:00.000Z'}))}\n`);
	});
	afterAll(async () => {
		await rm(home, {recursive: true, force: true});
	});

	const run = (args: string[], extra: Record<string, string> = {}): string =>
		execFileSync(process.execPath, [path.resolve('dist/cli.js'), ...args], {
			encoding: 'utf8',
			env: {PATH: process.env['PATH'] ?? '', HOME: home, TZ: 'UTC', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data'), ...extra},
		});
	const codeFolders = (): string[] => readdirSync(path.join(home, 'cache')).filter(name => name.startsWith('code-'));

	it('writes the cache of the chunks a run loaded, and the next run from it prints the same', () => {
		const args = ['report', '--json', '--claude-dir', path.join(home, 'claude'), '--now', '2026-06-01T00:00:00Z'];
		const first = run(args);
		const [folder] = codeFolders();
		const written = readdirSync(path.join(home, 'cache', folder!, 'report'));
		expect(written.some(name => name.startsWith('report-'))).toBe(true);
		expect(run(args)).toBe(first);
		expect(JSON.parse(first).blocks).toHaveLength(1);
	});

	// What the cache changes is how V8 gets the code, never what it prints: every frequent command, from its first and second entries, against no cache.
	it.each([
		[['report', '--json']],
		[['status', '--format', 'json']],
		[['session', '--list']],
		[['session', '--latest', '--json']],
		[['statusline']],
	])('%j prints the same from the cache as without one', args => {
		const full = [...args, '--claude-dir', path.join(home, 'claude'), '--now', '2026-05-31T12:30:00Z'];
		const without = run(full, {CCTOP_CODE_CACHE: 'off'});
		expect(without.length).toBeGreaterThan(0);
		// Three runs: the first writes the first entries, the second loads them and writes the second ones, the third loads those.
		for (let round = 0; round < 3; round++) expect(run(full)).toBe(without);
		const [folder] = codeFolders();
		expect(readdirSync(path.join(home, 'cache', folder!, args[0]!)).some(name => name.endsWith('.2.bin'))).toBe(true);
	});

	it('runs the ES commands (import()) from a cached cli chunk', () => {
		// Twice: the second run loads the cli chunk from the cache.
		for (let round = 0; round < 2; round++) {
			expect(run(['--version']).trim()).toMatch(/^\d+\.\d+\.\d+$/);
			expect(run(['daily', '--json', '--claude-dir', path.join(home, 'claude'), '--now', '2026-06-01T00:00:00Z'])).toContain('"daily"');
		}

		const [folder] = codeFolders();
		expect(readdirSync(path.join(home, 'cache', folder!, 'other')).some(name => name.startsWith('cli-'))).toBe(true);
	});

	it('takes status lines run at once, as tmux panes do: every run answers the same, and whole entries are left', async () => {
		await rm(path.join(home, 'cache'), {recursive: true, force: true});
		const args = [path.resolve('dist/cli.js'), 'status', '--claude-dir', path.join(home, 'claude'), '--now', '2026-05-31T12:30:00Z'];
		const env = {PATH: process.env['PATH'] ?? '', HOME: home, TZ: 'UTC', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data')};
		const once = async (): Promise<string> =>
			new Promise((resolve, reject) => {
				execFile(process.execPath, args, {env}, (error, stdout) => (error === null ? resolve(stdout) : reject(error)));
			});
		// The first wave writes the first entries at once, the second the second ones.
		const outputs = [...(await Promise.all(Array.from({length: 6}, once))), ...(await Promise.all(Array.from({length: 6}, once)))];
		expect(new Set(outputs).size).toBe(1);
		expect(outputs[0]).toContain('$');
		const [folder] = codeFolders();
		const entries = readdirSync(path.join(home, 'cache', folder!, 'status'));
		expect(entries.length).toBeGreaterThan(0);
		expect(entries.filter(name => !/\.[12]\.bin$/.test(name))).toEqual([]);
		expect(await once()).toBe(outputs[0]);
	});

	// A cached chunk gets a require(id) and nothing more (code-cache.ts).
	it('builds chunks that use require(id) alone', () => {
		const chunks = readdirSync(path.resolve('dist')).filter(name => name.endsWith('.js'));
		const uses = chunks.flatMap(name => [...readFileSync(path.resolve('dist', name), 'utf8').matchAll(/\brequire\.\w+/g)].map(match => `${name}: ${match[0]}`));
		expect(chunks.length).toBeGreaterThan(10);
		expect(uses).toEqual([]);
		// Cache entries are keyed by name, size and mtime, and npm installs every file with one mtime: a chunk's name must change with its content.
		expect(chunks.filter(name => !['cli.js', 'scan-worker.js'].includes(name) && !/-[\w-]{8}\.js$/.test(name))).toEqual([]);
	});

	it('writes none with --no-cache, CCTOP_CODE_CACHE=off or =read', async () => {
		await rm(path.join(home, 'cache'), {recursive: true, force: true});
		const args = ['status', '--claude-dir', path.join(home, 'claude'), '--now', '2026-06-01T00:00:00Z'];
		run([...args, '--no-cache']);
		run(args, {CCTOP_CODE_CACHE: 'off'});
		run(args, {CCTOP_CODE_CACHE: 'read'});
		expect(existsSync(path.join(home, 'cache')) ? codeFolders() : []).toEqual([]);
		run(args);
		expect(codeFolders()).toHaveLength(1);
	});
});
