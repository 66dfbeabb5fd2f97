import type {OtelRecord} from '../core/otel/console-records.js';
import {PromSeries} from '../core/otel/prom-metrics.js';
import {teamReport, type TeamJson, type TeamSample} from '../core/otel/team.js';
import {streamSpool} from '../ingest/otel/otel-spool.js';
import {readBudgets} from '../ingest/config/read-budgets.js';
import {periodBounds, UsageError, type Options} from '../options.js';
import {renderTeam} from '../views/team-text.js';

/** The metrics a team row is made of, as /metrics and Prometheus name them. */
export const teamMetrics = ['claude_code_cost_usage_USD_total', 'claude_code_token_usage_tokens_total', 'claude_code_session_count_total', 'claude_code_lines_of_code_count_total', 'claude_code_commit_count_total', 'claude_code_pull_request_count_total', 'claude_code_code_edit_tool_decision_total'] as const;


type Window = {startMs: number; endMs: number};

/**
 * The spool's metric points in each window (by when they were measured), as
 * counter increases, in one pass over the receive times the windows span: the
 * period, the last hour and the sparkline's buckets cost one read, not 26.
 */
const spoolWindows = (windows: readonly Window[]): TeamSample[][] => {
	const series = windows.map(() => new PromSeries());
	const sinceMs = Math.min(...windows.map(window => window.startMs));
	const untilMs = Math.max(...windows.map(window => window.endMs));
	// Receive times trail measurement by an export interval: read a little wider, then filter by the points' own times.
	streamSpool({range: {sinceMs: sinceMs - 3_600_000, untilMs: untilMs + 3_600_000}}, ({record, receivedAtMs}) => {
		if (record.kind !== 'metric') return;
		for (const [index, window] of windows.entries()) {
			const points = record.points.filter(point => {
				const atMs = point.endTimeMs ?? receivedAtMs;
				return atMs >= window.startMs && atMs < window.endMs;
			});
			if (points.length > 0) series[index]!.add({...record, points} satisfies OtelRecord);
		}
	});
	return series.map(one => one.samples());
};

type PromVector = Array<{metric: Record<string, string>; value: [number, string]}>;

/**
 * The same increases from Prometheus (or Thanos, Mimir, VictoriaMetrics): each
 * counter at the period's end (or now) minus its value at the start, per
 * series; a series born in the period counts from 0, a counter that went down
 * (a restart) counts its value at the end.
 */
const prometheusSamples = async (base: string, period: {startMs: number; endMs: number}, nowMs: number, token: string | undefined, names: readonly string[]): Promise<TeamSample[]> => {
	const at = async (query: string, ms: number): Promise<PromVector> => {
		const url = new URL('api/v1/query', base.endsWith('/') ? base : `${base}/`);
		url.searchParams.set('query', query);
		url.searchParams.set('time', String(ms / 1000));
		let response: Response;
		try {
			response = await fetch(url, {headers: token === undefined ? {} : {authorization: `Bearer ${token}`}, signal: AbortSignal.timeout(15_000)});
		} catch (error) {
			throw new UsageError(`--prometheus ${base}: ${error instanceof Error ? error.message : String(error)}`);
		}

		const body = (await response.json().catch(() => ({}))) as {status?: string; error?: string; data?: {result?: PromVector}};
		if (!response.ok || body.status !== 'success') throw new UsageError(`--prometheus ${base}: ${response.status} ${body.error ?? response.statusText}`);
		return body.data?.result ?? [];
	};

	const labelsKey = (metric: Record<string, string>) => JSON.stringify(Object.entries(metric).sort(([a], [b]) => a.localeCompare(b)));
	const samples: TeamSample[] = [];
	const endMs = Math.min(period.endMs, nowMs);
	for (const name of names) {
		const [end, start] = await Promise.all([at(name, endMs), at(name, period.startMs)]);
		const before = new Map(start.map(row => [labelsKey(row.metric), Number(row.value[1])]));
		for (const row of end) {
			const value = Number(row.value[1]);
			const earlier = before.get(labelsKey(row.metric)) ?? 0;
			// Prometheus adds the metric's name and the scrape's job and instance: not Claude Code's labels.
			const labels = Object.fromEntries(Object.entries(row.metric).filter(([label]) => label !== '__name__' && label !== 'job' && label !== 'instance'));
			samples.push({name, labels, value: value >= earlier ? value - earlier : value});
		}
	}

	return samples;
};

/** The period's counter increases from the source the options name: Prometheus, else the spool. */
export const teamSamples = async (options: Options, period: Window, nowMs: number, names: readonly string[] = teamMetrics): Promise<TeamSample[]> =>
	options.prometheus === undefined ? spoolWindows([period])[0]!.filter(sample => names.includes(sample.name)) : prometheusSamples(options.prometheus, period, nowMs, options.otlpToken, names);

/**
 * `cctop team [--prometheus URL] [--by user|LABEL] [--period day|week|month] [--budgets FILE] [--json]`:
 * usage per person or per label for whoever runs the team's bill, from the
 * local spool (the receiver a small team points at) or from Prometheus.
 */
export const runTeam = async (options: Options): Promise<number> => {
	const {budgets} = await readBudgets(options.budgets).catch((error: unknown) => {
		throw error instanceof Error && error.name === 'ConfigError' ? new UsageError(error.message) : error;
	});
	const load = async (): Promise<TeamJson> => {
		const nowMs = options.now ?? Date.now();
		const period = periodBounds(options.period, nowMs);
		// The period, the last hour for each row's burn, and 24 buckets of it for the sparkline.
		const bucketMs = (period.endMs - period.startMs) / 24;
		const bounds = Array.from({length: 24}, (_, index) => ({startMs: period.startMs + index * bucketMs, endMs: period.startMs + (index + 1) * bucketMs})).filter(bucket => bucket.startMs <= nowMs);
		const hour = {startMs: nowMs - 3_600_000, endMs: nowMs + 1};
		const [samples = [], hourSamples = [], ...buckets] =
			options.prometheus === undefined
				? spoolWindows([period, hour, ...bounds])
				: await Promise.all([teamSamples(options, period, nowMs), teamSamples(options, hour, nowMs), ...bounds.map(async bucket => teamSamples(options, bucket, nowMs, ['claude_code_cost_usage_USD_total']))]);
		return teamReport(samples, {by: options.by, period, nowMs, budgets, source: options.prometheus === undefined ? 'spool' : 'prometheus', hourSamples, buckets});
	};

	if (options.json) {
		process.stdout.write(`${JSON.stringify(await load(), null, 2)}\n`);
		return 0;
	}

	// Not a terminal (a pipe, cron): the table once.
	if (!process.stdout.isTTY) {
		process.stdout.write(renderTeam(await load(), Number(process.env['COLUMNS']) || 100));
		return 0;
	}

	const [{render}, {createElement}, {TeamApp}] = await Promise.all([import('ink'), import('react'), import('../components/team-view.js')]);
	const instance = render(createElement(TeamApp, {load, refreshMs: options.refreshMs > 0 ? options.refreshMs : 5000, width: process.stdout.columns ?? 100, rows: process.stdout.rows ?? 30}));
	await instance.waitUntilExit();
	return 0;
};
