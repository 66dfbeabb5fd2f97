import {appendToSpool, spoolPath} from '../ingest/otel/otel-spool.js';
import type {ReceiverOptions} from '../ingest/otel/otlp-receiver.js';
import type {PromExporter} from '../ingest/otel/prom-exporter.js';
import {isLoopbackHost, UsageError, type Options} from '../options.js';

type Events = Pick<ReceiverOptions, 'onRequest' | 'onForwardError' | 'onWrongProtocol'> & {onWrongGrpcProtocol?: ReceiverOptions['onWrongProtocol']};

/** A port someone else holds: one line that names it and the way out (a runtime error: exit 1). */
export class PortInUse extends Error {}

const listening = async <T>(start: () => Promise<T>, what: string, port: number, flag: string): Promise<T> => {
	try {
		return await start();
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE') throw new PortInUse(`port ${port} is in use (another cctop serve, or a collector?): stop it, or give ${what} another with ${flag} N (0 turns it off)`);
		if (code === 'EACCES') throw new PortInUse(`port ${port} needs privileges here: choose another with ${flag} N`);
		throw error;
	}
};

/**
 * The receivers (OTLP/gRPC and OTLP/HTTP, either may be off) with their records
 * going to the spool, one append at a time (concurrent requests must not
 * interleave their lines), each synced before the request is answered.
 * `drain` waits for the writes still under way. gRPC is loaded only here.
 */
export const startSpoolingReceiver = async (options: Options, events: Events = {}, {withMetrics = false} = {}) => {
	// /metrics (serve only): the counters are rebuilt from the spool first, so a restart keeps them.
	let exporter: PromExporter | undefined;
	if (withMetrics) {
		const {PromExporter} = await import('../ingest/otel/prom-exporter.js');
		exporter = new PromExporter(new Set(options.metricsDropLabels));
		exporter.rebuild();
	}

	let queue = Promise.resolve();
	const store = async (records: Parameters<ReceiverOptions['store']>[0]) => {
		const write = queue.then(async () => appendToSpool(records, {isDurable: true, rotation: {maxBytes: options.spoolMaxMb * 1024 * 1024, retainDays: options.retainDays}}));
		queue = write.catch(() => undefined);
		await write;
		// Counted once stored: what /metrics shows is what a restart rebuilds.
		exporter?.add(records);
	};

	const metrics = exporter === undefined ? undefined : () => exporter.text();
	const common = {
		host: options.otlpHost,
		token: options.otlpToken,
		forward: options.otlpForward,
		store,
		metrics,
		onRequest: (event: Parameters<NonNullable<ReceiverOptions['onRequest']>>[0]) => {
			exporter?.noteRequest(event.path, event.status, event.reason);
			events.onRequest?.(event);
		},
		onForwardError: (event: Parameters<NonNullable<ReceiverOptions['onForwardError']>>[0]) => {
			exporter?.noteForwardFailure();
			events.onForwardError?.(event);
		},
	};
	const closers: Array<() => Promise<void>> = [];
	try {
		let grpc: {port: number} | undefined;
		if (options.otlpGrpcPort !== undefined) {
			const {startGrpcReceiver} = await import('../ingest/otel/otlp-grpc.js');
			const port = options.otlpGrpcPort;
			const started = await listening(async () => startGrpcReceiver({...common, port, onWrongProtocol: events.onWrongGrpcProtocol}), 'gRPC', port, '--otlp-grpc-port');
			closers.push(started.close);
			grpc = started;
		}

		let http: {url: string; urls: string[]} | undefined;
		if (options.otlpPort !== undefined) {
			const {startReceiver} = await import('../ingest/otel/otlp-receiver.js');
			const port = options.otlpPort;
			const started = await listening(async () => startReceiver({...common, port, onWrongProtocol: events.onWrongProtocol}), 'HTTP', port, '--otlp-port');
			closers.push(started.close);
			http = started;
		}

		let metricsUrl: string | undefined;
		if (metrics !== undefined && options.metricsPort !== undefined) {
			const {startMetricsListener} = await import('../ingest/otel/prom-exporter.js');
			const port = options.metricsPort;
			const started = await listening(async () => startMetricsListener(options.metricsHost, port, metrics, options.otlpToken), '/metrics', port, '--metrics-port');
			closers.push(started.close);
			metricsUrl = started.url;
		}

		return {
			grpc,
			http,
			metricsUrl,
			close: async () => {
				await Promise.all(closers.map(async close => close()));
			},
			drain: async () => queue,
		};
	} catch (error) {
		await Promise.all(closers.map(async close => close()));
		throw error;
	}
};

