import type {Budget} from '../core/config/budgets-schema.js';
import {budgetRules} from '../core/otel/budget-rules.js';
import {teamReport} from '../core/otel/team.js';
import {formatInUnit, budgetState} from '../core/usage/budgets.js';
import {readBudgets} from '../ingest/config/read-budgets.js';
import {periodBounds, UsageError, type Options} from '../options.js';
import {localBudgetStates} from './budget-usage.js';
import {teamSamples} from './team.js';

type Checked = {name: string; scope: 'local' | 'team'; period: Budget['period']; key: string | null; used: number; limit: number; unit: 'usd' | 'tokens'; projected: number | null; status: 'ok' | 'warn' | 'over'};

/** Every budget now: local ones from the transcripts (as the guard sees them), team ones per user or label from the spool or Prometheus. */
const checkAll = async (options: Options, budgets: readonly Budget[]): Promise<{checked: Checked[]; skipped: string[]}> => {
	const checked: Checked[] = [];
	const skipped: string[] = [];
	const local = budgets.filter(budget => budget.scope === 'local');
	if (local.length > 0) {
		const {states} = await localBudgetStates(options, local, {});
		for (const state of states) checked.push({name: state.budget.name, scope: 'local', period: state.budget.period, key: null, used: state.used, limit: state.limit, unit: state.budget.usd === undefined ? 'tokens' : 'usd', projected: state.projected ?? null, status: state.level});
	}

	const nowMs = options.now ?? Date.now();
	for (const budget of budgets.filter(candidate => candidate.scope === 'team')) {
		if (budget.period === 'block' || budget.period === 'session') {
			skipped.push(`${budget.name}: a team ${budget.period} budget has no period cctop team counts (day, week, month)`);
			continue;
		}

		const [key, wanted] = Object.entries(budget.match ?? {user: '*'})[0] ?? ['user', '*'];
		const period = periodBounds(budget.period, nowMs);
		const report = teamReport(await teamSamples(options, period, nowMs), {by: key, period, nowMs, budgets: [budget], source: options.prometheus === undefined ? 'spool' : 'prometheus'});
		const rows = report.rows.filter(row => wanted === '*' || row.key === wanted);
		// A named key with no usage yet is a budget at zero, not a missing one.
		if (rows.length === 0 && wanted !== '*') {
			const state = budgetState(budget, {costUsd: 0, totalTokens: 0});
			checked.push({name: budget.name, scope: 'team', period: budget.period, key: wanted ?? null, used: 0, limit: state.limit, unit: budget.usd === undefined ? 'tokens' : 'usd', projected: 0, status: state.level});
		}

		for (const row of rows) {
			if (row.budget === null) continue;
			checked.push({name: budget.name, scope: 'team', period: budget.period, key: row.key, used: row.budget.used, limit: row.budget.limit, unit: row.budget.unit, projected: row.budget.projected, status: row.budget.status});
		}
	}

	return {checked, skipped};
};

const mark = {ok: '✓', warn: '!', over: '✗'} as const;

/**
 * `cctop budgets check [--json]`: every budget's status; exit 1 when one is
 * over, for cron and CI. `cctop budgets rules`: the team budgets as Prometheus
 * alerting rules, for Alertmanager.
 */
export const runBudgets = async (options: Options, action: string | undefined): Promise<number> => {
	if (action !== 'check' && action !== 'rules') throw new UsageError('say which: cctop budgets check, or cctop budgets rules');
	const {file, budgets} = await readBudgets(options.budgets).catch((error: unknown) => {
		// A budgets file that cannot be used is the user's to fix: a usage error (exit 2) naming the file and field.
		throw error instanceof Error && error.name === 'ConfigError' ? new UsageError(error.message) : error;
	});
	if (action === 'rules') {
		process.stdout.write(budgetRules(budgets));
		return 0;
	}

	const {checked, skipped} = await checkAll(options, budgets);
	if (options.json) {
		process.stdout.write(`${JSON.stringify({file, budgets: checked, skipped}, null, 2)}\n`);
	} else {
		if (budgets.length === 0) process.stdout.write(`no budgets in ${file}\n`);
		for (const item of checked) {
			const amount = (value: number) => formatInUnit(item.unit, value);
			const projection = item.projected !== null && item.projected > item.used ? `, ${amount(item.projected)} projected` : '';
			process.stdout.write(`${mark[item.status]} ${item.name} (${item.scope}, ${item.period}${item.key === null ? '' : `, ${item.key}`}): ${amount(item.used)} of ${amount(item.limit)}${projection} · ${item.status}\n`);
		}

		for (const line of skipped) process.stdout.write(`- ${line}\n`);
	}

	return checked.some(item => item.status === 'over') ? 1 : 0;
};
