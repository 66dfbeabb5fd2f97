import type {ReceiverOptions} from './otlp-receiver.js';
import net from 'node:net';
import {Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition} from '@grpc/grpc-js';
import type {OtelRecord} from '../../core/otel/console-records.js';
import {BadExport, decodeExport, forwardExport, maxBodyBytes, type Signal} from './otlp-export.js';

/**
 * The OTLP/gRPC receiver: the three collector services' `Export`, as the
 * Monitoring docs' quick start configures Claude Code (`grpc` on :4317). The
 * request bytes go to the same decoder as OTLP/HTTP protobuf (a pass-through
 * deserializer), an export is answered only once its records are stored, and
 * errors are gRPC statuses with a reason: UNAUTHENTICATED, INVALID_ARGUMENT,
 * RESOURCE_EXHAUSTED (over 4 MiB, also once unzipped). gzip is grpc-js's own.
 */
/** The HTTP receiver's options, less what only HTTP has; `onWrongProtocol` is told of clients that speak HTTP/1 here. */
export type GrpcReceiverOptions = Omit<ReceiverOptions, 'limits' | 'metrics'>;

const services: Record<Signal, string> = {
	metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
	logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
	traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
};

const bytes = (buffer: Buffer): Buffer => buffer;

/** A service whose one method takes and gives raw message bytes: the decoding is ours. */
const serviceFor = (signal: Signal): ServiceDefinition => ({
	Export: {
		path: `/${services[signal]}/Export`,
		requestStream: false,
		responseStream: false,
		requestSerialize: bytes,
		requestDeserialize: bytes,
		responseSerialize: bytes,
		responseDeserialize: bytes,
	},
});

class GrpcError extends Error {
	constructor(
		readonly code: status,
		message: string,
	) {
		super(message);
	}
}

/** The HTTP/2 connection preface every gRPC client opens with. */
const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * In front of grpc-js, on the public port: a connection that opens with the
 * HTTP/2 preface goes through to it; anything else (an OTLP/HTTP exporter
 * pointed at :4317) gets a plain HTTP/1 answer that names the fix, and the
 * caller hears about it once per address.
 */
const frontDoor = (innerPort: number, onWrongProtocol: (address: string) => void, open: Set<net.Socket>) =>
	net.createServer(socket => {
		// Exporters keep their channel open: close() ends these itself.
		open.add(socket);
		socket.on('close', () => open.delete(socket));
		socket.on('error', () => undefined);
		let head = Buffer.alloc(0);
		const onData = (chunk: Buffer) => {
			head = Buffer.concat([head, chunk]);
			const seen = head.subarray(0, preface.length);
			if (!seen.equals(preface.subarray(0, seen.length))) {
				socket.off('data', onData);
				onWrongProtocol(socket.remoteAddress ?? 'unknown');
				const text = 'this port speaks OTLP/gRPC: set OTEL_EXPORTER_OTLP_PROTOCOL=grpc, or send OTLP/HTTP to the HTTP port (4318)\n';
				socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
				return;
			}

			if (head.length < preface.length) return;
			socket.off('data', onData);
			socket.pause();
			const inner = net.connect(innerPort, '127.0.0.1', () => {
				inner.write(head);
				socket.pipe(inner).pipe(socket);
				socket.resume();
			});
			inner.on('error', () => socket.destroy());
			socket.on('close', () => inner.destroy());
			inner.on('close', () => socket.destroy());
		};

		socket.on('data', onData);
	});

/** Listen, or fail with the port's own error (EADDRINUSE names the port). */
const listen = async (server: net.Server, port: number, host: string): Promise<number> =>
	new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
	});

export const startGrpcReceiver = async (options: GrpcReceiverOptions): Promise<{port: number; close: () => Promise<void>}> => {
	const server = new Server({
		// grpc-js refuses bigger messages itself, with RESOURCE_EXHAUSTED.
		'grpc.max_receive_message_length': maxBodyBytes,
		'grpc.max_concurrent_streams': 64,
	});
	for (const signal of Object.keys(services) as Signal[]) {
		const path = `/${services[signal]}/Export`;
		server.addService(serviceFor(signal), {
			Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
				void (async () => {
					try {
						if (options.token !== undefined && call.metadata.get('authorization')[0] !== `Bearer ${options.token}`) {
							throw new GrpcError(status.UNAUTHENTICATED, 'missing or wrong authorization: Bearer token');
						}

						// Decompressed by grpc-js: the cap applies to what is decoded.
						if (call.request.length > maxBodyBytes) throw new GrpcError(status.RESOURCE_EXHAUSTED, `message over ${maxBodyBytes} bytes once unzipped`);
						let records: OtelRecord[];
						try {
							records = decodeExport(signal, call.request, false);
						} catch (error) {
							if (error instanceof BadExport) throw new GrpcError(status.INVALID_ARGUMENT, error.message);
							throw error;
						}

						await options.store(records.map(record => ({record, isIncomplete: false})));
						if (options.forward !== undefined) {
							forwardExport(options.forward, signal, call.request, {type: 'application/x-protobuf'}).catch((error: unknown) => {
								options.onForwardError?.({path, reason: error instanceof Error ? error.message : String(error)});
							});
						}

						// An empty Export*ServiceResponse: full success.
						callback(null, Buffer.alloc(0));
						options.onRequest?.({path, status: 0, records: records.length});
					} catch (error) {
						const code = error instanceof GrpcError ? error.code : status.INTERNAL;
						const reason = error instanceof Error ? error.message : String(error);
						callback({code, details: reason});
						options.onRequest?.({path, status: code, records: 0, reason});
					}
				})();
			},
		});
	}

	// grpc-js listens on a loopback port of its own; the front door takes the public one.
	const innerPort = await new Promise<number>((resolve, reject) => {
		server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
	});
	const told = new Set<string>();
	const open = new Set<net.Socket>();
	const front = frontDoor(
		innerPort,
		address => {
			if (told.has(address)) return;
			told.add(address);
			options.onWrongProtocol?.({address});
		},
		open,
	);
	let port: number;
	try {
		port = await listen(front, options.port, options.host);
	} catch (error) {
		server.forceShutdown();
		throw error;
	}

	return {
		port,
		close: async () => {
			const closed = new Promise<void>(resolve => {
				front.close(() => resolve());
			});
			for (const socket of open) socket.destroy();
			await closed;
			server.forceShutdown();
		},
	};
};
