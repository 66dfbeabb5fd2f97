import {execFileSync} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

// What the status bar pays for: every module `cctop status`, `statusline` and
// `guard` load. They are CommonJS (rolldown.config.mjs), recorded from
// require's cache at exit by a real preload; anything Ink draws is an ES
// module, recorded by a real resolve hook. gRPC, Ink, React and zod must stay out.
let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-fast-'));
	await writeFile(
		path.join(dir, 'hook.mjs'),
		`import {register} from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'log-resolve.mjs')).href)});\n`,
	);
	await writeFile(
		path.join(dir, 'log-resolve.mjs'),
		`import {appendFileSync} from 'node:fs';\nexport async function resolve(specifier, context, next) {\n\tconst result = await next(specifier, context);\n\tappendFileSync(${JSON.stringify(path.join(dir, 'loaded.txt'))}, result.url + '\\n');\n\treturn result;\n}\n`,
	);
	await writeFile(
		path.join(dir, 'record.cjs'),
		`process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(path.join(dir, 'required.json'))}, JSON.stringify({files: Object.keys(require.cache), esLoader: process.moduleLoadList.includes('NativeModule internal/modules/esm/loader'), fsPromises: process.moduleLoadList.includes('NativeModule fs/promises'), net: process.moduleLoadList.includes('NativeModule net'), crypto: process.moduleLoadList.includes('NativeModule crypto'), rimraf: process.moduleLoadList.includes('NativeModule internal/fs/rimraf')})));\n`,
	);
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

const runCli = (preload: string[], args: string[], input?: string): void => {
	execFileSync(process.execPath, [...preload, path.resolve('dist/cli.js'), ...args, ...(args[0] === 'trace' ? [] : ['--claude-dir', path.resolve('fixtures/claude')])], {
		env: {PATH: process.env['PATH'] ?? '', HOME: dir, CCTOP_CACHE_DIR: path.join(dir, 'cache'), CCTOP_DATA_DIR: path.join(dir, 'data')},
		input,
	});
};

/** The ES modules a run resolves. */
const loadedBy = async (args: string[], input?: string): Promise<string[]> => {
	await writeFile(path.join(dir, 'loaded.txt'), '');
	runCli(['--import', pathToFileURL(path.join(dir, 'hook.mjs')).href], args, input);
	return (await readFile(path.join(dir, 'loaded.txt'), 'utf8')).trim().split('\n');
};

/** The CommonJS files a run requires, and whether it started Node's ES module loader at all. */
type Required = {files: string[]; esLoader: boolean; fsPromises: boolean; net: boolean; crypto: boolean; rimraf: boolean};
const requiredBy = async (args: string[], input?: string): Promise<Required> => {
	runCli(['--require', path.join(dir, 'record.cjs')], args, input);
	return JSON.parse(await readFile(path.join(dir, 'required.json'), 'utf8')) as Required;
};

const fastRuns: Array<[string[], string?]> = [[['status']], [['statusline'], '{"model":{"display_name":"Opus"}}'], [['guard'], '{"hook_event_name":"UserPromptSubmit","session_id":"s","prompt":"go"}']];

