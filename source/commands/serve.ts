import {appendToSpool, spoolPath} from '../ingest/otel/otel-spool.js';
import {startReceiver, type ReceiverOptions} from '../ingest/otel/otlp-receiver.js';
import {isLoopbackHost, type Options} from '../options.js';

/**
 * The receiver with its records going to the spool, one append at a time
 * (concurrent requests must not interleave their lines), each synced before
 * the request is answered. `drain` waits for the writes still under way.
 */
export const startSpoolingReceiver = async (options: Options, events: Pick<ReceiverOptions, 'onRequest' | 'onForwardError'> = {}) => {
	let queue = Promise.resolve();
	const receiver = await startReceiver({
		host: options.otlpHost,
		port: options.otlpPort,
		token: options.otlpToken,
		forward: options.otlpForward,
		...events,
		store: async records => {
			const write = queue.then(async () => appendToSpool(records, {isDurable: true}));
			queue = write.catch(() => undefined);
			return write;
		},
	});
	return {...receiver, drain: async () => queue};
};

/** The lines to start Claude Code with so it sends here. */
const claudeEnvFor = (url: string): string =>
	`CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT=${url}`;

/**
 * `cctop serve`: the OTLP/HTTP receiver on its own, for tmux or the background.
 * `report`, `status` and the dashboard read what it spools.
 */
export const runServe = async (options: Options): Promise<number> => {
	const receiver = await startSpoolingReceiver(options, {
		onRequest: ({path, status, records, reason}) => {
			if (!options.quiet) process.stderr.write(`${new Date().toISOString()} ${path} ${status}${status === 200 ? ` ${records} records` : ` ${reason ?? ''}`}\n`);
		},
		onForwardError: ({path, reason}) => process.stderr.write(`cctop: forwarding ${path} to ${options.otlpForward} failed: ${reason}\n`),
	});
	const headers = options.otlpToken === undefined ? '' : ' OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <token>"';
	process.stderr.write(
		`cctop: OTLP/HTTP receiver on ${receiver.urls.join(', ')} (/v1/metrics, /v1/logs, /v1/traces), spooling to ${spoolPath()}${options.otlpForward === undefined ? '' : `, forwarding to ${options.otlpForward}`}\n` +
			(options.otlpToken === undefined && !isLoopbackHost(options.otlpHost) ? `cctop: warning: no token; anyone who can reach ${options.otlpHost} can write to the spool (--insecure-no-token)\n` : '') +
			`  export ${claudeEnvFor(receiver.url)}${headers}\n`,
	);
	await new Promise<void>(resolve => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
	});
	await receiver.close();
	await receiver.drain();
	return 0;
};
