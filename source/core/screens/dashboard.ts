import type {Budget} from '../config/budgets-schema.js';
import {budgetState, linearProjection, nearestBudget, type BudgetState} from '../usage/budgets.js';
import {atTime, type Block, type PricedEntry} from '../usage/blocks.js';
import {recentBurnRate, settledBurnRate, settledProjection, type BurnRate} from '../usage/burn-rate.js';
import {limitStatus, tokensForLimit, type LimitStatus, type TokenLimit} from '../usage/limits.js';
import {bucketize, cumulative} from '../util/series.js';
import {counted} from '../util/format.js';
import {currentWindows, type OfficialWindow} from '../usage/official-windows.js';
import {addTokenCounts, emptyTokenCounts, totalTokens, type TokenCounts, type UsageEvent} from '../usage/types.js';

/** ccusage's indicator thresholds, on input+output tokens per minute. */
export type BurnLevel = 'normal' | 'moderate' | 'high';
/** The highest limit threshold crossed, actual or projected (percent). */
export type AlertLevel = 0 | 80 | 90 | 100;

/** Dashboard series use 5-minute buckets; views merge them to fit their width. */
export const bucketMs = 5 * 60_000;
const trendBuckets = 12;

export type ModelRow = {
	model: string;
	costUsd: number;
	/** Share of the block's cost (0–1); of its tokens when nothing is priced. */
	share: number;
	totalTokens: number;
	isPriced: boolean;
	/** Cost per 5-minute bucket from the block start to now. */
	costSeries: number[];
	/** Cumulative cost per bucket, for the line chart. */
	cumulativeUsd: number[];
};

export type BlockState = {
	id: string;
	startMs: number;
	endMs: number;
	/** Share of the block's time gone (0–1). */
	elapsedShare: number;
	remainingMs: number;
	costUsd: number;
	tokens: TokenCounts;
	totalTokens: number;
	projection: {totalTokens: number; costUsd: number} | null;
	/** Block average from first to last entry; null until two entries span time. */
	burn: BurnRate | null;
	/** The last 10 minutes. */
	recent: BurnRate;
	level: BurnLevel;
	/** Cost per 5-minute bucket over the last hour, oldest first. */
	trendUsd: number[];
	models: ModelRow[];
};

export type LimitState = {
	limit: TokenLimit;
	usedTokens: number;
	projectedTokens: number | undefined;
	usedShare: number;
	projectedShare: number | undefined;
	status: LimitStatus;
	alert: AlertLevel;
};

export type SessionRow = {
	sessionId: string;
	project: string;
	/** The model that cost the most in the session. */
	model: string;
	costUsd: number;
	totalTokens: number;
	entries: number;
	firstMs: number;
	lastMs: number;
	/** Share of the session's cost spent in sidechains (subagents), 0–1. */
	sidechainShare: number;
};

export type ModelUsage = {
	model: string;
	entries: number;
	inputTokens: number;
	outputTokens: number;
	cacheWrite5mTokens: number;
	cacheWrite1hTokens: number;
	cacheReadTokens: number;
	costUsd: number;
	isPriced: boolean;
	/** Cache reads over all input-side tokens (input + cache writes + reads), 0–1. */
	cacheHitShare: number;
};

export type EventRow = {timestampMs: number | undefined; kind: 'rate_limit' | 'api_error' | 'unknown_model' | 'skipped'; text: string};

export type DashboardState = {
	nowMs: number;
	/** The active block; undefined when nothing ran in the last session length. */
	block: BlockState | undefined;
	limit: LimitState | undefined;
	/** When the last entry was seen (for the idle state). */
	lastActivityMs: number | undefined;
	/** Sessions in the active block, most recent first. */
	blockSessions: SessionRow[];
	/** Sessions since the day started, most recent first. */
	sessions: SessionRow[];
	/** Per-model usage since the day started, costliest first. */
	models: ModelUsage[];
	today: {costUsd: number; totalTokens: number};
	events: EventRow[];
	/** Every model shown anywhere, sorted: a model's position picks its colour in every panel. */
	modelOrder: string[];
	/** Claude Code's own 5-hour and 7-day usage, windows not yet reset. */
	official: {fiveHour: OfficialWindow | undefined; sevenDay: OfficialWindow | undefined};
	/** The block or day budget nearest its wall (see the budgets file); undefined without one. */
	budget: BudgetState | undefined;
};

