import type {Budget} from '../config/budgets-schema.js';
import {clockOf, formatDuration, formatTokens, formatUsd, pad2} from '../util/format.js';

/** What one budget's period has used so far, and where it goes. */
export type PeriodUsage = {
	costUsd: number;
	totalTokens: number;
	/** At the period's end if it goes on as it has; undefined when there is no end or too little to go on. */
	projected?: {costUsd: number; totalTokens: number} | undefined;
	/** When the period starts again (the block's end, the next midnight or month); undefined for a session. */
	resetsAtMs?: number | undefined;
};

export type BudgetLevel = 'ok' | 'warn' | 'over';

export type BudgetState = {
	budget: Budget;
	used: number;
	limit: number;
	projected: number | undefined;
	level: BudgetLevel;
	/** The highest `warnAt` fraction reached by the used or projected amount. */
	threshold: number | undefined;
	resetsAtMs: number | undefined;
};

/**
 * A budget against its period's usage (SPEC §8): `over` when used ≥ limit,
 * `warn` when used or projected reaches a `warnAt` threshold, else `ok`.
 */
export const budgetState = (budget: Budget, usage: PeriodUsage): BudgetState => {
	const isUsd = budget.usd !== undefined;
	const limit = isUsd ? budget.usd! : budget.tokens!;
	const used = isUsd ? usage.costUsd : usage.totalTokens;
	const projected = usage.projected === undefined ? undefined : isUsd ? usage.projected.costUsd : usage.projected.totalTokens;
	const reach = Math.max(used, projected ?? 0) / limit;
	const threshold = budget.warnAt.filter(fraction => reach >= fraction).sort((a, b) => b - a)[0];
	const level: BudgetLevel = used >= limit ? 'over' : threshold === undefined ? 'ok' : 'warn';
	return {budget, used, limit, projected, level, threshold, resetsAtMs: usage.resetsAtMs};
};

/**
 * The projection of a calendar period (day, month) at its end, from its pace so
 * far; undefined in its first sixth, when one early request would project a
 * wall that is not there.
 */
export const linearProjection = (usage: {costUsd: number; totalTokens: number}, startMs: number, endMs: number, nowMs: number) => {
	const elapsed = nowMs - startMs;
	if (elapsed < (endMs - startMs) / 6) return undefined;
	const factor = (endMs - startMs) / elapsed;
	return {costUsd: usage.costUsd * factor, totalTokens: Math.round(usage.totalTokens * factor)};
};

const severity = {ok: 0, warn: 1, over: 2} as const;

/** The budget closest to its wall: the worst level, then the highest share used or projected. */
export const nearestBudget = (states: readonly BudgetState[]): BudgetState | undefined =>
	states.reduce<BudgetState | undefined>((best, state) => {
		if (best === undefined) return state;
		if (severity[state.level] !== severity[best.level]) return severity[state.level] > severity[best.level] ? state : best;
		const reach = (candidate: BudgetState) => Math.max(candidate.used, candidate.projected ?? 0) / candidate.limit;
		return reach(state) > reach(best) ? state : best;
	}, undefined);

export type GuardDecision = {decision: 'allow' | 'warn' | 'block'; state: BudgetState | undefined};

/** Block when an enforcing budget is over; warn when any budget warns or is over; else allow. */
export const guardDecision = (states: readonly BudgetState[]): GuardDecision => {
	const blocking = nearestBudget(states.filter(state => state.level === 'over' && state.budget.enforce === 'block'));
	if (blocking !== undefined) return {decision: 'block', state: blocking};
	const warning = nearestBudget(states.filter(state => state.level !== 'ok'));
	return warning === undefined ? {decision: 'allow', state: undefined} : {decision: 'warn', state: warning};
};

/** An amount in a budget's unit: `$41.20` or `2.00k tokens`. */
export const formatInUnit = (unit: 'usd' | 'tokens', amount: number): string => (unit === 'usd' ? formatUsd(amount) : `${formatTokens(amount)} tokens`);

export const formatAmount = (state: BudgetState, amount: number): string => formatInUnit(state.budget.usd === undefined ? 'tokens' : 'usd', amount);

const periodName = {block: '5-hour block', session: 'session', day: 'day', week: '7 days', month: 'month'} as const;

/** When the period frees up again, in words: a rolling week loses its oldest day at midnight. */
const resetWords = (state: BudgetState, nowMs: number): string => {
	if (state.resetsAtMs === undefined) return 'a new session starts afresh';
	const date = new Date(state.resetsAtMs);
	// Beyond a day the clock alone is ambiguous: a month resets at midnight on its first.
	const day = state.resetsAtMs - nowMs > 86_400_000 ? `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` : '';
	const when = `${day}${clockOf(date)} (in ${formatDuration(Math.max(0, state.resetsAtMs - nowMs))})`;
	return state.budget.period === 'week' ? `the oldest day drops off at ${when}` : `resets at ${when}`;
};

/**
 * One line for a person: which budget, used/limit, and when it resets.
 * `budget "my day" (day) is over: $41.20 of $40.00 used; resets at 00:00 (in 3h 12m)`.
 */
export const budgetMessage = (state: BudgetState, nowMs: number): string => {
	const {budget} = state;
	const share = Math.floor((state.used / state.limit) * 100);
	const projection = state.level === 'warn' && state.projected !== undefined && state.projected > state.used ? `, ${formatAmount(state, state.projected)} projected` : '';
	const what = state.level === 'over' ? 'is over' : state.level === 'warn' ? `is at ${share}%` : `at ${share}%`;
	return `budget "${budget.name}" (${periodName[budget.period]}) ${what}: ${formatAmount(state, state.used)} of ${formatAmount(state, state.limit)} used${projection}; ${resetWords(state, nowMs)}`;
};

/** `status --format json`'s `budget`: the budget nearest its wall. */
export type BudgetJson = {name: string; period: Budget['period']; unit: 'usd' | 'tokens'; used: number; limit: number; projected: number | null; percent: number; level: BudgetLevel; enforce: Budget['enforce']; resetsAt: string | null};

export const budgetJson = (state: BudgetState): BudgetJson => ({
	name: state.budget.name,
	period: state.budget.period,
	unit: state.budget.usd === undefined ? 'tokens' : 'usd',
	used: state.used,
	limit: state.limit,
	projected: state.projected ?? null,
	percent: Math.round((state.used / state.limit) * 1000) / 10,
	level: state.level,
	enforce: state.budget.enforce,
	resetsAt: state.resetsAtMs === undefined ? null : new Date(state.resetsAtMs).toISOString(),
});

/** In a few words for a status line: `my day $4.50/$5.00 90% → $7.20`. */
export const budgetText = (state: BudgetState): string => {
	const projection = state.projected !== undefined && state.projected > state.used ? ` → ${formatAmount(state, state.projected)}` : '';
	return `${state.budget.name} ${formatAmount(state, state.used).replace(' tokens', '')}/${formatAmount(state, state.limit)} ${Math.floor((state.used / state.limit) * 100)}%${projection}`;
};

