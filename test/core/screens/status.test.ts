import {describe, expect, it} from 'vitest';
import {hourMs, identifyBlocks} from '../../../source/core/usage/blocks.js';
import {buildStatus, fillTemplate, statusLine, templateFields, tmuxColor} from '../../../source/core/screens/status.js';
import {withBudget} from '../../../source/core/screens/status-budget.js';
import type {Budget} from '../../../source/core/config/budgets-schema.js';
import {fixtureEntries, fixtureNowMs, limitOf} from '../../helpers/dashboard-state.js';

const blocks = identifyBlocks(fixtureEntries(), 5 * hourMs, fixtureNowMs);
const periods = {today: {costUsd: 8, totalTokens: 10_000}, week: {costUsd: 20.5, totalTokens: 31_000}};
const status = (limit = 20_000, nowMs = fixtureNowMs) => buildStatus({blocks, nowMs, limit: limitOf(limit), ...periods});
const utc = (ms: number) => {
	const date = new Date(ms);
	return new Date(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes());
};

describe('buildStatus', () => {
	it('gives the JSON contract for the active block', () => {
		expect(status().json).toEqual({
			block: {
				startTime: '2026-11-26T10:00:00.000Z',
				endTime: '2026-11-26T15:00:00.000Z',
				percentElapsed: 50,
				costUSD: 8,
				totalTokens: 10_000,
				projectedCostUSD: 16.57,
				projectedTokens: 20_714,
				limitTokens: 20_000,
				limitSource: '--token-limit 20000',
			},
			burnRate: {tokensPerMinute: 71.4, costPerHour: 3.4286, recentTokensPerMinute: 200},
			official: null,
			today: {costUSD: 8, totalTokens: 10_000},
			week: {costUSD: 20.5, totalTokens: 31_000},
		});
	});

	it('has no block or burn rate once the block has ended', () => {
		const later = status(20_000, Date.parse('2026-11-26T15:00:00Z')).json;
		expect(later.block).toBeNull();
		expect(later.burnRate).toBeNull();
		expect(later.today.costUSD).toBe(8);
	});

	it('leaves the recent rate unknown for a block restored from the summary (no entries)', () => {
		const summaryOnly = blocks.map(block => ({...block, entries: []}));
		expect(buildStatus({blocks: summaryOnly, nowMs: fixtureNowMs, limit: undefined, ...periods}).json.burnRate).toEqual({tokensPerMinute: 71.4, costPerHour: 3.4286, recentTokensPerMinute: null});
	});

	it('counts plan limits in input+output and projects them at the block’s ratio', () => {
		const withCache = identifyBlocks(
			fixtureEntries().map(entry => ({...entry, tokens: {...entry.tokens, cacheReadInputTokens: 3000}})),
			5 * hourMs,
			fixtureNowMs,
		);
		const planned = buildStatus({blocks: withCache, nowMs: fixtureNowMs, limit: {tokens: 88_000, source: 'plan', label: 'plan max5 (estimate)', measure: 'inputOutput'}, ...periods});
		expect(planned.limitTokens!.used).toBe(10_000);
		expect(planned.limitTokens!.projected).toBe(Math.round((planned.json.block!.projectedTokens! * 10_000) / 25_000));
		expect(planned.json.block!.totalTokens).toBe(25_000);
	});
});

describe('statusLine', () => {
	it('prints block %, cost → projected, tokens vs limit, burn and reset', () => {
		expect(statusLine(status(), {nowMs: fixtureNowMs, format: 'plain'})).toBe('50% block · $8.00 → $16.57 · 10.0k/20.0k tok (104% proj) · $3.43/h · reset 2h30m');
	});

	it('drops the limit when there is none and says idle when there is no block', () => {
		const noLimit = buildStatus({blocks, nowMs: fixtureNowMs, limit: undefined, ...periods});
		expect(statusLine(noLimit, {nowMs: fixtureNowMs, format: 'plain'})).toBe('50% block · $8.00 → $16.57 · 10.0k tok · $3.43/h · reset 2h30m');
		expect(statusLine(status(20_000, Date.parse('2026-11-26T18:00:00Z')), {nowMs: fixtureNowMs, format: 'plain'})).toBe('no active block · today $8.00');
	});

	it('leaves the projection out while only one request is known', () => {
		const one = buildStatus({blocks: identifyBlocks(fixtureEntries().slice(0, 1), 5 * hourMs, fixtureNowMs), nowMs: fixtureNowMs, limit: limitOf(20_000), ...periods});
		expect(statusLine(one, {nowMs: fixtureNowMs, format: 'plain'})).toBe('50% block · $3.00 · 2.00k/20.0k tok · reset 2h30m');
	});

	it.each([
		{limit: 30_000, color: 'green'},
		{limit: 25_000, color: 'yellow'},
		{limit: 20_714, color: 'yellow'},
		{limit: 20_000, color: 'red'},
	])('colours the tmux line $color when the projection is measured against $limit', ({limit, color}) => {
		const line = statusLine(status(limit), {nowMs: fixtureNowMs, format: 'tmux'});
		expect(line).toMatch(new RegExp(`^#\\[fg=${color}\\]50% block .*#\\[default\\]$`));
	});

	it('is green without a limit and doubles a literal # for tmux', () => {
		expect(tmuxColor(undefined)).toBe('green');
		expect(statusLine(status(), {nowMs: fixtureNowMs, format: 'tmux', template: '#1 {cost}'})).toBe('#[fg=red]##1 $8.00#[default]');
	});
});

