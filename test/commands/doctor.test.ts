import {execFile} from 'node:child_process';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {startGrpcReceiver} from '../../source/ingest/otel/otlp-grpc.js';
import {startReceiver} from '../../source/ingest/otel/otlp-receiver.js';

const cliPath = path.resolve('dist/cli.js');
let root: string;
let home: string;
let project: string;
let managed: string;
const closers: Array<() => Promise<void>> = [];
beforeEach(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'cctop-doctor-'));
	home = path.join(root, 'home');
	project = path.join(root, 'project');
	managed = path.join(root, 'managed-settings.json');
	await mkdir(path.join(home, '.claude', 'projects', '-p'), {recursive: true});
	await mkdir(path.join(project, '.claude'), {recursive: true});
});
afterEach(async () => {
	for (const close of closers.splice(0)) await close();
	await rm(root, {recursive: true, force: true});
});

const settings = async (file: string, env: Record<string, string>, extra: Record<string, unknown> = {}) => writeFile(file, JSON.stringify({env, ...extra}));
/** A transcript line from a version: what doctor reads when `claude` is not on the PATH. */
const ranVersion = async (version: string) => writeFile(path.join(home, '.claude', 'projects', '-p', 's.jsonl'), `${JSON.stringify({type: 'user', version, sessionId: 's', timestamp: '2026-11-26T10:00:00Z'})}\n`);

type Doctor = {claudeCode: {version: string | null; rule: string}; telemetry: Record<string, {value: string | null; source: string | null; alsoSetIn: Array<{source: string; value: string}>}>; checks: Array<{id: string; status: string; message: string}>; sources: Array<{source: string; exists: boolean}>};
const doctor = async (shell: Record<string, string> = {}): Promise<{code: number; json: Doctor; stdout: string}> => {
	const env = {PATH: '/usr/bin:/bin', HOME: home, CCTOP_MANAGED_SETTINGS: managed, CCTOP_CACHE_DIR: path.join(root, 'cache'), CCTOP_DATA_DIR: path.join(root, 'data'), ...shell};
	const run = async (args: string[]) => promisify(execFile)(process.execPath, [cliPath, 'doctor', ...args], {cwd: project, env}).then(({stdout}) => ({code: 0, stdout}), (error: {code: number; stdout: string}) => ({code: error.code, stdout: error.stdout}));
	const json = await run(['--json']);
	const text = await run([]);
	expect(text.code).toBe(json.code);
	return {code: json.code, json: JSON.parse(json.stdout) as Doctor, stdout: text.stdout + json.stdout};
};

const check = (json: Doctor, id: string) => json.checks.find(item => item.id === id);

