import {readFileSync} from 'node:fs';
import {appendFile, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {OtelLogTail} from '../../../source/ingest/otel/otel-log-tail.js';
import {waitFor} from '../../helpers/wait-for.js';

const sample = readFileSync('fixtures/otel-console/cc-2.1.112_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt', 'utf8');
let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-otel-tail-'));
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

describe('OtelLogTail', () => {
	it('reads a growing file as it grows, a record cut between two writes once it is whole', async () => {
		const file = path.join(dir, 'grow.txt');
		await writeFile(file, '');
		let changes = 0;
		const tail = new OtelLogTail([file], () => changes++, {pollMs: 20});
		try {
			const half = sample.indexOf('\n}\n', 2000) - 50;
			await appendFile(file, sample.slice(0, half));
			await waitFor(() => tail.state.records.length > 0, 5000, 'the first records');
			const early = tail.state.records.length;
			await appendFile(file, sample.slice(half));
			await waitFor(() => tail.state.records.length === 15, 5000, () => `all 15 records, have ${tail.state.records.length}`);
			expect(early).toBeLessThan(15);
			expect(changes).toBeGreaterThanOrEqual(2);
			expect(tail.state.bad).toBe(0);
		} finally {
			tail.close();
		}
	});

	it('starts over when the file is truncated, and waits for a file that is not there yet', async () => {
		const file = path.join(dir, 'later.txt');
		const tail = new OtelLogTail([file], () => undefined, {pollMs: 20});
		try {
			await writeFile(file, sample);
			await waitFor(() => tail.state.records.length === 15, 5000, 'the records');
			await writeFile(file, sample.slice(0, sample.indexOf('\n}\n') + 3));
			await waitFor(() => tail.state.records.length === 16, 5000, () => `one more record after the truncation, have ${tail.state.records.length}`);
		} finally {
			tail.close();
		}
	});

	it('streams stdin for -', async () => {
		const stdin = new PassThrough();
		const tail = new OtelLogTail(['-'], () => undefined, {stdin});
		stdin.write(sample.slice(0, 1000));
		stdin.end(sample.slice(1000));
		await waitFor(() => tail.state.records.length === 15, 5000, 'the records from stdin');
		tail.close();
	});
});
