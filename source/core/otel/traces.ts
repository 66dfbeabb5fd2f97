import {numberOf, type OtelRecord} from './console-records.js';
import {percentile} from '../util/percentile.js';

export type SpanRecord = Extract<OtelRecord, {kind: 'span'}>;

/** One row of a waterfall: a span and how deep it sits under the trace's top. */
export type WaterfallRow = {span: SpanRecord; depth: number};

/** Where an interaction's time went (ms): model calls (time to first token, then generation), tools running, waiting on the user, and the rest. */
export type TimeSplit = {model: number; timeToFirstToken: number; generation: number; toolExecution: number; blockedOnUser: number; other: number};

/** One interaction (a user prompt): its spans as a tree, and its time split. */
export type Trace = {
	traceId: string;
	sessionId: string | undefined;
	startMs: number;
	durationMs: number;
	/** The `claude_code.interaction` root never arrived (yet): the rows start at the orphans. */
	isRootMissing: boolean;
	rows: WaterfallRow[];
	split: TimeSplit;
	/** Execution time per tool (ms), and time blocked on the user per tool. */
	tools: Map<string, {calls: number; executionMs: number[]; blockedOnUserMs: number}>;
	llmRequests: SpanRecord[];
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
/** Milliseconds to the microsecond: spans are timed in nanoseconds, and nobody reads past µs. */
const ms = (value: number): number => Math.round(value * 1000) / 1000;
const msOrNull = (value: number | undefined): number | null => (value === undefined ? null : ms(value));
const kindOf = (span: SpanRecord): string => span.name.replace(/^claude_code\./, '');
const endOf = (span: SpanRecord): number => (span.startMs ?? 0) + (span.durationMs ?? 0);

/** The tool a span belongs to: its own `tool_name`, or its parent `claude_code.tool`'s. */
const toolNameOf = (span: SpanRecord, byId: ReadonlyMap<string, SpanRecord>): string =>
	text(span.attributes['tool_name']) ?? (span.parentSpanId === undefined ? undefined : text(byId.get(span.parentSpanId)?.attributes['tool_name'])) ?? '(unknown)';

/**
 * Spans grouped into traces, each a tree ordered by start time. Spans arrive in
 * any order and a trace may never finish: a child before its parent waits in the
 * same trace, a span whose parent never came is shown at the top, and a span of
 * an unknown name is kept. The same span read twice (console and OTLP) counts once.
 */
export const buildTraces = (records: Iterable<SpanRecord>): Trace[] => {
	const byTrace = new Map<string, Map<string, SpanRecord>>();
	for (const span of records) {
		let spans = byTrace.get(span.traceId);
		if (spans === undefined) {
			spans = new Map();
			byTrace.set(span.traceId, spans);
		}

		spans.set(span.spanId, span);
	}

	const traces: Trace[] = [];
	for (const [traceId, byId] of byTrace) {
		const spans = [...byId.values()];
		const children = new Map<string | undefined, SpanRecord[]>();
		for (const span of spans) {
			// A parent that is not in the trace (not arrived, or never sent) makes this a top row.
			const parent = span.parentSpanId !== undefined && byId.has(span.parentSpanId) ? span.parentSpanId : undefined;
			children.set(parent, [...(children.get(parent) ?? []), span]);
		}

		const byStart = (a: SpanRecord, b: SpanRecord) => (a.startMs ?? 0) - (b.startMs ?? 0) || a.spanId.localeCompare(b.spanId);
		const rows: WaterfallRow[] = [];
		const visit = (span: SpanRecord, depth: number) => {
			rows.push({span, depth});
			for (const child of (children.get(span.spanId) ?? []).sort(byStart)) visit(child, depth + 1);
		};

		for (const top of (children.get(undefined) ?? []).sort(byStart)) visit(top, 0);
		const root = spans.find(span => kindOf(span) === 'interaction' && (span.parentSpanId === undefined || !byId.has(span.parentSpanId)));
		const startMs = root?.startMs ?? Math.min(...spans.map(span => span.startMs ?? Number.POSITIVE_INFINITY));
		const durationMs = root?.durationMs ?? Math.max(...spans.map(span => endOf(span))) - startMs;

		const split: TimeSplit = {model: 0, timeToFirstToken: 0, generation: 0, toolExecution: 0, blockedOnUser: 0, other: 0};
		const tools: Trace['tools'] = new Map();
		const tool = (name: string) => {
			let found = tools.get(name);
			if (found === undefined) {
				found = {calls: 0, executionMs: [], blockedOnUserMs: 0};
				tools.set(name, found);
			}

			return found;
		};

		const llmRequests: SpanRecord[] = [];
		for (const span of spans) {
			const duration = span.durationMs ?? 0;
			switch (kindOf(span)) {
				case 'llm_request': {
					llmRequests.push(span);
					split.model += duration;
					split.timeToFirstToken += Math.min(duration, numberOf(span.attributes['ttft_ms']) ?? 0);
					break;
				}

				case 'tool': {
					tool(toolNameOf(span, byId)).calls++;
					break;
				}

				case 'tool.execution': {
					split.toolExecution += duration;
					tool(toolNameOf(span, byId)).executionMs.push(duration);
					break;
				}

				case 'tool.blocked_on_user': {
					split.blockedOnUser += duration;
					tool(toolNameOf(span, byId)).blockedOnUserMs += duration;
					break;
				}

				default:
			}
		}

		split.generation = split.model - split.timeToFirstToken;
		split.other = Math.max(0, durationMs - split.model - split.toolExecution - split.blockedOnUser);
		const sessionId = text(root?.attributes['gen_ai.conversation.id']) ?? text(root?.attributes['session.id']) ?? spans.map(span => text(span.attributes['session.id'])).find(Boolean);
		traces.push({traceId, sessionId, startMs, durationMs, isRootMissing: root === undefined, rows, split, tools, llmRequests});
	}

	return traces.sort((a, b) => a.startMs - b.startMs || a.traceId.localeCompare(b.traceId));
};

export type TracesJson = ReturnType<typeof tracesJson>;

/** The time splits of several interactions added up (a session's, a block's). */
export const sumSplits = (traces: readonly Trace[]): TimeSplit & {interactions: number} => {
	const total = {model: 0, timeToFirstToken: 0, generation: 0, toolExecution: 0, blockedOnUser: 0, other: 0, interactions: traces.length};
	for (const {split} of traces) {
		total.model += split.model;
		total.timeToFirstToken += split.timeToFirstToken;
		total.generation += split.generation;
		total.toolExecution += split.toolExecution;
		total.blockedOnUser += split.blockedOnUser;
		total.other += split.other;
	}

	return total;
};

/** `cctop report --json`'s `traces` object (README). */
export const tracesJson = (traces: readonly Trace[], {slowestCount = 5} = {}) => {
	const spans: Record<string, number> = {};
	const split = sumSplits(traces);
	const tools = new Map<string, {calls: number; executionMs: number[]; blockedOnUserMs: number}>();
	const llm: SpanRecord[] = [];
	for (const trace of traces) {
		for (const {span} of trace.rows) spans[span.name] = (spans[span.name] ?? 0) + 1;
		llm.push(...trace.llmRequests);
		for (const [name, tool] of trace.tools) {
			const sum = tools.get(name) ?? {calls: 0, executionMs: [], blockedOnUserMs: 0};
			sum.calls += tool.calls;
			sum.executionMs.push(...tool.executionMs);
			sum.blockedOnUserMs += tool.blockedOnUserMs;
			tools.set(name, sum);
		}
	}

	const durations = llm.map(span => span.durationMs ?? 0);
	const ttfts = llm.flatMap(span => {
		const ttft = numberOf(span.attributes['ttft_ms']);
		return ttft === undefined ? [] : [ttft];
	});
	const sum = (key: string) => llm.reduce((total, span) => total + (numberOf(span.attributes[key]) ?? 0), 0);
	return {
		interactions: traces.filter(trace => !trace.isRootMissing).length,
		spans: Object.fromEntries(Object.entries(spans).sort(([a], [b]) => a.localeCompare(b))),
		llmRequests: {
			count: llm.length,
			inputTokens: sum('input_tokens'),
			outputTokens: sum('output_tokens'),
			durationMsP50: msOrNull(percentile(durations, 50)),
			durationMsP95: msOrNull(percentile(durations, 95)),
			ttftMsP50: msOrNull(percentile(ttfts, 50)),
		},
		tools: Object.fromEntries(
			[...tools]
				.sort(([a], [b]) => a.localeCompare(b))
				.map(([name, tool]) => [name, {calls: tool.calls, executionMsP50: msOrNull(percentile(tool.executionMs, 50)), executionMsP95: msOrNull(percentile(tool.executionMs, 95)), blockedOnUserMs: ms(tool.blockedOnUserMs)}]),
		),
		timeSplitMs: {model: ms(split.model), toolExecution: ms(split.toolExecution), blockedOnUser: ms(split.blockedOnUser), other: ms(split.other)},
		slowest: [...traces]
			.sort((a, b) => b.durationMs - a.durationMs)
			.slice(0, slowestCount)
			.map(trace => ({traceId: trace.traceId, sessionId: trace.sessionId ?? null, durationMs: ms(trace.durationMs), llmRequests: trace.llmRequests.length, tools: [...trace.tools.values()].reduce((total, tool) => total + tool.calls, 0)})),
	};
};