describe('cctop doctor', () => {
	it('names the source that wins for 2.1.332 (managed > user > shell) and every other place that sets it, and warns about project settings', async () => {
		await ranVersion('2.1.332');
		await settings(managed, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://managed:4317'});
		await settings(path.join(home, '.claude', 'settings.json'), {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:4317', CLAUDE_CODE_ENABLE_TELEMETRY: '1'});
		await settings(path.join(project, '.claude', 'settings.json'), {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://project:4317'});
		const {json} = await doctor({OTEL_EXPORTER_OTLP_ENDPOINT: 'http://shell:4317'});
		expect(json.claudeCode.version).toBe('2.1.332');
		expect(json.telemetry['OTEL_EXPORTER_OTLP_ENDPOINT']).toEqual({
			value: 'http://managed:4317',
			source: 'managed',
			alsoSetIn: expect.arrayContaining([{source: 'user', value: 'http://user:4317'}, {source: 'project', value: 'http://project:4317'}, {source: 'shell', value: 'http://shell:4317'}]) as unknown,
		});
		expect(json.telemetry['CLAUDE_CODE_ENABLE_TELEMETRY']).toMatchObject({value: '1', source: 'user'});
		expect(check(json, 'ignored-project')).toMatchObject({status: 'warn'});
		// Without managed settings the user's file beats the shell.
		await rm(managed);
		expect((await doctor({OTEL_EXPORTER_OTLP_ENDPOINT: 'http://shell:4317'})).json.telemetry['OTEL_EXPORTER_OTLP_ENDPOINT']).toMatchObject({source: 'user'});
	});

	it('uses 2.1.112\'s order: with only shell, project and local set, local wins', async () => {
		await ranVersion('2.1.112');
		await settings(path.join(project, '.claude', 'settings.json'), {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://project:4317'});
		await settings(path.join(project, '.claude', 'settings.local.json'), {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://local:4317'});
		const {json} = await doctor({OTEL_EXPORTER_OTLP_ENDPOINT: 'http://shell:4317'});
		expect(json.claudeCode.rule).toContain('2.1.112');
		expect(json.telemetry['OTEL_EXPORTER_OTLP_ENDPOINT']).toMatchObject({value: 'http://local:4317', source: 'local'});
		expect(check(json, 'ignored-project')).toBeUndefined();
	});

	it('redacts headers wherever they are set', async () => {
		await settings(path.join(home, '.claude', 'settings.json'), {OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer s3cret-user'});
		const {json, stdout} = await doctor({OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer s3cret-shell,x-team=a'});
		expect(json.telemetry['OTEL_EXPORTER_OTLP_HEADERS']).toMatchObject({value: 'Authorization=<redacted>', alsoSetIn: [{source: 'shell', value: 'Authorization=<redacted>,x-team=<redacted>'}]});
		expect(stdout).not.toContain('s3cret');
	});

	const telemetryTo = (protocol: string, endpoint: string) => ({CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint});

	it('fails (exit 1) when nothing listens at the endpoint, and says to start cctop serve', async () => {
		const free = net.createServer();
		await new Promise<void>(resolve => free.listen(0, '127.0.0.1', () => resolve()));
		const {port} = free.address() as net.AddressInfo;
		await new Promise<void>(resolve => free.close(() => resolve()));
		const {code, json} = await doctor(telemetryTo('grpc', `http://127.0.0.1:${port}`));
		expect(code).toBe(1);
		expect(check(json, 'endpoint')).toMatchObject({status: 'fail', message: expect.stringContaining('cctop serve') as string});
	});

	it('fails on a receiver of the other protocol, both ways, and passes on the right one', async () => {
		const http = await startReceiver({host: '127.0.0.1', port: 0, store: async () => undefined});
		closers.push(http.close);
		const grpc = await startGrpcReceiver({host: '127.0.0.1', port: 0, store: async () => undefined});
		closers.push(grpc.close);
		const grpcAtHttp = await doctor(telemetryTo('grpc', http.url));
		expect(check(grpcAtHttp.json, 'endpoint')).toMatchObject({status: 'fail', message: expect.stringContaining('not gRPC') as string});
		const httpAtGrpc = await doctor(telemetryTo('http/protobuf', `http://127.0.0.1:${grpc.port}`));
		expect(check(httpAtGrpc.json, 'endpoint')).toMatchObject({status: 'fail', message: expect.stringContaining('gRPC port') as string});
		expect(check((await doctor(telemetryTo('grpc', `http://127.0.0.1:${grpc.port}`))).json, 'endpoint')).toMatchObject({status: 'ok'});
		const right = await doctor(telemetryTo('http/protobuf', http.url));
		expect(check(right.json, 'endpoint')).toMatchObject({status: 'ok'});
		expect(check(right.json, 'telemetry-on')).toMatchObject({status: 'ok'});
		expect(check(right.json, 'exporter')).toMatchObject({status: 'ok'});
	});

	it('checks the statusLine and names a broken settings file with its line', async () => {
		await writeFile(path.join(home, '.claude', 'settings.json'), '{\n  "statusLine": \n}\n');
		const broken = await doctor();
		expect(check(broken.json, 'settings-user')).toMatchObject({status: 'fail', message: expect.stringContaining('settings.json:3:1') as string});
		await settings(path.join(home, '.claude', 'settings.json'), {}, {statusLine: {type: 'command', command: 'cctop statusline'}});
		expect(check((await doctor()).json, 'statusline')).toMatchObject({status: 'ok'});
	});

	it('checks the guard: its hooks, its budgets file, and the times it failed open', async () => {
		await settings(path.join(home, '.claude', 'settings.json'), {}, {hooks: {UserPromptSubmit: [{hooks: [{type: 'command', command: 'cctop guard'}]}], PreToolUse: [{matcher: '*', hooks: [{type: 'command', command: 'cctop guard'}]}]}});
		const budgets = path.join(home, '.config', 'cctop', 'budgets.json');
		await mkdir(path.dirname(budgets), {recursive: true});
		await writeFile(budgets, JSON.stringify({budgets: [{name: 'day', period: 'day', usd: 40, enforce: 'block'}]}));
		expect(check((await doctor()).json, 'guard')).toEqual({id: 'guard', status: 'ok', message: 'cctop guard runs on UserPromptSubmit and PreToolUse with 1 local budget'});
		await writeFile(budgets, '{"budgets": [{"name": "day", "period": "day"}]}');
		expect(check((await doctor()).json, 'budgets')).toMatchObject({status: 'fail', message: expect.stringContaining('budgets.0: give exactly one of usd or tokens')});
		await mkdir(path.join(root, 'data'), {recursive: true});
		await writeFile(path.join(root, 'data', 'guard-failures.log'), '2026-11-26T10:00:00.000Z UserPromptSubmit: boom\n');
		expect(check((await doctor()).json, 'guard-failures')).toMatchObject({status: 'warn', message: expect.stringContaining('failed open 1 time (')});
	});
});
