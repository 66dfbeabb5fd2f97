import {statSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import path from 'node:path';
import {PromSeries} from '../../core/otel/prom-metrics.js';
import type {OtelRecord} from '../../core/otel/console-records.js';
import {spoolPath, streamSpool} from './otel-spool.js';
import {readSegmentList} from './spool-segments.js';
import {answerMetrics} from './otlp-receiver.js';

/**
 * What `cctop serve` exposes on /metrics: Claude Code's metrics as Prometheus
 * counters (see prom-metrics.ts), rebuilt from the spool at start so a restart
 * keeps them, and the receiver's own health: requests by signal and status,
 * refusals by reason, forward failures and the spool's size.
 */
export class PromExporter {
	readonly series: PromSeries;
	private readonly requests = new Map<string, number>();
	private readonly refusals = new Map<string, number>();
	private forwardFailures = 0;

	constructor(dropLabels: ReadonlySet<string>) {
		this.series = new PromSeries(dropLabels);
	}

	/** Every metric the spool holds (all its segments), streamed: memory is the series, not the spool. */
	rebuild(): void {
		streamSpool({onlyMetrics: true}, ({record}) => this.series.add(record));
	}

	add(records: ReadonlyArray<{record: OtelRecord}>): void {
		for (const {record} of records) this.series.add(record);
	}

	noteRequest(pathName: string, status: number, reason: string | undefined): void {
		// OTLP/HTTP paths (/v1/metrics) and gRPC methods (…metrics.v1.MetricsService/Export) alike.
		const signal = /metrics/i.test(pathName) ? 'metrics' : /logs/i.test(pathName) ? 'logs' : /trace/i.test(pathName) ? 'traces' : 'other';
		const key = `signal="${signal}",status="${status}"`;
		this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
		if (status !== 200 && status !== 0 && reason !== undefined) {
			// A reason is one line; its first words are enough to group by, and keep the labels few.
			const short = reason.replaceAll(/["\\\n]/g, ' ').split(/[:(]/)[0]!.trim().slice(0, 60);
			this.refusals.set(short, (this.refusals.get(short) ?? 0) + 1);
		}
	}

	noteForwardFailure(): void {
		this.forwardFailures++;
	}

	text(): string {
		const active = spoolPath();
		const bytes = (statSync(active, {throwIfNoEntry: false})?.size ?? 0) + readSegmentList(active).segments.reduce((sum, segment) => sum + (statSync(path.join(path.dirname(active), segment.file), {throwIfNoEntry: false})?.size ?? 0), 0);
		const own = [
			'# TYPE cctop_receiver_requests_total counter',
			...[...this.requests].map(([labels, count]) => `cctop_receiver_requests_total{${labels}} ${count}`),
			'# TYPE cctop_receiver_refused_total counter',
			...[...this.refusals].map(([reason, count]) => `cctop_receiver_refused_total{reason="${reason}"} ${count}`),
			'# TYPE cctop_forward_failures_total counter',
			`cctop_forward_failures_total ${this.forwardFailures}`,
			'# TYPE cctop_spool_bytes gauge',
			`cctop_spool_bytes ${bytes}`,
		];
		return `${this.series.text()}${own.join('\n')}\n`;
	}
}

/** /metrics on a listener of its own (`--metrics-host`/`--metrics-port`), e.g. 0.0.0.0:8889 while OTLP stays on loopback. */
export const startMetricsListener = async (host: string, port: number, metrics: () => string, token: string | undefined): Promise<{url: string; close: () => Promise<void>}> => {
	const server: Server = createServer((request, response) => {
		if (answerMetrics(request, response, metrics, token)) return;
		response.writeHead(404, {'content-type': 'text/plain'});
		response.end('only /metrics here\n');
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	const address = server.address();
	const actual = typeof address === 'object' && address !== null ? address.port : port;
	return {url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}/metrics`, close: async () => new Promise<void>(resolve => server.close(() => resolve()))};
};
