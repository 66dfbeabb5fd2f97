import {describe, expect, it} from 'vitest';
import {addToDedupe, createDedupeState, dedupedEntries, RequestMap} from '../../source/core/dedupe.js';
import {makeEntry} from '../helpers/entries.js';

const at = (iso: string) => Date.parse(iso);

describe('dedupe', () => {
	it('keeps the streaming copy with the largest total, not the first placeholder', () => {
		const state = createDedupeState();
		const ids = {messageId: 'msg_018S', requestId: 'req_011C'};
		const outputs = [3, 3, 3, 358];
		const outcomes = outputs.map((outputTokens, index) =>
			addToDedupe(state, makeEntry({...ids, timestampMs: at('2026-01-06T09:16:06Z') + index * 500, tokens: {inputTokens: 10, outputTokens}})),
		);
		expect(outcomes).toEqual(['added', 'duplicate', 'duplicate', 'replaced']);
		const [entry] = dedupedEntries(state);
		expect(entry?.tokens.outputTokens).toBe(358);
		// The winning copy's timestamp is the entry's.
		expect(entry?.timestampMs).toBe(at('2026-01-06T09:16:06Z') + 1500);
		expect(state.duplicateLines).toBe(3);
	});

	it('dedupes a resumed session copy read from another file, in either order', () => {
		for (const order of [[3, 358], [358, 3]]) {
			const state = createDedupeState();
			for (const outputTokens of order) {
				addToDedupe(state, makeEntry({messageId: 'm', requestId: 'r', sessionId: outputTokens === 3 ? 'resumed' : 'original', tokens: {outputTokens}}));
			}

			expect(dedupedEntries(state).map(entry => entry.tokens.outputTokens)).toEqual([358]);
		}
	});

	it('keeps the earlier copy on a tie', () => {
		const state = createDedupeState();
		addToDedupe(state, makeEntry({messageId: 'm', requestId: 'r', model: 'first', tokens: {outputTokens: 5}}));
		expect(addToDedupe(state, makeEntry({messageId: 'm', requestId: 'r', model: 'second', tokens: {outputTokens: 5}}))).toBe('duplicate');
		expect(dedupedEntries(state)[0]?.model).toBe('first');
	});

	it('compares all four token kinds', () => {
		const state = createDedupeState();
		addToDedupe(state, makeEntry({messageId: 'm', requestId: 'r', tokens: {outputTokens: 10}}));
		addToDedupe(state, makeEntry({messageId: 'm', requestId: 'r', tokens: {outputTokens: 2, cacheReadInputTokens: 50}}));
		expect(dedupedEntries(state)[0]?.tokens.cacheReadInputTokens).toBe(50);
	});

	it.each([
		['no ids', {}],
		['message id only', {messageId: 'm'}],
		['request id only', {requestId: 'r'}],
	])('never dedupes lines with %s', (_name, ids) => {
		const state = createDedupeState();
		addToDedupe(state, makeEntry({...ids, tokens: {outputTokens: 1}}));
		addToDedupe(state, makeEntry({...ids, tokens: {outputTokens: 1}}));
		expect(dedupedEntries(state)).toHaveLength(2);
		expect(state.duplicateLines).toBe(0);
	});

	it('treats the same message id with another request id as another request', () => {
		const state = createDedupeState();
		addToDedupe(state, makeEntry({messageId: 'm', requestId: 'r1'}));
		addToDedupe(state, makeEntry({messageId: 'm', requestId: 'r2'}));
		expect(dedupedEntries(state)).toHaveLength(2);
	});

	it('returns entries sorted by time', () => {
		const state = createDedupeState();
		addToDedupe(state, makeEntry({messageId: 'b', requestId: 'b', timestampMs: 2000}));
		addToDedupe(state, makeEntry({timestampMs: 1000}));
		addToDedupe(state, makeEntry({messageId: 'a', requestId: 'a', timestampMs: 3000}));
		expect(dedupedEntries(state).map(entry => entry.timestampMs)).toEqual([1000, 2000, 3000]);
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
});
