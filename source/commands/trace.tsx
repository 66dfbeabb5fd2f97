import {renderToString} from 'ink';
import {TraceView} from '../components/trace-view.js';
import {OtelSummary} from '../core/otel/otel-summary.js';
import {buildTraces, type Trace} from '../core/otel/traces.js';
import {readSpool} from '../ingest/otel/otel-spool.js';
import {readOtelLogs} from '../ingest/otel/read-otel-log.js';
import {UsageError, type Options} from '../options.js';
import {isColorFor} from './color.js';

/** The trace `idOrPrefix` names, or the latest (of `--session` when given). */
const pick = (traces: readonly Trace[], idOrPrefix: string | undefined, session: string | undefined): Trace | string => {
	const candidates = session === undefined ? traces : traces.filter(trace => trace.sessionId?.startsWith(session));
	if (idOrPrefix === undefined) return candidates.at(-1) ?? (session === undefined ? 'no traces received yet' : `no traces for session ${session}`);
	const matches = candidates.filter(trace => trace.traceId.startsWith(idOrPrefix));
	if (matches.length === 1) return matches[0]!;
	if (matches.length === 0) return `no trace ${idOrPrefix}`;
	throw new UsageError(`${idOrPrefix} matches ${matches.length} traces; give more of the id`);
};

const traceJson = (trace: Trace) => ({
	traceId: trace.traceId,
	sessionId: trace.sessionId ?? null,
	startTime: new Date(trace.startMs).toISOString(),
	durationMs: trace.durationMs,
	isRootMissing: trace.isRootMissing,
	timeSplitMs: trace.split,
	spans: trace.rows.map(({span, depth}) => ({
		spanId: span.spanId,
		parentSpanId: span.parentSpanId ?? null,
		name: span.name,
		depth,
		startOffsetMs: (span.startMs ?? trace.startMs) - trace.startMs,
		durationMs: span.durationMs ?? null,
		attributes: span.attributes,
	})),
});

/**
 * `cctop trace [ID|--latest] [--session ID] [--json]`: one interaction's spans as a
 * waterfall, from the spool (`cctop serve`, `cctop run`) and `--otel-log` files.
 */
/** How far back the latest trace is looked for, widening until one is found: the spool of a team receiver holds months. */
const lookbackDays = [1, 7, 30, 365, undefined];
const dayMs = 86_400_000;

/**
 * The chosen trace. The latest one (of a session, or of all) is looked for in
 * the newest records first, widening the window until one is found whose spans
 * all lie inside it; a trace id is looked for everywhere.
 */
const findTrace = async (options: Options, idOrPrefix: string | undefined): Promise<Trace | string> => {
	let chosen: Trace | string = 'no traces received yet';
	let isFirst = true;
	for (const days of idOrPrefix === undefined ? lookbackDays : [undefined]) {
		// Receive times are the wall clock's, whatever --now says.
		const sinceMs = days === undefined ? undefined : Date.now() - days * dayMs;
		const summary = new OtelSummary();
		readSpool(summary, undefined, {sinceMs});
		const {unreadable} = await readOtelLogs(options.otelLog, {summary});
		chosen = pick(buildTraces(summary.spans), idOrPrefix, options.traceSession);
		if (isFirst) {
			for (const {path, reason} of unreadable) process.stderr.write(`cctop: --otel-log ${path}: ${reason}\n`);
		}

		isFirst = false;
		// Well inside the window: none of its spans can lie before it.
		if (typeof chosen !== 'string' && (sinceMs === undefined || chosen.startMs - sinceMs > dayMs / 24)) return chosen;
	}

	return chosen;
};

export const runTrace = async (options: Options, idOrPrefix: string | undefined): Promise<number> => {
	if (idOrPrefix !== undefined && options.latest) throw new UsageError('give a trace id or --latest, not both');
	const chosen = await findTrace(options, idOrPrefix);
	if (typeof chosen === 'string') {
		process.stderr.write(`cctop: ${chosen}. Turn tracing on in Claude Code (README, "Traces") and send it to \`cctop serve\`.\n`);
		// Nothing received yet is not an error; a trace asked for by id that is not there is.
		return idOrPrefix === undefined ? 0 : 1;
	}

	if (options.json) {
		process.stdout.write(`${JSON.stringify(traceJson(chosen), null, 2)}\n`);
		return 0;
	}

	const columns = process.stdout.columns ?? process.stderr.columns ?? (Number(process.env['COLUMNS']) || 100);
	process.stdout.write(`${renderToString(<TraceView trace={chosen} width={columns} isColor={isColorFor(process.stdout)} />, {columns})}\n`);
	return 0;
};
