import {execFile} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import {mkdtemp, readFile, rm, truncate, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {OtelRecord} from '../../../source/core/otel/console-records.js';
import {appendToSpool, spoolText, streamSpool} from '../../../source/ingest/otel/otel-spool.js';
import {readSegmentList, segmentFiles, segmentListPath} from '../../../source/ingest/otel/spool-segments.js';

let dir: string;
let active: string;
const saved = process.env['CCTOP_DATA_DIR'];
beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-segments-'));
	active = path.join(dir, 'otel-spool.ndjson');
	// The readers find the spool in the data dir, as the commands do.
	process.env['CCTOP_DATA_DIR'] = dir;
});
afterEach(async () => {
	process.env['CCTOP_DATA_DIR'] = saved;
	await rm(dir, {recursive: true, force: true});
});

const dayMs = 86_400_000;
// Noon UTC (the tests run with TZ=UTC): every day's records stay on their local day.
const day = (index: number) => Date.UTC(2026, 10, 20 + index, 12);
const event = (index: number): OtelRecord => ({kind: 'log', name: 'claude_code.tool_result', timestampMs: day(0) + index, attributes: {tool_name: 'Bash', n: String(index)}});

/** `days` days of `perDay` records, written as a receiver writes them. */
const fill = async (days: number, perDay: number, rotation = {maxBytes: 1024 * 1024, retainDays: undefined as number | undefined}) => {
	const written: OtelRecord[] = [];
	for (let d = 0; d < days; d++) {
		for (let index = 0; index < perDay; index++) {
			const record = event(d * 1000 + index);
			written.push(record);
			await appendToSpool([{record, isIncomplete: false}], {file: active, receivedAtMs: day(d) + index * 60_000, rotation});
		}
	}

	return written;
};

const readAll = (range = {}) => {
	const read: OtelRecord[] = [];
	streamSpool({range}, ({record}) => {
		if (record.kind === 'log') read.push(record);
	});
	return read;
};

const verify = async () =>
	new Promise<{code: number; stdout: string}>(resolve => {
		execFile(process.execPath, [path.resolve('dist/cli.js'), 'audit', 'verify'], {env: {...process.env, CCTOP_DATA_DIR: dir}}, (error, stdout) => resolve({code: error === null ? 0 : Number(error.code), stdout}));
	});

