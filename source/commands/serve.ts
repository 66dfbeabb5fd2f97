import {appendToSpool, spoolPath} from '../ingest/otel-spool.js';
import {startReceiver} from '../ingest/otlp-receiver.js';
import type {Options} from '../options.js';

/**
 * `cctop serve`: the OTLP/HTTP receiver on its own, for tmux or the background.
 * Every request's records are appended to the spool (and synced) before it is
 * answered; `report`, `status` and the dashboard read them from there.
 */
export const runServe = async (options: Options): Promise<number> => {
	// One append at a time: concurrent requests must not interleave their lines.
	let queue = Promise.resolve();
	const store: Parameters<typeof startReceiver>[0]['store'] = async records => {
		const write = queue.then(async () => appendToSpool(records, {isDurable: true}));
		queue = write.catch(() => undefined);
		return write;
	};

	const receiver = await startReceiver({
		host: options.otlpHost,
		port: options.otlpPort,
		token: options.otlpToken,
		forward: options.otlpForward,
		onForwardError: ({path, reason}) => process.stderr.write(`cctop: forwarding ${path} to ${options.otlpForward} failed: ${reason}\n`),
		store,
		onRequest: ({path, status, records, reason}) => {
			if (!options.quiet) process.stderr.write(`${new Date().toISOString()} ${path} ${status}${status === 200 ? ` ${records} records` : ` ${reason ?? ''}`}\n`);
		},
	});
	process.stderr.write(
		`cctop: OTLP/HTTP receiver on ${receiver.url} (/v1/metrics, /v1/logs), spooling to ${spoolPath()}${options.otlpForward === undefined ? '' : `, forwarding to ${options.otlpForward}`}\n` +
			`  export CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp OTEL_EXPORTER_OTLP_PROTOCOL=http/json OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.url}\n`,
	);
	await new Promise<void>(resolve => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
	});
	await receiver.close();
	await queue;
	return 0;
};
