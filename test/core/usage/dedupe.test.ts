import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {RequestMap} from '../../../source/core/usage/dedupe.js';
import {applyLines, createLedger, ledgerCounters} from '../../../source/core/usage/ledger.js';
import {createPriceLookup, defaultPricing} from '../../../source/core/usage/pricing.js';
import type {UsageEntry} from '../../../source/core/usage/types.js';
import {makeEntry} from '../../helpers/entries.js';

const at = (iso: string) => Date.parse(iso);
const nowMs = at('2026-11-27T00:00:00Z');

/** Feed `files` (path → its lines, in order) to a fresh ledger, one file at a time. */
const dedupe = (...files: Array<[string, UsageEntry[]]>) => {
	const ledger = createLedger({lookup: createPriceLookup(defaultPricing), mode: 'auto', sessionLengthMs: 5 * 3_600_000});
	for (const [path, entries] of files) {
		applyLines(ledger, path, entries.map(entry => ({kind: 'usage' as const, entry})), {lines: entries.length, invalidLines: 0}, nowMs);
	}

	return {entries: ledger.sorted, duplicateLines: ledgerCounters(ledger).duplicateLines};
};

describe('dedupe (by message.id + requestId, largest copy wins)', () => {
	it('keeps the streaming copy with the largest total, not the first placeholder', () => {
		const ids = {messageId: 'msg_018S', requestId: 'req_011C'};
		const lines = [3, 3, 3, 358].map((outputTokens, index) => makeEntry({...ids, timestampMs: at('2026-01-06T09:16:06Z') + index * 500, tokens: {inputTokens: 10, outputTokens}}));
		const {entries, duplicateLines} = dedupe(['/a.jsonl', lines]);
		expect(entries.map(entry => entry.tokens.outputTokens)).toEqual([358]);
		// The winning copy's timestamp is the entry's.
		expect(entries[0]?.timestampMs).toBe(at('2026-01-06T09:16:06Z') + 1500);
		expect(duplicateLines).toBe(3);
	});

	it('dedupes a resumed session copy read from another file, in either order', () => {
		const copy = (outputTokens: number) => [makeEntry({messageId: 'm', requestId: 'r', tokens: {outputTokens}})];
		expect(dedupe(['/a.jsonl', copy(3)], ['/b.jsonl', copy(358)]).entries.map(entry => entry.tokens.outputTokens)).toEqual([358]);
		expect(dedupe(['/b.jsonl', copy(358)], ['/a.jsonl', copy(3)]).entries.map(entry => entry.tokens.outputTokens)).toEqual([358]);
	});

	it('keeps the earlier line on a tie within a file, and the file whose path sorts first across files', () => {
		const line = (model: string) => makeEntry({messageId: 'm', requestId: 'r', model, tokens: {outputTokens: 5}});
		expect(dedupe(['/a.jsonl', [line('first'), line('second')]]).entries[0]?.model).toBe('first');
		expect(dedupe(['/b.jsonl', [line('from-b')]], ['/a.jsonl', [line('from-a')]]).entries[0]?.model).toBe('from-a');
	});

	it('compares all four token kinds', () => {
		const {entries} = dedupe(['/a.jsonl', [makeEntry({messageId: 'm', requestId: 'r', tokens: {outputTokens: 10}}), makeEntry({messageId: 'm', requestId: 'r', tokens: {outputTokens: 2, cacheReadInputTokens: 50}})]]);
		expect(entries[0]?.tokens.cacheReadInputTokens).toBe(50);
	});

	it.each([
		['no ids', {}],
		['message id only', {messageId: 'm'}],
		['request id only', {requestId: 'r'}],
	])('never dedupes lines with %s', (_name, ids) => {
		const {entries, duplicateLines} = dedupe(['/a.jsonl', [makeEntry({...ids, tokens: {outputTokens: 1}}), makeEntry({...ids, tokens: {outputTokens: 1}})]]);
		expect(entries).toHaveLength(2);
		expect(duplicateLines).toBe(0);
	});

	it('treats the same message id with another request id as another request', () => {
		expect(dedupe(['/a.jsonl', [makeEntry({messageId: 'm', requestId: 'r1'}), makeEntry({messageId: 'm', requestId: 'r2'})]]).entries).toHaveLength(2);
	});

	it('returns entries sorted by time', () => {
		const {entries} = dedupe(['/a.jsonl', [makeEntry({messageId: 'b', requestId: 'b', timestampMs: 2000}), makeEntry({timestampMs: 1000}), makeEntry({messageId: 'a', requestId: 'a', timestampMs: 3000})]]);
		expect(entries.map(entry => entry.timestampMs)).toEqual([1000, 2000, 3000]);
	});
});

describe('RequestMap', () => {
	it('keys by message id and request id together, without a key string per request', () => {
		const map = new RequestMap<ReturnType<typeof makeEntry>>();
		const a = makeEntry({messageId: 'm1', requestId: 'r', model: 'a'});
		const b = makeEntry({messageId: 'm2', requestId: 'r', model: 'b'});
		map.set(a);
		map.set(b);
		expect(map.get(makeEntry({messageId: 'm1', requestId: 'r'}))?.model).toBe('a');
		expect(map.get(makeEntry({messageId: 'm2', requestId: 'r'}))?.model).toBe('b');
		expect(map.get(makeEntry({messageId: 'm3', requestId: 'r'}))).toBeUndefined();
		const bigger = makeEntry({messageId: 'm2', requestId: 'r', model: 'b2'});
		map.set(bigger);
		expect(map.get(bigger)?.model).toBe('b2');
		expect(map.size).toBe(2);
		expect([...map.values()].map(entry => entry.model).sort()).toEqual(['a', 'b2']);
	});

	it('offer stores what get, then set when nothing is stored or the entry wins, stores (property)', () => {
		// Few ids, so requests repeat and a request id comes under a second message id.
		const offered = fc.array(fc.record({messageId: fc.constantFrom('m1', 'm2', 'm3'), requestId: fc.constantFrom('r1', 'r2'), outputTokens: fc.nat(5)}), {maxLength: 20});
		fc.assert(
			fc.property(offered, lines => {
				const entries = lines.map(({messageId, requestId, outputTokens}, index) => makeEntry({messageId, requestId, model: `copy ${index}`, tokens: {inputTokens: 0, outputTokens, cacheCreationInputTokens: 0, cacheReadInputTokens: 0}}));
				const wins = (challenger: UsageEntry, stored: UsageEntry) => challenger.tokens.outputTokens > stored.tokens.outputTokens;
				const byOffer = new RequestMap<UsageEntry>();
				const bySteps = new RequestMap<UsageEntry>();
				for (const entry of entries) {
					byOffer.offer(entry, wins);
					const stored = bySteps.get(entry);
					if (stored === undefined || wins(entry, stored)) bySteps.set(entry);
				}

				expect([...byOffer.values()]).toEqual([...bySteps.values()]);
			}),
		);
	});
});
