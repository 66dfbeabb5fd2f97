// Capture what real Claude Code sends over OTLP/HTTP JSON, byte for byte, for fixtures:
// a loopback server saves every request body (NNN_<signal>.json) and its headers, while
// ../shared/realcc runs the default scenario (a Write and a Bash tool turn, a text turn).
//
//   node bench/capture-otlp.mjs --version 2.1.332 --out fixtures/otlp-tool-details/cc-2.1.332_http-json [--env OTEL_LOG_TOOL_DETAILS=1]
import {execFile} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {parseArgs, promisify} from 'node:util';

const {values} = parseArgs({
	options: {
		version: {type: 'string', default: '2.1.332'},
		out: {type: 'string'},
		env: {type: 'string', multiple: true, default: []},
		scenario: {type: 'string', default: '../shared/realcc/scenarios/default.json'},
		realcc: {type: 'string', default: '../shared/realcc/run-claude.mjs'},
	},
});
if (values.out === undefined) throw new Error('--out DIR');
mkdirSync(values.out, {recursive: true});

let sequence = 0;
const server = http.createServer((request, response) => {
	const chunks = [];
	request.on('data', chunk => chunks.push(chunk));
	request.on('end', () => {
		const signal = /\/v1\/(logs|metrics|traces)/.exec(request.url ?? '')?.[1] ?? 'unknown';
		const name = `${String(++sequence).padStart(3, '0')}_${signal}`;
		writeFileSync(path.join(values.out, `${name}.json`), Buffer.concat(chunks));
		writeFileSync(path.join(values.out, `${name}.headers.json`), `${JSON.stringify({method: request.method, url: request.url, headers: {'content-type': request.headers['content-type'], 'user-agent': request.headers['user-agent']}}, null, 2)}\n`);
		response.writeHead(200, {'content-type': 'application/json'});
		response.end('{}');
	});
});
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
const {port} = server.address();
const env = {
	PATH: process.env.PATH,
	HOME: process.env.HOME,
	CLAUDE_CODE_ENABLE_TELEMETRY: '1',
	OTEL_METRICS_EXPORTER: 'otlp',
	OTEL_LOGS_EXPORTER: 'otlp',
	OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
	OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
	OTEL_METRIC_EXPORT_INTERVAL: '1000',
	OTEL_LOGS_EXPORT_INTERVAL: '500',
	REALCC_PASS_ENV: values.env.map(pair => pair.split('=')[0]).join(','),
	...Object.fromEntries(values.env.map(pair => pair.split(/=(.*)/s).slice(0, 2))),
};
const {stdout} = await promisify(execFile)(process.execPath, [values.realcc, '--version', values.version, '--scenario', values.scenario], {env, maxBuffer: 64 * 1024 * 1024, timeout: 900_000}).catch(error => error);
// The last export flushes at exit; give it a moment to land.
await new Promise(resolve => setTimeout(resolve, 1500));
server.close();
const result = JSON.parse(stdout);
process.stderr.write(`${values.version}: ${result.runs.map(run => `run ${run.index} exit ${run.exitCode}`).join(', ')}; ${sequence} OTLP requests saved in ${values.out}\n`);
