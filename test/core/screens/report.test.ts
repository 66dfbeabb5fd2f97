import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {atTime, hourMs, type Block} from '../../../source/core/usage/blocks.js';
import {ledgerCounters, unknownModels} from '../../../source/core/usage/ledger.js';
import {resolveTokenLimit} from '../../../source/core/usage/limits.js';
import {blockJsonText, buildReportJson, reportJsonPretty} from '../../../source/core/screens/report.js';
import {ledgerOf, makeEntry} from '../../helpers/entries.js';

const startMs = Date.UTC(2026, 10, 20);
const entry = fc.record({
	atMinute: fc.nat({max: 4 * 24 * 60}),
	model: fc.constantFrom('claude-opus-4-5-20251101', 'claude-sonnet-4-5-20250929', 'claude-mystery-1'),
	inputTokens: fc.nat({max: 50_000}),
	outputTokens: fc.nat({max: 9000}),
	cacheReadInputTokens: fc.nat({max: 900_000}),
});

/** A Map that counts the texts it handed out. */
/** The pieces as one string: stored texts are UTF-8 bytes. */
const joined = (pieces: ReadonlyArray<string | Uint8Array>): string => pieces.map(piece => (typeof piece === 'string' ? piece : Buffer.from(piece).toString('utf8'))).join('');

class CountingMap extends Map<Block, Uint8Array> {
	hits = 0;
	override get(key: Block) {
		const text = super.get(key);
		if (text !== undefined) this.hits++;
		return text;
	}
}

describe('reportJsonPretty', () => {
	it('prints exactly what JSON.stringify(report, null, 2) prints, taking finished blocks\' text from a run at another time', () => {
		fc.assert(
			fc.property(
				fc.array(entry, {maxLength: 40}),
				// Saved at the report's own time half the time.
				fc.option(fc.nat({max: 5 * 24 * 60}), {nil: undefined, freq: 2}),
				fc.nat({max: 5 * 24 * 60}),
				fc.option(fc.nat({max: 5}), {nil: undefined}),
				fc.option(fc.nat({max: 4}), {nil: undefined}),
				fc.option(fc.integer({min: 1000, max: 2_000_000}), {nil: undefined}),
				fc.boolean(),
				(specs, savedAtMinute, nowMinute, sinceDay, last, tokenLimit, hasExtra) => {
					const nowMs = startMs + nowMinute * 60_000;
					const savedMs = savedAtMinute === undefined ? nowMs : startMs + savedAtMinute * 60_000;
					const entries = specs.map(({atMinute, model, ...tokens}, position) =>
						makeEntry({timestampMs: startMs + atMinute * 60_000, model, messageId: `m${position}`, requestId: `r${position}`, tokens}),
					);
					// The index's blocks are as of when it was saved; the report is at another time.
					const ledger = ledgerOf(entries, savedMs);
					const texts = new CountingMap(ledger.blocks.flatMap(block => (block.isActive ? [] : [[block, Buffer.from(blockJsonText(block, undefined, savedMs))] as const])));
					const input = {blocks: ledger.blocks, unknownModels: unknownModels(ledger), limit: resolveTokenLimit(ledger.blocks, tokenLimit, undefined), sessionLengthMs: 5 * hourMs};
					const counters = {...ledgerCounters(ledger), unreadablePaths: [], cacheErrors: []};
					const options = {nowMs, sinceMs: sinceDay === undefined ? undefined : startMs + sinceDay * 24 * hourMs, last};
					const extra = hasExtra ? {otel: {scope: 'all', costUsd: 1.5, 'we\u0000ird': ['a\nb']}} : {};
					const printed = joined(reportJsonPretty(input, counters, options, texts, extra));
					expect(printed).toBe(JSON.stringify({...buildReportJson(input, counters, options), ...extra}, null, 2));
					// At the time it was saved, every finished block in range came from the texts.
					if (nowMs === savedMs) {
						const inRange = buildReportJson(input, counters, options).blocks.filter(block => !block.isActive).length;
						expect(texts.hits).toBe(inRange);
					}
				},
			),
		);
	});

	it('never takes a stored text for a block that is active now', () => {
		const nowMs = startMs + 3 * hourMs;
		const ledger = ledgerOf([makeEntry({timestampMs: startMs + hourMs, messageId: 'a', requestId: 'a', tokens: {outputTokens: 10}})], nowMs);
		const block = ledger.blocks[0]!;
		expect(atTime(block, nowMs, 5 * hourMs).isActive).toBe(true);
		const input = {blocks: ledger.blocks, unknownModels: [], limit: undefined, sessionLengthMs: 5 * hourMs};
		const counters = {...ledgerCounters(ledger), unreadablePaths: [], cacheErrors: []};
		const printed = joined(reportJsonPretty(input, counters, {nowMs}, new Map([[block, Buffer.from('"stale"')]])));
		expect(printed).not.toContain('stale');
		expect(JSON.parse(printed)).toEqual(buildReportJson(input, counters, {nowMs}));
	});
});
