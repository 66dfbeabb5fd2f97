import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {appendFile, mkdir, mkdtemp, readdir, rm, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readSnapshot, writeSnapshot} from '../../source/ingest/index/status-snapshot.js';
import {assistantLine} from '../helpers/entries.js';

// The built CLI, as tmux runs it: a status line that finds the snapshot due a
// sweep answers from the hot files and leaves the sweep to a detached process.
let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-sweep-'));
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

const nowIso = '2026-11-26T12:00:00Z';
const line = (minutesAgo: number, request: number, output: number): string =>
	`${JSON.stringify(
		assistantLine(
			{timestamp: new Date(Date.parse(nowIso) - minutesAgo * 60_000).toISOString(), requestId: `req_${request}`},
			{input_tokens: 10, output_tokens: output, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000},
		),
	).replace('"msg_013YZ68naDuds27CD9ZGNVDE"', `"msg_${request}"`)}\n`;

const cacheDir = () => path.join(dir, 'cache');
const status = (...extra: string[]): number => {
	const output = execFileSync(process.execPath, [path.resolve('dist/cli.js'), 'status', '--format', 'json', '--claude-dir', dir, '--now', nowIso, ...extra], {
		env: {PATH: process.env['PATH'] ?? '', HOME: dir, CCTOP_CACHE_DIR: cacheDir(), CCTOP_DATA_DIR: path.join(dir, 'data')},
		encoding: 'utf8',
	});
	return (JSON.parse(output) as {block: {totalTokens: number}}).block.totalTokens;
};

// The one-line format keeps the snapshot (`--format json` reads the week from the index), so the sweep is checked with it.
const line1 = (): string =>
	execFileSync(process.execPath, [path.resolve('dist/cli.js'), 'status', '--template', '{tokens}', '--claude-dir', dir, '--now', nowIso], {
		env: {PATH: process.env['PATH'] ?? '', HOME: dir, CCTOP_CACHE_DIR: cacheDir(), CCTOP_DATA_DIR: path.join(dir, 'data')},
		encoding: 'utf8',
	}).trim();

describe('the status line\'s background sweep', () => {
	it('answers at once, then a detached sweep finds the append to a file quiet for hours', async () => {
		const project = path.join(dir, 'projects', '-home-dev-shop');
		await mkdir(project, {recursive: true});
		await writeFile(path.join(project, 'old.jsonl'), line(100, 1, 100));
		await writeFile(path.join(project, 'live.jsonl'), line(50, 2, 200));
		const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
		await utimes(path.join(project, 'old.jsonl'), hoursAgo(7), hoursAgo(7));
		for (const folder of [dir, path.join(dir, 'projects'), project]) await utimes(folder, hoursAgo(0.1), hoursAgo(0.1));
		const first = line1();
		const [name] = (await readdir(cacheDir())).filter(file => file.startsWith('status-') && file.endsWith('.bin'));
		const file = path.join(cacheDir(), name!);

		await appendFile(path.join(project, 'old.jsonl'), line(10, 3, 300));
		// Not due: the quiet file is not stat'ed and no sweep starts.
		expect(line1()).toBe(first);
		expect(existsSync(`${file}.sweep`)).toBe(false);
		// Last swept 11 minutes ago: this call still answers from the hot files and starts the sweep.
		const snapshot = (await readSnapshot(file))!;
		await writeSnapshot(file, {...snapshot, sweptAtMs: Date.now() - 11 * 60_000});
		expect(line1()).toBe(first);
		for (let waited = 0; existsSync(`${file}.sweep`) && waited < 10_000; waited += 50) await sleep(50);
		expect(existsSync(`${file}.sweep`)).toBe(false);
		const swept = line1();
		expect(swept).not.toBe(first);
		expect(swept).toBe(line1());
		// What a cold read says.
		expect(status('--no-cache')).toBe(3 * 1110 + 600);
		expect([first, swept]).toEqual(['2.52k', '3.93k']);
	});
});

