import * as grpc from '@grpc/grpc-js';

/** The OTLP collector services, by signal. */
export const otlpServices = {
	logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
	metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
	traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
} as const;

/**
 * A real grpc-js client that sends an export request's protobuf bytes as they
 * are (the same bytes Claude Code's exporter sends), and gives back the status.
 */
export const otlpGrpcClient = (port: number, {isGzip = false}: {isGzip?: boolean} = {}) => {
	// 2 is grpc-js's code for gzip.
	const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), isGzip ? {'grpc.default_compression_algorithm': 2} : {});
	const send = async (signal: keyof typeof otlpServices, body: Uint8Array, metadata: Record<string, string> = {}): Promise<{code: number; details: string}> =>
		new Promise(resolve => {
			const headers = new grpc.Metadata();
			for (const [key, value] of Object.entries(metadata)) headers.set(key, value);
			client.makeUnaryRequest(
				`/${otlpServices[signal]}/Export`,
				(value: Uint8Array) => Buffer.from(value),
				(value: Buffer) => value,
				body,
				headers,
				{deadline: Date.now() + 10_000},
				error => resolve(error ? {code: error.code, details: error.details} : {code: grpc.status.OK, details: ''}),
			);
		});
	return {send, close: () => client.close()};
};

export {status as grpcStatus} from '@grpc/grpc-js';
