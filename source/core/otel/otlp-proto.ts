/**
 * A protobuf reader for the part of OTLP that Claude Code sends (metrics with
 * sums and gauges, logs, and spans). It decodes a request into the shape of its
 * OTLP/JSON encoding, so otlp-records.ts reads both. Field numbers are those of
 * opentelemetry-proto v1. The packages that decode all of OTLP install 7–37 MB
 * (SPEC §5); this subset is a few dozen lines. Unknown fields are skipped, as
 * protobuf requires; a truncated or malformed message throws ProtoError.
 */

export class ProtoError extends Error {}

/**
 * How deep an `AnyValue` may nest (arrays and key-value lists inside each
 * other). Claude Code's attributes are flat; 5,000 levels in 71 KB would
 * otherwise exhaust the stack.
 */
export const maxValueDepth = 32;

type Json = Record<string, unknown>;

class Reader {
	position = 0;

	constructor(private readonly bytes: Uint8Array) {}

	get isDone(): boolean {
		return this.position >= this.bytes.length;
	}

	varint(): bigint {
		let result = 0n;
		for (let shift = 0n; shift < 70n; shift += 7n) {
			if (this.position >= this.bytes.length) throw new ProtoError('truncated varint');
			const byte = this.bytes[this.position++]!;
			result |= BigInt(byte & 0x7f) << shift;
			if ((byte & 0x80) === 0) return result;
		}

		throw new ProtoError('varint too long');
	}

	take(length: number): Uint8Array {
		if (length < 0 || this.position + length > this.bytes.length) throw new ProtoError('truncated field');
		const out = this.bytes.subarray(this.position, this.position + length);
		this.position += length;
		return out;
	}

	/** The next field: its number, wire type and raw value (a varint, or the bytes of the rest). */
	field(): {number: number; type: number; varint?: bigint; bytes?: Uint8Array} {
		const key = this.varint();
		const number = Number(key >> 3n);
		const type = Number(key & 7n);
		if (number === 0) throw new ProtoError('field number 0');
		switch (type) {
			case 0: {
				return {number, type, varint: this.varint()};
			}

			case 1: {
				return {number, type, bytes: this.take(8)};
			}

			case 2: {
				return {number, type, bytes: this.take(Number(this.varint()))};
			}

			case 5: {
				return {number, type, bytes: this.take(4)};
			}

			default: {
				throw new ProtoError(`wire type ${type}`);
			}
		}
	}
}

const text = (bytes: Uint8Array | undefined): string => new TextDecoder('utf8').decode(bytes);
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const fixed64 = (bytes: Uint8Array | undefined): string => (bytes === undefined ? '0' : view(bytes).getBigUint64(0, true).toString());
const double = (bytes: Uint8Array | undefined): number => (bytes === undefined ? 0 : view(bytes).getFloat64(0, true));
const signed = (value: bigint | undefined): string => BigInt.asIntN(64, value ?? 0n).toString();

/** A message's fields into `out` by `fields[number](out, field)`; unknown numbers are skipped. */
const message = (bytes: Uint8Array, fields: Record<number, (out: Json, field: ReturnType<Reader['field']>) => void>): Json => {
	const out: Json = {};
	const reader = new Reader(bytes);
	while (!reader.isDone) {
		const field = reader.field();
		fields[field.number]?.(out, field);
	}

	return out;
};

const push = (out: Json, key: string, value: unknown): void => {
	const items = (out[key] ??= []) as unknown[];
	items.push(value);
};

const sub = (field: {bytes?: Uint8Array}): Uint8Array => {
	if (field.bytes === undefined) throw new ProtoError('expected a message');
	return field.bytes;
};

const anyValue = (bytes: Uint8Array, depth = 0): Json => {
	if (depth > maxValueDepth) throw new ProtoError(`values nested deeper than ${maxValueDepth} levels`);
	return message(bytes, {
		1: (out, field) => (out['stringValue'] = text(sub(field))),
		2: (out, field) => (out['boolValue'] = field.varint !== 0n),
		3: (out, field) => (out['intValue'] = signed(field.varint)),
		4: (out, field) => (out['doubleValue'] = double(field.bytes)),
		5: (out, field) => (out['arrayValue'] = message(sub(field), {1: (array, item) => push(array, 'values', anyValue(sub(item), depth + 1))})),
		6: (out, field) => (out['kvlistValue'] = message(sub(field), {1: (list, item) => push(list, 'values', keyValue(sub(item), depth + 1))})),
	});
};

const keyValue = (bytes: Uint8Array, depth = 0): Json =>
	message(bytes, {
		1: (out, field) => (out['key'] = text(sub(field))),
		2: (out, field) => (out['value'] = anyValue(sub(field), depth)),
	});

