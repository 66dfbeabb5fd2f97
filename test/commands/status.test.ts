import {execFile, spawn} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {waitFor} from '../helpers/wait-for.js';

const cliPath = path.resolve('dist/cli.js');
const fixture = path.resolve('fixtures/claude');
const now = '2026-07-31T02:00:00Z';

let home: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-status-'));
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const run = async (args: string[]) => {
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, ...args], {
			env: {...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: '', CCTOP_CACHE_DIR: path.join(home, 'cache'), TZ: 'UTC'},
		});
		return {code: 0, stdout, stderr};
	} catch (error) {
		return error as {code: number; stdout: string; stderr: string};
	}
};

describe('cctop status', () => {
	it('prints one plain line about the active block', async () => {
		const result = await run(['status', '--claude-dir', fixture, '--now', now]);
		expect(result.code).toBe(0);
		// One request in the block so far: no projection yet. The limit is p90 of past blocks.
		expect(result.stdout).toBe('20% block · $0.001 · 235/306.1k tok · reset 4h00m\n');
	});

	it('wraps the line in tmux colours', async () => {
		const result = await run(['status', '--claude-dir', fixture, '--now', now, '--format', 'tmux', '--token-limit', '200']);
		expect(result.stdout).toBe('#[fg=red]20% block · $0.001 · 235/200 tok · reset 4h00m#[default]\n');
	});

	it('prints the JSON contract with today and the last 7 days', async () => {
		const result = await run(['status', '--claude-dir', fixture, '--now', now, '--format', 'json']);
		expect(JSON.parse(result.stdout)).toEqual({
			block: {startTime: '2026-07-31T01:00:00.000Z', endTime: '2026-07-31T06:00:00.000Z', percentElapsed: 20, costUSD: 0.000551, totalTokens: 235, projectedCostUSD: null, projectedTokens: null, limitTokens: 306_073, limitSource: 'p90 of past blocks'},
			burnRate: null,
			official: null,
			today: {costUSD: 0.000551, totalTokens: 235},
			week: {costUSD: 0.000551, totalTokens: 235},
			// No OpenTelemetry spool in this HOME.
			otel: null,
		});
	});

	it('shows the OpenTelemetry spool\'s productivity when a template asks', async () => {
		const data = path.join(home, 'otel-data');
		const {appendToSpool} = await import('../../source/ingest/otel/otel-spool.js');
		await appendToSpool(
			[{record: {kind: 'metric', name: 'claude_code.lines_of_code.count', unit: 'count', points: [{attributes: {'session.id': 's', type: 'added'}, startTimeMs: 1, endTimeMs: 2, value: 412}]}, isIncomplete: false}],
			{file: path.join(data, 'otel-spool.ndjson')},
		);
		const result = await promisify(execFile)(process.execPath, [cliPath, 'status', '--claude-dir', fixture, '--now', now, '--template', '{cost} · +{lines_added} lines'], {
			env: {...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: data, TZ: 'UTC'},
		});
		expect(result.stdout).toBe('$0.001 · +412 lines\n');
	});

	it('takes a template', async () => {
		const result = await run(['status', '--claude-dir', fixture, '--now', now, '--template', '{cost} today {today_cost} resets {reset_at}']);
		expect(result.stdout).toBe('$0.001 today $0.001 resets 06:00\n');
	});

	it('says idle when no block is active', async () => {
		const result = await run(['status', '--claude-dir', fixture, '--now', '2026-08-02T00:00:00Z']);
		expect(result.stdout).toBe('no active block · today $0.00\n');
	});

	it('--watch prints the line again only when it changes (piped) and stops cleanly on SIGTERM', async () => {
		const child = spawn(process.execPath, [cliPath, 'status', '--watch', '--refresh', '0.2', '--claude-dir', fixture, '--now', now], {
			env: {...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', CCTOP_CACHE_DIR: path.join(home, 'cache'), TZ: 'UTC'},
		});
		let stdout = '';
		child.stdout.on('data', chunk => (stdout += String(chunk)));
		const exited = new Promise<number | null>(resolve => child.once('exit', resolve));
		await waitFor(() => stdout.includes('\n'), 10_000, 'the first line');
		// Several rounds at 0.2 s with a fixed clock: the same line, printed once.
		await new Promise(resolve => setTimeout(resolve, 1000));
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
		expect(stdout).toBe('20% block · $0.001 · 235/306.1k tok · reset 4h00m\n');
	});

	it.each([
		[['status', '--format', 'xml'], '--format: expected plain, tmux, json, got xml'],
		[['report', '--format', 'json'], '--format belongs to `cctop status`'],
		[['status', '--json'], '--json belongs to `cctop report`'],
	])('rejects %j with exit 2', async (args, message) => {
		const result = await run(args);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(message);
	});
});

describe('cctop report --weekly', () => {
	it('prints the last 7 local days and their total', async () => {
		const result = await run(['report', '--weekly', '--claude-dir', fixture, '--now', now]);
		expect(result.code).toBe(0);
		const lines = result.stdout.trimEnd().split('\n');
		expect(lines[0]).toMatch(/^day +requests +tokens +cost$/);
		expect(lines.slice(1, 8).map(line => line.slice(0, 9))).toEqual(['Sat 07-25', 'Sun 07-26', 'Mon 07-27', 'Tue 07-28', 'Wed 07-29', 'Thu 07-30', 'Fri 07-31']);
		expect(lines[7]).toMatch(/^Fri 07-31 +1 +235 +\$0\.001$/);
		expect(lines[9]).toMatch(/^7 days +1 +235 +\$0\.001$/);
	});

	it('prints JSON with the days, the total and the official reading (null when none)', async () => {
		const result = await run(['report', '--weekly', '--json', '--claude-dir', fixture, '--now', now]);
		const weekly = JSON.parse(result.stdout) as {days: Array<{start: string; costUSD: number}>; total: {entries: number; costUSD: number}; official: unknown};
		expect(weekly.days).toHaveLength(7);
		expect(weekly.days[0]!.start).toBe('2026-07-25T00:00:00.000Z');
		expect(weekly.total).toEqual({entries: 1, totalTokens: 235, costUSD: 0.000551});
		expect(weekly.official).toBeNull();
	});
});
