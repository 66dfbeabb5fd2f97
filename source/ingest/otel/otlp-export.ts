import type {OtelRecord} from '../../core/otel/console-records.js';
import {decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest, ProtoError} from '../../core/otel/otlp-proto.js';
import {logRecords, metricRecords, spanRecords, type OtlpRecords} from '../../core/otel/otlp-records.js';
import {jsonDepthOver} from '../../core/util/json-depth.js';

/**
 * What both OTLP transports share: the three signals, one decoder for an
 * export request's bytes (JSON or protobuf), and forwarding to a collector.
 */

/** The most a request may carry, compressed or not (SPEC §5). */
export const maxBodyBytes = 4 * 1024 * 1024;
/** An export request's own structure is ~10 levels deep, its values up to 32 (otlp-proto.ts). */
export const maxJsonDepth = 64;

export type Signal = 'metrics' | 'logs' | 'traces';

const decoders: Record<Signal, {records: (body: unknown) => OtlpRecords; decode: (bytes: Uint8Array) => unknown}> = {
	metrics: {records: metricRecords, decode: decodeMetricsRequest},
	logs: {records: logRecords, decode: decodeLogsRequest},
	traces: {records: spanRecords, decode: decodeTracesRequest},
};

/** An export request that cannot be read: the reason the sender gets (HTTP 400, gRPC INVALID_ARGUMENT). */
export class BadExport extends Error {}

/** The records of one export request's (uncompressed) bytes; throws BadExport with a reason. */
export const decodeExport = (signal: Signal, body: Uint8Array, isJson: boolean): OtelRecord[] => {
	let decoded: unknown;
	try {
		if (isJson) {
			const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
			if (jsonDepthOver(text, maxJsonDepth)) throw new BadExport(`bad JSON: nested deeper than ${maxJsonDepth} levels`);
			decoded = JSON.parse(text);
		} else {
			decoded = decoders[signal].decode(body);
		}
	} catch (error) {
		if (error instanceof BadExport) throw error;
		if (error instanceof SyntaxError) throw new BadExport(`bad JSON: ${error.message}`);
		if (error instanceof ProtoError) throw new BadExport(`bad protobuf: ${error.message}`);
		throw error;
	}

	if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw new BadExport('the body is not an export request');
	return decoders[signal].records(decoded).records;
};

/**
 * Send an accepted request on to a collector's OTLP/HTTP base URL as it came:
 * same bytes, type and encoding. A request that arrived over gRPC goes on as
 * OTLP/HTTP protobuf (the same message bytes).
 */
export const forwardExport = async (base: string, signal: Signal, raw: Uint8Array, headers: {type: string; encoding?: string | undefined}): Promise<void> => {
	const response = await fetch(`${base.replace(/\/+$/, '')}/v1/${signal}`, {
		method: 'POST',
		body: raw,
		headers: {'content-type': headers.type, ...(headers.encoding === undefined ? {} : {'content-encoding': headers.encoding})},
		signal: AbortSignal.timeout(10_000),
	});
	if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
	await response.arrayBuffer();
};
