import {execFile, execFileSync, spawn} from 'node:child_process';
import {closeSync, constants, openSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {assistantLine} from '../helpers/entries.js';

// The frequent commands write to fd 1 themselves (write-out.ts). These run the
// real cli with its stdout as a pipe that is full, and as one that went away.

const cliPath = path.resolve('dist/cli.js');
let home: string;
let claudeDir: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-write-out-'));
	claudeDir = path.join(home, 'claude');
	await mkdir(path.join(claudeDir, 'projects', 'p'), {recursive: true});
	// 400 requests six hours apart: 400 blocks and gaps, a report of a few hundred KB (a pipe holds 64 KiB).
	const lines = Array.from({length: 400}, (_, index) =>
		JSON.stringify(
			assistantLine({timestamp: new Date(Date.UTC(2026, 0, 1) + index * 6 * 3_600_000).toISOString(), requestId: `req_${index}`, message: {...(assistantLine().message as object), id: `msg_${index}`}}),
		),
	);
	await writeFile(path.join(claudeDir, 'projects', 'p', 's.jsonl'), `${lines.join('\n')}\n`);
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const env = () => ({PATH: process.env['PATH'] ?? '', HOME: home, TZ: 'UTC', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data')});
const args = () => [cliPath, 'report', '--json', '--claude-dir', claudeDir, '--now', '2026-06-01T00:00:00Z'];

describe('writeOut', () => {
	it('writes all of a long report into a non-blocking pipe nobody reads for a while, in order', async () => {
		const {stdout: expected} = await promisify(execFile)(process.execPath, args(), {env: env(), maxBuffer: 64 * 1024 * 1024});
		expect(expected.length).toBeGreaterThan(256 * 1024);
		// A FIFO opened non-blocking: the file description cctop inherits says O_NONBLOCK, as when a parent made its pipe so.
		const fifo = path.join(home, 'out.fifo');
		execFileSync('mkfifo', [fifo]);
		const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
		const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
		const child = spawn(process.execPath, args(), {env: env(), stdio: ['ignore', writer, 'pipe']});
		closeSync(writer);
		let stderr = '';
		child.stderr!.on('data', chunk => (stderr += String(chunk)));
		// Nobody reads until the pipe has been full for a while.
		await new Promise(resolve => setTimeout(resolve, 500));
		const socket = new net.Socket({fd: reader, readable: true, writable: false});
		const chunks: Buffer[] = [];
		socket.on('data', chunk => chunks.push(chunk));
		const [code] = await Promise.all([new Promise(resolve => child.on('close', resolve)), new Promise(resolve => socket.on('end', resolve))]);
		expect(stderr).toBe('');
		expect(code).toBe(0);
		expect(Buffer.concat(chunks).toString()).toBe(expected);
	});

	it('lays a table out to $COLUMNS without building a stream for stdout on /dev/null or stderr on a pipe', async () => {
		// Node builds process.stdout/stderr on first use; on a pipe that loads node:net. The preload says, at exit, whether it was.
		const preload = path.join(home, 'net-loaded.cjs');
		await writeFile(preload, `process.on('exit', () => require('node:fs').writeSync(2, process.moduleLoadList.includes('NativeModule net') ? 'net loaded\\n' : 'no net\\n'));\n`);
		const devNull = openSync('/dev/null', 'w');
		try {
			const child = spawn(process.execPath, ['-r', preload, cliPath, 'report', '--claude-dir', claudeDir, '--now', '2026-06-01T00:00:00Z'], {env: {...env(), COLUMNS: '77'}, stdio: ['ignore', devNull, 'pipe']});
			let stderr = '';
			child.stderr!.on('data', chunk => (stderr += String(chunk)));
			expect(await new Promise(resolve => child.on('close', resolve))).toBe(0);
			expect(stderr).toBe('no net\n');
		} finally {
			closeSync(devNull);
		}

		// The width is $COLUMNS then: the table's rule is as wide.
		const {stdout} = await promisify(execFile)(process.execPath, [cliPath, 'report', '--claude-dir', claudeDir, '--now', '2026-06-01T00:00:00Z'], {env: {...env(), COLUMNS: '77'}});
		expect(Math.max(...stdout.split('\n').map(line => line.length))).toBeLessThanOrEqual(77);
	});
});
