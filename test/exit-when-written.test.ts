import {execFileSync, spawn} from 'node:child_process';
import {closeSync, constants, openSync, readFileSync, writeSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {assistantLine} from './helpers/entries.js';

// A one-shot run of a frequent command ends with process.exit once its output
// is out; these run the real cli and watch how it ends and what it delivered.

const cliPath = path.resolve('dist/cli.js');
let home: string;
let claudeDir: string;
let preload: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-exit-'));
	claudeDir = path.join(home, 'claude');
	await mkdir(path.join(claudeDir, 'projects', 'p'), {recursive: true});
	// One request and one line that is not JSON: the report notes it on stderr.
	await writeFile(path.join(claudeDir, 'projects', 'p', 's.jsonl'), `${JSON.stringify(assistantLine({timestamp: '2026-05-31T12:00:00.000Z'}))}\n{not json\n`);
	// 'beforeExit' is emitted only when the event loop runs dry: a run that ended with process.exit never gets it.
	preload = path.join(home, 'preload.cjs');
	await writeFile(preload, `process.on('beforeExit', () => require('node:fs').appendFileSync(${JSON.stringify(path.join(home, 'ends.log'))}, 'beforeExit\\n'));\n`);
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const env = () => ({PATH: process.env['PATH'] ?? '', HOME: home, TZ: 'UTC', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data')});
const reportArgs = () => ['report', '--json', '--claude-dir', claudeDir, '--now', '2026-06-01T00:00:00Z'];

const endsLog = (): string => {
	try {
		return readFileSync(path.join(home, 'ends.log'), 'utf8');
	} catch {
		return '';
	}
};

describe('exitWhenWritten', () => {
	it('ends a one-shot report at once, with its output and exit code, and a live-style command the usual way', async () => {
		await rm(path.join(home, 'ends.log'), {force: true});
		const stdout = execFileSync(process.execPath, ['-r', preload, cliPath, ...reportArgs()], {env: env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
		expect(JSON.parse(stdout).totals.totalTokens).toBeGreaterThan(0);
		expect(endsLog()).toBe('');
		// `daily` is not a frequent command: it ends when its event loop runs dry.
		execFileSync(process.execPath, ['-r', preload, cliPath, 'daily', '--claude-dir', claudeDir], {env: env(), stdio: 'ignore'});
		expect(endsLog()).toBe('beforeExit\n');
	});

	it('waits for a note stderr still holds: the pipe was full when it was written', async () => {
		// A FIFO opened non-blocking and filled: the note cannot be written until someone reads.
		const fifo = path.join(home, 'err.fifo');
		execFileSync('mkfifo', [fifo]);
		const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
		const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
		const filler = Buffer.alloc(4096, 'x');
		let filled = 0;
		for (;;) {
			try {
				filled += writeSync(writer, filler);
			} catch {
				break;
			}
		}

		const child = spawn(process.execPath, [cliPath, ...reportArgs()], {env: env(), stdio: ['ignore', 'ignore', writer]});
		const exited = new Promise(resolve => child.on('exit', resolve));
		closeSync(writer);
		await new Promise(resolve => setTimeout(resolve, 500));
		const socket = new net.Socket({fd: reader, readable: true, writable: false});
		const chunks: Buffer[] = [];
		socket.on('data', chunk => chunks.push(chunk));
		const ended = new Promise(resolve => socket.on('end', resolve));
		expect(await exited).toBe(0);
		// The child is gone: what it wrote is in the FIFO (a lost write never ends this wait, hence the cap).
		await Promise.race([ended, new Promise(resolve => setTimeout(resolve, 2000))]);
		socket.destroy();
		const stderr = Buffer.concat(chunks).subarray(filled).toString();
		expect(stderr).toMatch(/^cctop: 1 invalid line skipped/);
	});
});
