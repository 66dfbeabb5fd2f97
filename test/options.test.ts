import {describe, expect, it} from 'vitest';
import {parseOptions, UsageError} from '../source/options.js';

describe('parseOptions', () => {
	it('fills defaults', () => {
		expect(parseOptions({})).toMatchObject({claudeDir: [], sessionLength: 5, mode: 'auto', cache: true, quiet: false, tokenLimit: undefined, demo: false, bell: true, refreshMs: 0});
	});

	it.each([
		[{tokenLimit: '88_000'}, {tokenLimit: 88_000}],
		[{tokenLimit: 'p90'}, {tokenLimit: 'p90'}],
		[{since: '2026-11-01'}, {since: {year: 2026, month: 11, day: 1}}],
		[{since: '20261101'}, {since: {year: 2026, month: 11, day: 1}}],
		[{now: '2026-11-26T15:00:00Z'}, {now: Date.parse('2026-11-26T15:00:00Z')}],
		[{plan: 'max20', mode: 'display', cache: false}, {plan: 'max20', mode: 'display', cache: false}],
		[{refresh: '2'}, {refreshMs: 2000}],
		[{refresh: '0.5'}, {refreshMs: 500}],
		[{bell: false, demo: true}, {bell: false, demo: true}],
	])('accepts %j', (flags, expected) => {
		expect(parseOptions(flags)).toMatchObject(expected);
	});

	it.each([
		[{plan: 'gold'}, '--plan: expected pro, max5, max20, custom, got gold'],
		[{since: '2026-02-30'}, '--since: 2026-02-30 is not a calendar date'],
		[{until: 'yesterday'}, '--until: expected YYYY-MM-DD'],
		[{tokenLimit: '-5'}, '--token-limit: expected a positive number, max or p90'],
		[{now: 'soon'}, '--now: soon is not an ISO time'],
		[{sessionLength: 0}, '--session-length: expected hours above 0, up to 168'],
		[{refresh: 'soon'}, '--refresh: expected seconds between 0 and 3600, e.g. 2 or 0.5'],
		[{refresh: '-1'}, '--refresh: expected seconds between 0 and 3600, e.g. 2 or 0.5'],
	])('rejects %j naming the flag', (flags, message) => {
		expect(() => parseOptions(flags)).toThrow(new UsageError(message));
	});
});
