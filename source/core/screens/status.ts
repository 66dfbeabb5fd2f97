import {atTime, type Block} from '../usage/blocks.js';
import {recentBurnRate, settledBurnRate, settledProjection} from '../usage/burn-rate.js';
import {clockOf, formatDuration, formatTokens, formatUsd} from '../util/format.js';
import {limitStatus, limitStatusColor, tokensForLimit, type LimitStatus, type TokenLimit} from '../usage/limits.js';
import type {OfficialWindow} from '../usage/official-windows.js';
import {totalTokens} from '../usage/types.js';
import type {BudgetJson, BudgetState} from '../usage/budgets.js';

/** `cctop status --format json`: the contract in the README. Times are ISO strings. */
export type StatusJson = {
	block: {
		startTime: string;
		endTime: string;
		percentElapsed: number;
		costUSD: number;
		totalTokens: number;
		projectedCostUSD: number | null;
		projectedTokens: number | null;
		limitTokens: number | null;
		limitSource: string | null;
	} | null;
	burnRate: {tokensPerMinute: number; costPerHour: number; recentTokensPerMinute: number | null} | null;
	official: {fiveHour: {usedPercentage: number; resetsAt: string} | null; sevenDay: {usedPercentage: number; resetsAt: string} | null} | null;
	today: {costUSD: number; totalTokens: number};
	week: {costUSD: number; totalTokens: number};
	/** Our addition: what the OpenTelemetry spool says, when it was read. */
	otel?: StatusOtel | null;
	/** Our addition: the local budget nearest its wall (block, day or week), when there is a budgets file. */
	budget?: BudgetJson;
};

/** The OpenTelemetry figures a status line can show. */
export type StatusOtel = {linesOfCode: {added: number; removed: number}; commits: number; pullRequests: number; apiErrors: number};

export type StatusInput = {
	blocks: readonly Block[];
	nowMs: number;
	limit: TokenLimit | undefined;
	today: {costUsd: number; totalTokens: number};
	week: {costUsd: number; totalTokens: number};
	/** The official windows Claude Code last reported that have not reset yet; undefined when it never has. */
	official?: {fiveHour: OfficialWindow | undefined; sevenDay: OfficialWindow | undefined} | undefined;
	/** OpenTelemetry figures, when the line asks for them: undefined leaves them out, null says there are none. */
	otel?: StatusOtel | null;
};

const officialJson = (window: OfficialWindow | undefined) => (window === undefined ? null : {usedPercentage: window.usedPercentage, resetsAt: new Date(window.resetsAtMs).toISOString()});

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** The status JSON and what the one-line formats need beside it. */
export type Status = {
	json: StatusJson;
	/** Tokens as the limit counts them, used and projected (plan limits count input+output). */
	limitTokens: {used: number; projected: number | undefined} | undefined;
	level: LimitStatus | undefined;
	/** The nearest budget (see status-budget.ts), when there are budgets, and its few words for a line. */
	budget?: BudgetState;
	budgetText?: string;
};

/**
 * The status of the block active at `nowMs`. The recent (10-minute) rate needs
 * the block's entries; from a saved summary alone it is null.
 */
export const buildStatus = ({blocks, nowMs, limit, today, week, official, otel}: StatusInput): Status => {
	const last = blocks.findLast(block => !block.isGap);
	const block = last === undefined ? undefined : atTime(last, nowMs, last.endMs - last.startMs);
	const active = block?.isActive === true ? block : undefined;
	const rate = active === undefined ? null : settledBurnRate(active);
	const projection = active === undefined ? null : settledProjection(active, nowMs);
	const all = active === undefined ? 0 : totalTokens(active.tokens);
	let limitTokens: Status['limitTokens'];
	if (active !== undefined && limit !== undefined) {
		const used = tokensForLimit(active, limit);
		// Plan limits count input+output: project those at the block's own ratio.
		const projected = projection === null ? undefined : limit.measure === 'all' || all === 0 ? projection.totalTokens : Math.round((projection.totalTokens * used) / all);
		limitTokens = {used, projected};
	}

	const json: StatusJson = {
		block:
			active === undefined
				? null
				: {
						startTime: new Date(active.startMs).toISOString(),
						endTime: new Date(active.endMs).toISOString(),
						percentElapsed: round(Math.min(100, Math.max(0, ((nowMs - active.startMs) / (active.endMs - active.startMs)) * 100)), 1),
						costUSD: active.costUsd,
						totalTokens: all,
						projectedCostUSD: projection?.totalCost ?? null,
						projectedTokens: projection?.totalTokens ?? null,
						limitTokens: limit?.tokens ?? null,
						limitSource: limit?.label ?? null,
					},
		burnRate:
			active === undefined || rate === null
				? null
				: {
						tokensPerMinute: round(rate.tokensPerMinute, 1),
						costPerHour: round(rate.costPerHour, 4),
						// A block restored from the index summary has totals but no entries.
						recentTokensPerMinute: active.entries.length === active.entryCount ? round(recentBurnRate(active.entries, nowMs).tokensPerMinute, 1) : null,
					},
		official: official === undefined ? null : {fiveHour: officialJson(official.fiveHour), sevenDay: officialJson(official.sevenDay)},
		today: {costUSD: today.costUsd, totalTokens: today.totalTokens},
		week: {costUSD: week.costUsd, totalTokens: week.totalTokens},
		...(otel === undefined ? {} : {otel}),
	};
	return {
		json,
		limitTokens,
		level: limitTokens === undefined || limit === undefined ? undefined : limitStatus(Math.max(limitTokens.used, limitTokens.projected ?? 0), limit.tokens),
	};
};

