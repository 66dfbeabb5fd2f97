import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

// readStdin in a real process with a real stdin: a socket (how Claude Code
// hands a hook its input, and how Node spawns a child with stdin 'pipe'), a
// FIFO, a file, /dev/null, none. It runs from the build's compiled modules.
const module = pathToFileURL(path.resolve('.build/ingest/read-stdin.js')).href;
const script = `import {fstatSync, writeSync} from 'node:fs';
import {readStdin} from ${JSON.stringify(module)};
let kind = 'closed';
try { const found = fstatSync(0); kind = found.isSocket() ? 'socket' : found.isFIFO() ? 'fifo' : found.isFile() ? 'file' : 'other'; } catch {}
const text = await readStdin(Number(process.argv[2]));
writeSync(1, JSON.stringify({kind, text, net: process.moduleLoadList.includes('NativeModule net')}));
process.exit(0);`;

type Read = {kind: string; text: string; net: boolean; stderr: string};

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-stdin-'));
	await writeFile(path.join(dir, 'read.mjs'), script);
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

/** Start the reader with stdin a socket it is handed; `feed` writes to it and may leave it open. */
const readFromSocket = async (timeoutMs: number, feed: (child: ChildProcess) => void, env: NodeJS.ProcessEnv = process.env): Promise<Read> => {
	const child = spawn(process.execPath, [path.join(dir, 'read.mjs'), String(timeoutMs)], {stdio: ['pipe', 'pipe', 'pipe'], env});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', chunk => (stdout += String(chunk)));
	child.stderr.on('data', chunk => (stderr += String(chunk)));
	child.stdin.on('error', () => undefined);
	feed(child);
	await new Promise(resolve => child.once('close', resolve));
	child.stdin.destroy();
	return {...(JSON.parse(stdout) as Omit<Read, 'stderr'>), stderr};
};

const readFromShell = (redirect: string): Read => {
	const stdout = execFileSync('bash', ['-c', `"${process.execPath}" "${path.join(dir, 'read.mjs')}" 2000 ${redirect}`], {encoding: 'utf8'});
	return {...(JSON.parse(stdout) as Omit<Read, 'stderr'>), stderr: ''};
};

const hookJson = JSON.stringify({session_id: 'abc', hook_event_name: 'UserPromptSubmit', prompt: 'a prompt with a } in it and "quotes"'});

describe('readStdin', () => {
	it('takes a hook\'s JSON from a socket as soon as it is whole, though the writer keeps stdin open, without node:net', async () => {
		// A minute's timeout: the read must end on the JSON, not on the timeout or on stdin's end.
		const read = await readFromSocket(60_000, child => child.stdin!.write(`${hookJson}\n`));
		expect(read).toMatchObject({kind: 'socket', text: `${hookJson}\n`, net: false});
	});

	it('waits for JSON that arrives in pieces, and a } inside a string does not end it', async () => {
		const read = await readFromSocket(60_000, child => {
			child.stdin!.write(hookJson.slice(0, hookJson.indexOf('}') + 1));
			setTimeout(() => child.stdin!.write(hookJson.slice(hookJson.indexOf('}') + 1)), 150);
		});
		expect(read.text).toBe(hookJson);
	});

	it('reads a large input whole, across many reads', async () => {
		const large = JSON.stringify({transcript: 'x'.repeat(300_000), nested: {a: [1, 2, {b: '}'}]}});
		const read = await readFromSocket(60_000, child => child.stdin!.write(large));
		expect(read.text).toBe(large);
	});

	it('gives up after the timeout when nothing comes and stdin stays open, rather than block', async () => {
		const read = await readFromSocket(200, () => undefined);
		expect(read).toMatchObject({kind: 'socket', text: ''});
	});

	it('returns what came before the timeout when it is not JSON', async () => {
		expect((await readFromSocket(300, child => child.stdin!.write('not json'))).text).toBe('not json');
	});

	it('reads to the end when stdin closes', async () => {
		expect((await readFromSocket(60_000, child => child.stdin!.end('plain text, then the end'))).text).toBe('plain text, then the end');
	});

	it('falls back to process.stdin under --pending-deprecation, with no warning', async () => {
		const read = await readFromSocket(60_000, child => child.stdin!.end(hookJson), {...process.env, NODE_OPTIONS: '--pending-deprecation'});
		expect(read).toMatchObject({text: hookJson, net: true, stderr: ''});
	});

	it('leaves stdin blocking for what reads it next (Node puts the flag back at exit)', () => {
		const out = execFileSync('bash', ['-c', `(echo '${hookJson}'; sleep 0.3; echo after) | { "${process.execPath}" "${path.join(dir, 'read.mjs')}" 2000; echo; cat; }`], {encoding: 'utf8'});
		expect(out.split('\n').slice(1)).toEqual(['after', '']);
	});

	it('reads a FIFO, a file, /dev/null and a closed stdin', async () => {
		const fifo = path.join(dir, 'fifo');
		execFileSync('mkfifo', [fifo]);
		const file = path.join(dir, 'input.json');
		await writeFile(file, hookJson);
		expect(readFromShell(`< "${fifo}" & echo '${hookJson}' > "${fifo}"; wait`)).toMatchObject({kind: 'fifo', text: `${hookJson}\n`, net: false});
		expect(readFromShell(`< "${file}"`)).toMatchObject({kind: 'file', text: hookJson, net: false});
		expect(readFromShell('< /dev/null')).toMatchObject({kind: 'other', text: '', net: false});
		expect(readFromShell('<&-')).toMatchObject({text: ''});
	});
});
