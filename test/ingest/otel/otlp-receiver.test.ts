import {readdirSync, readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {OtelSummary} from '../../../source/core/otel/otel-summary.js';
import {buildTraces, tracesJson} from '../../../source/core/otel/traces.js';
import {appendToSpool, readSpool} from '../../../source/ingest/otel/otel-spool.js';
import {startReceiver} from '../../../source/ingest/otel/otlp-receiver.js';
import {waitFor} from '../../helpers/wait-for.js';

let dir: string;
let spool: string;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-otlp-'));
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});
afterEach(async () => {
	await receiver?.close();
	receiver = undefined;
});

let spoolNumber = 0;
const start = async (token?: string) => {
	spool = path.join(dir, `spool-${spoolNumber++}.ndjson`);
	receiver = await startReceiver({host: '127.0.0.1', port: 0, token, store: async records => appendToSpool(records, {file: spool, isDurable: true})});
	return receiver.url;
};

const post = async (url: string, body: Uint8Array | string, headers: Record<string, string>) => {
	const response = await fetch(url, {method: 'POST', body, headers});
	return {status: response.status, text: await response.text()};
};

/** The captures of one real Claude Code 2.1.112 run, in arrival order. */
const captures = (encoding: 'json' | 'protobuf') => {
	const folder = path.resolve(`fixtures/otlp/cc-2.1.112_http-${encoding}`);
	return readdirSync(folder)
		.filter(name => (encoding === 'json' ? name.endsWith('.json') && !name.includes('headers') : name.endsWith('.bin')))
		.sort()
		.map(name => ({signal: name.includes('metrics') ? 'metrics' : 'logs', bytes: readFileSync(path.join(folder, name))}));
};

const summary = () => {
	const sum = new OtelSummary();
	readSpool(sum, spool);
	return sum.json();
};

