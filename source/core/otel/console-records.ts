import {parseConsoleLiteral, type LiteralValue} from './console-literal.js';

/** An attribute value as the exporters print it; numbers may come as strings. */
export type AttributeValue = LiteralValue;
export type Attributes = Record<string, AttributeValue>;

export type MetricPoint = {attributes: Attributes; startTimeMs: number | undefined; endTimeMs: number | undefined; value: number | undefined};

/**
 * How an OTLP metric's points add up, for Prometheus: a sum or a gauge, delta
 * or cumulative, monotonic or not, and its instrumentation scope. Console
 * records and spool lines from before it have none: Claude Code's metrics are
 * monotonic delta sums of scope `com.anthropic.claude_code`.
 */
export type MetricSeries = {type: 'sum' | 'gauge'; temporality: 'delta' | 'cumulative' | 'unspecified'; isMonotonic: boolean; scope: {name: string; version: string}};

/** What a console record turned out to be. */
export type OtelRecord =
	| {kind: 'metric'; name: string; unit: string; points: MetricPoint[]; series?: MetricSeries}
	| {kind: 'log'; name: string; timestampMs: number | undefined; attributes: Attributes}
	| {kind: 'span'; name: string; traceId: string; spanId: string; parentSpanId: string | undefined; startMs: number | undefined; durationMs: number | undefined; attributes: Attributes}
	| {kind: 'resource'; attributes: Attributes};

/** A piece of console output: text to pass through, or a record (complete or not), or one that could not be read. */
export type ConsolePiece =
	| {kind: 'text'; text: string}
	| {kind: 'record'; record: OtelRecord; isIncomplete: boolean}
	| {kind: 'bad'; reason: string};

const isObject = (value: LiteralValue): value is {[key: string]: LiteralValue} => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: LiteralValue): string | undefined => (typeof value === 'string' ? value : undefined);

/** An attribute as text: strings as they are, numbers and booleans printed (`success` may be `'false'` or `false`). */
export const attributeText = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined);

/** A number, also when printed as a string (`'1200'`); undefined otherwise. */
export const numberOf = (value: unknown): number | undefined => {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && value.trim() !== '') {
		const number = Number(value);
		return Number.isFinite(number) ? number : undefined;
	}

	return undefined;
};

/** `[ seconds, nanoseconds ]` (the SDK's HrTime) or microseconds since the epoch, as ms. */
const timeMs = (value: LiteralValue): number | undefined => {
	if (Array.isArray(value) && value.length === 2) {
		const [seconds, nanos] = value.map(part => numberOf(part));
		return seconds === undefined || nanos === undefined ? undefined : seconds * 1000 + nanos / 1e6;
	}

	const micros = numberOf(value);
	return micros === undefined ? undefined : micros / 1000;
};

const attributesOf = (value: LiteralValue): Attributes => (isObject(value) ? {...value} : {});

/** Classify a parsed console record; undefined when it is not an OpenTelemetry record at all (say, JSON in the model's answer). */
export const interpretRecord = (value: LiteralValue, {isResourceBanner = false} = {}): OtelRecord | undefined => {
	if (!isObject(value)) return undefined;
	if (isResourceBanner) return {kind: 'resource', attributes: attributesOf(value)};
	const descriptor = value['descriptor'];
	if (isObject(descriptor) && text(descriptor['name']) !== undefined) {
		const points = Array.isArray(value['dataPoints']) ? value['dataPoints'] : [];
		return {
			kind: 'metric',
			name: text(descriptor['name'])!,
			unit: text(descriptor['unit']) ?? '',
			points: points.filter(point => isObject(point)).map(point => ({
				attributes: attributesOf(point['attributes']),
				startTimeMs: timeMs(point['startTime']),
				endTimeMs: timeMs(point['endTime']),
				value: numberOf(point['value']),
			})),
		};
	}

	if (text(value['traceId']) !== undefined && text(value['name']) !== undefined && text(value['id']) !== undefined && 'duration' in value) {
		const parent = value['parentSpanContext'];
		return {
			kind: 'span',
			name: text(value['name'])!,
			traceId: text(value['traceId'])!,
			spanId: text(value['id'])!,
			parentSpanId: text(value['parentId']) ?? (isObject(parent) ? text(parent['spanId']) : undefined),
			startMs: timeMs(value['timestamp']),
			durationMs: (() => {
				const micros = numberOf(value['duration']);
				return micros === undefined ? undefined : micros / 1000;
			})(),
			attributes: attributesOf(value['attributes']),
		};
	}

	// A log record; one whose body is not an event name is still a record (kept as a count), not the model's text.
	if ((text(value['body']) !== undefined && ('attributes' in value || 'resource' in value)) || ('resource' in value && 'instrumentationScope' in value)) {
		return {kind: 'log', name: text(value['body']) ?? '(not an event name)', timestampMs: timeMs(value['timestamp']), attributes: attributesOf(value['attributes'])};
	}

	return undefined;
};

