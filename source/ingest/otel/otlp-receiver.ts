import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import {gunzipSync} from 'node:zlib';
import type {OtelRecord} from '../../core/otel/console-records.js';
import {BadExport, decodeExport, forwardExport, maxBodyBytes, type Signal} from './otlp-export.js';

export {maxBodyBytes} from './otlp-export.js';

/**
 * Limits that keep a slow or hostile client from holding the receiver: Claude
 * Code sends a few KB every few seconds, so a request that takes this long is
 * not one of its exports.
 */
export const connectionLimits = {
	/** Headers must arrive within this (one byte a second never finishes). */
	headersTimeoutMs: 5000,
	/** The whole request, body included (a never-ending chunked body). */
	requestTimeoutMs: 10_000,
	/** A connection with nothing moving is closed. */
	idleTimeoutMs: 10_000,
	/** Past this many open connections, new ones are refused. */
	maxConnections: 256,
	/** An over-cap body is read and dropped up to here, so the 413 reaches a client still uploading. */
	drainBytes: 64 * 1024 * 1024,
};

export type ReceiverOptions = {
	host: string;
	port: number;
	/** When set, requests need `Authorization: Bearer <token>`. */
	token?: string | undefined;
	/** Where records go; the request is answered only once this resolves (the spool's fsync). */
	store: (records: ReadonlyArray<{record: OtelRecord; isIncomplete: boolean}>) => Promise<void>;
	/** Told about every request, for the serve command's log line and the tests. */
	onRequest?: (event: {path: string; status: number; records: number; reason?: string}) => void;
	/** A collector (its base URL) that gets every accepted request as it came, so cctop can sit in front of a team's pipeline. */
	forward?: string | undefined;
	/** Told when forwarding a request fails; the sender was already answered. */
	onForwardError?: (event: {path: string; reason: string}) => void;
	/** Tighter limits, for tests that must not wait 10 s. */
	limits?: Partial<typeof connectionLimits>;
	/** Told once per client address that speaks gRPC (HTTP/2) to this HTTP/1 port. */
	onWrongProtocol?: (event: {address: string}) => void;
	/** `GET /metrics`: the Prometheus exposition, when the caller serves one. */
	metrics?: (() => string) | undefined;
};

/** `GET /metrics` for Prometheus (the token, when set, as for any request). True when it answered. */
export const answerMetrics = (request: IncomingMessage, response: ServerResponse, metrics: (() => string) | undefined, token: string | undefined): boolean => {
	const path = (request.url ?? '').split('?')[0];
	if (metrics === undefined || path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
	if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) {
		response.writeHead(401, {'content-type': 'text/plain'});
		response.end('missing or wrong Authorization: Bearer token\n');
		return true;
	}

	response.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8'});
	response.end(request.method === 'HEAD' ? undefined : metrics());
	return true;
};

class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

const signals: Record<string, Signal> = {'/v1/metrics': 'metrics', '/v1/logs': 'logs', '/v1/traces': 'traces'};

/**
 * The whole body, or a 413 once it passes the cap (a lying Content-Length
 * included). The rest of an over-cap body is read and dropped (up to
 * `drainBytes`) before the answer: a client still uploading would otherwise see
 * a reset socket instead of the 413 and its reason.
 */
const readBody = async (request: IncomingMessage): Promise<Buffer> => {
	const declared = Number(request.headers['content-length']);
	const tooBig = new HttpError(413, `body over ${maxBodyBytes} bytes`);
	if (Number.isFinite(declared) && declared > connectionLimits.drainBytes) throw tooBig;
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request) {
		size += (chunk as Buffer).length;
		if (size > connectionLimits.drainBytes) throw tooBig;
		if (size <= maxBodyBytes) chunks.push(chunk as Buffer);
	}

	if (size > maxBodyBytes) throw tooBig;
	return Buffer.concat(chunks);
};

/** What a request carries, as records; throws HttpError with the status and reason the client gets. */
const recordsOf = async (request: IncomingMessage, token: string | undefined): Promise<{records: OtelRecord[]; isJson: boolean; raw: Buffer; signal: Signal}> => {
	const path = (request.url ?? '').split('?')[0]!;
	const signal = signals[path];
	if (signal === undefined) throw new HttpError(404, `no such endpoint ${path}: use /v1/metrics, /v1/logs or /v1/traces`);
	if (request.method !== 'POST') throw new HttpError(405, `${request.method} not allowed: POST the export request`);
	if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) throw new HttpError(401, 'missing or wrong Authorization: Bearer token');
	const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
	const isJson = type === 'application/json';
	if (!isJson && type !== 'application/x-protobuf') throw new HttpError(415, `content type ${type || '(none)'}: send application/json or application/x-protobuf`);
	const raw = await readBody(request);
	let body = raw;
	const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
	if (encoding === 'gzip') {
		try {
			body = gunzipSync(body, {maxOutputLength: maxBodyBytes});
		} catch (error) {
			const isTooBig = error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
			throw new HttpError(isTooBig ? 413 : 400, isTooBig ? `body over ${maxBodyBytes} bytes once unzipped` : 'bad gzip body');
		}
	} else if (encoding !== 'identity') {
		throw new HttpError(415, `content encoding ${encoding}: send gzip or none`);
	}

	try {
		return {records: decodeExport(signal, body, isJson), isJson, raw, signal};
	} catch (error) {
		if (error instanceof BadExport) throw new HttpError(400, error.message);
		throw error;
	}
};

