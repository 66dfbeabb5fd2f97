import type {Budget} from '../core/config/budgets-schema.js';
import {budgetState, linearProjection, type BudgetState, type PeriodUsage} from '../core/usage/budgets.js';
import {periodUsageFromStatus} from '../core/screens/status-budget.js';
import {compareEntries} from '../core/usage/dedupe.js';
import type {Status} from '../core/screens/status.js';
import {totalTokens} from '../core/usage/types.js';
import {dayBounds, periodBounds, type Options} from '../options.js';
import {statusFor} from './status.js';

const zero = {costUsd: 0, totalTokens: 0};


/**
 * Usage of the month and of one session: they reach past the status
 * snapshot's week, so the index answers (only new bytes are read). The month
 * sums in time order, as every other total. `sessionId` undefined: the latest session.
 */
const ledgerPeriods = async (options: Options, nowMs: number, {month, sessionId, isSession}: {month: boolean; sessionId: string | undefined; isSession: boolean}) => {
	const [{openUsageFor}, {sessionsFrom}, {sessionSummaries}] = await Promise.all([import('./usage-for.js'), import('../core/usage/sessions.js'), import('../core/usage/session-summaries.js')]);
	const usage = await openUsageFor({...options, quiet: true}, () => nowMs, {isSummaryEnough: false});
	const result: {month?: PeriodUsage; session?: PeriodUsage} = {};
		if (month) {
			const {startMs, endMs} = periodBounds('month', nowMs);
			const entries = usage
				.view(startMs)
				.blocks.flatMap(block => (block.endMs > startMs ? block.entries : []))
				.filter(entry => entry.timestampMs >= startMs && entry.timestampMs <= nowMs)
				.sort(compareEntries);
			const used = {costUsd: 0, totalTokens: 0};
			for (const entry of entries) {
				used.costUsd += entry.costUsd ?? 0;
				used.totalTokens += totalTokens(entry.tokens);
			}

			result.month = {...used, projected: linearProjection(used, startMs, endMs, nowMs), resetsAtMs: endMs};
		}

		if (isSession && usage.live !== undefined) {
			const copies = usage.live.usage.sessionCopies(seen => {
				if (sessionId !== undefined) return seen.has(sessionId) ? sessionId : undefined;
				return [...seen].filter(([, session]) => session.hasUsage).sort(([a, left], [b, right]) => right.lastSeenMs - left.lastSeenMs || a.localeCompare(b))[0]?.[0];
			});
			const session = copies === undefined ? undefined : sessionsFrom(copies.files, copies.seen).get(copies.sessionId);
			const row = session === undefined ? undefined : sessionSummaries([session])[0];
			result.session = {costUsd: row?.costUsd ?? 0, totalTokens: row?.totalTokens ?? 0, resetsAtMs: undefined};
		}

	await usage.save();
	return result;
};

/**
 * Every local budget against its period now (SPEC §8), with the status it was
 * read from. Block, day and week come from the status fast path (the snapshot);
 * only a month or session budget opens the index.
 */
export const localBudgetStates = async (
	options: Options,
	budgets: readonly Budget[],
	{sessionId, needsOfficial = false}: {sessionId?: string | undefined; needsOfficial?: boolean},
): Promise<{states: BudgetState[]; status: Status; nowMs: number}> => {
	const local = budgets.filter(budget => budget.scope === 'local');
	const needsPeriods = local.some(budget => budget.period === 'day' || budget.period === 'week');
	const {status, nowMs} = await statusFor(options, {needsPeriods, needsOfficial});
	const month = local.some(budget => budget.period === 'month');
	const isSession = local.some(budget => budget.period === 'session');
	const ledger = month || isSession ? await ledgerPeriods(options, nowMs, {month, sessionId, isSession}) : {};
	const bounds = dayBounds(nowMs);
	const usageOf = (budget: Budget): PeriodUsage => {
		switch (budget.period) {
			case 'block':
			case 'day':
			case 'week': {
				return periodUsageFromStatus(budget, status.json, nowMs, bounds);
			}

			case 'month': {
				return ledger.month ?? zero;
			}

			case 'session': {
				return ledger.session ?? zero;
			}
		}
	};

	return {states: local.map(budget => budgetState(budget, usageOf(budget))), status, nowMs};
};
