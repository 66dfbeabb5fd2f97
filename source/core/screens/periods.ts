import type {PricedEntry} from '../usage/blocks.js';
import {addTokenCounts, emptyTokenCounts, totalTokens, type TokenCounts} from '../usage/types.js';

/** The three calendar reports ccusage users know. */
export type PeriodKind = 'daily' | 'weekly' | 'monthly';

/** One model within a period. */
export type PeriodModel = {tokens: TokenCounts; costUsd: number; isPriced: boolean};

/** One row: a day (`2026-11-26`), a week by its Monday, or a month (`2026-11`). */
export type PeriodRow = {period: string; tokens: TokenCounts; costUsd: number; models: Map<string, PeriodModel>};

/** A zone's calendar: the local date of an instant, as `YYYY-MM-DD`. Undefined zone: this machine's. */
export const localDater = (timeZone?: string): ((ms: number) => string) => {
	const format = new Intl.DateTimeFormat('en-CA', {timeZone, year: 'numeric', month: '2-digit', day: '2-digit'});
	// Zone offsets change on quarter hours at the finest, so one lookup per quarter hour does:
	// Intl formatting costs ~1 µs, and a history holds a million requests.
	const byQuarter = new Map<number, string>();
	return ms => {
		const quarter = Math.floor(ms / 900_000);
		let date = byQuarter.get(quarter);
		if (date === undefined) {
			date = format.format(ms);
			byQuarter.set(quarter, date);
		}

		return date;
	};
};

/** The Monday starting the week of a `YYYY-MM-DD` date (ccusage's weeks run Monday to Sunday). */
export const mondayOf = (date: string): string => {
	const [year, month, day] = date.split('-').map(Number) as [number, number, number];
	const at = new Date(Date.UTC(year, month - 1, day));
	at.setUTCDate(at.getUTCDate() - ((at.getUTCDay() + 6) % 7));
	return at.toISOString().slice(0, 10);
};

const keyOf = (kind: PeriodKind, date: string): string => (kind === 'daily' ? date : kind === 'weekly' ? mondayOf(date) : date.slice(0, 7));

/**
 * Entries summed per period of their local date, in `timeZone`. `sinceDate` and
 * `untilDate` (`YYYY-MM-DD`, inclusive) pick entries by that date, as ccusage
 * does; rows come oldest first. Costs are summed in time order.
 */
export const periodRows = (
	entries: Iterable<PricedEntry>,
	{kind, timeZone, sinceDate, untilDate}: {kind: PeriodKind; timeZone?: string | undefined; sinceDate?: string | undefined; untilDate?: string | undefined},
): PeriodRow[] => {
	const dateOf = localDater(timeZone);
	const rows = new Map<string, PeriodRow>();
	for (const entry of entries) {
		const date = dateOf(entry.timestampMs);
		if ((sinceDate !== undefined && date < sinceDate) || (untilDate !== undefined && date > untilDate)) continue;
		const period = keyOf(kind, date);
		let row = rows.get(period);
		if (row === undefined) {
			row = {period, tokens: emptyTokenCounts(), costUsd: 0, models: new Map()};
			rows.set(period, row);
		}

		addTokenCounts(row.tokens, entry.tokens);
		row.costUsd += entry.costUsd ?? 0;
		let model = row.models.get(entry.model);
		if (model === undefined) {
			model = {tokens: emptyTokenCounts(), costUsd: 0, isPriced: true};
			row.models.set(entry.model, model);
		}

		addTokenCounts(model.tokens, entry.tokens);
		model.costUsd += entry.costUsd ?? 0;
		model.isPriced &&= entry.costUsd !== undefined;
	}

	return [...rows.values()].sort((a, b) => a.period.localeCompare(b.period));
};

/** Rows in the asked order, cut to the most recent `last`. */
export const orderRows = (rows: readonly PeriodRow[], {order, last}: {order: 'asc' | 'desc'; last?: number | undefined}): PeriodRow[] => {
	const recent = last === undefined ? [...rows] : rows.slice(-last);
	return order === 'desc' ? recent.reverse() : recent;
};

const isShown = (model: string): boolean => model !== '<synthetic>' && model !== '';

type TokenFields = {inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number};
const tokenFields = (tokens: TokenCounts): TokenFields => ({
	inputTokens: tokens.inputTokens,
	outputTokens: tokens.outputTokens,
	cacheCreationTokens: tokens.cacheCreationInputTokens,
	cacheReadTokens: tokens.cacheReadInputTokens,
});

/** The models of a row, costliest first (then by name), as `modelBreakdowns`. */
const breakdowns = (row: PeriodRow) =>
	[...row.models]
		.filter(([model]) => isShown(model))
		.sort(([a, x], [b, y]) => y.costUsd - x.costUsd || a.localeCompare(b))
		.map(([modelName, model]) => ({modelName, ...tokenFields(model.tokens), cost: model.costUsd, ...(model.isPriced ? {} : {priced: false as const})}));

/** One row of the JSON: ccusage 20's fields, and `date`, `week` or `month` as ccusage 17 named it. */
export type PeriodJsonRow = TokenFields & {
	period: string;
	date?: string;
	week?: string;
	month?: string;
	totalTokens: number;
	totalCost: number;
	modelsUsed: string[];
	modelBreakdowns: Array<TokenFields & {modelName: string; cost: number; priced?: false}>;
};

/** `{"daily": […], "totals": {…}}` (or `weekly`, `monthly`). */
export type PeriodsJson = Partial<Record<PeriodKind, PeriodJsonRow[]>> & {totals: TokenFields & {totalTokens: number; totalCost: number}};

/** What each row is called besides `period`: ccusage 17 read `date` on daily rows, `week` and `month` on the others. */
const legacyKey = {daily: 'date', weekly: 'week', monthly: 'month'} as const;

/**
 * The JSON of `cctop daily|weekly|monthly --json`: ccusage 20's shape
 * (`{"daily": [{period, …, modelBreakdowns}], "totals": {…}}`), plus `date`,
 * `week` or `month` on each row for scripts written for ccusage 17, and
 * `priced: false` on a model without a price (its cost counts as 0).
 */
export const periodsJson = (kind: PeriodKind, rows: readonly PeriodRow[]): PeriodsJson => {
	const totals = emptyTokenCounts();
	let totalCost = 0;
	for (const row of rows) {
		addTokenCounts(totals, row.tokens);
		totalCost += row.costUsd;
	}

	return {
		[kind]: rows.map(row => ({
			period: row.period,
			[legacyKey[kind]]: row.period,
			...tokenFields(row.tokens),
			totalTokens: totalTokens(row.tokens),
			totalCost: row.costUsd,
			modelsUsed: [...row.models.keys()].filter(isShown).sort(),
			modelBreakdowns: breakdowns(row),
		})),
		totals: {...tokenFields(totals), totalTokens: totalTokens(totals), totalCost},
	};
};
