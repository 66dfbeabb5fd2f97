import type {ReportJson} from '../core/screens/report.js';
import {clockOf, formatDuration, formatTokens, formatUsd, pad2, shortModelName, truncate, wrapText} from '../core/util/format.js';

type Row = {start: string; status: string; models: string; tokens: string; cost: string; isDetail?: boolean; isGap?: boolean};


/** Local wall-clock time, `2026-11-26 14:00`: users read local time, cctop computes in UTC. */
export const formatLocalTime = (ms: number): string => {
	const date = new Date(ms);
	return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${clockOf(date)}`;
};

const blockStatus = (block: ReportJson['blocks'][number], nowMs: number): string => {
	const startMs = Date.parse(block.startTime);
	const endMs = Date.parse(block.endTime);
	if (block.isGap) {
		return `gap ${formatDuration(endMs - startMs)}`;
	}

	if (block.isActive) {
		return `active, ${formatDuration(endMs - nowMs)} left`;
	}

	return formatDuration(Date.parse(block.actualEndTime ?? block.startTime) - startMs);
};

const modelCost = (model: ReportJson['blocks'][number]['perModel'][string]): string =>
	model.priced ? formatUsd(model.costUSD) : 'unpriced';

/**
 * The `cctop report` table, fitted to `width` columns: the models column takes
 * what is left and narrow terminals drop the status and models columns.
 */
export const renderReportTable = (report: ReportJson, options: {width: number; nowMs: number; isBreakdown: boolean}): string => {
	const rows: Row[] = [];
	for (const block of report.blocks) {
		const hasUnpriced = Object.values(block.perModel).some(model => !model.priced);
		rows.push({
			start: formatLocalTime(Date.parse(block.startTime)),
			status: blockStatus(block, options.nowMs),
			models: block.models.map(shortModelName).join(', '),
			tokens: block.isGap ? '' : formatTokens(block.totalTokens),
			cost: block.isGap ? '' : `${formatUsd(block.costUSD)}${hasUnpriced ? '*' : ''}`,
			isGap: block.isGap,
		});
		if (options.isBreakdown && !block.isGap) {
			for (const [model, totals] of Object.entries(block.perModel)) {
				const tokens = totals.inputTokens + totals.outputTokens + totals.cacheCreationInputTokens + totals.cacheReadInputTokens;
				rows.push({start: '', status: '', models: `  ${shortModelName(model)}`, tokens: formatTokens(tokens), cost: modelCost(totals), isDetail: true});
			}
		}
	}

	const header: Row = {start: 'Block start', status: 'Status', models: 'Models', tokens: 'Tokens', cost: 'Cost'};
	const totals: Row = {start: 'Total', status: '', models: '', tokens: formatTokens(report.totals.totalTokens), cost: formatUsd(report.totals.costUSD)};
	const all = [header, ...rows, totals];
	const widthOf = (key: keyof Omit<Row, 'isDetail' | 'isGap'>): number => Math.max(...all.map(row => row[key].length));
	const gap = 2;
	const startWidth = widthOf('start');
	const tokensWidth = widthOf('tokens');
	const costWidth = widthOf('cost');
	let statusWidth = widthOf('status');
	const fixed = startWidth + tokensWidth + costWidth + gap * 2;
	if (fixed + statusWidth + gap + 10 + gap > options.width) {
		statusWidth = 0;
	}

	const left = options.width - fixed - (statusWidth > 0 ? statusWidth + gap : 0) - gap;
	const gapLabels = statusWidth === 0 ? rows.filter(row => row.isGap).map(row => row.status.length) : [];
	const modelsWidth = left >= 8 ? Math.min(left, Math.max(widthOf('models'), ...gapLabels)) : 0;

	const line = (row: Row): string => {
		const cells = [row.start.padEnd(startWidth)];
		if (statusWidth > 0) cells.push(row.status.padEnd(statusWidth));
		// Without a status column a gap row would be a bare date: say what it is where the models go.
		const models = row.isGap && statusWidth === 0 ? row.status : row.models;
		if (modelsWidth > 0) cells.push(truncate(models, modelsWidth).padEnd(modelsWidth));
		cells.push(row.tokens.padStart(tokensWidth), row.cost.padStart(costWidth));
		return cells.join(' '.repeat(gap)).trimEnd();
	};

	const rule = '─'.repeat(Math.min(options.width, line(header).length));
	const out = [line(header), rule, ...rows.map(line), rule, line(totals)];
	const notes: string[] = [];
	if (report.diagnostics.unknownModels.length > 0) {
		notes.push(`* unpriced models (tokens counted, cost unknown): ${report.diagnostics.unknownModels.join(', ')}`);
	}

	const active = report.blocks.find(block => block.isActive);
	if (active?.projection) {
		notes.push(`Active block: ${formatUsd(active.costUSD)} so far → ${formatUsd(active.projection.totalCost)} projected, ${formatTokens(active.projection.totalTokens)} tokens by ${formatLocalTime(Date.parse(active.endTime)).slice(11)}`);
	}

	if (active?.tokenLimitStatus && report.limit) {
		const status = active.tokenLimitStatus;
		notes.push(`Limit: ${formatTokens(status.used)} of ${formatTokens(status.limit)} (${status.percentUsed.toFixed(0)}%, ${report.limit.label})${status.status === 'ok' ? '' : `, projected ${status.status === 'exceeds' ? 'to exceed it' : 'past 80%'}`}`);
	}

	return [...out, ...notes.flatMap(note => wrapText(note, options.width))].join('\n');
};
