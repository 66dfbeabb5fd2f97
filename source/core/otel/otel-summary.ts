import {attributeText as text, numberOf, type Attributes, type OtelRecord} from './console-records.js';
import {hashString} from '../util/hash.js';
import {percentile} from '../util/percentile.js';

type Tokens = {input: number; output: number; cacheRead: number; cacheCreation: number};
const tokenTypes = ['input', 'output', 'cacheRead', 'cacheCreation'] as const;
const emptyTokens = (): Tokens => ({input: 0, output: 0, cacheRead: 0, cacheCreation: 0});

/** `cctop report --json`'s `otel` object (README): metric-derived and event-derived figures, and what could not be read. */
export type OtelJson = {
	sessions: string[];
	costUSD: number;
	tokens: Tokens;
	byModel: Record<string, {costUSD: number; tokens: Tokens}>;
	linesOfCode: {added: number; removed: number};
	commits: number;
	pullRequests: number;
	activeTimeSeconds: {user: number; cli: number};
	editDecisions: {accept: number; reject: number};
	events: Record<string, number>;
	tools: Record<string, {calls: number; failures: number; durationMsP50: number | null; durationMsP95: number | null; decisions: {accept: number; reject: number}}>;
	apiRequests: {
		count: number;
		errors: number;
		costUSD: number;
		durationMsP50: number | null;
		durationMsP95: number | null;
		/** Our addition: latency per model, and errors by HTTP status. */
		byModel: Record<string, {count: number; durationMsP50: number | null; durationMsP95: number | null}>;
		errorsByStatus: Record<string, number>;
	};
	diagnostics: {records: number; incompleteRecords: number; badRecords: number};
};

const eventName = (name: string): string => name.replace(/^claude_code\./, '');
/** Keys sorted, so the same attributes read from two sources give one series. */
const stableJson = (attributes: Attributes): string => JSON.stringify(Object.keys(attributes).sort().map(key => [key, attributes[key]]));

/**
 * OpenTelemetry records summed the way SPEC §5 says. Metrics: the last value per
 * series (metric + attributes + start time), summed over series, which is right
 * for cumulative series (start fixed, value growing) and for delta ones (a new
 * start every export) alike. Events: counted once each, however often the same
 * record is read. Pure: records in, figures out.
 */
export class OtelSummary {
	/**
	 * The last value per series, keyed by a 64-bit hash of metric, attributes and
	 * start (delta points are each a series of their own, so this grows with the
	 * spool: a hash and the three attributes the totals read, not the whole key and
	 * attributes, keep a month of a team's telemetry in tens of MB). Two series
	 * share a hash with odds of about 1 in 10^7 at a million series.
	 */
	private readonly series = new Map<string, {name: string; type: string | undefined; model: string | undefined; decision: string | undefined; value: number}>();
	private readonly seenEvents = new Set<string>();
	private readonly eventCounts = new Map<string, number>();
	private readonly sessions = new Set<string>();
	private readonly tools = new Map<string, {calls: number; failures: number; durations: number[]; accept: number; reject: number}>();
	private readonly api = {count: 0, errors: 0, costUsd: 0, durations: [] as number[], byModel: new Map<string, {count: number; durations: number[]}>(), errorsByStatus: new Map<string, number>()};
	private readonly diagnostics = {records: 0, incompleteRecords: 0, badRecords: 0};
	/** Span records, by trace and span id (the same span read twice is kept once), for traces.ts. */
	private readonly spanRecords = new Map<string, Extract<OtelRecord, {kind: 'span'}>>();

	get spans(): Array<Extract<OtelRecord, {kind: 'span'}>> {
		return [...this.spanRecords.values()];
	}

	get isEmpty(): boolean {
		return this.diagnostics.records === 0 && this.diagnostics.badRecords === 0;
	}

	addBad(): void {
		this.diagnostics.badRecords++;
	}

	add(record: OtelRecord, isIncomplete = false): void {
		this.diagnostics.records++;
		if (isIncomplete) this.diagnostics.incompleteRecords++;
		if (record.kind === 'metric') this.addMetric(record, isIncomplete);
		else if (record.kind === 'log') this.addEvent(record);
		else if (record.kind === 'span') this.spanRecords.set(`${record.traceId}/${record.spanId}`, record);
	}

	private noteSession(attributes: Attributes): void {
		const session = text(attributes['session.id']);
		if (session !== undefined && session !== '') this.sessions.add(session);
	}

	private addMetric(record: Extract<OtelRecord, {kind: 'metric'}>, isIncomplete: boolean): void {
		for (const point of record.points) {
			if (point.value === undefined) continue;
			// A point whose attributes or start printed as `[Object]`/`[Array]` has lost which series it is: it cannot be summed exactly.
			if (isIncomplete && (point.startTimeMs === undefined || Object.keys(point.attributes).length === 0)) continue;
			this.noteSession(point.attributes);
			const {attributes} = point;
			this.series.set(hashString(`${record.name}\u0000${stableJson(attributes)}\u0000${point.startTimeMs}`), {
				name: record.name,
				type: text(attributes['type']),
				model: text(attributes['model']),
				decision: text(attributes['decision']),
				value: point.value,
			});
		}
	}

