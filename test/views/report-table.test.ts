import {describe, expect, it} from 'vitest';
import {hourMs} from '../../source/core/usage/blocks.js';
import {ledgerCounters, unknownModels} from '../../source/core/usage/ledger.js';
import {resolveTokenLimit} from '../../source/core/usage/limits.js';
import {buildReportJson} from '../../source/core/screens/report.js';
import {renderReportTable} from '../../source/views/report-table.js';
import {ledgerOf, makeEntry} from '../helpers/entries.js';

const nowMs = Date.parse('2026-11-26T15:00:00Z');
const report = (() => {
	const entry = (iso: string, model: string, outputTokens: number) =>
		makeEntry({timestampMs: Date.parse(iso), model, tokens: {inputTokens: 1000, outputTokens, cacheReadInputTokens: 50_000}});
	const ledger = ledgerOf(
		[
			entry('2026-11-25T09:10:00Z', 'claude-opus-4-5-20251101', 2000),
			entry('2026-11-25T10:10:00Z', 'claude-sonnet-4-5-20250929', 1000),
			entry('2026-11-26T14:05:00Z', 'claude-opus-4-5-20251101', 4000),
			entry('2026-11-26T14:35:00Z', 'claude-mystery-1', 500),
		],
		nowMs,
	);
	return buildReportJson(
		{blocks: ledger.blocks, unknownModels: unknownModels(ledger), limit: resolveTokenLimit(ledger.blocks, undefined, 'max5'), sessionLengthMs: 5 * hourMs},
		{...ledgerCounters(ledger), unreadablePaths: [], cacheErrors: []},
		{nowMs},
	);
})();

describe('renderReportTable', () => {
	it.each([40, 50, 80, 140])('never exceeds %i columns', width => {
		const text = renderReportTable(report, {width, nowMs, isBreakdown: true});
		for (const row of text.split('\n')) {
			expect(row.length).toBeLessThanOrEqual(width);
		}
	});

	it('shows blocks, gaps, the active block, totals and unpriced models at 140 columns', () => {
		const text = renderReportTable(report, {width: 140, nowMs, isBreakdown: false});
		const rows = text.split('\n');
		expect(rows[0]).toMatch(/^Block start\s+Status\s+Models\s+Tokens\s+Cost$/);
		expect(text).toMatch(/gap \d+h\d+m/);
		expect(text).toContain('active, 4h00m left');
		expect(text).toContain('opus-4-5, sonnet-4-5');
		expect(text).toMatch(/\$\d+\.\d\d\*/);
		expect(text).toContain('* unpriced models (tokens counted, cost unknown): claude-mystery-1');
		expect(text).toMatch(/^Total\s+/m);
		expect(text).toContain('Limit: 6.50k of 88.0k (7%, plan max5 (estimate))');
	});

	it('adds per-model rows with --breakdown, marking unknown models unpriced', () => {
		const text = renderReportTable(report, {width: 140, nowMs, isBreakdown: true});
		expect(text).toMatch(/^\s+opus-4-5\s+\d/m);
		expect(text).toMatch(/^\s+mystery-1\s+[\d.]+k\s+unpriced$/m);
	});

	it('drops the status column before the numbers at 40 columns', () => {
		const text = renderReportTable(report, {width: 40, nowMs, isBreakdown: false});
		expect(text).not.toContain('Status');
		expect(text).toMatch(/^Total\s+[\d.]+k\s+\$\d/m);
	});
});

describe('reportJsonLine (the --watch snapshot)', () => {
	it('prints the same document as the report, reusing finished blocks\' text', async () => {
		const {reportJsonLine} = await import('../../source/core/screens/report.js');
		const {applyLines} = await import('../../source/core/usage/ledger.js');
		const ledger = ledgerOf(
			[
				makeEntry({timestampMs: Date.parse('2026-11-24T09:10:00Z'), messageId: 'z', requestId: 'z', tokens: {inputTokens: 10, outputTokens: 5}}),
				makeEntry({timestampMs: Date.parse('2026-11-25T09:10:00Z'), messageId: 'a', requestId: 'a', tokens: {inputTokens: 10, outputTokens: 5}}),
				makeEntry({timestampMs: Date.parse('2026-11-26T14:05:00Z'), messageId: 'b', requestId: 'b', tokens: {inputTokens: 10, outputTokens: 5}}),
			],
			nowMs,
		);
		const input = () => ({blocks: ledger.blocks, unknownModels: unknownModels(ledger), limit: resolveTokenLimit(ledger.blocks, 1000, undefined), sessionLengthMs: 5 * hourMs});
		const counters = () => ({...ledgerCounters(ledger), unreadablePaths: [], cacheErrors: []});
		const cache = new WeakMap();
		expect(JSON.parse(reportJsonLine(input(), counters(), {nowMs}, cache).join(''))).toEqual(buildReportJson(input(), counters(), {nowMs}));
		const finished = ledger.blocks[0]!;
		expect(cache.has(finished)).toBe(true);
		expect(cache.has(ledger.blocks.at(-1)!)).toBe(false);
		applyLines(ledger, '/virtual/session.jsonl', [{kind: 'usage', entry: makeEntry({timestampMs: Date.parse('2026-11-26T14:50:00Z'), messageId: 'c', requestId: 'c', tokens: {outputTokens: 7}})}], {lines: 1, invalidLines: 0}, nowMs);
		// Only the last two blocks are regrouped; older ones keep their identity, and their cached text.
		expect(ledger.blocks[0]).toBe(finished);
		expect(JSON.parse(reportJsonLine(input(), counters(), {nowMs}, cache).join(''))).toEqual(buildReportJson(input(), counters(), {nowMs}));
	});
});

describe('renderReportTable gap rows', () => {
	it('names a gap in the models column when the status column is dropped', () => {
		const text = renderReportTable(report, {width: 50, nowMs, isBreakdown: false});
		expect(text).not.toContain('Status');
		expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d\s+gap \d+h\d+m\s*$/m);
	});
});
