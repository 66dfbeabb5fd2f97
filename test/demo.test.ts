import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseTranscriptLine} from '../source/core/usage/transcript.js';
import {startDemo} from '../source/demo/workday.js';
import {waitFor} from './helpers/wait-for.js';

const files = (root: string): string[] =>
	readdirSync(path.join(root, 'projects'), {recursive: true, encoding: 'utf8'})
		.filter(name => name.endsWith('.jsonl'))
		.map(name => path.join(root, 'projects', name));

describe('startDemo', () => {
	it('writes a workday of real-format transcripts, appends to it live and cleans up', async () => {
		const nowMs = Date.now();
		const demo = startDemo(nowMs);
		try {
			const written = files(demo.claudeDir);
			expect(written.length).toBeGreaterThanOrEqual(4);
			const results = written.flatMap(file => readFileSync(file, 'utf8').trimEnd().split('\n').map(line => parseTranscriptLine(line, 'demo')));
			expect(results.every(result => result.kind === 'usage' || result.kind === 'event')).toBe(true);
			const entries = results.flatMap(result => (result.kind === 'usage' ? [result.entry] : []));
			expect(new Set(entries.map(entry => entry.project))).toEqual(new Set(['api-server', 'web-app', 'data-pipeline', 'docs-site']));
			expect(new Set(entries.map(entry => entry.model)).size).toBe(3);
			expect(entries.some(entry => entry.isSidechain)).toBe(true);
			// An active block now (a request in the last minute) and history days back.
			expect(Math.max(...entries.map(entry => entry.timestampMs))).toBeGreaterThan(nowMs - 60_000);
			expect(Math.min(...entries.map(entry => entry.timestampMs))).toBeLessThan(nowMs - 3 * 24 * 3_600_000);
			const size = () => written.reduce((sum, file) => sum + readFileSync(file).length, 0);
			const before = size();
			await waitFor(() => size() > before, 10_000, 'a live append');
		} finally {
			demo.stop();
		}

		expect(existsSync(demo.claudeDir)).toBe(false);
	});
});

describe('the demo shows everything, and only itself', () => {
	it('keeps its own telemetry and official reading in its own data dir', async () => {
		const {OtelSummary} = await import('../source/core/otel/otel-summary.js');
		const {readSpool, spoolPath} = await import('../source/ingest/otel/otel-spool.js');
		const {readOfficial} = await import('../source/ingest/claude-code/official-limits.js');
		const {buildTraces} = await import('../source/core/otel/traces.js');
		const demo = startDemo(Date.now());
		try {
			expect(demo.dataDir.startsWith(demo.claudeDir)).toBe(true);
			const summary = new OtelSummary();
			expect(readSpool(summary, spoolPath(demo.dataDir))).toBe(true);
			const otel = summary.json();
			// Requests, tools, productivity and traces: view 4 and `t` have something to show.
			expect(otel.apiRequests.count).toBeGreaterThan(20);
			expect(Object.keys(otel.tools).length).toBeGreaterThan(3);
			expect(otel.linesOfCode.added).toBeGreaterThan(0);
			expect(buildTraces(summary.spans).length).toBe(otel.apiRequests.count);
			await waitFor(() => readOfficial(demo.dataDir) !== undefined, 5000, 'the official reading');
			expect(readOfficial(demo.dataDir)!.fiveHour?.usedPercentage).toBe(41);
		} finally {
			demo.stop();
		}
	});
});
