import {execFile, spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const cliPath = path.resolve('dist/cli.js');
const fixture = (name: string) => path.resolve('fixtures/otel-console', name);
const native = fixture('cc-2.1.332-native-bun_p-mode_console-traces+metrics+logs_tool-turns.stdout.txt');

let home: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-otel-'));
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const env = () => ({...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: '', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data'), TZ: 'UTC', COLUMNS: '80'});
const run = async (args: string[]) => {
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, 'report', '--claude-dir', path.resolve('fixtures/claude'), ...args], {env: env()});
		return {code: 0, stdout, stderr};
	} catch (error) {
		return error as {code: number; stdout: string; stderr: string};
	}
};

/** Run with `input` on stdin. */
const runWithStdin = async (args: string[], input: string) =>
	new Promise<{code: number | null; stdout: string}>(resolve => {
		const child = spawn(process.execPath, [cliPath, 'report', '--claude-dir', path.resolve('fixtures/claude'), ...args], {env: env()});
		let stdout = '';
		child.stdout.on('data', chunk => (stdout += String(chunk)));
		child.on('close', code => resolve({code, stdout}));
		child.stdin.end(input);
	});

describe('cctop report --otel-log', () => {
	it('adds the "otel" section to the JSON, next to the transcript blocks', async () => {
		const result = await run(['--json', '--otel-log', native]);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout) as {blocks: unknown[]; otel: Record<string, unknown>};
		expect(report.blocks.length).toBeGreaterThan(0);
		expect(report.otel).toMatchObject({
			linesOfCode: {added: 4, removed: 0},
			editDecisions: {accept: 1, reject: 0},
			apiRequests: {count: 5, errors: 0, durationMsP50: 18, durationMsP95: 52},
			tools: {Bash: {calls: 1, failures: 0}, Write: {calls: 1, failures: 0}},
			diagnostics: {records: 56, incompleteRecords: 0, badRecords: 0},
		});
		expect(report.otel['costUSD']).toBeCloseTo(0.066_05, 10);
		expect(report.otel['sessions']).toHaveLength(3);
	});

	it('has no "otel" section without OpenTelemetry input', async () => {
		expect(JSON.parse((await run(['--json'])).stdout)).not.toHaveProperty('otel');
	});

	it('reads stdin for -, and sums several logs', async () => {
		const result = await runWithStdin(['--json', '--otel-log', '-', '--otel-log', fixture('metrics_delta_sdk-metrics-2.2.0.stdout.txt')], readFileSync(fixture('logs_sdk-logs-0.208.0.stdout.txt'), 'utf8'));
		expect(result.code).toBe(0);
		const {otel} = JSON.parse(result.stdout) as {otel: {apiRequests: {count: number; errors: number}; costUSD: number}};
		expect(otel.apiRequests).toMatchObject({count: 2, errors: 1});
		expect(otel.costUSD).toBeCloseTo(0.0143, 10);
	});

	it('prints the figures under the table', async () => {
		const {stdout} = await run(['--otel-log', native]);
		expect(stdout).toContain("\nOpenTelemetry (all telemetry received, not only these transcripts'): 3 sessions · $0.07 · 27.9k tokens\n  API: 5 requests, 0 errors · p50 18ms, p95 52ms\n");
		expect(stdout).toContain('  tools: Bash 1 p95 34ms · Write 1 p95 14ms');
	});

	it('makes a missing log a usage error (exit 2), before reading anything', async () => {
		const result = await run(['--json', '--otel-log', path.join(home, 'missing.txt')]);
		expect(result.code).toBe(2);
		expect(result.stderr.trim()).toBe(`cctop: --otel-log ${path.join(home, 'missing.txt')}: no such file`);
		expect(result.stdout).toBe('');
	});

	it('is refused where it is not read yet (exit 2)', async () => {
		expect((await run(['--json', '--watch', '--otel-log', native])).code).toBe(2);
		const status = await promisify(execFile)(process.execPath, [cliPath, 'status', '--otel-log', native], {env: env()}).catch((error: unknown) => error as {code: number; stderr: string});
		expect(status).toMatchObject({code: 2, stderr: expect.stringMatching(/--otel-log belongs to .*`cctop report`.*, not `cctop status`/) as string});
	});
});