// `session` takes the quiet files' stats from the snapshot's last sweep, as a
// status line does; when that sweep is due it starts one in the background
// instead of stat'ing every transcript itself.
describe('session --latest and the sweep', () => {
	let home: string;
	beforeAll(async () => {
		home = await mkdtemp(path.join(os.tmpdir(), 'cctop-sweep-session-'));
	});
	afterAll(async () => {
		await rm(home, {recursive: true, force: true});
	});

	const inSession = (sessionId: string, minutesAgo: number, request: number): string => line(minutesAgo, request, 100).replace('"8427ae52-369a-420b-bf83-434a42ea03ab"', `"${sessionId}"`);
	const cli = (...args: string[]): string =>
		execFileSync(process.execPath, [path.resolve('dist/cli.js'), ...args, '--claude-dir', home, '--now', nowIso], {
			env: {PATH: process.env['PATH'] ?? '', HOME: home, CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data')},
			encoding: 'utf8',
		});
	const latest = (...extra: string[]): string => (JSON.parse(cli('session', '--latest', '--json', ...extra)) as {sessionId: string}).sessionId;

	it('answers from the last sweep and starts the due one, which then finds an old file appended to', async () => {
		const project = path.join(home, 'projects', '-home-dev-shop');
		await mkdir(project, {recursive: true});
		const old = path.join(project, 'old.jsonl');
		await writeFile(old, inSession('aaaaaaaa-0000-0000-0000-000000000001', 100, 11));
		await writeFile(path.join(project, 'live.jsonl'), inSession('bbbbbbbb-0000-0000-0000-000000000002', 50, 12));
		const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
		await utimes(old, hoursAgo(7), hoursAgo(7));
		for (const folder of [home, path.join(home, 'projects'), project]) await utimes(folder, hoursAgo(0.1), hoursAgo(0.1));
		cli('status');
		expect(latest()).toBe('bbbbbbbb-0000-0000-0000-000000000002');
		const [name] = (await readdir(path.join(home, 'cache'))).filter(file => file.startsWith('status-') && file.endsWith('.bin'));
		const file = path.join(home, 'cache', name!);

		// The quiet file gets a newer request: its session is the latest now.
		await appendFile(old, inSession('aaaaaaaa-0000-0000-0000-000000000001', 10, 13));
		expect(latest('--no-cache')).toBe('aaaaaaaa-0000-0000-0000-000000000001');
		// Last swept 11 minutes ago: the answer still comes from that sweep, and the sweep starts.
		const snapshot = (await readSnapshot(file))!;
		const sweptAtMs = Date.now() - 11 * 60_000;
		await writeSnapshot(file, {...snapshot, sweptAtMs});
		expect(latest()).toBe('bbbbbbbb-0000-0000-0000-000000000002');
		// The sweep ran (it may be over before this looks, on a tiny history): the snapshot says when, and its lock is gone.
		const isSwept = async () => ((await readSnapshot(file))?.sweptAtMs ?? 0) > sweptAtMs && !existsSync(`${file}.sweep`);
		for (let waited = 0; !(await isSwept()) && waited < 10_000; waited += 50) await sleep(50);
		expect(await isSwept()).toBe(true);
		expect(latest()).toBe('aaaaaaaa-0000-0000-0000-000000000001');
	});

	it('session --list from the snapshot starts a due sweep rather than stat every transcript itself', async () => {
		const list = () => cli('session', '--list', '--json');
		const first = list();
		// The index wrote the rows part; this one answers from the snapshot.
		expect(list()).toBe(first);
		const [name] = (await readdir(path.join(home, 'cache'))).filter(file => file.startsWith('status-') && file.endsWith('.bin'));
		const file = path.join(home, 'cache', name!);
		const snapshot = (await readSnapshot(file))!;
		expect(snapshot.sessionsFile).not.toBe('');
		await writeSnapshot(file, {...snapshot, sweptAtMs: Date.now() - 11 * 60_000});
		expect(list()).toBe(first);
		expect(existsSync(`${file}.sweep`)).toBe(true);
		for (let waited = 0; existsSync(`${file}.sweep`) && waited < 10_000; waited += 50) await sleep(50);
		expect(existsSync(`${file}.sweep`)).toBe(false);
		expect(list()).toBe(first);
	});
});
