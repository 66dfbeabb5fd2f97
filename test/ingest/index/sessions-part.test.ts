import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {byLastActive, type RowState, type SessionSummary} from '../../../source/core/usage/session-summaries.js';
import {decodeSessionsPart, encodeSessionsPart} from '../../../source/ingest/index/sessions-part.js';

// Ids that are prefixes of one another, and hold quotes, backslashes, newlines and braces.
const id = fc.oneof(fc.constantFrom('a', 'ab', 'a"b', 'a\\b', 'a\nb', '{"sessionId":"a"}', 'x,y'), fc.string({maxLength: 8}));
const row = fc.record({sessionId: id, project: fc.oneof(fc.string({maxLength: 6}), fc.constantFrom('"sessionId":"a"', 'p\n')), startMs: fc.nat(1000), endMs: fc.nat(1000), entries: fc.nat(50), totalTokens: fc.nat(), costUsd: fc.double({min: 0, max: 100, noNaN: true}), models: fc.array(fc.string({maxLength: 5}), {maxLength: 3})}) as fc.Arbitrary<SessionSummary>;
const state = fc.record({sessionId: id, project: fc.string({maxLength: 6}), startMs: fc.nat(1000), endMs: fc.nat(1000), entries: fc.nat(50), totalTokens: fc.nat(), costUsd: fc.double({min: 0, max: 100, noNaN: true}), models: fc.array(fc.tuple(fc.string({maxLength: 5}), fc.double({min: 0, max: 10, noNaN: true})), {maxLength: 3})}) as fc.Arbitrary<RowState>;
const part = fc.record({finals: fc.uniqueArray(row, {selector: each => each.sessionId, maxLength: 12}), states: fc.array(state, {maxLength: 4})});

describe('the sessions part, one row a line', () => {
	it('gives back its states, its final rows newest first, and which sessions have one (property)', () => {
		fc.assert(
			fc.property(part, id, ({finals, states}, other) => {
				const read = decodeSessionsPart(encodeSessionsPart({finals, states}));
				expect(read.states).toEqual(JSON.parse(JSON.stringify(states)));
				expect([...read.finals()]).toEqual(JSON.parse(JSON.stringify([...finals].sort(byLastActive))));
				for (const each of [...finals.map(final => final.sessionId), other]) expect(read.hasFinal(each)).toBe(finals.some(final => final.sessionId === each));
			}),
		);
	});

	it('parses a final row only when it is reached', () => {
		const rows = [3, 2, 1].map(endMs => ({sessionId: `s${endMs}`, project: 'p', startMs: 0, endMs, entries: 1, totalTokens: 1, costUsd: 1, models: []}));
		const bytes = Buffer.concat([encodeSessionsPart({finals: rows, states: []}), Buffer.from('not json\n')]);
		const finals = decodeSessionsPart(bytes).finals();
		expect([finals.next().value, finals.next().value, finals.next().value].map(each => (each as SessionSummary).sessionId)).toEqual(['s3', 's2', 's1']);
		expect(() => finals.next()).toThrow();
	});

	it('refuses bytes that are not a part', () => {
		expect(() => decodeSessionsPart(Buffer.from('{"finals":[],"states":[]}'))).toThrow();
		expect(() => decodeSessionsPart(Buffer.from('[1]\n'))).toThrow();
	});
});
