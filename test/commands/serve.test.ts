import {execFile, spawn, type ChildProcess} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import {appendFile, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {waitFor} from '../helpers/wait-for.js';

const cliPath = path.resolve('dist/cli.js');
let home: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-serve-'));
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const env = () => ({...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data'), TZ: 'UTC'});

/** `cctop serve` on free ports (HTTP only unless `flags` say otherwise); resolves with its URLs once it listens, and what it printed. */
const serve = async (flags: string[] = [], extraEnv: Record<string, string> = {}): Promise<{child: ChildProcess; url: string; grpcPort: number | undefined; stderr: () => string}> => {
	const child = spawn(process.execPath, [cliPath, 'serve', '--otlp-port', 'auto', ...(flags.includes('--otlp-grpc-port') ? [] : ['--otlp-grpc-port', '0']), ...flags], {env: {...env(), ...extraEnv}, stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr!.on('data', chunk => (stderr += String(chunk)));
	await waitFor(() => stderr.includes('OTEL_EXPORTER_OTLP_ENDPOINT='), 10_000, () => `the export line; stderr: ${stderr}`);
	const url = /OTLP\/HTTP on (http:\/\/[^\s,]+)/.exec(stderr)?.[1] ?? '';
	const grpc = /OTLP\/gRPC on http:\/\/[^:]+:(\d+)/.exec(stderr)?.[1];
	return {child, url, grpcPort: grpc === undefined ? undefined : Number(grpc), stderr: () => stderr};
};

const send = async (url: string, encoding: 'json' | 'protobuf') => {
	const folder = path.resolve(`fixtures/otlp/cc-2.1.112_http-${encoding}`);
	for (const name of readdirSync(folder).sort()) {
		if (encoding === 'json' ? !name.endsWith('.json') || name.includes('headers') : !name.endsWith('.bin')) continue;
		const response = await fetch(`${url}/v1/${name.includes('metrics') ? 'metrics' : 'logs'}`, {
			method: 'POST',
			body: readFileSync(path.join(folder, name)),
			headers: {'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf'},
		});
		expect(response.status).toBe(200);
	}
};

describe('cctop serve', () => {
	it('listens for gRPC and HTTP, and prints the settings for each', async () => {
		const both = await serve(['--otlp-grpc-port', 'auto']);
		try {
			const lines = both.stderr().split('\n');
			expect(lines[0]).toMatch(/^cctop: OTLP\/gRPC on http:\/\/127\.0\.0\.1:\d+, OTLP\/HTTP on http:\/\/127\.0\.0\.1:\d+ /);
			expect(both.stderr()).toContain(`OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${both.grpcPort}`);
			expect(both.stderr()).toContain(`OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT=${both.url}`);
			// An HTTP exporter on the gRPC port is told how to fix it, once.
			for (let attempt = 0; attempt < 2; attempt++) await fetch(`http://127.0.0.1:${both.grpcPort}/v1/logs`, {method: 'POST', body: '{}'});
			await waitFor(() => both.stderr().includes('sends OTLP/HTTP to the gRPC port'), 5000, 'the wrong-protocol line');
			expect(both.stderr().match(/sends OTLP\/HTTP to the gRPC port/g)).toHaveLength(1);
		} finally {
			both.child.kill('SIGTERM');
		}
	});

	it('says a port is in use in one line, exit 1', async () => {
		const first = await serve(['--otlp-grpc-port', 'auto']);
		try {
			const result = await promisify(execFile)(process.execPath, [cliPath, 'serve', '--otlp-port', '0', '--otlp-grpc-port', String(first.grpcPort)], {env: env()}).catch((error: unknown) => error as {code: number; stderr: string});
			expect((result as {code: number}).code).toBe(1);
			expect((result as {stderr: string}).stderr.trim().split('\n')).toEqual([`cctop: port ${first.grpcPort} is in use (another cctop serve, or a collector?): stop it, or give gRPC another with --otlp-grpc-port N (0 turns it off)`]);
		} finally {
			first.child.kill('SIGTERM');
		}
	});

	it('keeps every acknowledged gRPC export when killed mid-stream, and a restart reads them all', async () => {
		const {otlpGrpcClient, grpcStatus} = await import('../helpers/grpc-client.js');
		const data = path.join(home, `grpc-kill-${Date.now()}`);
		const first = await serve(['--otlp-grpc-port', 'auto'], {CCTOP_DATA_DIR: data});
		const client = otlpGrpcClient(first.grpcPort!);
		const folder = path.resolve('fixtures/otlp-traces/cc-2.1.332_http-protobuf');
		const [logs] = readdirSync(folder).filter(name => name.endsWith('_logs.bin'));
		const bytes = readFileSync(path.join(folder, logs!));
		let acknowledged = 0;
		// Sends keep going while the server is killed: some are answered, some are not.
		const sending = (async () => {
			for (let index = 0; index < 400; index++) {
				if ((await client.send('logs', bytes)).code !== grpcStatus.OK) break;
				acknowledged++;
			}
		})();
		await waitFor(() => acknowledged >= 20, 10_000, 'some exports');
		first.child.kill('SIGKILL');
		await sending;
		client.close();
		const recordsPerExport = (await import('../../source/ingest/otel/otlp-export.js')).decodeExport('logs', bytes, false).length;
		const second = await serve(['--otlp-grpc-port', 'auto'], {CCTOP_DATA_DIR: data});
		second.child.kill('SIGTERM');
		const {OtelSummary} = await import('../../source/core/otel/otel-summary.js');
		const {readSpool} = await import('../../source/ingest/otel/otel-spool.js');
		const summary = new OtelSummary();
		readSpool(summary, path.join(data, 'otel-spool.ndjson'));
		expect(summary.json().diagnostics.records).toBeGreaterThanOrEqual(acknowledged * recordsPerExport);
	});

	it('refuses a network bind without a token (exit 2, one line), unless told --insecure-no-token', async () => {
		const refused = await promisify(execFile)(process.execPath, [cliPath, 'serve', '--otlp-host', '0.0.0.0', '--otlp-port', 'auto'], {env: env()}).catch((error: unknown) => error as {code: number; stderr: string});
		expect('code' in refused && refused.code).toBe(2);
		expect((refused as {stderr: string}).stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cctop: --otlp-host: 0\.0\.0\.0 is reachable from the network: set --otlp-token/) as string]);

		const open = await serve(['--otlp-host', '0.0.0.0', '--insecure-no-token']);
		try {
			// An address to export to, never 0.0.0.0; and it answers.
			const endpoint = /OTEL_EXPORTER_OTLP_ENDPOINT=(\S+)/.exec(open.stderr())![1]!;
			expect(open.stderr()).not.toMatch(/http:\/\/0\.0\.0\.0/);
			expect(open.stderr()).toContain('warning: no token');
			expect((await fetch(`${endpoint}/v1/logs`, {method: 'POST', body: '{}', headers: {'content-type': 'application/json'}})).status).toBe(200);
		} finally {
			open.child.kill('SIGTERM');
		}

		const guarded = await serve(['--otlp-host', '0.0.0.0', '--otlp-token', 's3cret']);
		try {
			expect(guarded.stderr()).toContain('OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <token>"');
			const url = /OTEL_EXPORTER_OTLP_ENDPOINT=(\S+)/.exec(guarded.stderr())![1]!;
			expect((await fetch(`${url}/v1/logs`, {method: 'POST', body: '{}', headers: {'content-type': 'application/json'}})).status).toBe(401);
			expect((await fetch(`${url}/v1/logs`, {method: 'POST', body: '{}', headers: {'content-type': 'application/json', authorization: 'Bearer s3cret'}})).status).toBe(200);
		} finally {
			guarded.child.kill('SIGTERM');
		}
	});

	it('keeps every acknowledged request when killed, and report reads them all', async () => {
		const first = await serve();
		expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
		await send(first.url, 'json');
		first.child.kill('SIGKILL');
		await new Promise(resolve => first.child.once('exit', resolve));
		// As if it had died in the middle of a write: half a record, no newline.
		await appendFile(path.join(home, 'data', 'otel-spool.ndjson'), '{"v":1,"record":{"kind":"log","na');
		const second = await serve();
		await send(second.url, 'protobuf');
		second.child.kill('SIGTERM');
		expect(await new Promise(resolve => second.child.once('exit', resolve))).toBe(0);
		const {stdout} = await promisify(execFile)(process.execPath, [cliPath, 'report', '--json', '--claude-dir', path.resolve('fixtures/claude')], {env: env()});
		const {otel} = JSON.parse(stdout) as {otel: {apiRequests: {count: number}; diagnostics: {records: number; badRecords: number}; sessions: string[]}};
		// Two runs of five events each (plus their metrics), and the torn record dropped and counted.
		expect(otel.sessions).toHaveLength(2);
		expect(otel.apiRequests.count).toBe(4);
		expect(otel.diagnostics).toMatchObject({records: 20, badRecords: 1});
	});
});

describe('one session through a transcript and through OpenTelemetry', () => {
	it('counts each request once: blocks from the transcripts, the otel section beside them', async () => {
		// A real Claude Code 2.1.332 run (three sessions, five requests): its transcripts, and what it sent over OTLP/protobuf.
		const folder = path.resolve('fixtures/otlp-traces/cc-2.1.332_http-protobuf');
		const data = path.join(home, 'joined');
		const runReport = async () => {
			const {stdout} = await promisify(execFile)(process.execPath, [cliPath, 'report', '--json', '--no-cache', '--claude-dir', path.join(folder, 'transcripts')], {env: {...env(), CCTOP_DATA_DIR: data}});
			return JSON.parse(stdout) as {totals: {entries: number; tokenCounts: Record<string, number>}; otel?: {apiRequests: {count: number}; tokens: Record<string, number>}};
		};

		const before = await runReport();
		expect(before.otel).toBeUndefined();
		const {startReceiver} = await import('../../source/ingest/otel/otlp-receiver.js');
		const {appendToSpool} = await import('../../source/ingest/otel/otel-spool.js');
		const receiver = await startReceiver({host: '127.0.0.1', port: 0, store: async records => appendToSpool(records, {file: path.join(data, 'otel-spool.ndjson')})});
		try {
			for (const name of readdirSync(folder).filter(file => /_(logs|metrics|traces)\.bin$/.test(file)).sort()) {
				const response = await fetch(`${receiver.url}/v1/${/_(logs|metrics|traces)\./.exec(name)![1]}`, {method: 'POST', body: readFileSync(path.join(folder, name)), headers: {'content-type': 'application/x-protobuf'}});
				expect(response.status).toBe(200);
			}
		} finally {
			await receiver.close();
		}

		const after = await runReport();
		// The mock served 5 requests: 4,310 input, 153 output, 18,300 cache read, 5,120 cache write tokens (ground-truth.json).
		expect(after.totals).toEqual(before.totals);
		expect(after.totals.entries).toBe(5);
		expect(after.totals.tokenCounts).toEqual({inputTokens: 4310, outputTokens: 153, cacheCreationInputTokens: 5120, cacheReadInputTokens: 18_300});
		expect(after.otel?.apiRequests.count).toBe(5);
		expect(after.otel?.tokens).toEqual({input: 4310, output: 153, cacheRead: 18_300, cacheCreation: 5120});

		// `cctop session` joins them: tool timings from tool_result events, request durations by request id.
		const session = async (args: string[]) => {
			const {stdout} = await promisify(execFile)(process.execPath, [cliPath, 'session', '--no-cache', '--claude-dir', path.join(folder, 'transcripts'), ...args], {env: {...env(), CCTOP_DATA_DIR: data}});
			return stdout;
		};

		const {sessions} = JSON.parse(await session(['--list', '--json'])) as {sessions: Array<{sessionId: string}>};
		expect(sessions).toHaveLength(3);
		const details = await Promise.all(
			sessions.map(async ({sessionId}) => JSON.parse(await session([sessionId, '--json'])) as {tools: Record<string, number>; toolTimings: Record<string, {calls: number; durationMsP95: number}>; topRequests: Array<{durationMs: number | null}>; timeSplitMs: {interactions: number; model: number} | null}),
		);
		// One prompt per session, so one traced interaction each, with its model time.
		expect(details.map(detail => detail.timeSplitMs?.interactions)).toEqual([1, 1, 1]);
		expect(details.every(detail => detail.timeSplitMs!.model > 0)).toBe(true);
		const withTools = details.filter(detail => Object.keys(detail.tools).length > 0);
		expect(withTools.flatMap(detail => Object.keys(detail.tools)).sort()).toEqual(['Bash', 'Write']);
		for (const detail of withTools) expect(Object.keys(detail.toolTimings)).toEqual(Object.keys(detail.tools));
		expect(details.flatMap(detail => detail.topRequests).every(request => typeof request.durationMs === 'number')).toBe(true);
		expect(await session([sessions.find((_, index) => Object.keys(details[index]!.tools).includes('Write'))!.sessionId])).toMatch(/\n {2}Write 1 \(p95 \d+(?:ms|\.\ds)\)\n/);
	});
});
