import {appendFile, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {OtelRecord} from '../../../source/core/otel/console-records.js';
import {OtelSummary} from '../../../source/core/otel/otel-summary.js';
import {appendToSpool, readSpool, streamSpool, type SpoolRange, type SpoolRecord} from '../../../source/ingest/otel/otel-spool.js';

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
		const follow = (fromOffset: number) => {
			const records: SpoolRecord[] = [];
			let bad = 0;
			const result = streamSpool({file, fromOffset, isFollowing: true}, record => records.push(record), () => bad++);
			return {...result, records, bad};
		};

		const first = follow(0);
		expect(first.records).toHaveLength(2);
		const line = `${JSON.stringify({v: 1, record: request(3).record})}\n`;
		await appendFile(file, line.slice(0, 30));
		const waiting = follow(first.offset);
		expect(waiting).toMatchObject({records: [], bad: 0, offset: first.offset});
		await appendFile(file, line.slice(30));
		const next = follow(waiting.offset);
		expect(next.records.map(({record}) => record.kind === 'log' && record.attributes['request_id'])).toEqual(['req_3']);
		await writeFile(file, line);
		expect(follow(next.offset)).toMatchObject({isReset: true, records: [{record: {kind: 'log'}}]});
	});

	it('reads a time range by binary search: the same records as a full read filtered by receive time, reading a fraction of the bytes', async () => {
		const file = path.join(dir, 'days.ndjson');
		// 30 days, 200 requests a day, appended in order of arrival (a line written before receive times were kept first).
		await writeFile(file, `${JSON.stringify({v: 1, record: request(0).record})}\n`);
		const dayMs = 86_400_000;
		const startMs = Date.UTC(2026, 10, 1);
		let id = 1;
		for (let day = 0; day < 30; day++) {
			for (let batch = 0; batch < 20; batch++) {
				const records = Array.from({length: 10}, () => request(id++));
				await appendToSpool(records, {file, receivedAtMs: startMs + day * dayMs + batch * 3_600_000});
			}
		}

		const all: SpoolRecord[] = [];
		streamSpool({file}, record => all.push(record));
		expect(all).toHaveLength(6001);
		const ranges: SpoolRange[] = [
			{sinceMs: startMs + 12 * dayMs, untilMs: startMs + 13 * dayMs},
			{sinceMs: startMs + 29 * dayMs},
			{untilMs: startMs + dayMs},
			{sinceMs: startMs - dayMs, untilMs: startMs + 40 * dayMs},
			{sinceMs: startMs + 12 * dayMs + 3_600_000 * 5.5, untilMs: startMs + 12 * dayMs + 3_600_000 * 7},
		];
		for (const range of ranges) {
			const got: SpoolRecord[] = [];
			streamSpool({file, range}, record => got.push(record));
			expect(got).toEqual(all.filter(({receivedAtMs}) => (range.sinceMs === undefined || receivedAtMs >= range.sinceMs) && (range.untilMs === undefined || receivedAtMs < range.untilMs)));
		}
	});

	it('reads a spool in bounded memory, whatever its size', async () => {
		// The old reader held it as one string: 1.9 GB at 500 MiB, and nothing at all past V8's ~512 MiB string limit.
		const file = path.join(dir, 'huge.ndjson');
		const handle = await (await import('node:fs/promises')).open(file, 'w');
		const record = request(1).record;
		const line = `${JSON.stringify({v: 1, t: 1, record: {...record, attributes: {...(record.kind === 'log' ? record.attributes : {}), pad: 'x'.repeat(1024 * 1024)}}})}\n`;
		for (let index = 0; index < 120; index++) await handle.write(line);
		await handle.close();
		const summary = new OtelSummary();
		const before = process.memoryUsage().rss;
		let peak = before;
		let seen = 0;
		streamSpool({file}, ({record: got}) => {
			seen++;
			summary.add(got);
			if (seen % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
		});
		expect(seen).toBe(120);
		expect(summary.json().apiRequests.count).toBe(1);
		// 120 MiB read with a 4 MiB buffer and one line at a time. RSS also holds
		// lines not yet collected, more so when the suite's other files load the
		// machine (57 MiB seen once); a reader that held the file would need 120+.
		expect(peak - before).toBeLessThan(96 * 1024 * 1024);
	}, 60_000);
});
