// End to end with real Claude Code (../shared/realcc): two users on two teams send OTLP/gRPC
// to one `cctop serve`; a real Prometheus scrapes its /metrics; `cctop team --by enduser.id`
// and `--by team.id` must show each run's tokens exactly as the mock served them, from the
// spool and through Prometheus. Heavy: `npm run e2e:team`, never npm test.
import {execFile, spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs, promisify} from 'node:util';

const {values} = parseArgs({options: {version: {type: 'string', default: '2.1.332'}, realcc: {type: 'string', default: '../shared/realcc/run-claude.mjs'}, keep: {type: 'boolean', default: false}}});
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const log = message => process.stderr.write(`${message}\n`);
const out = mkdtempSync(path.join(os.tmpdir(), 'cctop-e2e-team-'));
const data = path.join(out, 'data');
const env = {...process.env, CCTOP_DATA_DIR: data, CCTOP_CACHE_DIR: path.join(out, 'cache'), HOME: out};
const freePort = async () => new Promise(resolve => {
	const server = net.createServer().listen(0, '127.0.0.1', () => {
		const {port} = server.address();
		server.close(() => resolve(port));
	});
});

const serve = spawn(process.execPath, [cli, 'serve', '--otlp-grpc-port', 'auto', '--otlp-port', 'auto', '--quiet'], {env, stdio: ['ignore', 'ignore', 'pipe']});
let serveLog = '';
serve.stderr.on('data', chunk => (serveLog += chunk));
while (!serveLog.includes('OTEL_EXPORTER_OTLP_ENDPOINT')) await new Promise(resolve => setTimeout(resolve, 50));
const grpcPort = Number(/OTLP\/gRPC on http:\/\/[^:]+:(\d+)/.exec(serveLog)[1]);
const httpUrl = /OTLP\/HTTP on (http:\/\/[^\s,]+)/.exec(serveLog)[1];
const promPort = await freePort();
writeFileSync(path.join(out, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: cctop\n    static_configs:\n      - targets: ['${new URL(httpUrl).host}']\n`);
const prometheus = spawn('prometheus', [`--config.file=${path.join(out, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(out, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], {stdio: 'ignore'});
log(`cctop serve: gRPC :${grpcPort}, HTTP ${httpUrl}; Prometheus :${promPort}`);

const scenarios = {
	ana: {defaults: {args: ['--allowedTools=Write'], usage: {input_tokens: 10, output_tokens: 3}, fallbackText: 'OK.'}, runs: [{prompt: 'Create a file with three lines.', model: 'claude-sonnet-4-5-20250929', responses: [{content: [{type: 'text', text: "I'll create the file."}, {type: 'tool_use', name: 'Write', input: {file_path: '{{WORK}}/hello.txt', content: 'one\ntwo\nthree\n'}}], usage: {input_tokens: 1200, output_tokens: 85, cache_read_input_tokens: 5000, cache_creation: {ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 500}}}, {text: 'Created the file.', usage: {input_tokens: 150, output_tokens: 12, cache_read_input_tokens: 6200}}]}]},
	bo: {defaults: {args: [], usage: {input_tokens: 10, output_tokens: 3}, fallbackText: 'OK.'}, runs: [{prompt: 'Say hello.', model: 'claude-haiku-4-5-20251001', responses: [{text: 'Hello!', usage: {input_tokens: 700, output_tokens: 9, cache_read_input_tokens: 2100, cache_creation: {ephemeral_5m_input_tokens: 64, ephemeral_1h_input_tokens: 0}}}]}]},
};
const teams = {ana: 'platform', bo: 'web'};
const served = {};
for (const [user, scenario] of Object.entries(scenarios)) {
	const file = path.join(out, `${user}.json`);
	writeFileSync(file, JSON.stringify(scenario));
	const {stdout} = await promisify(execFile)(process.execPath, [values.realcc, '--version', values.version, '--scenario', file], {
		env: {PATH: process.env.PATH, HOME: process.env.HOME, REALCC_ID_TAG: user, CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${grpcPort}`, OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_LOGS_EXPORT_INTERVAL: '500', OTEL_RESOURCE_ATTRIBUTES: `enduser.id=${user},team.id=${teams[user]}`},
		maxBuffer: 64 * 1024 * 1024,
		timeout: 900_000,
	}).catch(error => error);
	const result = JSON.parse(stdout);
	const requests = result.groundTruth.requests.filter(request => !request.error);
	const sum = key => requests.reduce((total, request) => total + (request.usage[key] ?? 0), 0);
	served[user] = {input: sum('input_tokens'), output: sum('output_tokens'), cacheRead: sum('cache_read_input_tokens'), cacheCreation: sum('cache_creation_input_tokens')};
	log(`${user} (${teams[user]}): ${result.runs.map(run => `exit ${run.exitCode}`).join(', ')}; served ${JSON.stringify(served[user])}`);
	rmSync(result.runDir, {recursive: true, force: true});
}

const team = async args => JSON.parse((await promisify(execFile)(process.execPath, [cli, 'team', '--json', ...args], {env})).stdout);
const checks = [];
const check = (what, isOk, detail) => {
	checks.push(isOk);
	log(`  ${isOk ? '✓' : '✗'} ${what}${detail ? `: ${detail}` : ''}`);
};

const expected = by => Object.fromEntries(Object.entries(served).map(([user, tokens]) => [by === 'enduser.id' ? user : teams[user], tokens]));
for (const source of ['spool', 'prometheus']) {
	for (const by of ['enduser.id', 'team.id']) {
		const args = ['--by', by, ...(source === 'prometheus' ? ['--prometheus', `http://127.0.0.1:${promPort}`] : [])];
		const want = expected(by);
		const matches = report => {
			const rows = Object.fromEntries((report?.rows ?? []).map(row => [row.key, row.tokens]));
			return Object.keys(want).length === Object.keys(rows).length && Object.entries(want).every(([key, tokens]) => JSON.stringify(rows[key]) === JSON.stringify(tokens));
		};

		// Exports and scrapes trail the run by a second or two: ask again for up to a minute.
		let report;
		for (let attempt = 0; attempt < 60 && !matches(report); attempt++) {
			if (attempt > 0) await new Promise(resolve => setTimeout(resolve, 1000));
			report = await team(args).catch(() => undefined);
		}

		const isOk = matches(report);
		check(`team --by ${by} from ${source}`, isOk, (report?.rows ?? []).map(row => `${row.key} ${row.tokens.input}/${row.tokens.output}/${row.tokens.cacheRead}/${row.tokens.cacheCreation} $${row.costUSD.toFixed(4)}`).join(', '));
	}
}

// Both write as they stop (Prometheus its TSDB, cctop its code cache): wait for them before removing their folder.
const stopped = child => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise(resolve => child.once('exit', resolve)));
prometheus.kill('SIGTERM');
serve.kill('SIGTERM');
await Promise.all([stopped(prometheus), stopped(serve)]);
if (values.keep) log(`kept ${out} (CCTOP_DATA_DIR=${data}; Prometheus storage ${path.join(out, 'tsdb')}, config ${path.join(out, 'prometheus.yml')})`);
else rmSync(out, {recursive: true, force: true});
log(checks.every(Boolean) ? `all ${checks.length} checks passed` : `${checks.filter(isOk => !isOk).length} of ${checks.length} checks failed`);
process.exitCode = checks.every(Boolean) ? 0 : 1;
