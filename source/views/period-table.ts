import type {PeriodKind, PeriodRow} from '../core/screens/periods.js';
import {formatTokens, formatUsd, shortModelName} from '../core/util/format.js';
import {addTokenCounts, emptyTokenCounts, totalTokens, type TokenCounts} from '../core/usage/types.js';
import {paint, type Paint} from './paint.js';

type Column = {title: string; align: 'left' | 'right'; cell: (row: Line) => string};
type Line = {label: string; models: string; tokens: TokenCounts; cost: string; kind: 'row' | 'model' | 'total'};

const grouped = (value: number): string => Math.round(value).toString().replaceAll(/\B(?=(\d{3})+$)/g, ',');

const titles = {daily: 'Date', weekly: 'Week of', monthly: 'Month'} as const;

/**
 * The columns, most important first. At a narrow width the last ones go, whole:
 * a number is never cut, and the period, total and cost always stay.
 */
const columnsFor = (kind: PeriodKind, count: (value: number) => string): Column[] => [
	{title: titles[kind], align: 'left', cell: line => line.label},
	{title: 'Total', align: 'right', cell: line => count(totalTokens(line.tokens))},
	{title: 'Cost', align: 'right', cell: line => line.cost},
	{title: 'Input', align: 'right', cell: line => count(line.tokens.inputTokens)},
	{title: 'Output', align: 'right', cell: line => count(line.tokens.outputTokens)},
	{title: 'Models', align: 'left', cell: line => line.models},
	{title: 'Cache write', align: 'right', cell: line => count(line.tokens.cacheCreationInputTokens)},
	{title: 'Cache read', align: 'right', cell: line => count(line.tokens.cacheReadInputTokens)},
];

/** Where each column sits left to right, whichever of them fit. */
const displayOrder = ['Date', 'Week of', 'Month', 'Models', 'Input', 'Output', 'Cache write', 'Cache read', 'Total', 'Cost'];

const costText = (costUsd: number, isPriced: boolean): string => `${formatUsd(costUsd)}${isPriced ? '' : '*'}`;

/**
 * `cctop daily|weekly|monthly` as a table fitted to `width`: full token counts
 * with separators when they fit, compact ones (`21.1k`) when not, then whole
 * columns dropped from the least important. `--breakdown` adds a line per model.
 */
export const renderPeriodTable = (kind: PeriodKind, rows: readonly PeriodRow[], {width, isBreakdown, isColor}: {width: number; isBreakdown: boolean; isColor: boolean}): string => {
	const ink: Paint = paint(isColor);
	const lines: Line[] = [];
	const total = emptyTokenCounts();
	let totalCost = 0;
	let isAllPriced = true;
	for (const row of rows) {
		const isPriced = [...row.models.values()].every(model => model.isPriced);
		isAllPriced &&= isPriced;
		const shown = [...row.models].filter(([model]) => model !== '<synthetic>' && model !== '');
		lines.push({label: row.period, models: shown.map(([model]) => shortModelName(model)).join(', '), tokens: row.tokens, cost: costText(row.costUsd, isPriced), kind: 'row'});
		if (isBreakdown) {
			for (const [model, totals] of shown.sort(([a, x], [b, y]) => y.costUsd - x.costUsd || a.localeCompare(b))) {
				lines.push({label: `  └ ${shortModelName(model)}`, models: '', tokens: totals.tokens, cost: costText(totals.costUsd, totals.isPriced), kind: 'model'});
			}
		}

		addTokenCounts(total, row.tokens);
		totalCost += row.costUsd;
	}

	lines.push({label: 'Total', models: '', tokens: total, cost: costText(totalCost, isAllPriced), kind: 'total'});
	const fit = (count: (value: number) => string): {columns: Column[]; widths: number[]} | undefined => {
		const all = columnsFor(kind, count);
		for (let keep = all.length; keep >= 3; keep--) {
			const columns = all.slice(0, keep).sort((a, b) => displayOrder.indexOf(a.title) - displayOrder.indexOf(b.title));
			const widths = columns.map(column => Math.max(column.title.length, ...lines.map(line => column.cell(line).length)));
			if (widths.reduce((sum, cell) => sum + cell, 0) + 2 * (columns.length - 1) <= width) return {columns, widths};
		}

		return undefined;
	};

	// Full counts while every column but the cache ones fits; compact ones keep more columns in a narrow pane.
	const full = fit(grouped);
	const layout = (full !== undefined && full.columns.length >= 6 ? full : undefined) ?? fit(formatTokens) ?? full ?? {columns: columnsFor(kind, formatTokens).slice(0, 3), widths: []};
	const widths = layout.widths.length > 0 ? layout.widths : layout.columns.map(column => Math.max(column.title.length, ...lines.map(line => column.cell(line).length)));
	const render = (cells: string[], style: (text: string, index: number) => string = text => text) =>
		cells
			.map((cell, index) => style(layout.columns[index]!.align === 'left' ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!), index))
			.join('  ')
			.trimEnd();
	const header = render(layout.columns.map(column => column.title), text => ink.bold(text));
	const rule = ink.dim('─'.repeat(Math.min(width, widths.reduce((sum, cell) => sum + cell, 0) + 2 * (widths.length - 1))));
	const body = lines.map(line => {
		const cells = layout.columns.map(column => column.cell(line));
		if (line.kind === 'model') return ink.dim(render(cells));
		if (line.kind === 'total') return render(cells, text => ink.bold(text));
		return render(cells, (text, index) => (layout.columns[index]!.title === 'Cost' ? ink.yellow(text) : index === 0 ? ink.cyan(text) : text));
	});
	const out = [header, rule, ...body.slice(0, -1), rule, body.at(-1)!];
	if (!isAllPriced) out.push('* a model without a price: its tokens count, its cost is unknown (shown as $0)');
	return out.join('\n');
};
