import type {Budget} from '../config/budgets-schema.js';
import {budgetJson, budgetState, budgetText, linearProjection, nearestBudget, type PeriodUsage} from '../usage/budgets.js';
import type {Status, StatusJson} from './status.js';

/** The periods the status snapshot answers; month and session budgets need the index (guard, dashboard). */
export const isFastPeriod = (budget: Budget): boolean => budget.period === 'block' || budget.period === 'day' || budget.period === 'week';

/** When "today" started and ends, local: the caller reads the calendar, the core does not. */
export type DayBounds = {dayStartMs: number; midnightMs: number};

/** A block, day or week budget's usage, from what the status already holds. */
export const periodUsageFromStatus = (budget: Budget, {block, today, week}: StatusJson, nowMs: number, {dayStartMs, midnightMs}: DayBounds): PeriodUsage => {
	switch (budget.period) {
		case 'block': {
			if (block === null) return {costUsd: 0, totalTokens: 0};
			const projected = block.projectedCostUSD === null || block.projectedTokens === null ? undefined : {costUsd: block.projectedCostUSD, totalTokens: block.projectedTokens};
			return {costUsd: block.costUSD, totalTokens: block.totalTokens, projected, resetsAtMs: Date.parse(block.endTime)};
		}

		case 'day': {
			const used = {costUsd: today.costUSD, totalTokens: today.totalTokens};
			return {...used, projected: linearProjection(used, dayStartMs, midnightMs, nowMs), resetsAtMs: midnightMs};
		}

		// A rolling window has no end to project to: its oldest day drops off at midnight.
		case 'week': {
			return {costUsd: week.costUSD, totalTokens: week.totalTokens, resetsAtMs: midnightMs};
		}

		default: {
			throw new Error(`a ${budget.period} budget is not in the status`);
		}
	}
};

/** The status with its nearest fast budget beside the block (`budget` in JSON, `{budget}` in templates). */
export const withBudget = (status: Status, budgets: readonly Budget[], nowMs: number, bounds: DayBounds): Status => {
	const states = budgets.filter(budget => budget.scope === 'local' && isFastPeriod(budget)).map(budget => budgetState(budget, periodUsageFromStatus(budget, status.json, nowMs, bounds)));
	const nearest = nearestBudget(states);
	return nearest === undefined ? status : {...status, budget: nearest, budgetText: budgetText(nearest), json: {...status.json, budget: budgetJson(nearest)}};
};