describe('spool segments', () => {
	it('seals a segment at local midnight; readers see every record once, in order; the chain runs across', async () => {
		const written = await fill(3, 4);
		expect(readdirSync(dir).filter(name => name.endsWith('.ndjson')).sort()).toEqual(['otel-spool.2026-11-20.1.ndjson', 'otel-spool.2026-11-21.1.ndjson', 'otel-spool.ndjson']);
		expect(readSegmentList(active).segments.map(segment => [segment.file, segment.firstMs, segment.lastMs])).toEqual([
			['otel-spool.2026-11-20.1.ndjson', day(0), day(0) + 3 * 60_000],
			['otel-spool.2026-11-21.1.ndjson', day(1), day(1) + 3 * 60_000],
		]);
		expect(readAll()).toEqual(written);
		const result = await verify();
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/^✓ spool .+: 3 segments, 12 lines, 12 chained; head [\da-f]{32}\n/);
	});

	it('seals by size too, and a reader of one day opens only the segments that day needs', async () => {
		const written = await fill(4, 30, {maxBytes: 2000, retainDays: undefined});
		expect(readSegmentList(active).segments.length).toBeGreaterThan(8);
		expect(readAll()).toEqual(written);
		const oneDay = {sinceMs: day(2) - 12 * 3_600_000, untilMs: day(2) + 12 * 3_600_000};
		const files = segmentFiles(active, oneDay);
		const all = segmentFiles(active, {});
		expect(files.length).toBeLessThan(all.length / 2);
		expect(readAll(oneDay)).toEqual(written.filter((_, index) => Math.floor(index / 30) === 2));
		expect((await verify()).code).toBe(0);
	});

	it('removes sealed segments past retention, records each removal in the chain, and still verifies', async () => {
		const written = await fill(6, 3, {maxBytes: 1024 * 1024, retainDays: 2});
		const list = readSegmentList(active);
		expect(list.retired.map(segment => segment.file)).toEqual(['otel-spool.2026-11-20.1.ndjson', 'otel-spool.2026-11-21.1.ndjson', 'otel-spool.2026-11-22.1.ndjson']);
		for (const segment of list.retired) expect(existsSync(path.join(dir, segment.file))).toBe(false);
		expect(readAll()).toEqual(written.slice(9));
		const result = await verify();
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/3 segments \(and 3 removed by retention, recorded\)/);
	});

	it('names a sealed segment deleted by hand, one cut at its end, and a retention the chain does not record', async () => {
		await fill(4, 3);
		const list = readSegmentList(active);
		const second = path.join(dir, list.segments[1]!.file);
		const bytes = await readFile(second, 'utf8');
		// A clean cut at a line boundary: every line left is whole and chained.
		await writeFile(second, bytes.split('\n').slice(0, 2).join('\n') + '\n');
		expect((await verify()).stdout).toMatch(/^✗ spool .+otel-spool\.2026-11-21\.1\.ndjson: line 2 truncated: otel-spool\.2026-11-21\.1\.ndjson no longer ends at the head it was sealed with/);
		await writeFile(second, bytes);
		expect((await verify()).code).toBe(0);
		await rm(second);
		const removed = await verify();
		expect(removed.code).toBe(1);
		expect(removed.stdout).toMatch(/removed: segment otel-spool\.2026-11-21\.1\.ndjson is gone, and no retention removed it/);
		// Hiding the deletion in the segment list does not help: the chain has no retention record for it.
		const forged = {...list, segments: list.segments.filter((_, index) => index !== 1), retired: [{...list.segments[1]!, removedAtMs: day(3) + 1}]};
		await writeFile(segmentListPath(active), JSON.stringify(forged));
		expect((await verify()).stdout).toMatch(/^✗ spool .+ (removed|inserted)/);
	});

	it('upgrades a spool from before segments and the chain in place, without loss', async () => {
		const legacy = [0, 1, 2].map(index => ({record: event(900 + index), isIncomplete: false}));
		await writeFile(active, spoolText(legacy, day(0) - dayMs));
		const written = await fill(2, 2);
		expect(readAll()).toEqual([...legacy.map(({record}) => record), ...written]);
		const result = await verify();
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('(3 from before the chain, covered by its first link)');
		await truncate(path.join(dir, readSegmentList(active).segments[0]!.file), 30);
		expect((await verify()).code).toBe(1);
	});

	it('reads only the metric lines when asked, and gets every metric a full read gets', async () => {
		const metric = (index: number): OtelRecord => ({kind: 'metric', name: 'claude_code.cost.usage', unit: 'USD', points: [{attributes: {n: String(index)}, startTimeMs: 1, endTimeMs: 2, value: index}]});
		const mixed = Array.from({length: 30}, (_, index) => ({record: index % 3 === 0 ? metric(index) : event(index), isIncomplete: false}));
		await appendToSpool(mixed, {file: active, receivedAtMs: day(0)});
		// A line of another shape (hand-written, keys in another order) is still read.
		await writeFile(active, `${await readFile(active, 'utf8')}{"record":${JSON.stringify(metric(99))},"v":1,"t":${day(0)}}\n`);
		const all: OtelRecord[] = [];
		streamSpool({}, ({record}) => all.push(record));
		const only: OtelRecord[] = [];
		streamSpool({onlyMetrics: true}, ({record}) => only.push(record));
		expect(only).toEqual(all.filter(record => record.kind === 'metric'));
		expect(only).toHaveLength(11);
	});
});