// Colours (CSI), terminal titles and links (OSC): only ever present on a terminal.
// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const escapes = /\u001B\[[\d;?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[@-Z\\-_]/g;
/** A record starts at a line that is exactly `{`; in the `--debug` log after `console.log: `. */
const recordStart = /^(?:.*\bconsole\.(?:log|dir|info): )?\{$/;
/** It ends at a line that is exactly `}` (the debug log adds ` { depth: null }`). */
const recordEnd = /^\}(?: \{[^\n]*\})?$/;
const bannerStart = '=== Resource Attributes ===';
/** A record longer than this never closed: its lines go back out as text. */
const maxRecordLines = 20_000;

/**
 * Splits console output into records and other text, fed in chunks of any size:
 * a record cut across chunks is read once its closing line arrives. Text outside
 * records (the model's answer) comes back unchanged; a block that looked like a
 * record but is not one (JSON the model printed) comes back as text too.
 */
export class ConsoleRecordReader {
	private pending = '';
	private record: {lines: string[]; rawLines: string[]; isBanner: boolean} | undefined;
	private isBannerNext = false;
	private isBannerCloseNext = false;

	constructor(private readonly onPiece: (piece: ConsolePiece) => void) {}

	push(chunk: string): void {
		this.pending += chunk;
		let at: number;
		while ((at = this.pending.indexOf('\n')) !== -1) {
			const raw = this.pending.slice(0, at + 1);
			this.pending = this.pending.slice(at + 1);
			this.line(raw);
		}
	}

	/** The end of the stream: a last line without its newline, and a record that never closed. */
	end(): void {
		if (this.pending !== '') {
			const raw = this.pending;
			this.pending = '';
			this.line(raw);
		}

		if (this.record !== undefined) {
			const {rawLines} = this.record;
			this.record = undefined;
			this.onPiece({kind: 'bad', reason: 'a record that never closed'});
			this.onPiece({kind: 'text', text: rawLines.join('')});
		}
	}

	private line(raw: string): void {
		const clean = raw.replaceAll(escapes, '').replaceAll('\r', '').replace(/\n$/, '');
		if (this.record === undefined) {
			// 1.0.x frames the resource record with `=== Resource Attributes ===` and a line of `=`.
			const isBannerClose = this.isBannerCloseNext && /^=+$/.test(clean.trim());
			this.isBannerCloseNext = false;
			if (isBannerClose) return;
			// The banner names the record right after it; the debug log prints it on one line instead.
			const isBanner = this.isBannerNext;
			this.isBannerNext = false;
			if (recordStart.test(clean)) {
				this.record = {lines: ['{'], rawLines: [raw], isBanner};
				// Whatever the debug log printed before `{` on that line is text.
				const prefix = clean.slice(0, -1);
				if (prefix !== '') this.onPiece({kind: 'text', text: prefix});
			} else if (clean.trim() === bannerStart || clean.endsWith(` ${bannerStart}`)) {
				this.isBannerNext = true;
			} else {
				this.onPiece({kind: 'text', text: raw});
			}

			return;
		}

		this.record.lines.push(clean);
		this.record.rawLines.push(raw);
		if (recordEnd.test(clean)) {
			this.finish();
		} else if (this.record.lines.length > maxRecordLines) {
			const {rawLines} = this.record;
			this.record = undefined;
			this.onPiece({kind: 'bad', reason: 'a record that never closed'});
			this.onPiece({kind: 'text', text: rawLines.join('')});
		}
	}

	private finish(): void {
		const {lines, rawLines, isBanner} = this.record!;
		this.record = undefined;
		// `} { depth: null }`: only the brace belongs to the record.
		lines[lines.length - 1] = '}';
		const parsed = parseConsoleLiteral(lines.join('\n'));
		if ('error' in parsed) {
			this.onPiece({kind: 'bad', reason: parsed.error});
			this.onPiece({kind: 'text', text: rawLines.join('')});
			return;
		}

		this.isBannerCloseNext = isBanner;
		const record = interpretRecord(parsed.value, {isResourceBanner: isBanner});
		if (record === undefined) {
			this.onPiece({kind: 'text', text: rawLines.join('')});
			return;
		}

		this.onPiece({kind: 'record', record, isIncomplete: parsed.isIncomplete});
	}
}