describe('the status fast path', () => {
	it.each(fastRuns)('%j loads no gRPC, Ink, React, zod or meow, and never starts the ES module loader', async (args, input?: string) => {
		const {files, esLoader} = await requiredBy(args, input);
		expect(files.some(file => file.endsWith(`${path.sep}dist${path.sep}cli.js`))).toBe(true);
		expect(files.filter(file => /@grpc|\/ink\/|\/react\/|\/zod\/|\/meow\//.test(file))).toEqual([]);
		// Node 20's ES module loader costs ~6 ms of a ~90 ms run before any of our code.
		expect(esLoader).toBe(false);
	});

	// Their input comes on a socket (Claude Code's way, and execFileSync's): process.stdin would build a net.Socket (~5 ms).
	it.each(fastRuns.filter(([, input]) => input !== undefined))('%j reads its stdin without node:net', async (args, input?: string) => {
		expect((await requiredBy(args, input)).net).toBe(false);
	});

	// A guard with a budget appends a hash-chained decision on every hook: node:crypto would cost ~3–4 ms to load, rmSync's rimraf ~0.5.
	it('guard records its decision, hash-chained, without node:crypto or rimraf', async () => {
		await writeFile(path.join(dir, 'budgets.json'), JSON.stringify({budgets: [{name: 'day', period: 'day', usd: 1_000_000, enforce: 'block'}]}));
		const decisions = path.join(dir, 'data', 'guard-decisions.jsonl');
		await rm(decisions, {force: true});
		const loaded = await requiredBy(['guard', '--budgets', path.join(dir, 'budgets.json')], fastRuns[2]![1]);
		expect((await readFile(decisions, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {decision: string; h: string})).toEqual([expect.objectContaining({decision: 'allow', h: expect.stringMatching(/^[\da-f]{32}$/)})]);
		expect(loaded).toMatchObject({crypto: false, rimraf: false});
	});

	// node:fs/promises brings readline and the fs watchers (~2 ms): loaded only where a run writes or reads with it.
	it.each([...fastRuns, [['session', '--list']]] as Array<[string[], string?]>)('%j never loads node:fs/promises when nothing changed', async (args, input?: string) => {
		// The first run writes the index and the snapshot; the one measured finds nothing new.
		await requiredBy(args, input);
		expect((await requiredBy(args, input)).fsPromises).toBe(false);
	});

	// Each file costs a read and a compile: the build bundles each frequent
	// command's modules into one chunk (rolldown.config.mjs); unbundled, status loaded 25.
	it.each(fastRuns)('%j loads a handful of cctop\'s files, not one per module', async (args, input?: string) => {
		const ours = (await requiredBy(args, input)).files.filter(file => file.includes(`${path.sep}dist${path.sep}`) && !file.includes('node_modules'));
		expect(new Set(ours).size).toBeLessThanOrEqual(args[0] === 'status' ? 4 : 8);
	});

	// The entry, rolldown's runtime, the cli, status, and the command's own chunk: reading stdin sits in the
	// status chunk, or the guard loaded the status line's chunk for it (rolldown.config.mjs).
	it.each(fastRuns)('%j loads the cli\'s, the status and its own chunk, no other command\'s', async (args, input?: string) => {
		const ours = (await requiredBy(args, input)).files.filter(file => file.includes(`${path.sep}dist${path.sep}`) && !file.includes('node_modules'));
		const names = [...new Set(ours.map(file => path.basename(file).replace(/-[\w-]{8}\.js$/, '')))].sort();
		expect(names).toEqual(['cli', 'cli.js', 'rolldown-runtime', 'status', ...(args[0] === 'status' ? [] : [args[0]!])].sort());
	});

	// A warm `report --json` that finds nothing changed prints the kept report (report-cached.ts) from the cli's chunk alone.
	it('report --json, nothing changed, loads the cli\'s chunk and nothing else of ours', async () => {
		const args = ['report', '--json', '--quiet'];
		// The first run writes the index, the second a quiet check and the kept report.
		await requiredBy(args);
		await requiredBy(args);
		const {files, fsPromises} = await requiredBy(args);
		const ours = files.filter(file => file.includes(`${path.sep}dist${path.sep}`) && !file.includes('node_modules'));
		expect([...new Set(ours.map(file => path.basename(file).replace(/-[\w-]{8}\.js$/, '')))].sort()).toEqual(['cli', 'cli.js', 'rolldown-runtime']);
		expect(fsPromises).toBe(false);
	});

	// Each scan worker is an isolate of its own: sharing the main thread's chunks made it load ~300 KB in 12 files.
	it('builds the scan worker as one file of its own', async () => {
		const worker = await readFile(path.resolve('dist/scan-worker.js'), 'utf8');
		expect(worker).toContain('parentPort');
		expect(worker.match(/require\("\.{1,2}\//gm) ?? []).toEqual([]);
	});

	it('sees a heavy module where one is loaded (trace draws with Ink, an ES module)', async () => {
		expect((await loadedBy(['trace'])).some(url => url.includes('/ink/'))).toBe(true);
		expect((await requiredBy(['trace'])).esLoader).toBe(true);
	});
});
