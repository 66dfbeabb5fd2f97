import {readdirSync, readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import net from 'node:net';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {OtelSummary} from '../../../source/core/otel/otel-summary.js';
import {appendToSpool, readSpool} from '../../../source/ingest/otel/otel-spool.js';
import {startGrpcReceiver} from '../../../source/ingest/otel/otlp-grpc.js';
import {startReceiver} from '../../../source/ingest/otel/otlp-receiver.js';
import {grpcStatus, otlpGrpcClient} from '../../helpers/grpc-client.js';
import {waitFor} from '../../helpers/wait-for.js';

let dir: string;
let spoolNumber = 0;
const closers: Array<() => Promise<void> | void> = [];
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-grpc-'));
});
afterEach(async () => {
	for (const close of closers.splice(0)) await close();
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

/** Real Claude Code 2.1.332 exports (logs, metrics, traces), protobuf and JSON, in arrival order. */
const captures = (encoding: 'protobuf' | 'json') => {
	const folder = path.resolve(`fixtures/otlp-traces/cc-2.1.332_http-${encoding}`);
	return readdirSync(folder)
		.filter(name => (encoding === 'json' ? /_(logs|metrics|traces)\.json$/.test(name) : name.endsWith('.bin')))
		.sort()
		.map(name => ({signal: /_(logs|metrics|traces)\./.exec(name)![1] as 'logs' | 'metrics' | 'traces', bytes: readFileSync(path.join(folder, name))}));
};

const start = async (options: {token?: string; forward?: string; onWrongProtocol?: (event: {address: string}) => void} = {}) => {
	const spool = path.join(dir, `spool-${spoolNumber++}.ndjson`);
	const receiver = await startGrpcReceiver({host: '127.0.0.1', port: 0, store: async records => appendToSpool(records, {file: spool, isDurable: true}), ...options});
	closers.push(receiver.close);
	const client = otlpGrpcClient(receiver.port);
	closers.push(client.close);
	const summary = () => {
		const sum = new OtelSummary();
		readSpool(sum, spool);
		return sum.json();
	};

	return {receiver, client, spool, summary};
};

describe('the OTLP/gRPC receiver', () => {
	it('stores a real run sent over gRPC: the same figures as over OTLP/HTTP, and the tokens the mock served', async () => {
		const {client, summary} = await start();
		for (const {signal, bytes} of captures('protobuf')) expect(await client.send(signal, bytes)).toEqual({code: grpcStatus.OK, details: ''});
		// The same bytes through the HTTP receiver: both transports share one decoder.
		const viaHttpSpool = path.join(dir, 'http.ndjson');
		const http = await startReceiver({host: '127.0.0.1', port: 0, store: async records => appendToSpool(records, {file: viaHttpSpool})});
		closers.push(http.close);
		for (const {signal, bytes} of captures('protobuf')) expect((await fetch(`${http.url}/v1/${signal}`, {method: 'POST', body: bytes, headers: {'content-type': 'application/x-protobuf'}})).status).toBe(200);
		const viaHttp = new OtelSummary();
		readSpool(viaHttp, viaHttpSpool);
		const viaGrpc = summary();
		expect(viaGrpc).toEqual(viaHttp.json());
		// Ground truth: what the mock served in that run (5 requests).
		const truth = JSON.parse(readFileSync(path.resolve('fixtures/otlp-traces/cc-2.1.332_http-protobuf/ground-truth.json'), 'utf8')) as {requests: Array<{usage: {input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number}}>};
		const sum = (pick: (usage: (typeof truth.requests)[number]['usage']) => number) => truth.requests.reduce((total, request) => total + pick(request.usage), 0);
		expect(viaGrpc.apiRequests.count).toBe(truth.requests.length);
		expect(viaGrpc.tokens).toEqual({input: sum(usage => usage.input_tokens), output: sum(usage => usage.output_tokens), cacheRead: sum(usage => usage.cache_read_input_tokens), cacheCreation: sum(usage => usage.cache_creation_input_tokens)});
	});

	it('takes gzip (grpc-encoding), and caps the message at 4 MiB also once unzipped', async () => {
		const {receiver, summary} = await start();
		const gzip = otlpGrpcClient(receiver.port, {isGzip: true});
		closers.push(gzip.close);
		for (const {signal, bytes} of captures('protobuf')) expect((await gzip.send(signal, bytes)).code).toBe(grpcStatus.OK);
		expect(summary().apiRequests.count).toBeGreaterThan(0);
		// 6 MiB of zeros compress to a few KB: refused by what they decompress to.
		expect((await gzip.send('logs', Buffer.alloc(6 * 1024 * 1024))).code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
		expect(gzipSync(Buffer.alloc(6 * 1024 * 1024)).length).toBeLessThan(64 * 1024);
	});

	it('answers every error with its gRPC status and a reason, and stores nothing for them', async () => {
		const {client, summary} = await start({token: 's3cret'});
		const [logs] = captures('protobuf').filter(capture => capture.signal === 'logs');
		const auth = {authorization: 'Bearer s3cret'};
		expect(await client.send('logs', logs!.bytes)).toMatchObject({code: grpcStatus.UNAUTHENTICATED, details: expect.stringContaining('Bearer') as string});
		expect((await client.send('logs', logs!.bytes, {authorization: 'Bearer nope'})).code).toBe(grpcStatus.UNAUTHENTICATED);
		expect(await client.send('logs', Buffer.from([0xff, 0xff, 0xff]), auth)).toMatchObject({code: grpcStatus.INVALID_ARGUMENT, details: expect.stringContaining('bad protobuf') as string});
		expect((await client.send('logs', logs!.bytes.subarray(0, logs!.bytes.length - 7), auth)).code).toBe(grpcStatus.INVALID_ARGUMENT);
		expect((await client.send('logs', Buffer.alloc(5 * 1024 * 1024), auth)).code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
		expect(summary().diagnostics.records).toBe(0);
		expect((await client.send('logs', logs!.bytes, auth)).code).toBe(grpcStatus.OK);
		expect(summary().diagnostics.records).toBeGreaterThan(0);
	});

	it('forwards every accepted request to a collector over OTLP/HTTP', async () => {
		const collectorSpool = path.join(dir, 'collector.ndjson');
		const collector = await startReceiver({host: '127.0.0.1', port: 0, store: async records => appendToSpool(records, {file: collectorSpool})});
		closers.push(collector.close);
		const {client, summary} = await start({forward: collector.url});
		for (const {signal, bytes} of captures('protobuf')) expect((await client.send(signal, bytes)).code).toBe(grpcStatus.OK);
		const atCollector = () => {
			const sum = new OtelSummary();
			readSpool(sum, collectorSpool);
			return sum.json();
		};

		await waitFor(() => atCollector().diagnostics.records === summary().diagnostics.records, 5000, 'the collector to have every request');
		expect(atCollector()).toEqual(summary());
	});

	it('tells an OTLP/HTTP exporter on the gRPC port how to fix it, once per address', async () => {
		const heard: string[] = [];
		const {receiver} = await start({onWrongProtocol: ({address}) => heard.push(address)});
		for (let attempt = 0; attempt < 3; attempt++) {
			const response = await fetch(`http://127.0.0.1:${receiver.port}/v1/logs`, {method: 'POST', body: '{}', headers: {'content-type': 'application/json'}});
			expect(response.status).toBe(400);
			expect(await response.text()).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=grpc');
		}

		expect(heard).toEqual(['127.0.0.1']);
	});

	it('and a gRPC exporter on the HTTP port', async () => {
		const heard: string[] = [];
		const receiver = await startReceiver({host: '127.0.0.1', port: 0, store: async () => undefined, onWrongProtocol: ({address}) => heard.push(address)});
		closers.push(receiver.close);
		const {port} = new URL(receiver.url);
		for (let attempt = 0; attempt < 2; attempt++) {
			await new Promise<void>(resolve => {
				const session = http2.connect(`http://127.0.0.1:${port}`);
				session.on('error', () => resolve());
				session.on('close', () => resolve());
			});
		}

		await waitFor(() => heard.length > 0, 5000, 'the wrong-protocol note');
		expect(heard).toEqual(['127.0.0.1']);
	});

	it('fails with the port in use', async () => {
		const holder = net.createServer();
		await new Promise<void>(resolve => holder.listen(0, '127.0.0.1', () => resolve()));
		closers.push(async () => new Promise<void>(resolve => holder.close(() => resolve())));
		const {port} = holder.address() as net.AddressInfo;
		await expect(startGrpcReceiver({host: '127.0.0.1', port, store: async () => undefined})).rejects.toMatchObject({code: 'EADDRINUSE'});
	});
});
