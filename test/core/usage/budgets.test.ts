import {describe, expect, it} from 'vitest';
import type {Budget} from '../../../source/core/config/budgets-schema.js';
import {budgetMessage, budgetState, guardDecision, linearProjection, nearestBudget} from '../../../source/core/usage/budgets.js';

const budget = (overrides: Partial<Budget> = {}): Budget => ({name: 'b', scope: 'local', period: 'day', usd: 10, warnAt: [0.8, 0.9], enforce: 'warn', ...overrides});
const used = (costUsd: number, totalTokens = 0, projected?: {costUsd: number; totalTokens: number}) => ({costUsd, totalTokens, projected, resetsAtMs: Date.UTC(2026, 10, 27)});

describe('budgetState', () => {
	it('is ok below the first threshold, warn at one, over at the limit', () => {
		expect(budgetState(budget(), used(7.99)).level).toBe('ok');
		expect(budgetState(budget(), used(8))).toMatchObject({level: 'warn', threshold: 0.8});
		expect(budgetState(budget(), used(9.5))).toMatchObject({level: 'warn', threshold: 0.9});
		expect(budgetState(budget(), used(10))).toMatchObject({level: 'over', used: 10, limit: 10});
	});

	it('warns on the projection at the period\'s end, but only used reaching the limit is over', () => {
		expect(budgetState(budget(), used(2, 0, {costUsd: 12, totalTokens: 0}))).toMatchObject({level: 'warn', threshold: 0.9, projected: 12});
	});

	it('counts tokens for a tokens budget, ignoring dollars', () => {
		const tokens = budget({usd: undefined, tokens: 1000});
		expect(budgetState(tokens, used(999, 500)).level).toBe('ok');
		expect(budgetState(tokens, used(0, 1000)).level).toBe('over');
	});
});

describe('linearProjection', () => {
	it('extrapolates the pace so far to the period\'s end', () => {
		expect(linearProjection({costUsd: 3, totalTokens: 300}, 0, 24, 12)).toEqual({costUsd: 6, totalTokens: 600});
	});

	it('says nothing in the first sixth, when one request would project a wall', () => {
		expect(linearProjection({costUsd: 3, totalTokens: 300}, 0, 24, 3.9)).toBeUndefined();
	});
});

describe('guardDecision', () => {
	it('blocks only on an enforcing budget that is over', () => {
		const soft = budgetState(budget({name: 'soft'}), used(20));
		const hard = budgetState(budget({name: 'hard', enforce: 'block'}), used(9));
		expect(guardDecision([soft, hard])).toMatchObject({decision: 'warn', state: {budget: {name: 'soft'}}});
		const hardOver = budgetState(budget({name: 'hard', enforce: 'block'}), used(11));
		expect(guardDecision([soft, hardOver])).toMatchObject({decision: 'block', state: {budget: {name: 'hard'}}});
		expect(guardDecision([budgetState(budget(), used(1))])).toEqual({decision: 'allow', state: undefined});
	});

	it('names the budget nearest its wall among equals', () => {
		const a = budgetState(budget({name: 'a'}), used(8.5));
		const b = budgetState(budget({name: 'b'}), used(9.1));
		expect(nearestBudget([a, b])!.budget.name).toBe('b');
		expect(nearestBudget([b, a])!.budget.name).toBe('b');
	});
});

describe('budgetMessage', () => {
	it('says which budget, used of limit, and when it resets', () => {
		const nowMs = Date.UTC(2026, 10, 26, 21, 0);
		// Local clock: the test runs in TZ=UTC (vitest config).
		expect(budgetMessage(budgetState(budget({name: 'my day'}), used(12.5)), nowMs)).toBe('budget "my day" (day) is over: $12.50 of $10.00 used; resets at 00:00 (in 3h00m)');
		expect(budgetMessage(budgetState(budget({name: 'p', period: 'session'}), {costUsd: 8.2, totalTokens: 0}), nowMs)).toBe('budget "p" (session) is at 82%: $8.20 of $10.00 used; a new session starts afresh');
	});
});