export type DashboardInput = {
	blocks: readonly Block[];
	events: readonly UsageEvent[];
	unknownModels: readonly string[];
	counters: {invalidLines: number};
	unreadablePaths: number;
	limit: TokenLimit | undefined;
	nowMs: number;
	/** Local midnight: "today" for the sessions and models views. */
	dayStartMs: number;
	/** The newest official reading `cctop statusline` recorded, if any. */
	official?: {fiveHour: OfficialWindow | undefined; sevenDay: OfficialWindow | undefined} | undefined;
	/** Local budgets to show beside the block: block and day ones (the others need more history than the dashboard keeps). */
	budgets?: readonly Budget[] | undefined;
	/** Local midnight after `nowMs`: when a day budget resets. */
	dayEndMs?: number | undefined;
};

export const burnLevel = (rate: BurnRate | null): BurnLevel => {
	const perMinute = rate?.tokensPerMinuteForIndicator ?? 0;
	if (perMinute > 1000) return 'high';
	return perMinute > 500 ? 'moderate' : 'normal';
};

export const alertLevel = (share: number): AlertLevel => {
	if (share >= 1) return 100;
	if (share >= 0.9) return 90;
	return share >= 0.8 ? 80 : 0;
};

const modelRows = (block: Block, nowMs: number): ModelRow[] => {
	const buckets = Math.max(1, Math.ceil((Math.min(nowMs, block.endMs) - block.startMs) / bucketMs));
	const blockTokens = totalTokens(block.tokens);
	return [...block.perModel]
		.filter(([model]) => model !== '<synthetic>')
		.map(([model, totals]) => {
			const costSeries = bucketize(
				block.entries.filter(entry => entry.model === model),
				block.startMs,
				bucketMs,
				buckets,
				entry => entry.costUsd ?? 0,
			);
			const tokens = totalTokens(totals);
			return {
				model,
				costUsd: totals.costUsd,
				share: block.costUsd > 0 ? totals.costUsd / block.costUsd : blockTokens > 0 ? tokens / blockTokens : 0,
				totalTokens: tokens,
				isPriced: totals.isPriced,
				costSeries,
				cumulativeUsd: cumulative(costSeries),
			};
		})
		.sort((a, b) => b.costUsd - a.costUsd || b.totalTokens - a.totalTokens || a.model.localeCompare(b.model));
};

const blockState = (block: Block, nowMs: number): BlockState => {
	const burn = settledBurnRate(block);
	const projection = settledProjection(block, nowMs);
	const trendStartMs = nowMs - trendBuckets * bucketMs;
	return {
		id: block.id,
		startMs: block.startMs,
		endMs: block.endMs,
		elapsedShare: Math.min(1, Math.max(0, (nowMs - block.startMs) / (block.endMs - block.startMs))),
		remainingMs: Math.max(0, block.endMs - nowMs),
		costUsd: block.costUsd,
		tokens: block.tokens,
		totalTokens: totalTokens(block.tokens),
		projection: projection === null ? null : {totalTokens: projection.totalTokens, costUsd: projection.totalCost},
		burn,
		recent: recentBurnRate(block.entries, nowMs),
		level: burnLevel(burn),
		trendUsd: bucketize(block.entries, trendStartMs, bucketMs, trendBuckets, entry => entry.costUsd ?? 0),
		models: modelRows(block, nowMs),
	};
};

const limitState = (block: Block, state: BlockState, limit: TokenLimit): LimitState => {
	const usedTokens = tokensForLimit(block, limit);
	// Plan limits count input+output: project those at the block's own ratio.
	const projectedTokens =
		state.projection === null ? undefined : limit.measure === 'all' || state.totalTokens === 0 ? state.projection.totalTokens : Math.round((state.projection.totalTokens * usedTokens) / state.totalTokens);
	const usedShare = usedTokens / limit.tokens;
	const projectedShare = projectedTokens === undefined ? undefined : projectedTokens / limit.tokens;
	return {
		limit,
		usedTokens,
		projectedTokens,
		usedShare,
		projectedShare,
		status: limitStatus(Math.max(usedTokens, projectedTokens ?? 0), limit.tokens),
		alert: alertLevel(Math.max(usedShare, projectedShare ?? 0)),
	};
};