/**
 * Where a sender can reach a listening address: itself, or for a wildcard bind
 * (0.0.0.0, ::) this machine's network addresses, then loopback. `http://0.0.0.0:4318`
 * is not an address to export to.
 */
export const reachableUrls = (address: AddressInfo): string[] => {
	const url = (host: string, family: string) => `http://${family === 'IPv6' || host.includes(':') ? `[${host}]` : host}:${address.port}`;
	if (address.address !== '0.0.0.0' && address.address !== '::') return [url(address.address, address.family)];
	const external = Object.values(os.networkInterfaces())
		.flatMap(entries => entries ?? [])
		.filter(entry => !entry.internal && (address.address === '::' || entry.family === 'IPv4'))
		.sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1))
		.map(entry => url(entry.address, entry.family));
	return [...external, url('127.0.0.1', 'IPv4')];
};


/**
 * The OTLP/HTTP receiver: `POST /v1/metrics` and `/v1/logs`, JSON or protobuf,
 * gzip or not. A request is answered 200 only after its records are stored, so
 * a sender never loses an acknowledged request. Binds 127.0.0.1 unless told otherwise.
 */
export const startReceiver = async (options: ReceiverOptions): Promise<{server: Server; url: string; urls: string[]; close: () => Promise<void>}> => {
	const handle = async (request: IncomingMessage, response: ServerResponse) => {
		if (answerMetrics(request, response, options.metrics, options.token)) return;
		const path = (request.url ?? '').split('?')[0]!;
		try {
			const {records, isJson, raw, signal} = await recordsOf(request, options.token);
			await options.store(records.map(record => ({record, isIncomplete: false})));
			// Forwarded after it is stored, and without holding up the answer: a slow collector must not slow Claude Code.
			if (options.forward !== undefined) {
				forwardExport(options.forward, signal, raw, {type: request.headers['content-type'] ?? 'application/json', encoding: request.headers['content-encoding']}).catch((error: unknown) => {
					options.onForwardError?.({path, reason: error instanceof Error ? error.message : String(error)});
				});
			}

			// OTLP/HTTP: an empty ExportServiceResponse, in the request's encoding.
			response.writeHead(200, {'content-type': isJson ? 'application/json' : 'application/x-protobuf'});
			response.end(isJson ? '{}' : '');
			options.onRequest?.({path, status: 200, records: records.length});
		} catch (error) {
			const status = error instanceof HttpError ? error.status : 500;
			const reason = error instanceof Error ? error.message : String(error);
			// The body may not have been read: close the connection rather than read on.
			response.writeHead(status, {'content-type': 'application/json', connection: 'close', ...(status === 405 ? {allow: 'POST'} : {})});
			response.end(JSON.stringify({code: status, message: reason}));
			options.onRequest?.({path, status, records: 0, reason});
		}
	};

	const limits = {...connectionLimits, ...options.limits};
	const server = createServer(
		{
			headersTimeout: limits.headersTimeoutMs,
			requestTimeout: limits.requestTimeoutMs,
			// How often the two timeouts above are checked (Node's default is 30 s).
			connectionsCheckingInterval: 1000,
		},
		(request, response) => {
			void handle(request, response);
		},
	);
	server.maxConnections = limits.maxConnections;
	// A gRPC exporter pointed at the HTTP port opens with the HTTP/2 preface, which HTTP/1 cannot parse.
	const told = new Set<string>();
	server.on('clientError', (error: Error & {rawPacket?: Buffer}, socket) => {
		const address = (socket as {remoteAddress?: string}).remoteAddress ?? 'unknown';
		if (error.rawPacket?.subarray(0, 14).toString('latin1') === 'PRI * HTTP/2.0' && !told.has(address)) {
			told.add(address);
			options.onWrongProtocol?.({address});
		}

		socket.destroy();
	});
	// A connection that sends nothing never starts a request, so only an idle timeout ends it.
	server.on('connection', socket => {
		socket.setTimeout(limits.idleTimeoutMs);
		socket.once('timeout', () => socket.destroy());
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port, options.host, () => resolve());
	});
	const address = server.address() as AddressInfo;
	const urls = reachableUrls(address);
	return {
		server,
		url: urls[0]!,
		urls,
		close: async () =>
			new Promise<void>(resolve => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
};