describe('the OTLP/HTTP receiver', () => {
	it.each(['json', 'protobuf'] as const)('stores a real run sent as %s, with the same totals as the console route', async encoding => {
		const url = await start();
		for (const {signal, bytes} of captures(encoding)) {
			const response = await post(`${url}/v1/${signal}`, bytes, {'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf'});
			expect(response).toEqual({status: 200, text: encoding === 'json' ? '{}' : ''});
		}

		const json = summary();
		expect(json.costUSD).toBeCloseTo(0.017_685, 10);
		expect(json.tokens).toEqual({input: 2400, output: 99, cacheRead: 10_000, cacheCreation: 1600});
		expect(json.apiRequests).toMatchObject({count: 2, errors: 0});
		expect(json.events).toEqual({api_request: 2, tool_decision: 1, tool_result: 1, user_prompt: 1});
		expect(json.tools['Read']).toMatchObject({calls: 1, failures: 0, decisions: {accept: 1, reject: 0}});
	});

	it.each(['json', 'protobuf'] as const)('takes spans (/v1/traces) as %s, and they build the same interactions', async encoding => {
		const url = await start();
		const folder = path.resolve(`fixtures/otlp-traces/cc-2.1.332_http-${encoding}`);
		for (const name of readdirSync(folder).filter(file => /_traces\.(json|bin)$/.test(file)).sort()) {
			const response = await post(`${url}/v1/traces`, readFileSync(path.join(folder, name)), {'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf'});
			expect(response.status).toBe(200);
		}

		const sum = new OtelSummary();
		readSpool(sum, spool);
		const traces = buildTraces(sum.spans);
		expect(traces.map(trace => trace.rows.length)).toEqual([6, 6, 2]);
		expect(tracesJson(traces)).toMatchObject({interactions: 3, llmRequests: {count: 5, inputTokens: 4310, outputTokens: 153}});
	});

	it('takes gzip bodies', async () => {
		const url = await start();
		for (const {signal, bytes} of captures('protobuf')) {
			expect((await post(`${url}/v1/${signal}`, gzipSync(bytes), {'content-type': 'application/x-protobuf', 'content-encoding': 'gzip'})).status).toBe(200);
		}

		expect(summary().apiRequests.count).toBe(2);
	});

	it('answers bad requests with a 4xx and a reason, and stores nothing', async () => {
		const url = await start('s3cret');
		const auth = {authorization: 'Bearer s3cret'};
		const json = {...auth, 'content-type': 'application/json'};
		const proto = {...auth, 'content-type': 'application/x-protobuf'};
		const [logs] = captures('protobuf').filter(capture => capture.signal === 'logs');
		const cases: Array<[string, Promise<{status: number; text: string}>, number, string]> = [
			['bad JSON', post(`${url}/v1/logs`, '{"resourceLogs": [', json), 400, 'bad JSON'],
			['truncated protobuf', post(`${url}/v1/logs`, logs!.bytes.subarray(0, logs!.bytes.length - 7), proto), 400, 'bad protobuf'],
			['a 5 MiB body', post(`${url}/v1/logs`, Buffer.alloc(5 * 1024 * 1024, 0x20), json), 413, 'over'],
			['a zip bomb', post(`${url}/v1/logs`, gzipSync(Buffer.alloc(6 * 1024 * 1024, 0x20)), {...json, 'content-encoding': 'gzip'}), 413, 'unzipped'],
			['bad gzip', post(`${url}/v1/logs`, 'not gzip', {...json, 'content-encoding': 'gzip'}), 400, 'gzip'],
			['the wrong type', post(`${url}/v1/logs`, 'x', {...auth, 'content-type': 'text/plain'}), 415, 'text/plain'],
			['the wrong path', post(`${url}/v1/spans`, '{}', json), 404, '/v1/metrics'],
			['no token', post(`${url}/v1/logs`, '{}', {'content-type': 'application/json'}), 401, 'Bearer'],
			['a JSON array', post(`${url}/v1/logs`, '[]', json), 400, 'not an export request'],
		];
		for (const [what, response, status, reason] of cases) {
			const {status: got, text} = await response;
			expect(got, what).toBe(status);
			expect(JSON.parse(text).message, what).toContain(reason);
		}

		const get = await fetch(`${url}/v1/logs`, {headers: auth});
		expect(get.status).toBe(405);
		expect(get.headers.get('allow')).toBe('POST');
		expect(summary().diagnostics.records).toBe(0);
	});

	it('forwards every accepted request, as it came, to a collector', async () => {
		const collectorSpool = path.join(dir, 'collector.ndjson');
		const collector = await startReceiver({host: '127.0.0.1', port: 0, store: async records => appendToSpool(records, {file: collectorSpool})});
		try {
			spool = path.join(dir, `spool-${spoolNumber++}.ndjson`);
			receiver = await startReceiver({host: '127.0.0.1', port: 0, forward: collector.url, store: async records => appendToSpool(records, {file: spool}), });
			for (const {signal, bytes} of captures('protobuf')) {
				expect((await post(`${receiver.url}/v1/${signal}`, gzipSync(bytes), {'content-type': 'application/x-protobuf', 'content-encoding': 'gzip'})).status).toBe(200);
			}

			// The collector gets the same records (forwarding runs after the answer).
			await waitFor(() => {
				const sum = new OtelSummary();
				readSpool(sum, collectorSpool);
				return sum.json().diagnostics.records === summary().diagnostics.records;
			}, 5000, 'the collector to have every request');
			const atCollector = new OtelSummary();
			readSpool(atCollector, collectorSpool);
			expect(atCollector.json()).toEqual(summary());
		} finally {
			await collector.close();
		}
	});

	it('answers the sender even when the collector is down, and says so', async () => {
		spool = path.join(dir, `spool-${spoolNumber++}.ndjson`);
		const failures: string[] = [];
		receiver = await startReceiver({host: '127.0.0.1', port: 0, forward: 'http://127.0.0.1:1', store: async records => appendToSpool(records, {file: spool}), onForwardError: ({reason}) => failures.push(reason)});
		const [logs] = captures('json').filter(capture => capture.signal === 'logs');
		expect((await post(`${receiver.url}/v1/logs`, logs!.bytes, {'content-type': 'application/json'})).status).toBe(200);
		await waitFor(() => failures.length > 0, 5000, 'the forwarding failure');
	});

	it('listens on 127.0.0.1 unless told otherwise', async () => {
		expect(await start()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	});
});