/** Sessions among `entries`, most recent first. */
export const sessionRows = (entries: readonly PricedEntry[]): SessionRow[] => {
	const sessions = new Map<string, SessionRow & {costByModel: Map<string, number>; sidechainUsd: number; sidechainEntries: number}>();
	for (const entry of entries) {
		const id = entry.sessionId ?? '(no session)';
		let row = sessions.get(id);
		if (row === undefined) {
			row = {sessionId: id, project: entry.project, model: entry.model, costUsd: 0, totalTokens: 0, entries: 0, firstMs: entry.timestampMs, lastMs: entry.timestampMs, sidechainShare: 0, costByModel: new Map(), sidechainUsd: 0, sidechainEntries: 0};
			sessions.set(id, row);
		}

		const costUsd = entry.costUsd ?? 0;
		row.costUsd += costUsd;
		row.totalTokens += totalTokens(entry.tokens);
		row.entries++;
		row.firstMs = Math.min(row.firstMs, entry.timestampMs);
		row.lastMs = Math.max(row.lastMs, entry.timestampMs);
		if (entry.model !== '<synthetic>') row.costByModel.set(entry.model, (row.costByModel.get(entry.model) ?? 0) + costUsd + 1e-12);
		if (entry.isSidechain) {
			row.sidechainUsd += costUsd;
			row.sidechainEntries++;
		}
	}

	return [...sessions.values()]
		.map(({costByModel, sidechainUsd, sidechainEntries, ...row}) => ({
			...row,
			model: [...costByModel].sort((a, b) => b[1] - a[1])[0]?.[0] ?? row.model,
			sidechainShare: row.costUsd > 0 ? sidechainUsd / row.costUsd : sidechainEntries / row.entries,
		}))
		.sort((a, b) => b.lastMs - a.lastMs || a.sessionId.localeCompare(b.sessionId));
};

/** Per-model tokens by kind and cost among `entries`, costliest first. */
export const modelUsage = (entries: readonly PricedEntry[]): ModelUsage[] => {
	const models = new Map<string, ModelUsage>();
	for (const entry of entries) {
		if (entry.model === '<synthetic>') continue;
		let row = models.get(entry.model);
		if (row === undefined) {
			row = {model: entry.model, entries: 0, inputTokens: 0, outputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0, costUsd: 0, isPriced: true, cacheHitShare: 0};
			models.set(entry.model, row);
		}

		row.entries++;
		row.inputTokens += entry.tokens.inputTokens;
		row.outputTokens += entry.tokens.outputTokens;
		row.cacheWrite1hTokens += entry.cacheCreation1hTokens;
		row.cacheWrite5mTokens += entry.tokens.cacheCreationInputTokens - entry.cacheCreation1hTokens;
		row.cacheReadTokens += entry.tokens.cacheReadInputTokens;
		row.costUsd += entry.costUsd ?? 0;
		row.isPriced &&= entry.costUsd !== undefined;
	}

	return [...models.values()]
		.map(row => {
			const inputSide = row.inputTokens + row.cacheWrite5mTokens + row.cacheWrite1hTokens + row.cacheReadTokens;
			return {...row, cacheHitShare: inputSide > 0 ? row.cacheReadTokens / inputSide : 0};
		})
		.sort((a, b) => b.costUsd - a.costUsd || a.model.localeCompare(b.model));
};

/** `API Error: 529 {"type":"error","error":{…,"message":"Overloaded"}}` → `API Error: 529 Overloaded`. */
export const eventMessage = (message: string): string => {
	const flat = message.replaceAll(/\s+/g, ' ').trim().replace(/^API Error:\s*/i, '');
	const inner = /"message"\s*:\s*"([^"]+)"/.exec(flat)?.[1];
	const status = /^(.*?\b\d{3})\b\s*\{/.exec(flat)?.[1];
	return inner !== undefined && status !== undefined ? `${status} ${inner}` : flat;
};