describe('templates', () => {
	it('fills every documented placeholder', () => {
		expect(templateFields(status(), fixtureNowMs, utc)).toEqual({
			block_pct: '50%',
			cost: '$8.00',
			projected_cost: '$16.57',
			tokens: '10.0k',
			projected_tokens: '20.7k',
			limit: '20.0k',
			limit_pct: '50%',
			projected_pct: '104%',
			limit_source: '--token-limit 20000',
			burn: '$3.43/h',
			tokens_per_min: '71',
			recent_tokens_per_min: '200',
			reset: '2h30m',
			reset_at: '15:00',
			today_cost: '$8.00',
			today_tokens: '10.0k',
			week_cost: '$20.50',
			week_tokens: '31.0k',
			lines_added: '',
			lines_removed: '',
			commits: '',
			pull_requests: '',
			api_errors: '',
			budget: '',
			budget_pct: '',
		});
		const otel = {linesOfCode: {added: 412, removed: 87}, commits: 3, pullRequests: 1, apiErrors: 2};
		expect(templateFields(buildStatus({blocks, nowMs: fixtureNowMs, limit: limitOf(20_000), ...periods, otel}), fixtureNowMs, utc)).toMatchObject({lines_added: '412', lines_removed: '87', commits: '3', pull_requests: '1', api_errors: '2'});
	});

	it('keeps unknown placeholders as written, so a typo shows', () => {
		expect(fillTemplate('{cost} {nope}', {cost: '$1.00'})).toBe('$1.00 {nope}');
	});

	it('prints empty fields rather than "undefined" when nothing is active', () => {
		const idle = status(20_000, Date.parse('2026-11-26T18:00:00Z'));
		expect(statusLine(idle, {nowMs: fixtureNowMs, format: 'plain', template: '[{cost}|{burn}|{reset}] {week_cost}'})).toBe('[||] $20.50');
	});
});

describe('budgets beside the block', () => {
	const budget = (overrides: Partial<Budget>): Budget => ({name: 'b', scope: 'local', period: 'day', usd: 10, warnAt: [0.8, 0.9], enforce: 'warn', ...overrides});
	// Today $8 of the fixture's status; the day is 12.5 h old at 12:30 UTC, so $15.36 projected.
	const bounds = {dayStartMs: Date.UTC(2026, 10, 26), midnightMs: Date.UTC(2026, 10, 27)};

	it('shows the nearest budget once it warns, in the line, the JSON, the template and the tmux colour', () => {
		const shown = withBudget(status(1_000_000), [budget({name: 'week', period: 'week', usd: 100}), budget({name: 'my day', usd: 10})], fixtureNowMs, bounds);
		expect(shown.json.budget).toEqual({name: 'my day', period: 'day', unit: 'usd', used: 8, limit: 10, projected: 15.36, percent: 80, level: 'warn', enforce: 'warn', resetsAt: '2026-11-27T00:00:00.000Z'});
		expect(statusLine(shown, {nowMs: fixtureNowMs, format: 'plain', localClock: utc})).toMatch(/ · my day \$8\.00\/\$10\.00 80% → \$15\.36$/);
		expect(statusLine(shown, {nowMs: fixtureNowMs, format: 'tmux', localClock: utc})).toMatch(/^#\[fg=yellow\]/);
		expect(fillTemplate('{budget_pct}', templateFields(shown, fixtureNowMs, utc))).toBe('80%');
	});

	it('stays out of the line while every budget is ok, and turns the line red when one is over', () => {
		const calm = withBudget(status(1_000_000), [budget({usd: 1000})], fixtureNowMs, bounds);
		expect(calm.json.budget?.level).toBe('ok');
		expect(statusLine(calm, {nowMs: fixtureNowMs, format: 'plain', localClock: utc})).not.toContain('$1,000');
		const over = withBudget(status(1_000_000), [budget({name: 'block tokens', period: 'block', usd: undefined, tokens: 5000, enforce: 'block'})], fixtureNowMs, bounds);
		expect(over.json.budget).toMatchObject({level: 'over', unit: 'tokens', used: 10_000, limit: 5000});
		expect(statusLine(over, {nowMs: fixtureNowMs, format: 'tmux', localClock: utc})).toMatch(/^#\[fg=red\].* · block tokens 10\.0k\/5\.00k tokens 200%/);
	});

	it('leaves month and session budgets to the guard and the dashboard', () => {
		expect(withBudget(status(), [budget({period: 'month'}), budget({period: 'session'})], fixtureNowMs, bounds).json.budget).toBeUndefined();
	});
});