/**
 * Placeholders for `--template`, each with what it prints. Empty when unknown
 * (no active block, no limit, no recent rate), so a template degrades instead of
 * printing "undefined".
 */
export const templateFields = (status: Status, nowMs: number, localClock: (ms: number) => Date = ms => new Date(ms)): Record<string, string> => {
	const {block, burnRate, today, week} = status.json;
	const limit = block?.limitTokens ?? undefined;
	const percent = (share: number | undefined) => (share === undefined ? '' : `${Math.round(share * 100)}%`);
	const endMs = block === null ? undefined : Date.parse(block.endTime);
	const resetAt = endMs === undefined ? undefined : localClock(endMs);
	return {
		block_pct: block === null ? '' : `${Math.round(block.percentElapsed)}%`,
		cost: block === null ? '' : formatUsd(block.costUSD),
		projected_cost: block?.projectedCostUSD == null ? '' : formatUsd(block.projectedCostUSD),
		tokens: block === null ? '' : formatTokens(status.limitTokens?.used ?? block.totalTokens),
		projected_tokens: status.limitTokens?.projected === undefined ? (block?.projectedTokens == null ? '' : formatTokens(block.projectedTokens)) : formatTokens(status.limitTokens.projected),
		limit: limit === undefined ? '' : formatTokens(limit),
		limit_pct: limit === undefined || status.limitTokens === undefined ? '' : percent(status.limitTokens.used / limit),
		projected_pct: limit === undefined || status.limitTokens?.projected === undefined ? '' : percent(status.limitTokens.projected / limit),
		limit_source: block?.limitSource ?? '',
		burn: burnRate === null ? '' : `${formatUsd(burnRate.costPerHour)}/h`,
		tokens_per_min: burnRate === null ? '' : formatTokens(burnRate.tokensPerMinute),
		recent_tokens_per_min: burnRate?.recentTokensPerMinute == null ? '' : formatTokens(burnRate.recentTokensPerMinute),
		reset: endMs === undefined ? '' : formatDuration(endMs - nowMs),
		reset_at: resetAt === undefined ? '' : clockOf(resetAt),
		today_cost: formatUsd(today.costUSD),
		today_tokens: formatTokens(today.totalTokens),
		week_cost: formatUsd(week.costUSD),
		week_tokens: formatTokens(week.totalTokens),
		lines_added: status.json.otel == null ? '' : String(status.json.otel.linesOfCode.added),
		lines_removed: status.json.otel == null ? '' : String(status.json.otel.linesOfCode.removed),
		commits: status.json.otel == null ? '' : String(status.json.otel.commits),
		pull_requests: status.json.otel == null ? '' : String(status.json.otel.pullRequests),
		api_errors: status.json.otel == null ? '' : String(status.json.otel.apiErrors),
		budget: status.budgetText ?? '',
		budget_pct: status.budget === undefined ? '' : `${Math.floor((status.budget.used / status.budget.limit) * 100)}%`,
	};
};

/** The default line: block %, cost → projected, tokens vs limit, burn, reset. */
export const defaultTemplate = '{block_pct} block · {cost} → {projected_cost} · {tokens}/{limit} tok ({projected_pct} proj) · {burn} · reset {reset}';

/** The built-in line for what is known: no limit, or no projection yet (one request so far). */
const builtInTemplate = (status: Status): string => {
	const {block} = status.json;
	// The nearest budget goes beside the block once it warns: a line stays short while all is well.
	const budget = status.budget !== undefined && status.budget.level !== 'ok' ? ' · {budget}' : '';
	if (block === null) return `no active block · today {today_cost}${budget}`;
	const tokens = block.limitTokens === null ? '{tokens} tok' : '{tokens}/{limit} tok';
	if (block.projectedCostUSD === null) return `{block_pct} block · {cost} · ${tokens} · reset {reset}${budget}`;
	return `${block.limitTokens === null ? `{block_pct} block · {cost} → {projected_cost} · ${tokens} · {burn} · reset {reset}` : defaultTemplate}${budget}`;
};

/** Fill `{name}` placeholders; unknown names stay as written, so typos show. */
export const fillTemplate = (template: string, fields: Record<string, string>): string =>
	template.replaceAll(/\{([a-z_]+)\}/g, (whole, name: string) => fields[name] ?? whole);

/** tmux colours by limit status (green when there is no limit to measure against). */
export const tmuxColor = (level: LimitStatus | undefined): string => (level === undefined ? 'green' : limitStatusColor(level));

/** The one line `cctop status` prints, plain or wrapped in tmux colour codes. */
export const statusLine = (status: Status, {nowMs, format, template, localClock}: {nowMs: number; format: 'plain' | 'tmux'; template?: string; localClock?: (ms: number) => Date}): string => {
	const fields = templateFields(status, nowMs, localClock);
	const line = fillTemplate(template ?? builtInTemplate(status), fields);
	if (format === 'plain') return line;
	// tmux reads #[…] as style: a literal '#' must be doubled.
	// A budget over its limit (or warning) colours the line as a limit would.
	const budgetLevel = status.budget === undefined || status.budget.level === 'ok' ? undefined : status.budget.level === 'over' ? 'red' : 'yellow';
	const color = budgetLevel === 'red' || (budgetLevel === 'yellow' && tmuxColor(status.level) === 'green') ? budgetLevel : tmuxColor(status.level);
	return `#[fg=${color}]${line.replaceAll('#', '##')}#[default]`;
};