	private addEvent(record: Extract<OtelRecord, {kind: 'log'}>): void {
		// The same event read twice (spool and --otel-log) counts once; a hash keeps the set small (see `series`).
		const key = hashString(`${record.name}\u0000${record.timestampMs}\u0000${stableJson(record.attributes)}`);
		if (this.seenEvents.has(key)) return;
		this.seenEvents.add(key);
		this.noteSession(record.attributes);
		const name = eventName(record.name);
		this.eventCounts.set(name, (this.eventCounts.get(name) ?? 0) + 1);
		const attributes = record.attributes;
		if (name === 'api_request') {
			this.api.count++;
			this.api.costUsd += numberOf(attributes['cost_usd']) ?? 0;
			const duration = numberOf(attributes['duration_ms']);
			const model = text(attributes['model']) ?? '(unknown)';
			const perModel = this.api.byModel.get(model) ?? {count: 0, durations: []};
			this.api.byModel.set(model, perModel);
			perModel.count++;
			if (duration !== undefined) {
				this.api.durations.push(duration);
				perModel.durations.push(duration);
			}
		} else if (name === 'api_error') {
			this.api.errors++;
			const status = text(attributes['status_code']) ?? '(none)';
			this.api.errorsByStatus.set(status, (this.api.errorsByStatus.get(status) ?? 0) + 1);
		} else if (name === 'tool_result' || name === 'tool_decision') {
			const toolName = text(attributes['tool_name']) ?? '(unknown)';
			let tool = this.tools.get(toolName);
			if (tool === undefined) {
				tool = {calls: 0, failures: 0, durations: [], accept: 0, reject: 0};
				this.tools.set(toolName, tool);
			}

			if (name === 'tool_result') {
				tool.calls++;
				if (text(attributes['success']) === 'false') tool.failures++;
				const duration = numberOf(attributes['duration_ms']);
				if (duration !== undefined) tool.durations.push(duration);
			} else {
				const decision = text(attributes['decision']);
				if (decision === 'accept') tool.accept++;
				else if (decision === 'reject') tool.reject++;
			}
		}
	}

	json(): OtelJson {
		const out: OtelJson = {
			sessions: [...this.sessions].sort(),
			costUSD: 0,
			tokens: emptyTokens(),
			byModel: {},
			linesOfCode: {added: 0, removed: 0},
			commits: 0,
			pullRequests: 0,
			activeTimeSeconds: {user: 0, cli: 0},
			editDecisions: {accept: 0, reject: 0},
			events: Object.fromEntries([...this.eventCounts].sort(([a], [b]) => a.localeCompare(b))),
			tools: {},
			apiRequests: {
				count: this.api.count,
				errors: this.api.errors,
				costUSD: this.api.costUsd,
				durationMsP50: percentile(this.api.durations, 50) ?? null,
				durationMsP95: percentile(this.api.durations, 95) ?? null,
				byModel: Object.fromEntries(
					[...this.api.byModel].sort(([a], [b]) => a.localeCompare(b)).map(([model, {count, durations}]) => [model, {count, durationMsP50: percentile(durations, 50) ?? null, durationMsP95: percentile(durations, 95) ?? null}]),
				),
				errorsByStatus: Object.fromEntries([...this.api.errorsByStatus].sort(([a], [b]) => a.localeCompare(b))),
			},
			diagnostics: {...this.diagnostics},
		};
		const model = (name: string) => (out.byModel[name] ??= {costUSD: 0, tokens: emptyTokens()});
		for (const {name, type, model: modelName, decision, value} of this.series.values()) {
			switch (name) {
				case 'claude_code.cost.usage': {
					out.costUSD += value;
					model(modelName ?? '(unknown)').costUSD += value;
					break;
				}

				case 'claude_code.token.usage': {
					const kind = tokenTypes.find(candidate => candidate === type);
					if (kind === undefined) break;
					out.tokens[kind] += value;
					model(modelName ?? '(unknown)').tokens[kind] += value;
					break;
				}

				case 'claude_code.lines_of_code.count': {
					if (type === 'added' || type === 'removed') out.linesOfCode[type] += value;
					break;
				}

				case 'claude_code.commit.count': {
					out.commits += value;
					break;
				}

				case 'claude_code.pull_request.count': {
					out.pullRequests += value;
					break;
				}

				case 'claude_code.active_time.total': {
					if (type === 'user' || type === 'cli') out.activeTimeSeconds[type] += value;
					break;
				}

				case 'claude_code.code_edit_tool.decision': {
					if (decision === 'accept' || decision === 'reject') out.editDecisions[decision] += value;
					break;
				}

				default:
			}
		}

		for (const [name, tool] of [...this.tools].sort(([a], [b]) => a.localeCompare(b))) {
			out.tools[name] = {
				calls: tool.calls,
				failures: tool.failures,
				durationMsP50: percentile(tool.durations, 50) ?? null,
				durationMsP95: percentile(tool.durations, 95) ?? null,
				decisions: {accept: tool.accept, reject: tool.reject},
			};
		}

		return out;
	}
}
