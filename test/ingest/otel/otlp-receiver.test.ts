import {readdirSync, readFileSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
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
const varint = (value: number): Buffer => {
	const bytes: number[] = [];
	while (value > 0x7f) {
		bytes.push((value & 0x7f) | 0x80);
		value >>>= 7;
	}

	bytes.push(value);
	return Buffer.from(bytes);
};

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

	it('answers 400 to values nested 5,000 levels deep, as protobuf or JSON, and keeps serving', async () => {
		const url = await start();
		// An attribute whose value is an array inside an array… (AnyValue field 5, ArrayValue field 1), 5,000 deep.
		let value = Buffer.from([0x0a, 0x01, 0x78]);
		for (let level = 0; level < 5000; level++) {
			const array = Buffer.concat([Buffer.from([0x0a]), varint(value.length), value]);
			value = Buffer.concat([Buffer.from([0x2a]), varint(array.length), array]);
		}

		const keyValue = Buffer.concat([Buffer.from([0x0a, 0x01, 0x6b, 0x12]), varint(value.length), value]);
		const record = Buffer.concat([Buffer.from([0x32]), varint(keyValue.length), keyValue]);
		const scope = Buffer.concat([Buffer.from([0x12]), varint(record.length), record]);
		const resource = Buffer.concat([Buffer.from([0x12]), varint(scope.length), scope]);
		const body = Buffer.concat([Buffer.from([0x0a]), varint(resource.length), resource]);
		expect(body.length).toBeGreaterThan(10_000);
		const proto = await post(`${url}/v1/logs`, body, {'content-type': 'application/x-protobuf'});
		expect(proto.status).toBe(400);
		expect(JSON.parse(proto.text).message).toContain('nested deeper');

		const deepJson = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"k","value":${'{"arrayValue":{"values":['.repeat(5000)}{"stringValue":"x"}${']}}'.repeat(5000)}}]}]}]}]}`;
		const json = await post(`${url}/v1/logs`, deepJson, {'content-type': 'application/json'});
		expect(json.status).toBe(400);
		expect(JSON.parse(json.text).message).toContain('nested deeper');

		const [logs] = captures('json').filter(capture => capture.signal === 'logs');
		expect((await post(`${url}/v1/logs`, logs!.bytes, {'content-type': 'application/json'})).status).toBe(200);
	});

	it('lets a client still uploading an over-cap body read its 413', async () => {
		const url = new URL(await start());
		const answer = await new Promise<{status: number; body: string}>((resolve, reject) => {
			const request = http.request({host: url.hostname, port: url.port, path: '/v1/logs', method: 'POST', headers: {'content-type': 'application/json'}}, response => {
				let body = '';
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => (body += chunk));
				response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
			});
			request.on('error', reject);
			// 20 MiB, chunked (no Content-Length to refuse up front), in 1 MiB writes.
			const chunk = Buffer.alloc(1024 * 1024, 0x20);
			let sent = 0;
			const write = () => {
				while (sent < 20) {
					sent++;
					if (!request.write(chunk)) {
						request.once('drain', write);
						return;
					}
				}

				request.end();
			};

			write();
		});
		expect(answer.status).toBe(413);
		expect(JSON.parse(answer.body).message).toContain('over');
	});

	it('closes connections that hold it: slow headers, a never-ending body, a lying Content-Length, and too many at once', async () => {
		spool = path.join(dir, `spool-${spoolNumber++}.ndjson`);
		receiver = await startReceiver({
			host: '127.0.0.1',
			port: 0,
			store: async records => appendToSpool(records, {file: spool}),
			limits: {headersTimeoutMs: 1000, requestTimeoutMs: 2000, idleTimeoutMs: 2000, maxConnections: 8},
		});
		const {port} = new URL(receiver.url);
		const open = async (first: string) => {
			const socket = net.connect(Number(port), '127.0.0.1');
			await new Promise(resolve => socket.once('connect', resolve));
			socket.on('error', () => undefined);
			// Read what comes back, so the server's close is seen at once.
			socket.resume();
			socket.write(first);
			const closed = new Promise<void>(resolve => socket.once('close', () => resolve()));
			return {socket, closed};
		};

		const slowHeaders = await open('P');
		const timer = setInterval(() => slowHeaders.socket.write('O'), 300);
		const endless = await open('POST /v1/logs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n1\r\n{\r\n');
		const endlessTimer = setInterval(() => endless.socket.write('1\r\n \r\n'), 300);
		const lying = await open('POST /v1/logs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"resourceLogs":');
		const idle = await open('');
		try {
			await Promise.race([
				Promise.all([slowHeaders.closed, endless.closed, lying.closed, idle.closed]),
				new Promise((_, reject) => setTimeout(() => reject(new Error('connections still open after 8 s')), 8000)),
			]);
		} finally {
			clearInterval(timer);
			clearInterval(endlessTimer);
		}

		// Past the cap, a new connection is closed at once; below it, one is served.
		const held = await Promise.all(Array.from({length: 8}, async () => open('')));
		const extra = await open('');
		await Promise.race([extra.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the connection over the cap stayed open')), 1000))]);
		for (const {socket} of held) socket.destroy();
		await waitFor(async () => (await post(`${receiver!.url}/v1/logs`, '{}', {'content-type': 'application/json'}).catch(() => ({status: 0}))).status === 200, 5000, 'the receiver to serve again');
	}, 20_000);

	it('listens on 127.0.0.1 unless told otherwise', async () => {
		expect(await start()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	});
});
