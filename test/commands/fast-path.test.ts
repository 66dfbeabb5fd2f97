import {execFileSync} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

// What the status bar pays for: every module `cctop status` and `statusline` load,
// recorded by a real resolve hook. gRPC, Ink, React and zod must stay out.
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
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

const loadedBy = async (args: string[], input?: string): Promise<string[]> => {
	await writeFile(path.join(dir, 'loaded.txt'), '');
	execFileSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'hook.mjs')).href, path.resolve('dist/cli.js'), ...args, ...(args[0] === 'trace' ? [] : ['--claude-dir', path.resolve('fixtures/claude')])], {
		env: {PATH: process.env['PATH'] ?? '', HOME: dir, CCTOP_CACHE_DIR: path.join(dir, 'cache'), CCTOP_DATA_DIR: path.join(dir, 'data')},
		input,
	});
	return (await readFile(path.join(dir, 'loaded.txt'), 'utf8')).trim().split('\n');
};

describe('the status fast path', () => {
	it.each([[['status']], [['status']], [['statusline'], '{"model":{"display_name":"Opus"}}']])('%j loads no gRPC, Ink, React or zod', async (args, input?: string) => {
		const loaded = await loadedBy(args, input);
		expect(loaded.some(url => url.endsWith('/dist/cli.js'))).toBe(true);
		expect(loaded.filter(url => /@grpc|\/ink\/|\/react\/|\/zod\/|\/meow\//.test(url))).toEqual([]);
	});

	// Node 20 loads an ES module for ~0.5 ms: the build bundles each frequent
	// command's modules into one chunk (rolldown.config.mjs); unbundled, status loaded 25.
	it.each([[['status']], [['statusline'], '{"model":{"display_name":"Opus"}}'], [['guard'], '{"hook_event_name":"UserPromptSubmit","session_id":"s","prompt":"go"}']])('%j loads a handful of cctop\'s files, not one per module', async (args, input?: string) => {
		const ours = (await loadedBy(args, input)).filter(url => url.includes('/dist/') && !url.includes('/node_modules/'));
		expect(new Set(ours).size).toBeLessThanOrEqual(args[0] === 'status' ? 4 : 8);
	});

	// Each scan worker is an isolate of its own: sharing the main thread's chunks made it load ~300 KB in 12 files.
	it('builds the scan worker as one file of its own', async () => {
		const worker = await readFile(path.resolve('dist/scan-worker.js'), 'utf8');
		expect(worker).toContain('parentPort');
		expect(worker.match(/^import .* from "\.{1,2}\//gm) ?? []).toEqual([]);
	});

	it('sees a heavy module where one is loaded (trace draws with Ink)', async () => {
		expect((await loadedBy(['trace'])).some(url => url.includes('/ink/'))).toBe(true);
	});
});
