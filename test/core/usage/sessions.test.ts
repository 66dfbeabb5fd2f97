import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import type {PricedEntry} from '../../../source/core/usage/blocks.js';
import {applyLines, createLedger} from '../../../source/core/usage/ledger.js';
import {createPriceLookup, defaultPricing} from '../../../source/core/usage/pricing.js';
import {sessionsFrom, type FileCopies} from '../../../source/core/usage/sessions.js';
import {totalTokens, type UsageEvent} from '../../../source/core/usage/types.js';
import {makePriced} from '../../helpers/entries.js';

const file = (path: string, keyed: PricedEntry[], extra: Partial<FileCopies> = {}): FileCopies => ({path, keyed, unkeyed: [], events: [], ...extra});
const request = (at: string, sessionId: string, id: string, outputTokens: number, costUsd = outputTokens / 1000) =>
	makePriced(at, {sessionId, messageId: `msg_${id}`, requestId: `req_${id}`, tokens: {inputTokens: 10, outputTokens}, costUsd});
const event = (at: string, sessionId: string): UsageEvent => ({kind: 'api_error', timestampMs: Date.parse(at), sessionId, project: 'shop', message: 'API Error: 529 Overloaded'});

describe('sessionsFrom', () => {
	it('counts a request copied into a resumed session once, in the original, with the largest copy', () => {
		const sessions = sessionsFrom([
			// The original holds only the placeholder copy (3 output tokens)…
			file('/p/original.jsonl', [request('2026-11-26T10:00:05Z', 'original', 'R1', 3)]),
			// …the resumed session a copy with the final count, one second later, plus its own request.
			file('/p/resumed.jsonl', [request('2026-11-26T10:00:06Z', 'resumed', 'R1', 500), request('2026-11-26T11:00:00Z', 'resumed', 'R2', 40)]),
		]);
		const original = sessions.get('original')!;
		expect(original.entries.map(entry => entry.tokens.outputTokens)).toEqual([500]);
		expect(sessions.get('resumed')!.entries.map(entry => entry.requestId)).toEqual(['req_R2']);
		// Its tool calls are read from both files: the counted copy is in the resumed one.
		expect([...original.paths].sort()).toEqual(['/p/original.jsonl', '/p/resumed.jsonl']);
		expect([...sessions.get('resumed')!.paths]).toEqual(['/p/resumed.jsonl']);
	});

	it('gives a copy with the same timestamp to the session that was last seen first, whatever the file order', () => {
		const original = file('/p/zz-original.jsonl', [request('2026-11-26T10:10:00Z', 'original', 'R2', 300)], {events: [event('2026-11-26T10:20:00Z', 'original')]});
		const resumed = file('/p/aa-resumed.jsonl', [request('2026-11-26T10:10:00Z', 'resumed', 'R2', 300), request('2026-11-26T11:20:00Z', 'resumed', 'R6', 100)], {
			events: [event('2026-11-26T10:20:00Z', 'resumed')],
		});
		for (const order of [[original, resumed], [resumed, original]]) {
			const sessions = sessionsFrom(order);
			expect(sessions.get('original')!.entries.map(entry => entry.requestId)).toEqual(['req_R2']);
			expect(sessions.get('resumed')!.entries.map(entry => entry.requestId)).toEqual(['req_R6']);
			// The copied API error is shown once, with the original.
			expect(sessions.get('original')!.events).toHaveLength(1);
			expect(sessions.get('resumed')!.events).toHaveLength(0);
		}
	});

	it('keeps unkeyed entries where they are, even when they look alike', () => {
		const unkeyed = makePriced('2026-11-26T10:00:00Z', {sessionId: 'a'});
		const sessions = sessionsFrom([file('/p/a.jsonl', [], {unkeyed: [unkeyed]}), file('/p/b.jsonl', [], {unkeyed: [{...unkeyed, sessionId: 'b'}]})]);
		expect(sessions.get('a')!.entries).toHaveLength(1);
		expect(sessions.get('b')!.entries).toHaveLength(1);
	});

	it('puts lines without a session id under "(no session)"', () => {
		const sessions = sessionsFrom([file('/p/a.jsonl', [request('2026-11-26T10:00:00Z', 'x', 'R1', 10)].map(entry => ({...entry, sessionId: undefined})))]);
		expect([...sessions.keys()]).toEqual(['(no session)']);
	});

	// Property: whatever the copies, every request counts exactly once, as the
	// ledger's winner, so session totals add up to the report's.
	it('adds up to the ledger: each request once, as the copy the report counts', () => {
		const copyArb = fc.record({
			file: fc.constantFrom('/p/a.jsonl', '/p/b.jsonl', '/p/c/sub.jsonl'),
			session: fc.constantFrom('s1', 's2', 's3'),
			request: fc.integer({min: 0, max: 12}),
			minute: fc.integer({min: 0, max: 600}),
			output: fc.integer({min: 1, max: 3000}),
		});
		fc.assert(
			fc.property(fc.array(copyArb, {minLength: 1, maxLength: 60}), copies => {
				const ledger = createLedger({lookup: createPriceLookup(defaultPricing), mode: 'auto', sessionLengthMs: 5 * 3_600_000});
				for (const copy of copies) {
					const entry = request(new Date(Date.UTC(2026, 10, 26, 8, copy.minute)).toISOString(), copy.session, String(copy.request), copy.output);
					applyLines(ledger, copy.file, [{kind: 'usage', entry}], {lines: 1, invalidLines: 0}, Date.UTC(2026, 10, 27));
				}

				const files = [...ledger.files.values()].map(usage => file(usage.path, [...usage.keyed.values()]));
				const counted = [...sessionsFrom(files).values()].flatMap(session => session.entries);
				const winners = [...ledger.winners.values()];
				expect(counted).toHaveLength(winners.length);
				expect(counted.reduce((sum, entry) => sum + totalTokens(entry.tokens), 0)).toBe(winners.reduce((sum, entry) => sum + totalTokens(entry.tokens), 0));
				expect(new Set(counted.map(entry => entry.requestId)).size).toBe(counted.length);
			}),
		);
	});
});