const eventRows = (input: DashboardInput): EventRow[] => {
	// A resumed session copies its history, API errors included, with their timestamps: show each once.
	const seen = new Set<string>();
	const rows: EventRow[] = [...input.events]
		.sort((a, b) => b.timestampMs - a.timestampMs)
		.filter(event => {
			const key = `${event.kind}\u0000${event.timestampMs}\u0000${event.message}`;
			if (seen.has(key)) return false;
			seen.add(key);
			return true;
		})
		.map(event => ({timestampMs: event.timestampMs, kind: event.kind, text: `${event.kind === 'rate_limit' ? 'limit hit' : 'API error'}${event.project ? ` (${event.project})` : ''}: ${eventMessage(event.message)}`}));
	for (const model of input.unknownModels) rows.push({timestampMs: undefined, kind: 'unknown_model', text: `no price for ${model}: its cost shows as unknown (--pricing FILE)`});
	const skipped: string[] = [];
	if (input.counters.invalidLines > 0) skipped.push(counted(input.counters.invalidLines, 'invalid line'));
	if (input.unreadablePaths > 0) skipped.push(counted(input.unreadablePaths, 'unreadable path'));
	if (skipped.length > 0) rows.push({timestampMs: undefined, kind: 'skipped', text: `skipped ${skipped.join(', ')} (cctop report --json → diagnostics)`});
	return rows;
};

/** Everything the live dashboard shows, from the usage now. Pure: the clock comes in as `nowMs`. */
export const buildDashboard = (input: DashboardInput): DashboardState => {
	const {blocks, nowMs, dayStartMs} = input;
	// `isActive` was set when the blocks were grouped; the clock has moved since.
	const last = blocks.findLast(block => !block.isGap);
	const current = last === undefined ? undefined : atTime(last, nowMs, last.endMs - last.startMs);
	const active = current?.isActive ? current : undefined;
	const block = active === undefined ? undefined : blockState(active, nowMs);
	const dayEntries: PricedEntry[] = [];
	for (const candidate of blocks) {
		if (candidate.endMs <= dayStartMs) continue;
		for (const entry of candidate.entries) if (entry.timestampMs >= dayStartMs && entry.timestampMs <= nowMs) dayEntries.push(entry);
	}

	const models = modelUsage(dayEntries);
	const today = {costUsd: 0, totalTokens: 0};
	const counts = emptyTokenCounts();
	for (const entry of dayEntries) {
		today.costUsd += entry.costUsd ?? 0;
		addTokenCounts(counts, entry.tokens);
	}

	today.totalTokens = totalTokens(counts);
	const modelOrder = [...new Set([...models.map(row => row.model), ...(block?.models.map(row => row.model) ?? [])])].sort();
	const dayEndMs = input.dayEndMs ?? dayStartMs + 86_400_000;
	const budgetStates = (input.budgets ?? []).flatMap(budget => {
		if (budget.scope !== 'local') return [];
		if (budget.period === 'day') return [budgetState(budget, {...today, projected: linearProjection(today, dayStartMs, dayEndMs, nowMs), resetsAtMs: dayEndMs})];
		if (budget.period !== 'block') return [];
		const usage = active === undefined ? {costUsd: 0, totalTokens: 0} : {costUsd: active.costUsd, totalTokens: totalTokens(active.tokens), projected: block?.projection ?? undefined, resetsAtMs: active.endMs};
		return [budgetState(budget, usage)];
	});
	return {
		nowMs,
		block,
		limit: active === undefined || block === undefined || input.limit === undefined ? undefined : limitState(active, block, input.limit),
		lastActivityMs: last?.actualEndMs,
		budget: nearestBudget(budgetStates),
		blockSessions: active === undefined ? [] : sessionRows(active.entries),
		sessions: sessionRows(dayEntries),
		models,
		today,
		events: eventRows(input),
		modelOrder,
		official: currentWindows(input.official, nowMs),
	};
};
