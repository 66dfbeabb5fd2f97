import {appendFile, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {OtelRecord} from '../../../source/core/otel/console-records.js';
import {OtelSummary} from '../../../source/core/otel/otel-summary.js';
import {appendToSpool, readSpool, readSpoolFrom} from '../../../source/ingest/otel/otel-spool.js';

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-spool-'));
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

const request = (id: number): {record: OtelRecord; isIncomplete: boolean} => ({
	record: {kind: 'log', name: 'claude_code.api_request', timestampMs: 1_795_733_892_000 + id, attributes: {'session.id': 's', cost_usd: '0.5', request_id: `req_${id}`}},
	isIncomplete: false,
});

describe('the OpenTelemetry spool', () => {
	it('keeps every record appended, and counts nothing twice', async () => {
		const file = path.join(dir, 'a', 'otel-spool.ndjson');
		await appendToSpool([request(1), request(2)], {file});
		await appendToSpool([request(3)], {file, isDurable: true});
		const summary = new OtelSummary();
		expect(readSpool(summary, file)).toBe(true);
		expect(summary.json().apiRequests).toMatchObject({count: 3, costUSD: 1.5});
	});

	it('drops a record torn by a crash, counts it, and keeps the records written after it', async () => {
		const file = path.join(dir, 'torn.ndjson');
		await appendToSpool([request(1)], {file});
		// A crash mid-write: half a line, no newline.
		const whole = await readFile(file, 'utf8');
		await appendFile(file, whole.slice(0, 40));
		await appendToSpool([request(2)], {file});
		const summary = new OtelSummary();
		readSpool(summary, file);
		expect(summary.json().apiRequests.count).toBe(2);
		expect(summary.json().diagnostics.badRecords).toBe(1);
	});

	it('counts a torn last line and garbage lines as bad, never throws', async () => {
		const file = path.join(dir, 'bad.ndjson');
		await writeFile(file, `not json\n{"v":2}\n${JSON.stringify({v: 1, record: request(9).record})}\n{"v":1,"record":`);
		const summary = new OtelSummary();
		readSpool(summary, file);
		expect(summary.json().diagnostics).toEqual({records: 1, incompleteRecords: 0, badRecords: 3});
	});

	it('is absent, not an error, when nothing was spooled', () => {
		expect(readSpool(new OtelSummary(), path.join(dir, 'none.ndjson'))).toBe(false);
	});

	it('reads only what was appended since, leaves a line still being written, and starts over when replaced', async () => {
		const file = path.join(dir, 'live.ndjson');
		await appendToSpool([request(1), request(2)], {file});
		const first = readSpoolFrom(0, file)!;
		expect(first.records).toHaveLength(2);
		const line = `${JSON.stringify({v: 1, record: request(3).record})}\n`;
		await appendFile(file, line.slice(0, 30));
		const waiting = readSpoolFrom(first.offset, file)!;
		expect(waiting).toMatchObject({records: [], bad: 0, offset: first.offset});
		await appendFile(file, line.slice(30));
		const next = readSpoolFrom(waiting.offset, file)!;
		expect(next.records.map(({record}) => record.kind === 'log' && record.attributes['request_id'])).toEqual(['req_3']);
		await writeFile(file, line);
		expect(readSpoolFrom(next.offset, file)).toMatchObject({isReset: true, records: [{record: {kind: 'log'}}]});
	});
});
