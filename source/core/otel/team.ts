import type {Budget} from '../config/budgets-schema.js';
import {budgetState, linearProjection} from '../usage/budgets.js';

/** One counter series' increase over the period, as /metrics or Prometheus names it. */
export type TeamSample = {name: string; labels: Record<string, string>; value: number};

type Tokens = {input: number; output: number; cacheRead: number; cacheCreation: number};

export type TeamRow = {
	key: string;
	costUSD: number;
	tokens: Tokens;
	sessions: number;
	linesOfCode: {added: number; removed: number};
	commits: number;
	pullRequests: number;
	budget: {name: string; limit: number; unit: 'usd' | 'tokens'; used: number; projected: number; status: 'ok' | 'warn' | 'over'} | null;
	/** Our additions: the costliest model, the cost over the last hour (as $/h), the cost projected at the period's end, and the share of edits accepted. */
	topModel: string | null;
	/** Cost per bucket (24 over the period: hours for a day), for the sparkline; empty when the source gave none. */
	costByBucketUSD: number[];
	/** The sessions seen (their `session.id`, unless /metrics drops it), for the drill-down. */
	sessionIds: string[];
	/** Cost per model, costliest first: what a drill-down into the row shows. */
	models: Array<{model: string; costUSD: number}>;
	costPerHourUSD: number;
	projectedCostUSD: number;
	editAcceptance: number | null;
};

/** `cctop team --json`: the contract in the README. */
export type TeamJson = {
	source: 'spool' | 'prometheus';
	by: string;
	period: {name: string; start: string; end: string};
	rows: TeamRow[];
	unidentified: {costUSD: number; series: number};
	totals: {costUSD: number; tokens: Tokens};
};

/** The labels the identity rule reads, in its order: a real identity first, the anonymous install id last. */
const identityLabels = ['user_email', 'user_account_uuid', 'enduser_id'] as const;

/** Who a series belongs to: e-mail, else account uuid, else `enduser.id`, else the anonymous `user.id` (not a real identity). */
export const identityOf = (labels: Record<string, string>): {key: string; isReal: boolean} => {
	for (const label of identityLabels) if (labels[label]) return {key: labels[label], isReal: true};
	return {key: labels['user_id'] ?? '(unknown)', isReal: false};
};

/** A `--by` label as Prometheus writes it: `team.id` → `team_id`. */
export const byLabel = (by: string): string => by.replaceAll(/[^a-zA-Z0-9_]/g, '_');

