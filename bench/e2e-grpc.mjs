// End to end with real Claude Code (../shared/realcc): the documented OTLP/gRPC set-up,
// `cctop setup`, and whether `cctop doctor` names the settings source Claude Code
// really sends to. Heavy (installs Claude Code under /tmp): `npm run e2e:grpc`, never npm test.
//
//   npm run e2e:grpc                         # 2.1.332 (native) and 2.1.112 (Node)
//   npm run e2e:grpc -- --versions 2.1.332 --only precedence
import {execFile, spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs, promisify} from 'node:util';

const {values} = parseArgs({
	options: {
		versions: {type: 'string', default: '2.1.332,2.1.112'},
		scenario: {type: 'string', default: '../shared/realcc/scenarios/default.json'},
		realcc: {type: 'string', default: '../shared/realcc/run-claude.mjs'},
		only: {type: 'string'},
	},
});

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const log = message => process.stderr.write(`${message}\n`);
const intervals = {OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_LOGS_EXPORT_INTERVAL: '500', OTEL_TRACES_EXPORT_INTERVAL: '500'};
const managedFile = '/etc/claude-code/managed-settings.json';

/** `cctop serve` on free ports of its own, with its own data dir; resolves once it printed its ports. */
const serve = async (dataDir, extra = []) => {
	const child = spawn(process.execPath, [cli, 'serve', '--otlp-grpc-port', 'auto', '--otlp-port', 'auto', '--quiet', ...extra], {env: {...process.env, CCTOP_DATA_DIR: dataDir}, stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr.on('data', chunk => (stderr += chunk));
	for (let waited = 0; !stderr.includes('OTEL_EXPORTER_OTLP_ENDPOINT'); waited += 20) {
		if (waited > 15_000) throw new Error(`cctop serve did not start: ${stderr}`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}

	const grpcPort = Number(/OTLP\/gRPC on http:\/\/[^:]+:(\d+)/.exec(stderr)[1]);
	const httpUrl = /OTLP\/HTTP on (http:\/\/[^\s,]+)/.exec(stderr)[1];
	return {child, grpcPort, httpUrl, stderr: () => stderr, stop: async () => {
		child.kill('SIGTERM');
		await new Promise(resolve => child.once('exit', resolve));
	}};
};

const realcc = async (version, {out, env = {}, runs}) => {
	const args = [values.realcc, '--version', version, '--scenario', values.scenario, '--out', out, ...(runs === undefined ? [] : ['--runs', String(runs)])];
	const {stdout} = await promisify(execFile)(process.execPath, args, {env: {PATH: process.env.PATH, HOME: process.env.HOME, ...env}, maxBuffer: 64 * 1024 * 1024, timeout: 900_000}).catch(error => error);
	return JSON.parse(stdout);
};

const cctopJson = async (args, env) => JSON.parse((await promisify(execFile)(process.execPath, [cli, ...args], {env: {...process.env, ...env}, maxBuffer: 64 * 1024 * 1024})).stdout);

/** What the mock served, in the OTel summary's terms. */
const served = result => {
	const requests = result.groundTruth.requests.filter(request => !request.error);
	const sum = key => requests.reduce((total, request) => total + (request.usage[key] ?? 0), 0);
	return {requests: requests.length, tokens: {input: sum('input_tokens'), output: sum('output_tokens'), cacheRead: sum('cache_read_input_tokens'), cacheCreation: sum('cache_creation_input_tokens')}};
};

/** Wait until the spool's summary shows every served request (exports trail the run by an interval). */
const received = async (dataDir, expected) => {
	let otel;
	for (let waited = 0; waited < 20_000; waited += 250) {
		otel = (await cctopJson(['report', '--json', '--quiet', '--claude-dir', path.join(dataDir, 'none')], {CCTOP_DATA_DIR: dataDir, CCTOP_CACHE_DIR: path.join(dataDir, 'cache')})).otel;
		if (otel !== undefined && otel.apiRequests.count >= expected.requests && otel.tokens.output >= expected.tokens.output) break;
		await new Promise(resolve => setTimeout(resolve, 250));
	}

	return otel;
};

const sameFigures = (otel, expected) => otel !== undefined && otel.apiRequests.count === expected.requests && JSON.stringify(otel.tokens) === JSON.stringify(expected.tokens);

/** 1. The documented set-up, in the shell: OTEL_EXPORTER_OTLP_PROTOCOL=grpc to `cctop serve`. */
const grpcRun = async version => {
	const out = mkdtempSync(path.join(os.tmpdir(), `cctop-e2e-grpc-${version}-`));
	const dataDir = path.join(out, 'cctop-data');
	mkdirSync(path.join(dataDir, 'none'), {recursive: true});
	const receiver = await serve(dataDir);
	try {
		const result = await realcc(version, {
			out: path.join(out, 'run'),
			env: {CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.grpcPort}`, ...intervals},
		});
		const expected = served(result);
		const otel = await received(dataDir, expected);
		const tools = Object.fromEntries(Object.entries(otel?.tools ?? {}).map(([name, tool]) => [name, tool.calls]));
		return {version, kind: result.kind, expected, otel: otel && {requests: otel.apiRequests.count, tokens: otel.tokens, tools}, isMatch: sameFigures(otel, expected)};
	} finally {
		await receiver.stop();
		rmSync(out, {recursive: true, force: true});
	}
};

/** 2. The whole chain from a fresh HOME: `cctop setup`, then Claude Code with only the intervals in its shell. */
const setupChain = async version => {
	const out = mkdtempSync(path.join(os.tmpdir(), `cctop-e2e-setup-${version}-`));
	const dataDir = path.join(out, 'cctop-data');
	mkdirSync(path.join(dataDir, 'none'), {recursive: true});
	const receiver = await serve(dataDir);
	try {
		const home = path.join(out, 'run', 'home');
		mkdirSync(home, {recursive: true});
		await promisify(execFile)(process.execPath, [cli, 'setup', '--protocol', 'grpc', '--endpoint', `http://127.0.0.1:${receiver.grpcPort}`], {env: {PATH: process.env.PATH, HOME: home}});
		const result = await realcc(version, {out: path.join(out, 'run'), env: intervals});
		const expected = served(result);
		const otel = await received(dataDir, expected);
		return {version, isMatch: sameFigures(otel, expected), expected, got: otel && {requests: otel.apiRequests.count, tokens: otel.tokens}};
	} finally {
		await receiver.stop();
		rmSync(out, {recursive: true, force: true});
	}
};

/**
 * 3. Which settings source Claude Code really sends to: one receiver per source,
 * each source a different endpoint; compare with `cctop doctor --json`.
 */
const precedenceRow = async (version, sources) => {
	const out = mkdtempSync(path.join(os.tmpdir(), `cctop-e2e-prec-${version}-`));
	const receivers = {};
	const hadManaged = existsSync(managedFile);
	if (hadManaged) renameSync(managedFile, `${managedFile}.cctop-e2e`);
	try {
		for (const source of sources) {
			receivers[source] = await serve(path.join(out, `data-${source}`));
			mkdirSync(path.join(out, `data-${source}`, 'none'), {recursive: true});
		}

		const endpoint = source => `http://127.0.0.1:${receivers[source].grpcPort}`;
		const telemetry = source => ({CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint(source)});
		const run = path.join(out, 'run');
		const files = {user: path.join(run, 'home', '.claude', 'settings.json'), project: path.join(run, 'work', '.claude', 'settings.json'), local: path.join(run, 'work', '.claude', 'settings.local.json'), managed: managedFile};
		for (const source of sources.filter(source => source !== 'shell')) {
			mkdirSync(path.dirname(files[source]), {recursive: true});
			writeFileSync(files[source], JSON.stringify({env: telemetry(source)}));
		}

		const shell = sources.includes('shell') ? telemetry('shell') : {};
		await realcc(version, {out: run, env: {...shell, ...intervals}, runs: 1});
		// Exports trail the run: give the slowest interval time to flush.
		await new Promise(resolve => setTimeout(resolve, 3000));
		const got = [];
		for (const source of sources) {
			const spool = path.join(out, `data-${source}`, 'otel-spool.ndjson');
			if (existsSync(spool) && readFileSync(spool, 'utf8').trim() !== '') got.push(source);
		}

		// What doctor says, for the same files, shell and version (its own transcript names it).
		const doctor = JSON.parse(
			(await promisify(execFile)(process.execPath, [cli, 'doctor', '--json', '--claude-dir', path.join(run, 'home', '.claude')], {cwd: path.join(run, 'work'), env: {PATH: '/usr/bin:/bin', HOME: path.join(run, 'home'), ...shell}}).catch(error => error)).stdout,
		);
		return {version, sources, sentTo: got, doctorSays: doctor.telemetry.OTEL_EXPORTER_OTLP_ENDPOINT.source, doctorVersion: doctor.claudeCode.version, isMatch: got.length === 0 ? doctor.telemetry.OTEL_EXPORTER_OTLP_ENDPOINT.source === null : got.length === 1 && got[0] === doctor.telemetry.OTEL_EXPORTER_OTLP_ENDPOINT.source};
	} finally {
		for (const receiver of Object.values(receivers)) await receiver.stop();
		rmSync(managedFile, {force: true});
		if (hadManaged) renameSync(`${managedFile}.cctop-e2e`, managedFile);
		rmSync(out, {recursive: true, force: true});
	}
};

const versions = values.versions.split(',');
const output = [];
if (values.only === undefined || values.only === 'grpc') {
	output.push('\n| Claude Code | build | served (requests, in/out/cache read/cache write) | received over gRPC by `cctop serve` | tools | match |\n|---|---|---|---|---|---|');
	for (const version of versions) {
		log(`${version}: OTLP/gRPC to cctop serve …`);
		const row = await grpcRun(version);
		const fmt = figures => (figures === undefined ? 'nothing' : `${figures.requests}, ${figures.tokens.input}/${figures.tokens.output}/${figures.tokens.cacheRead}/${figures.tokens.cacheCreation}`);
		output.push(`| ${row.version} | ${row.kind} | ${fmt(row.expected)} | ${fmt(row.otel)} | ${JSON.stringify(row.otel?.tools ?? {})} | ${row.isMatch ? 'yes' : 'NO'} |`);
	}
}

if (values.only === undefined || values.only === 'setup') {
	output.push('\n| Claude Code | `cctop setup --protocol grpc` in a fresh HOME, then claude with only the intervals in its shell |\n|---|---|');
	for (const version of versions) {
		log(`${version}: cctop setup, then claude …`);
		const row = await setupChain(version);
		output.push(`| ${row.version} | ${row.isMatch ? `every request received (${row.expected.requests})` : `MISMATCH: got ${JSON.stringify(row.got)}`} |`);
	}
}

if (values.only === undefined || values.only === 'precedence') {
	output.push('\n| Claude Code | sources set (each its own endpoint) | Claude Code sent to | `cctop doctor` says | agree |\n|---|---|---|---|---|');
	const rows = [['managed', 'user', 'shell'], ['user', 'shell'], ['shell', 'project', 'local'], ['user', 'project'], ['project', 'local']];
	for (const version of versions) {
		for (const sources of rows) {
			log(`${version}: precedence ${sources.join(', ')} …`);
			const row = await precedenceRow(version, sources);
			output.push(`| ${row.version} | ${row.sources.join(', ')} | ${row.sentTo.join(', ') || 'none'} | ${row.doctorSays ?? 'none'} | ${row.isMatch ? 'yes' : 'NO'} |`);
		}
	}
}

process.stdout.write(`${output.join('\n')}\n`);
