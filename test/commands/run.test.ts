import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const cliPath = path.resolve('dist/cli.js');
const sample = path.resolve('fixtures/otel-console/cc-2.1.112_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt');

let home: string;
let fakeClaude: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-run-'));
	// A stand-in for `claude -p`: prints a real run's stdout (answer and telemetry) in small pieces, echoes its env, exits 3.
	fakeClaude = path.join(home, 'fake-claude.mjs');
	await writeFile(
		fakeClaude,
		`import {readFileSync} from 'node:fs';
const text = readFileSync(${JSON.stringify(sample)}, 'utf8');
for (let at = 0; at < text.length; at += 97) process.stdout.write(text.slice(at, at + 97));
process.stdout.write('telemetry=' + process.env.CLAUDE_CODE_ENABLE_TELEMETRY + ' metrics=' + process.env.OTEL_METRICS_EXPORTER + ' logs=' + process.env.OTEL_LOGS_EXPORTER + ' args=' + process.argv.slice(2).join(',') + '\\n');
process.exitCode = 3;
`,
	);
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const env = (extra: Record<string, string> = {}) => ({...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data'), OTEL_METRICS_EXPORTER: '', TZ: 'UTC', ...extra});
const run = async (args: string[], extra: Record<string, string> = {}) => {
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, ...args], {env: env(extra)});
		return {code: 0, stdout, stderr};
	} catch (error) {
		return error as {code: number; stdout: string; stderr: string};
	}
};

describe('cctop run', () => {
	it('passes the answer through without the telemetry, keeps the exit code, and spools the records for report', async () => {
		// OTEL_METRICS_EXPORTER is set but empty here: that counts as unset.
		const result = await run(['run', '--', process.execPath, fakeClaude, '-p', 'hi']);
		expect(result.code).toBe(3);
		expect(result.stdout).toBe('Hello from the mock.\ntelemetry=1 metrics=console logs=console args=-p,hi\n');
		const spool = await readFile(path.join(home, 'data', 'otel-spool.ndjson'), 'utf8');
		expect(spool.trimEnd().split('\n')).toHaveLength(15);
		const report = await run(['report', '--json', '--claude-dir', path.resolve('fixtures/claude')]);
		const {otel} = JSON.parse(report.stdout) as {otel: {costUSD: number; apiRequests: {count: number}; diagnostics: {records: number; badRecords: number}}};
		expect(otel.costUSD).toBeCloseTo(0.017_685, 10);
		expect(otel.apiRequests.count).toBe(2);
		expect(otel.diagnostics).toMatchObject({records: 15, badRecords: 0});
	});

	it('lets the user\'s own telemetry settings win', async () => {
		const result = await run(['run', '--', process.execPath, fakeClaude], {OTEL_LOGS_EXPORTER: 'otlp'});
		expect(result.stdout).toContain('logs=otlp');
	});

	it('says how to use it without a command (exit 2), and names a command it cannot start (127)', async () => {
		expect((await run(['run'])).code).toBe(2);
		const missing = await run(['run', '--', path.join(home, 'no-such-claude')]);
		// As a shell says it: 127, command not found.
		expect(missing.code).toBe(127);
		expect(missing.stderr).toContain('cannot run');
	});
});