const telemetry = 'CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp';

/** `http://host:port` with the host the HTTP receiver reported as reachable (a wildcard bind is never printed). */
const endpointFor = (httpUrl: string | undefined, port: number): string => {
	const host = httpUrl === undefined ? '127.0.0.1' : new URL(httpUrl).hostname;
	return `http://${host}:${port}`;
};

/**
 * `cctop serve`: the receivers on their own, for tmux or the background.
 * `report`, `status` and the dashboard read what they spool. At start it prints
 * the exact settings that send Claude Code here, for each transport it runs.
 */
export const runServe = async (options: Options): Promise<number> => {
	if (options.otlpPort === undefined && options.otlpGrpcPort === undefined) throw new UsageError('both receivers are off (--otlp-port 0 and --otlp-grpc-port 0): nothing to serve');
	let ports: {grpc?: number; http?: string} = {};
	const receiver = await startSpoolingReceiver(
		options,
		{
		onRequest: ({path, status, records, reason}) => {
			if (!options.quiet) process.stderr.write(`${new Date().toISOString()} ${path} ${status}${status === 200 || status === 0 ? ` ${records} records` : ` ${reason ?? ''}`}\n`);
		},
		onForwardError: ({path, reason}) => process.stderr.write(`cctop: forwarding ${path} to ${options.otlpForward} failed: ${reason}\n`),
		onWrongProtocol: ({address}) =>
			process.stderr.write(`cctop: ${address} speaks gRPC to the OTLP/HTTP port: ${ports.grpc === undefined ? '' : `point it at :${ports.grpc} or `}set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n`),
		onWrongGrpcProtocol: ({address}) =>
			process.stderr.write(`cctop: ${address} sends OTLP/HTTP to the gRPC port: ${ports.http === undefined ? '' : `point it at ${ports.http} or `}set OTEL_EXPORTER_OTLP_PROTOCOL=grpc\n`),
		},
		{withMetrics: true},
	);
	ports = {grpc: receiver.grpc?.port, http: receiver.http?.url};
	const headers = options.otlpToken === undefined ? '' : ' OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <token>"';
	const listens = [
		receiver.grpc === undefined ? '' : `OTLP/gRPC on ${endpointFor(receiver.http?.url, receiver.grpc.port)}`,
		receiver.http === undefined ? '' : `OTLP/HTTP on ${receiver.http.urls.join(', ')} (/v1/metrics, /v1/logs, /v1/traces; Prometheus scrapes /metrics)`,
		receiver.metricsUrl === undefined ? '' : `Prometheus /metrics on ${receiver.metricsUrl}`,
	].filter(Boolean);
	const lines = [
		`cctop: ${listens.join(', ')}, spooling to ${spoolPath()}${options.otlpForward === undefined ? '' : `, forwarding to ${options.otlpForward}`}`,
		...(options.otlpToken === undefined && !isLoopbackHost(options.otlpHost) ? [`cctop: warning: no token; anyone who can reach ${options.otlpHost} can write to the spool (--insecure-no-token)`] : []),
		'Start Claude Code with (or put these in the env block of ~/.claude/settings.json; `cctop setup` does it):',
		...(receiver.grpc === undefined ? [] : [`  export ${telemetry} OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=${endpointFor(receiver.http?.url, receiver.grpc.port)}${headers}`]),
		...(receiver.http === undefined ? [] : [`  ${receiver.grpc === undefined ? 'export' : 'or over HTTP:'} ${telemetry} OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.http.url}${headers}`]),
	];
	process.stderr.write(`${lines.join('\n')}\n`);
	await new Promise<void>(resolve => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
	});
	await receiver.close();
	await receiver.drain();
	return 0;
};
