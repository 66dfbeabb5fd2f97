import {execFile, spawn} from 'node:child_process';
import {appendFile, chmod, cp, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {reportJsonSchema} from '../../source/core/screens/report-schema.js';
import {unprivilegedCli} from '../helpers/unprivileged.js';
import {waitFor} from '../helpers/wait-for.js';

const cliPath = path.resolve('dist/cli.js');
const fixture = path.resolve('fixtures/claude');

type Run = {code: number; stdout: string; stderr: string};
const run = async (args: string[], env: Record<string, string> = {}): Promise<Run> => {
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, ...args], {
			env: {...process.env, HOME: emptyHome, CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: '', CCTOP_CACHE_DIR: path.join(emptyHome, 'cache'), ...env},
			maxBuffer: 64 * 1024 * 1024,
		});
		return {code: 0, stdout, stderr};
	} catch (error) {
		const failed = error as {code: number; stdout: string; stderr: string};
		return {code: failed.code, stdout: failed.stdout, stderr: failed.stderr};
	}
};

let emptyHome: string;
beforeAll(async () => {
	emptyHome = await mkdtemp(path.join(os.tmpdir(), 'cctop-home-'));
});
afterAll(async () => {
	await rm(emptyHome, {recursive: true, force: true});
});

const reportJson = async (args: string[]) => {
	const result = await run(['report', '--json', ...args]);
	expect(result.code).toBe(0);
	return reportJsonSchema.parse(JSON.parse(result.stdout));
};

