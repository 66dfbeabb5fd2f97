// End-to-end check of the OTLP route with real Claude Code (../shared/realcc): `cctop serve`
// receives a real build's spans, metrics and events over OTLP/protobuf while `claude -p` runs
// against the loopback mock API, then `cctop trace --latest --json` and `report --json` must
// match what the mock served. Heavy (installs Claude Code under /tmp), so never part of `npm test`.
//
//   node bench/e2e-traces.mjs                    # 2.1.332 (native)
//   node bench/e2e-traces.mjs --version 2.1.332 --scenario ../shared/realcc/scenarios/default.json
import {execFile, spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs, promisify} from 'node:util';

const {values} = parseArgs({
	options: {
		version: {type: 'string', default: '2.1.332'},
		scenario: {type: 'string', default: '../shared/realcc/scenarios/default.json'},
		realcc: {type: 'string', default: '../shared/realcc/run-claude.mjs'},
	},
});

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const data = mkdtempSync(path.join(os.tmpdir(), 'cctop-e2e-traces-'));
const env = {...process.env, CCTOP_DATA_DIR: data};
// OTLP/HTTP on a free port (the traces exporter here is http/protobuf), gRPC off.
const serve = spawn(process.execPath, [cli, 'serve', '--otlp-port', 'auto', '--otlp-grpc-port', '0', '--quiet'], {env, stdio: ['ignore', 'ignore', 'pipe']});
let stderr = '';
serve.stderr.on('data', chunk => (stderr += chunk));
const url = await new Promise((resolve, reject) => {
	const timer = setTimeout(() => reject(new Error(`no receiver: ${stderr}`)), 10_000);
	serve.stderr.on('data', () => {
		const match = /OTLP\/HTTP on (http:\/\/\S+)/.exec(stderr);
		if (match) {
			clearTimeout(timer);
			resolve(match[1]);
		}
	});
});

try {
	const telemetry = {
		CLAUDE_CODE_ENABLE_TELEMETRY: '1',
		CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1',
		OTEL_TRACES_EXPORTER: 'otlp',
		OTEL_METRICS_EXPORTER: 'otlp',
		OTEL_LOGS_EXPORTER: 'otlp',
		OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
		OTEL_EXPORTER_OTLP_ENDPOINT: url,
		OTEL_METRIC_EXPORT_INTERVAL: '1000',
		OTEL_LOGS_EXPORT_INTERVAL: '500',
		OTEL_TRACES_EXPORT_INTERVAL: '500',
	};
	const run = await promisify(execFile)(process.execPath, [values.realcc, '--version', values.version, '--scenario', values.scenario], {env: {...process.env, ...telemetry}, maxBuffer: 64 * 1024 * 1024});
	const served = JSON.parse(run.stdout).groundTruth.requests;
	const last = served.at(-1);
	const trace = JSON.parse((await promisify(execFile)(process.execPath, [cli, 'trace', '--latest', '--json'], {env})).stdout);
	const report = JSON.parse((await promisify(execFile)(process.execPath, [cli, 'report', '--json', '--claude-dir', data], {env})).stdout);
	const llm = trace.spans.filter(span => span.name === 'claude_code.llm_request');
	const sum = key => served.reduce((total, request) => total + (request.usage[key] ?? 0), 0);
	const checks = [
		['latest trace is the last prompt', llm.length > 0 && llm.at(-1).attributes.request_id === last.requestId],
		['its model call has the served model and tokens', llm.at(-1)?.attributes.model === last.model && Number(llm.at(-1)?.attributes.input_tokens) === last.usage.input_tokens && Number(llm.at(-1)?.attributes.output_tokens) === last.usage.output_tokens],
		['report: one model call per served request', report.traces?.llmRequests.count === served.length],
		['report: input and output tokens as served', report.traces?.llmRequests.inputTokens === sum('input_tokens') && report.traces?.llmRequests.outputTokens === sum('output_tokens')],
		['report: the tools the mock asked for', JSON.stringify(Object.keys(report.traces?.tools ?? {}).sort()) === JSON.stringify([...new Set(served.flatMap(request => request.tools.map(tool => tool.name)))].sort())],
	];
	for (const [what, ok] of checks) process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
	process.stdout.write(`${JSON.stringify({version: values.version, served: served.length, trace: {traceId: trace.traceId, spans: trace.spans.map(span => `${'  '.repeat(span.depth)}${span.name}`)}, traces: report.traces}, null, 2)}\n`);
	process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
} finally {
	// It writes its code cache as it stops: wait for it before removing its folder.
	const stopped = serve.exitCode === null ? new Promise(resolve => serve.once('exit', resolve)) : undefined;
	serve.kill('SIGTERM');
	await stopped;
	rmSync(data, {recursive: true, force: true});
}
