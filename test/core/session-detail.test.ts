import {describe, expect, it} from 'vitest';
import {sessionDetail} from '../../source/core/session-detail.js';
import {sessionOf} from '../../source/core/sessions.js';
import {fixtureEntries, haiku, opus} from '../helpers/dashboard-state.js';

describe('sessionDetail', () => {
	const of = (sessionId: string) => sessionDetail({sessionId, entries: fixtureEntries().filter(entry => sessionOf(entry) === sessionId)});
	const detail = of('a1')!;

	it('spans the session and totals it', () => {
		expect(detail).toMatchObject({sessionId: 'a1', project: 'api-server', entries: 3, costUsd: 5.5});
		expect(new Date(detail.startMs).toISOString()).toBe('2026-11-26T10:05:00.000Z');
		expect(new Date(detail.endMs).toISOString()).toBe('2026-11-26T12:25:00.000Z');
		expect(detail.tokens).toEqual({inputTokens: 3000, outputTokens: 3000, cacheCreationInputTokens: 0, cacheReadInputTokens: 0});
	});

	it('splits models and the sidechain share', () => {
		expect(detail.models.map(model => [model.model, model.costUsd, model.entries])).toEqual([
			[opus, 5, 2],
			[haiku, 0.5, 1],
		]);
		expect(detail.sidechain).toEqual({entries: 1, costUsd: 0.5});
	});

	it('draws a timeline in buckets that fit (5 min for 2h20m) and keeps every dollar', () => {
		expect(detail.timelineBucketMs).toBe(5 * 60_000);
		expect(detail.timelineUsd).toHaveLength(29);
		expect(detail.timelineUsd.reduce((a, b) => a + b, 0)).toBe(5.5);
		expect(detail.timelineUsd[0]).toBe(3);
	});

	it('lists the costliest requests first', () => {
		expect(detail.topRequests.map(request => request.costUsd)).toEqual([3, 2, 0.5]);
	});

	it('is undefined for an unknown session', () => {
		expect(of('nope')).toBeUndefined();
	});
});