const attributes = (key = 'attributes') => (out: Json, field: {bytes?: Uint8Array}) => push(out, key, keyValue(sub(field)));

const resource = (bytes: Uint8Array): Json => message(bytes, {1: attributes()});
const scope = (bytes: Uint8Array): Json =>
	message(bytes, {
		1: (out, field) => (out['name'] = text(sub(field))),
		2: (out, field) => (out['version'] = text(sub(field))),
	});

const numberDataPoint = (bytes: Uint8Array): Json =>
	message(bytes, {
		7: attributes(),
		2: (out, field) => (out['startTimeUnixNano'] = fixed64(field.bytes)),
		3: (out, field) => (out['timeUnixNano'] = fixed64(field.bytes)),
		4: (out, field) => (out['asDouble'] = double(field.bytes)),
		6: (out, field) => (out['asInt'] = field.bytes === undefined ? '0' : view(field.bytes).getBigInt64(0, true).toString()),
	});

const sumOrGauge = (bytes: Uint8Array): Json =>
	message(bytes, {
		1: (out, field) => push(out, 'dataPoints', numberDataPoint(sub(field))),
		2: (out, field) => (out['aggregationTemporality'] = Number(field.varint ?? 0n)),
		// Sums only (a gauge has no field 3).
		3: (out, field) => (out['isMonotonic'] = (field.varint ?? 0n) !== 0n),
	});

const metric = (bytes: Uint8Array): Json =>
	message(bytes, {
		1: (out, field) => (out['name'] = text(sub(field))),
		2: (out, field) => (out['description'] = text(sub(field))),
		3: (out, field) => (out['unit'] = text(sub(field))),
		5: (out, field) => (out['gauge'] = sumOrGauge(sub(field))),
		7: (out, field) => (out['sum'] = sumOrGauge(sub(field))),
		// Histograms and summaries: present, but not read.
		9: out => (out['histogram'] = {}),
		10: out => (out['exponentialHistogram'] = {}),
		11: out => (out['summary'] = {}),
	});

const logRecord = (bytes: Uint8Array): Json =>
	message(bytes, {
		1: (out, field) => (out['timeUnixNano'] = fixed64(field.bytes)),
		11: (out, field) => (out['observedTimeUnixNano'] = fixed64(field.bytes)),
		5: (out, field) => (out['body'] = anyValue(sub(field))),
		6: attributes(),
		12: (out, field) => (out['eventName'] = text(sub(field))),
	});

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('hex');

const span = (bytes: Uint8Array): Json =>
	message(bytes, {
		1: (out, field) => (out['traceId'] = hex(field.bytes)),
		2: (out, field) => (out['spanId'] = hex(field.bytes)),
		4: (out, field) => (out['parentSpanId'] = hex(field.bytes)),
		5: (out, field) => (out['name'] = text(sub(field))),
		7: (out, field) => (out['startTimeUnixNano'] = fixed64(field.bytes)),
		8: (out, field) => (out['endTimeUnixNano'] = fixed64(field.bytes)),
		9: attributes(),
	});

/**
 * An export request: resource entries (field 1), each with a resource (1) and
 * scope entries (2), each with a scope (1) and items (2). Metrics and logs (and
 * traces) share this layout; only the names and the item differ.
 */
const exportRequest =
	(resourceKey: string, scopeKey: string, itemKey: string, item: (bytes: Uint8Array) => Json) =>
	(bytes: Uint8Array): Json =>
		message(bytes, {
			1: (out, field) =>
				push(
					out,
					resourceKey,
					message(sub(field), {
						1: (resourceEntry, part) => (resourceEntry['resource'] = resource(sub(part))),
						2: (resourceEntry, part) =>
							push(
								resourceEntry,
								scopeKey,
								message(sub(part), {
									1: (scopeEntry, piece) => (scopeEntry['scope'] = scope(sub(piece))),
									2: (scopeEntry, piece) => push(scopeEntry, itemKey, item(sub(piece))),
								}),
							),
					}),
				),
		});

/** `ExportMetricsServiceRequest` bytes as its OTLP/JSON shape. */
export const decodeMetricsRequest = exportRequest('resourceMetrics', 'scopeMetrics', 'metrics', metric);

/** `ExportLogsServiceRequest` bytes as its OTLP/JSON shape. */
export const decodeLogsRequest = exportRequest('resourceLogs', 'scopeLogs', 'logRecords', logRecord);

/** `ExportTraceServiceRequest` bytes as its OTLP/JSON shape (ids as hex, as in OTLP/JSON). */
export const decodeTracesRequest = exportRequest('resourceSpans', 'scopeSpans', 'spans', span);
