import {describe, expect, it} from 'vitest';
import {sessionDetail, sessionJson, toolCounts} from '../../../source/core/screens/session-detail.js';
import type {ToolCall} from '../../../source/core/usage/tool-calls.js';
import {sessionOf} from '../../../source/core/usage/sessions.js';
import {fixtureEntries, haiku, opus} from '../../helpers/dashboard-state.js';
import {makePriced} from '../../helpers/entries.js';

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

describe('toolCounts', () => {
	const own = [makePriced('2026-11-26T10:00:00Z', {sessionId: 's1', messageId: 'msg_1', requestId: 'req_1'})];
	const call = (id: string | undefined, name: string, requestKey: string | undefined, sessionId = 's1'): ToolCall => ({id, name, sessionId, requestKey});

	it('counts calls of the session\'s own requests once per tool_use id, most used first', () => {
		const calls = [call('t1', 'Read', 'msg_1\u0000req_1'), call('t1', 'Read', 'msg_1\u0000req_1', 's2'), call('t2', 'Bash', 'msg_1\u0000req_1'), call('t3', 'Read', 'msg_1\u0000req_1')];
		expect(toolCounts(calls, 's1', own)).toEqual([
			{name: 'Read', calls: 2},
			{name: 'Bash', calls: 1},
		]);
	});

	it('leaves out calls of requests counted in another session, and keeps unkeyed calls by their line\'s session', () => {
		const calls = [call('t9', 'Edit', 'msg_9\u0000req_9'), call(undefined, 'Grep', undefined), call(undefined, 'Grep', undefined), call(undefined, 'Glob', undefined, 's2')];
		expect(toolCounts(calls, 's1', own)).toEqual([{name: 'Grep', calls: 2}]);
	});
});

describe('sessionJson', () => {
	it('follows the contract: ISO times, per-model token counts, tools by name, a timeline with every bucket', () => {
		const detail = sessionDetail(
			{sessionId: 'a1', entries: fixtureEntries().filter(entry => entry.sessionId === 'a1'), events: [{kind: 'rate_limit', timestampMs: Date.parse('2026-11-26T12:26:00Z'), sessionId: 'a1', project: 'api-server', message: 'limit reached'}]},
			{tools: [{name: 'Read', calls: 3}]},
		)!;
		const json = sessionJson(detail);
		expect(json).toMatchObject({
			sessionId: 'a1',
			project: 'api-server',
			startTime: '2026-11-26T10:05:00.000Z',
			endTime: '2026-11-26T12:25:00.000Z',
			durationMs: 140 * 60_000,
			entries: 3,
			costUSD: 5.5,
			tools: {Read: 3},
			sidechain: {entries: 1, costUSD: 0.5},
			timelineBucketMinutes: 5,
			events: [{kind: 'rate_limit', timestamp: '2026-11-26T12:26:00.000Z', message: 'limit reached'}],
		});
		expect(Object.keys(json.models)).toEqual([opus, haiku]);
		expect(json.models[opus]).toMatchObject({entries: 2, costUSD: 5});
		expect(json.timeline).toHaveLength(29);
		expect(json.timeline[0]).toEqual({start: '2026-11-26T10:05:00.000Z', costUSD: 3, totalTokens: expect.any(Number) as number});
		expect(json.timeline.reduce((sum, bucket) => sum + bucket.costUSD, 0)).toBe(5.5);
		expect(json.topRequests[0]).toMatchObject({costUSD: 3, timestamp: expect.stringMatching(/^2026-11-26T/) as string});
	});
});
