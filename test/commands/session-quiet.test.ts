import {execFileSync} from 'node:child_process';
import {appendFile, mkdir, mkdtemp, rm, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {assistantLine} from '../helpers/entries.js';

// `session` stats only the live transcripts when the status line's last sweep is
// recent (the quiet ones as that sweep saw them): checked against a cold read.
let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-session-quiet-'));
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

const nowIso = '2026-11-26T12:00:00Z';
const line = (sessionId: string, minutesAgo: number, request: number, output: number): string =>
	`${JSON.stringify(
		assistantLine(
			{sessionId, timestamp: new Date(Date.parse(nowIso) - minutesAgo * 60_000).toISOString(), requestId: `req_${request}`},
			{input_tokens: 10, output_tokens: output, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000},
		),
	).replace('"msg_013YZ68naDuds27CD9ZGNVDE"', `"msg_${request}"`)}\n`;

const run = (args: string[], extraEnv: Record<string, string> = {}): string =>
	execFileSync(process.execPath, [path.resolve('dist/cli.js'), ...args, '--claude-dir', dir, '--now', nowIso], {
		env: {PATH: process.env['PATH'] ?? '', HOME: dir, CCTOP_CACHE_DIR: path.join(dir, 'cache'), CCTOP_DATA_DIR: path.join(dir, 'data'), ...extraEnv},
		encoding: 'utf8',
	});
const list = (...extra: string[]) => JSON.parse(run(['session', '--list', '--json', ...extra])) as unknown;
const cold = () => list('--no-cache');
const sweep = () => run(['status'], {CCTOP_STATUS_SWEEP: '1'});

describe('session with a recent sweep', () => {
	it('equals a cold read after appends to live files and a new session, and sees a quiet file\'s append at the next sweep', async () => {
		const project = path.join(dir, 'projects', '-home-dev-shop');
		await mkdir(project, {recursive: true});
		await writeFile(path.join(project, 'quiet.jsonl'), line('quiet', 600, 1, 100));
		await writeFile(path.join(project, 'live.jsonl'), line('live', 50, 2, 200));
		const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
		await utimes(path.join(project, 'quiet.jsonl'), hoursAgo(9), hoursAgo(9));
		expect(list()).toEqual(cold());
		sweep();

		// Live files grow and a new session starts: the same as a cold read.
		await appendFile(path.join(project, 'live.jsonl'), line('live', 20, 3, 300));
		await writeFile(path.join(project, 'fresh.jsonl'), line('fresh', 10, 4, 400));
		expect(list()).toEqual(cold());
		expect(JSON.parse(run(['session', '--latest', '--json'])) as {sessionId: string}).toMatchObject({sessionId: 'fresh'});

		// A file quiet for hours is taken as the sweep saw it: its append shows at the next sweep, as in the status line.
		await appendFile(path.join(project, 'quiet.jsonl'), line('quiet', 5, 5, 500));
		await utimes(path.join(project, 'quiet.jsonl'), hoursAgo(9), hoursAgo(9));
		expect(list()).not.toEqual(cold());
		sweep();
		expect(list()).toEqual(cold());
	});

	it('takes quiet files as a report\'s full look saw them (the quiet check), with no snapshot at all, for ten minutes', async () => {
		await rm(path.join(dir, 'cache'), {recursive: true, force: true});
		const project = path.join(dir, 'projects', '-home-dev-shop');
		const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
		await utimes(path.join(project, 'quiet.jsonl'), hoursAgo(9), hoursAgo(9));
		// Folders written within 2 s of a walk are never trusted (coarse mtimes): aged a minute, as a real history's are.
		for (const folder of [dir, path.join(dir, 'projects'), project]) await utimes(folder, hoursAgo(1 / 60), hoursAgo(1 / 60));
		const show = (...extra: string[]) => JSON.parse(run(['session', 'quiet', '--json', ...extra])) as {totalTokens: number};
		// The first report writes the index, the second looks at every file and writes the check.
		run(['report', '--json']);
		run(['report', '--json']);
		const cache = path.join(dir, 'cache');
		const [checkFile] = (await import('node:fs')).readdirSync(cache).filter(name => name.startsWith('quiet-'));
		expect(checkFile).toBeDefined();
		const before = show();
		expect(before).toEqual(show('--no-cache'));
		// Grown by hand, its mtime put back: taken as the look saw it.
		await appendFile(path.join(project, 'quiet.jsonl'), line('quiet', 3, 7, 700));
		await utimes(path.join(project, 'quiet.jsonl'), hoursAgo(9), hoursAgo(9));
		expect(show()).toEqual(before);
		// A check eleven minutes old is stale: every file is stat'ed again.
		const checkPath = path.join(cache, checkFile!);
		const check = JSON.parse(await (await import('node:fs/promises')).readFile(checkPath, 'utf8')) as {checkedAtMs: number};
		await writeFile(checkPath, JSON.stringify({...check, checkedAtMs: Date.now() - 11 * 60_000}));
		const after = show();
		expect(after).toEqual(show('--no-cache'));
		expect(after.totalTokens).toBe(before.totalTokens + 1810);
	});

	it('stats every file when no sweep is recent (no snapshot): exact at once', async () => {
		await rm(path.join(dir, 'cache'), {recursive: true, force: true});
		const project = path.join(dir, 'projects', '-home-dev-shop');
		await appendFile(path.join(project, 'quiet.jsonl'), line('quiet', 4, 6, 600));
		expect(list()).toEqual(cold());
	});
});
