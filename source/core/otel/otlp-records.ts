import type {LiteralValue} from './console-literal.js';
import {numberOf, type Attributes, type MetricPoint, type MetricSeries, type OtelRecord} from './console-records.js';

/**
 * OTLP requests (the JSON encoding, or the protobuf one decoded to the same
 * shape by otlp-proto.ts) as the records the console reader produces, so both
 * routes are summed by the same code. 64-bit integers may be strings or numbers.
 */

type Json = unknown;
const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: Json): Json[] => (Array.isArray(value) ? value : []);

/** Nanoseconds since the epoch (a decimal string, to keep 64 bits) as ms. */
const nanosToMs = (value: Json): number | undefined => {
	if (typeof value === 'string' && /^\d+$/.test(value)) {
		return value.length > 6 ? Number(value.slice(0, -6)) + Number(value.slice(-6)) / 1e6 : Number(value) / 1e6;
	}

	const number = numberOf(value);
	return number === undefined ? undefined : number / 1e6;
};

/** An `AnyValue` as a plain value. */
export const anyValue = (value: Json): LiteralValue => {
	if (!isObject(value)) return undefined;
	if ('stringValue' in value) return typeof value['stringValue'] === 'string' ? value['stringValue'] : undefined;
	if ('boolValue' in value) return value['boolValue'] === true;
	if ('intValue' in value) return numberOf(value['intValue']);
	if ('doubleValue' in value) return numberOf(value['doubleValue']);
	if ('arrayValue' in value) return list(isObject(value['arrayValue']) ? value['arrayValue']['values'] : undefined).map(item => anyValue(item));
	if ('kvlistValue' in value) return attributesOf(isObject(value['kvlistValue']) ? value['kvlistValue']['values'] : undefined);
	return undefined;
};

/** A `KeyValue` list as an object. */
export const attributesOf = (value: Json): Attributes => {
	const out: Attributes = {};
	for (const item of list(value)) {
		if (isObject(item) && typeof item['key'] === 'string') out[item['key']] = anyValue(item['value']);
	}

	return out;
};

/** The items of an export request: `body[resourceKey][].[scopeKey][].[itemKey][]`, the layout all three signals share. */
function* itemsOf(body: Json, resourceKey: string, scopeKey: string, itemKey: string): Generator<Json> {
	for (const resource of list(isObject(body) ? body[resourceKey] : undefined)) {
		for (const scope of list(isObject(resource) ? resource[scopeKey] : undefined)) {
			yield* list(isObject(scope) ? scope[itemKey] : undefined);
		}
	}
}

/** The same, with each item's instrumentation scope (`scope`: its name and version). */
function* scopedItemsOf(body: Json, resourceKey: string, scopeKey: string, itemKey: string): Generator<{item: Json; scope: Json}> {
	for (const resource of list(isObject(body) ? body[resourceKey] : undefined)) {
		for (const scope of list(isObject(resource) ? resource[scopeKey] : undefined)) {
			for (const item of list(isObject(scope) ? scope[itemKey] : undefined)) yield {item, scope: isObject(scope) ? scope['scope'] : undefined};
		}
	}
}

/** What was in an OTLP request: its records, and how many parts of it could not be used. */
export type OtlpRecords = {records: OtelRecord[]; skipped: number};

/** `ExportMetricsServiceRequest` (JSON shape). Sums and gauges; histograms are counted as skipped. */
export const metricRecords = (body: Json): OtlpRecords => {
	const records: OtelRecord[] = [];
	let skipped = 0;
	for (const {item: metric, scope} of scopedItemsOf(body, 'resourceMetrics', 'scopeMetrics', 'metrics')) {
		if (!isObject(metric) || typeof metric['name'] !== 'string') {
			skipped++;
			continue;
		}

		const data = isObject(metric['sum']) ? metric['sum'] : isObject(metric['gauge']) ? metric['gauge'] : undefined;
		if (data === undefined) {
			skipped++;
			continue;
		}

		const points: MetricPoint[] = list(data['dataPoints']).flatMap(point =>
			isObject(point)
				? [
						{
							attributes: attributesOf(point['attributes']),
							startTimeMs: nanosToMs(point['startTimeUnixNano']),
							endTimeMs: nanosToMs(point['timeUnixNano']),
							value: numberOf(point['asDouble']) ?? numberOf(point['asInt']),
						},
					]
				: [],
		);
		const temporality = data['aggregationTemporality'];
		const series: MetricSeries = {
			type: isObject(metric['sum']) ? 'sum' : 'gauge',
			temporality: temporality === 1 || temporality === 'AGGREGATION_TEMPORALITY_DELTA' ? 'delta' : temporality === 2 || temporality === 'AGGREGATION_TEMPORALITY_CUMULATIVE' ? 'cumulative' : 'unspecified',
			isMonotonic: data['isMonotonic'] === true,
			scope: {name: isObject(scope) && typeof scope['name'] === 'string' ? scope['name'] : '', version: isObject(scope) && typeof scope['version'] === 'string' ? scope['version'] : ''},
		};
		records.push({kind: 'metric', name: metric['name'], unit: typeof metric['unit'] === 'string' ? metric['unit'] : '', points, series});
	}

	return {records, skipped};
};

/** `ExportLogsServiceRequest` (JSON shape): one record per log record, named by its body. */
export const logRecords = (body: Json): OtlpRecords => {
	const records: OtelRecord[] = [];
	let skipped = 0;
	for (const log of itemsOf(body, 'resourceLogs', 'scopeLogs', 'logRecords')) {
		if (!isObject(log)) {
			skipped++;
			continue;
		}

		const body = anyValue(log['body']);
		const name = typeof body === 'string' ? body : typeof log['eventName'] === 'string' ? log['eventName'] : '(not an event name)';
		records.push({kind: 'log', name, timestampMs: nanosToMs(log['timeUnixNano']) ?? nanosToMs(log['observedTimeUnixNano']), attributes: attributesOf(log['attributes'])});
	}

	return {records, skipped};
};

/** `ExportTraceServiceRequest` (JSON shape): one record per span. A span arriving before its parent, or without one, is kept as it is. */
export const spanRecords = (body: Json): OtlpRecords => {
	const records: OtelRecord[] = [];
	let skipped = 0;
	for (const span of itemsOf(body, 'resourceSpans', 'scopeSpans', 'spans')) {
		if (!isObject(span) || typeof span['name'] !== 'string' || typeof span['traceId'] !== 'string' || typeof span['spanId'] !== 'string') {
			skipped++;
			continue;
		}

		const startMs = nanosToMs(span['startTimeUnixNano']);
		const endMs = nanosToMs(span['endTimeUnixNano']);
		const parent = typeof span['parentSpanId'] === 'string' && span['parentSpanId'] !== '' ? span['parentSpanId'] : undefined;
		records.push({
			kind: 'span',
			name: span['name'],
			traceId: span['traceId'],
			spanId: span['spanId'],
			parentSpanId: parent,
			startMs,
			durationMs: startMs === undefined || endMs === undefined ? undefined : endMs - startMs,
			attributes: attributesOf(span['attributes']),
		});
	}

	return {records, skipped};
};