const seriesKey = (sample: TeamSample): string => `${sample.name}{${Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`).join(',')}}`;

const emptyTokens = (): Tokens => ({input: 0, output: 0, cacheRead: 0, cacheCreation: 0});

/**
 * Rows per user (the identity rule) or per label, from counter increases: cost,
 * tokens by kind, sessions, lines, commits and PRs, with the team budget that
 * matches each row (same period, `match` on the same key). The same samples
 * give the same rows whichever source they came from.
 */
export const teamReport = (
	samples: readonly TeamSample[],
	{by, period, nowMs, budgets = [], source, hourSamples, buckets}: {by: string; period: {name: 'day' | 'week' | 'month'; startMs: number; endMs: number}; nowMs: number; budgets?: readonly Budget[]; source: TeamJson['source']; hourSamples?: readonly TeamSample[]; buckets?: ReadonlyArray<readonly TeamSample[]>},
): TeamJson => {
	const rows = new Map<string, TeamRow>();
	const unidentified = {costUSD: 0, series: new Set<string>()};
	const totals = {costUSD: 0, tokens: emptyTokens()};
	const label = byLabel(by);
	const models = new Map<TeamRow, Map<string, number>>();
	const edits = new Map<TeamRow, {accept: number; reject: number}>();
	// In one order whatever the source listed them in: the sums then agree to the last bit.
	const ordered = [...samples].sort((a, b) => seriesKey(a).localeCompare(seriesKey(b)));
	for (const sample of ordered) {
		const identity = identityOf(sample.labels);
		const key = by === 'user' ? identity.key : (sample.labels[label] ?? '(none)');
		let row = rows.get(key);
		if (row === undefined) {
			row = {key, costUSD: 0, tokens: emptyTokens(), sessions: 0, linesOfCode: {added: 0, removed: 0}, commits: 0, pullRequests: 0, budget: null, topModel: null, costByBucketUSD: [], sessionIds: [], models: [], costPerHourUSD: 0, projectedCostUSD: 0, editAcceptance: null};
			rows.set(key, row);
		}

		const type = sample.labels['type'];
		switch (sample.name) {
			case 'claude_code_cost_usage_USD_total': {
				row.costUSD += sample.value;
				const model = sample.labels['model'] ?? '(unknown)';
				const perModel = models.get(row) ?? new Map<string, number>();
				perModel.set(model, (perModel.get(model) ?? 0) + sample.value);
				models.set(row, perModel);
				totals.costUSD += sample.value;
				if (!identity.isReal) {
					unidentified.costUSD += sample.value;
					unidentified.series.add(identity.key);
				}

				break;
			}

			case 'claude_code_token_usage_tokens_total': {
				if (type === 'input' || type === 'output' || type === 'cacheRead' || type === 'cacheCreation') {
					row.tokens[type] += sample.value;
					totals.tokens[type] += sample.value;
				}

				break;
			}

			case 'claude_code_session_count_total': {
				row.sessions += sample.value;
				if (sample.labels['session_id'] && !row.sessionIds.includes(sample.labels['session_id'])) row.sessionIds.push(sample.labels['session_id']);
				break;
			}

			case 'claude_code_lines_of_code_count_total': {
				if (type === 'added' || type === 'removed') row.linesOfCode[type] += sample.value;
				break;
			}

			case 'claude_code_commit_count_total': {
				row.commits += sample.value;
				break;
			}

			case 'claude_code_pull_request_count_total': {
				row.pullRequests += sample.value;
				break;
			}

			case 'claude_code_code_edit_tool_decision_total': {
				const decision = sample.labels['decision'];
				const counts = edits.get(row) ?? {accept: 0, reject: 0};
				if (decision === 'accept' || decision === 'reject') counts[decision] += sample.value;
				edits.set(row, counts);
				break;
			}

			default:
		}
	}

	// The last hour's cost per row, when the caller read it: the burn in $/h.
	const lastHour = new Map<string, number>();
	for (const sample of [...(hourSamples ?? [])].sort((a, b) => seriesKey(a).localeCompare(seriesKey(b)))) {
		if (sample.name !== 'claude_code_cost_usage_USD_total') continue;
		const key = by === 'user' ? identityOf(sample.labels).key : (sample.labels[label] ?? '(none)');
		lastHour.set(key, (lastHour.get(key) ?? 0) + sample.value);
	}

	const keyOf = (sample: TeamSample) => (by === 'user' ? identityOf(sample.labels).key : (sample.labels[label] ?? '(none)'));
	const bucketCosts = (buckets ?? []).map(bucket => {
		const costs = new Map<string, number>();
		for (const sample of [...bucket].sort((a, b) => seriesKey(a).localeCompare(seriesKey(b)))) if (sample.name === 'claude_code_cost_usage_USD_total') costs.set(keyOf(sample), (costs.get(keyOf(sample)) ?? 0) + sample.value);
		return costs;
	});
	for (const row of rows.values()) {
		row.costByBucketUSD = bucketCosts.map(costs => costs.get(row.key) ?? 0);
		row.sessionIds.sort();
		row.models = [...(models.get(row) ?? [])].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([model, costUSD]) => ({model, costUSD}));
		row.topModel = row.models[0]?.model ?? null;
		row.costPerHourUSD = lastHour.get(row.key) ?? 0;
		row.projectedCostUSD = linearProjection({costUsd: row.costUSD, totalTokens: 0}, period.startMs, period.endMs, nowMs)?.costUsd ?? row.costUSD;
		const counts = edits.get(row);
		row.editAcceptance = counts === undefined || counts.accept + counts.reject === 0 ? null : counts.accept / (counts.accept + counts.reject);
	}

	const matching = budgets.filter(budget => budget.scope === 'team' && budget.period === period.name && budget.match !== undefined && Object.keys(budget.match).length === 1 && (Object.keys(budget.match)[0] === by || byLabel(Object.keys(budget.match)[0]!) === label));
	for (const row of rows.values()) {
		const budget = matching.find(candidate => {
			const wanted = Object.values(candidate.match!)[0];
			return wanted === '*' || wanted === row.key;
		});
		if (budget === undefined) continue;
		const used = {costUsd: row.costUSD, totalTokens: row.tokens.input + row.tokens.output + row.tokens.cacheRead + row.tokens.cacheCreation};
		const projected = linearProjection(used, period.startMs, period.endMs, nowMs) ?? used;
		const state = budgetState(budget, {...used, projected});
		row.budget = {name: budget.name, limit: state.limit, unit: budget.usd === undefined ? 'tokens' : 'usd', used: state.used, projected: state.projected ?? state.used, status: state.level};
	}

	return {
		source,
		by,
		period: {name: period.name, start: new Date(period.startMs).toISOString(), end: new Date(period.endMs).toISOString()},
		// Costliest first; ties by key, so both sources list them alike.
		rows: [...rows.values()].filter(row => row.costUSD > 0 || row.sessions > 0 || row.tokens.input + row.tokens.output > 0).sort((a, b) => b.costUSD - a.costUSD || a.key.localeCompare(b.key)),
		unidentified: {costUSD: unidentified.costUSD, series: unidentified.series.size},
		totals,
	};
};