describe('cctop --help and --version', () => {
	it('documents every flag', async () => {
		const {stdout, code} = await run(['--help']);
		expect(code).toBe(0);
		for (const flag of ['--claude-dir', '--json', '--since', '--until', '--breakdown', '--now', '--session-length', '--token-limit', '--plan', '--pricing', '--mode', '--no-cache', '--quiet', '--help', '--version']) {
			expect(stdout).toContain(flag);
		}
	});

	it('prints the version', async () => {
		expect((await run(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
	});
});

describe('cctop report --json', () => {
	it('matches the hand-worked fixture totals (fixtures/README.md)', async () => {
		const report = await reportJson(['--claude-dir', fixture, '--now', '2026-11-27T00:00:00Z']);
		expect(report.totals).toEqual({
			entries: 9,
			tokenCounts: {inputTokens: 199, outputTokens: 4279, cacheCreationInputTokens: 199_502, cacheReadInputTokens: 390_337},
			totalTokens: 594_317,
			costUSD: expect.closeTo(1.103_733_35, 10) as number,
		});
		expect(report.diagnostics).toEqual({files: 6, lines: 41, usageLines: 22, duplicateLines: 13, invalidLines: 0, limitHits: 1, apiErrors: 0, unreadablePaths: [], cacheErrors: [], unknownModels: []});
		const opusBlock = report.blocks.find(block => block.id === '2026-01-06T09:00:00.000Z');
		expect(opusBlock).toMatchObject({entries: 3, models: ['claude-opus-4-5-20251101'], tokenCounts: {outputTokens: 358 + 1309 + 1400}});
		expect(report.blocks.filter(block => block.isGap).length).toBeGreaterThan(0);
	});

	it.each([
		['display', 1.09],
		['auto', 1.09],
		['calculate', 0.013_979],
	])('--mode %s on logged costUSD lines', async (mode, cost) => {
		const report = await reportJson(['--claude-dir', path.resolve('fixtures/logged-cost'), '--mode', mode]);
		expect(report.totals.costUSD).toBeCloseTo(cost, 9);
		expect(report.totals.entries).toBe(5);
	});

	it('filters blocks by --since/--until (local dates)', async () => {
		const report = await reportJson(['--claude-dir', fixture, '--since', '2026-01-01', '--until', '2026-03-31'], );
		expect(report.blocks.map(block => block.startTime.slice(0, 10)).filter((day, index, days) => days.indexOf(day) === index)).toEqual(
			expect.arrayContaining(['2026-01-06', '2026-03-11']),
		);
		expect(report.blocks.every(block => block.startTime >= '2025-12-31' && block.startTime < '2026-04-02')).toBe(true);
	});

	it('marks the block active at --now, with burn rate, projection and limit status', async () => {
		const report = await reportJson(['--claude-dir', fixture, '--now', '2026-01-06T10:00:00Z', '--token-limit', '100000']);
		const active = report.blocks.filter(block => block.isActive);
		expect(active).toHaveLength(1);
		expect(active[0]?.burnRate?.tokensPerMinute).toBeGreaterThan(0);
		expect(active[0]?.projection?.remainingMinutes).toBe(240);
		expect(active[0]?.tokenLimitStatus).toMatchObject({limit: 100_000, status: 'exceeds'});
		expect(report.limit).toEqual({tokens: 100_000, source: 'flag', label: '--token-limit 100000', measure: 'all'});
	});

	it('applies a --pricing file over the embedded table', async () => {
		const file = path.join(emptyHome, 'prices.json');
		await writeFile(file, JSON.stringify({models: [{id: 'claude-haiku-4-5', inputPerMTok: 0, outputPerMTok: 0, cacheWrite5mPerMTok: 0, cacheWrite1hPerMTok: 0, cacheReadPerMTok: 0}]}));
		const base = await reportJson(['--claude-dir', fixture]);
		const overridden = await reportJson(['--claude-dir', fixture, '--pricing', file]);
		expect(base.totals.costUSD - overridden.totals.costUSD).toBeCloseTo(0.000_551, 9);
	});

	it('prints an empty report when nothing is found', async () => {
		const report = await reportJson([]);
		expect(report.blocks).toEqual([]);
	});
});

describe('cctop report (table)', () => {
	it('fits the terminal width and shows local times, tokens, cost and models', async () => {
		for (const columns of [50, 80, 140]) {
			const {stdout, code} = await run(['report', '--claude-dir', fixture, '--breakdown'], {COLUMNS: String(columns), TZ: 'UTC'});
			expect(code).toBe(0);
			for (const row of stdout.trimEnd().split('\n')) {
				expect(row.length).toBeLessThanOrEqual(columns);
			}

			expect(stdout).toContain('2026-01-06 09:00');
			expect(stdout).toContain('$1.10');
		}

		const wide = await run(['report', '--claude-dir', fixture, '--breakdown'], {COLUMNS: '140', TZ: 'UTC'});
		expect(wide.stdout).toContain('opus-4-5');
		expect(wide.stdout).toMatch(/^\s+sonnet-4-5\s+/m);
	});

	it('says where it looked when there are no transcripts', async () => {
		const {stderr, code} = await run(['report']);
		expect(code).toBe(0);
		expect(stderr).toContain('no Claude Code transcripts found');
		expect(stderr).toContain(path.join(emptyHome, '.claude', 'projects'));
		expect(stderr).toContain(path.join(emptyHome, '.config', 'claude', 'projects'));
	});
});

describe('bad input and usage errors', () => {
	it('prints one stderr summary line for skipped input', async () => {
		const dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-bad-'));
		await writeFile(path.join(dir, 's.jsonl'), 'garbage\n{"cut": \n');
		const {stderr, code} = await run(['report', '--json', '--claude-dir', dir]);
		await rm(dir, {recursive: true, force: true});
		expect(code).toBe(0);
		expect(stderr.trim().split('\n')).toEqual(['cctop: 2 invalid lines skipped (details: report --json → diagnostics)']);
	});

	it.each([
		[['report', '--plan', 'gold'], '--plan'],
		[['report', '--since', '2026-13-01'], '--since'],
		[['report', '--token-limit', 'lots'], '--token-limit'],
		[['report', '--mode', 'guess'], '--mode'],
		[['report', '--now', 'yesterday'], '--now'],
		[['frobnicate'], 'unknown command'],
		[['report', '--pricing', '/nonexistent.json'], '--pricing'],
	])('%j exits 2 and names the problem', async (args, needle) => {
		const {code, stderr} = await run(args);
		expect(code).toBe(2);
		expect(stderr).toContain(needle);
	});
});

describe('a directory without permission', () => {
	it('is reported once on stderr and in diagnostics, and the rest still counts', async () => {
		const cli = await unprivilegedCli();
		const claude = path.join(cli.dir, 'claude');
		await cp(fixture, claude, {recursive: true});
		const locked = path.join(claude, 'projects', '-home-dev-locked');
		await mkdir(locked);
		await writeFile(path.join(locked, 's.jsonl'), '{}\n');
		const cache = path.join(cli.dir, 'cache');
		await mkdir(cache);
		await cli.own(claude);
		await cli.own(cache);
		await chmod(locked, 0o000);
		const result = cli.run(['report', '--json', '--claude-dir', claude], {CCTOP_CACHE_DIR: cache});
		await chmod(locked, 0o755);
		await cli.cleanup();
		expect(result.status).toBe(0);
		const report = reportJsonSchema.parse(JSON.parse(result.stdout));
		expect(report.totals.entries).toBe(9);
		expect(report.diagnostics.unreadablePaths).toEqual([{path: locked, reason: 'EACCES'}]);
		expect(result.stderr.trim().split('\n')).toEqual([`cctop: 1 unreadable path (${locked}) (details: report --json → diagnostics)`]);
	});
});

describe('cctop report --json --watch', () => {
	it('prints a snapshot at start and a new NDJSON line after an append, and exits 0 on SIGINT', async () => {
		const dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-watch-'));
		await cp(fixture, path.join(dir, 'claude'), {recursive: true});
		const child = spawn(process.execPath, [cliPath, 'report', '--json', '--watch', '--claude-dir', path.join(dir, 'claude')], {
			env: {...process.env, HOME: emptyHome, CCTOP_CACHE_DIR: path.join(dir, 'cache')},
		});
		const lines: string[] = [];
		let buffered = '';
		child.stdout.on('data', (chunk: Buffer) => {
			buffered += chunk.toString('utf8');
			const parts = buffered.split('\n');
			buffered = parts.pop() ?? '';
			lines.push(...parts);
		});
		try {
			await waitFor(() => lines.length >= 1, 15_000, 'the first snapshot');
			const first = reportJsonSchema.parse(JSON.parse(lines[0]!));
			expect(first.totals.entries).toBe(9);
			// Give chokidar its initial scan, then append one new request.
			await waitFor(async () => {
				await appendFile(
					path.join(dir, 'claude', 'projects', '-home-dev-api-server', 'bbb-original.jsonl'),
					`${JSON.stringify({type: 'assistant', timestamp: new Date().toISOString(), requestId: `req-${lines.length}-${Date.now()}`, message: {id: 'msg-live', model: 'claude-opus-4-5', usage: {input_tokens: 1, output_tokens: 1}}})}\n`,
				);
				return lines.length >= 2;
			}, 15_000, 'a snapshot after the append');
			const next = reportJsonSchema.parse(JSON.parse(lines.at(-1)!));
			expect(next.totals.entries).toBeGreaterThan(first.totals.entries);
			child.kill('SIGINT');
			const code = await new Promise(resolve => child.once('exit', resolve));
			expect(code).toBe(0);
		} finally {
			child.kill('SIGKILL');
			await rm(dir, {recursive: true, force: true});
		}
	});
});
