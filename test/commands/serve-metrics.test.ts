import {execFile, spawn, type ChildProcess} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {waitFor} from '../helpers/wait-for.js';
import {promSamples as samples} from '../helpers/prom.js';

const cliPath = path.resolve('dist/cli.js');
const captures = path.resolve('fixtures/otlp-traces/cc-2.1.332_http-protobuf');
let home: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-metrics-'));
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const serve = async (flags: string[] = [], data = 'data'): Promise<{child: ChildProcess; url: string; stderr: () => string; stop: () => Promise<void>}> => {
	const child = spawn(process.execPath, [cliPath, 'serve', '--otlp-port', 'auto', '--otlp-grpc-port', '0', ...flags], {env: {...process.env, HOME: home, CCTOP_DATA_DIR: path.join(home, data), CCTOP_CACHE_DIR: path.join(home, 'cache')}, stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr!.on('data', chunk => (stderr += String(chunk)));
	await waitFor(() => stderr.includes('OTEL_EXPORTER_OTLP_ENDPOINT='), 10_000, () => `the export line; stderr: ${stderr}`);
	return {
		child,
		url: /OTLP\/HTTP on (http:\/\/[^\s,]+)/.exec(stderr)![1]!,
		stderr: () => stderr,
		stop: async () => {
			child.kill('SIGTERM');
			await new Promise(resolve => child.once('exit', resolve));
		},
	};
};

/** Replay the real 2.1.332 run (three `claude -p`, 5 requests) into the receiver, request by request. */
const replay = async (url: string) => {
	for (const name of readdirSync(captures).filter(name => name.endsWith('.bin')).sort()) {
		const signal = /_(logs|metrics|traces)\./.exec(name)![1];
		const response = await fetch(`${url}/v1/${signal}`, {method: 'POST', body: readFileSync(path.join(captures, name)), headers: {'content-type': 'application/x-protobuf'}});
		expect(response.status).toBe(200);
	}
};

const total = (text: string, name: string, type?: string) => samples(text).filter(sample => sample.name === name && (type === undefined || sample.labels['type'] === type)).reduce((sum, sample) => sum + sample.value, 0);

// fixtures/README.md: 4,310 input / 153 output / 18,300 cache read / 5,120 cache write tokens over 5 requests in 3 sessions.
const expectCaptureTotals = (text: string) => {
	expect(total(text, 'claude_code_token_usage_tokens_total', 'input')).toBe(4310);
	expect(total(text, 'claude_code_token_usage_tokens_total', 'output')).toBe(153);
	expect(total(text, 'claude_code_token_usage_tokens_total', 'cacheRead')).toBe(18_300);
	expect(total(text, 'claude_code_token_usage_tokens_total', 'cacheCreation')).toBe(5120);
	expect(total(text, 'claude_code_session_count_total')).toBe(3);
};

const freePort = async () =>
	new Promise<number>(resolve => {
		const server = net.createServer().listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});

describe('cctop serve: /metrics for Prometheus', () => {
	it('serves the captures\' counters under the Collector\'s names, and keeps them across a restart', async () => {
		const first = await serve();
		let before: string;
		try {
			await replay(first.url);
			const response = await fetch(`${first.url}/metrics`);
			expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
			before = await response.text();
			expectCaptureTotals(before);
			expect(before).toMatch(/^claude_code_cost_usage_USD_total\{.*model="claude-[^"]+".*otel_scope_name="com\.anthropic\.claude_code",otel_scope_version="2\.1\.332".*\} [\d.e-]+$/m);
			expect(before).toMatch(/^cctop_receiver_requests_total\{signal="metrics",status="200"\} \d+$/m);
		} finally {
			await first.stop();
		}

		const second = await serve(['--metrics-drop-labels', 'session_id']);
		try {
			const after = await (await fetch(`${second.url}/metrics`)).text();
			expectCaptureTotals(after);
			// Without session_id, the series of one user and model merge: fewer lines, same sums.
			expect(after).not.toContain('session_id=');
			expect(samples(after).length).toBeLessThan(samples(before).length);
		} finally {
			await second.stop();
		}
	});

	it('serves /metrics on a listener of its own, and wants the token when one is set', async () => {
		const port = await freePort();
		const own = await serve(['--metrics-port', String(port), '--otlp-token', 's3cret'], 'own-data');
		try {
			expect(own.stderr()).toContain(`Prometheus /metrics on http://127.0.0.1:${port}/metrics`);
			expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
			const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, {headers: {authorization: 'Bearer s3cret'}})).text();
			expect(text).toContain('# TYPE cctop_spool_bytes gauge');
			expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
		} finally {
			await own.stop();
		}
	});

	it('is scraped by a real Prometheus, and claude-code-otel\'s queries give the captures\' totals', async () => {
		// A spool of its own: the counters start from what is in it.
		const receiver = await serve([], 'prometheus-data');
		const promPort = await freePort();
		const dir = path.join(home, 'prometheus');
		const target = new URL(receiver.url).host;
		await writeFile(path.join(home, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: cctop\n    static_configs:\n      - targets: ['${target}']\n`);
		let prometheus: ChildProcess = spawn('prometheus', [`--config.file=${path.join(home, 'prometheus.yml')}`, `--storage.tsdb.path=${dir}`, `--web.listen-address=127.0.0.1:${promPort}`], {stdio: ['ignore', 'ignore', 'pipe']});
		let promLog = '';
		prometheus.stderr!.on('data', chunk => (promLog += String(chunk)));
		const query = async (promql: string) => {
			const response = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
			const body = (await response.json()) as {data: {result: Array<{metric: Record<string, string>; value: [number, string]}>}};
			return body.data.result;
		};

		try {
			await replay(receiver.url);
			await waitFor(async () => {
				try {
					return (await query('sum(claude_code_session_count_total)'))[0]?.value[1] === '3';
				} catch {
					return false;
				}
			}, 40_000, () => `Prometheus to scrape the counters; its log: ${promLog.slice(-1500)}`);
			const byType = Object.fromEntries((await query('sum by (type) (claude_code_token_usage_tokens_total)')).map(row => [row.metric['type'], Number(row.value[1])]));
			expect(byType).toEqual({input: 4310, output: 153, cacheRead: 18_300, cacheCreation: 5120});
			const cost = Number((await query('sum(claude_code_cost_usage_USD_total)'))[0]!.value[1]);
			expect(cost).toBeCloseTo(total(await (await fetch(`${receiver.url}/metrics`)).text(), 'claude_code_cost_usage_USD_total'), 9);
			expect((await query('sum by (model) (claude_code_cost_usage_USD_total)')).length).toBeGreaterThanOrEqual(2);
			// A restart of Prometheus (same storage) changes nothing.
			prometheus.kill('SIGTERM');
			await new Promise(resolve => prometheus.once('exit', resolve));
			prometheus = spawn('prometheus', [`--config.file=${path.join(home, 'prometheus.yml')}`, `--storage.tsdb.path=${dir}`, `--web.listen-address=127.0.0.1:${promPort}`], {stdio: 'ignore'});
			await waitFor(async () => {
				try {
					return (await query('sum(claude_code_session_count_total)'))[0]?.value[1] === '3';
				} catch {
					return false;
				}
			}, 40_000, 'Prometheus back with the same counters');
			const again = Object.fromEntries((await query('sum by (type) (claude_code_token_usage_tokens_total)')).map(row => [row.metric['type'], Number(row.value[1])]));
			expect(again).toEqual(byType);
		} finally {
			prometheus.kill('SIGTERM');
			await receiver.stop();
		}
	}, 90_000);

	it('cctop team gives the same rows from the spool and from Prometheus', async () => {
		const receiver = await serve([], 'team-data');
		const promPort = await freePort();
		await writeFile(path.join(home, 'team.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: cctop\n    static_configs:\n      - targets: ['${new URL(receiver.url).host}']\n`);
		const prometheus = spawn('prometheus', [`--config.file=${path.join(home, 'team.yml')}`, `--storage.tsdb.path=${path.join(home, 'team-tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], {stdio: 'ignore'});
		const team = async (args: string[]) =>
			new Promise<{code: number; stdout: string; stderr: string}>(resolve => {
				execFile(process.execPath, [cliPath, 'team', ...args], {env: {...process.env, HOME: home, CCTOP_DATA_DIR: path.join(home, 'team-data'), COLUMNS: '140'}}, (error, stdout, stderr) => resolve({code: error === null ? 0 : Number(error.code), stdout, stderr}));
			});
		try {
			// Two real runs (2.1.112 and 2.1.332, two installs: two user.id), their times moved to now.
			const nowNs = `${BigInt(Date.now() - 60_000) * 1_000_000n}`;
			for (const folder of ['fixtures/otlp/cc-2.1.112_http-json', 'fixtures/otlp-traces/cc-2.1.332_http-json']) {
				for (const name of readdirSync(folder).filter(name => name.endsWith('metrics.json') && !name.includes('headers')).sort()) {
					const body = readFileSync(path.join(folder, name), 'utf8').replaceAll(/"(startTimeUnixNano|timeUnixNano)":"\d+"/g, `"$1":"${nowNs}"`);
					expect((await fetch(`${receiver.url}/v1/metrics`, {method: 'POST', body, headers: {'content-type': 'application/json'}})).status).toBe(200);
				}
			}

			type Report = {rows: Array<Record<string, unknown>>; unidentified: {series: number}; totals: {tokens: Record<string, number>}};
			await waitFor(async () => {
				const result = await team(['--json', '--prometheus', `http://127.0.0.1:${promPort}`]);
				return result.code === 0 && (JSON.parse(result.stdout) as Report).totals.tokens['input'] === 2400 + 4310;
			}, 40_000, 'Prometheus to have the counters');
			// One clock for both: the projections and the last hour depend on it.
			const at = new Date().toISOString();
			const spool = JSON.parse((await team(['--json', '--now', at])).stdout) as Report;
			expect(spool.rows).toHaveLength(2);
			expect(spool.unidentified.series).toBe(2);
			expect(spool.totals.tokens).toEqual({input: 2400 + 4310, output: 99 + 153, cacheRead: 10_000 + 18_300, cacheCreation: 1600 + 5120});
			const fromPrometheus = JSON.parse((await team(['--json', '--now', at, '--prometheus', `http://127.0.0.1:${promPort}`])).stdout) as Report;
			expect(fromPrometheus.rows).toHaveLength(2);
			// The sparkline's buckets split a point by its own time (spool) or its scrape time (Prometheus): equal in sum, not always in place.
			const withoutBuckets = (report: Report) => ({...report, rows: report.rows.map(row => ({...row, costByBucketUSD: undefined}))});
			expect({...withoutBuckets(fromPrometheus), source: 'spool'}).toEqual(withoutBuckets(spool));
			for (const report of [spool, fromPrometheus]) {
				for (const row of report.rows) expect((row['costByBucketUSD'] as number[]).reduce((sum, value) => sum + value, 0)).toBeCloseTo(row['costUSD'] as number, 12);
			}
			const text = (await team([])).stdout.split('\n');
			expect(text[0]).toMatch(/^team by user · day from \d{4}-\d\d-\d\d · spool$/);
			expect(text.at(-2)).toMatch(/^2 of them without a real identity/);
		} finally {
			prometheus.kill('SIGTERM');
			await receiver.stop();
		}
	}, 90_000);
});
