import {hourMs, type PricedEntry} from '../core/blocks.js';
import {limitChoices} from '../core/limits.js';
import {buildStatus, statusLine} from '../core/status.js';
import {totalTokens} from '../core/types.js';
import type {Options} from '../options.js';
import {openUsageFor} from './usage-for.js';

const dayMs = 24 * hourMs;

/** Local midnight before `nowMs`. */
const localDayStartMs = (nowMs: number): number => {
	const date = new Date(nowMs);
	date.setHours(0, 0, 0, 0);
	return date.getTime();
};

const sumSince = (entries: readonly PricedEntry[], sinceMs: number, nowMs: number) => {
	let costUsd = 0;
	let tokens = 0;
	for (const entry of entries) {
		if (entry.timestampMs < sinceMs || entry.timestampMs > nowMs) continue;
		costUsd += entry.costUsd ?? 0;
		tokens += totalTokens(entry.tokens);
	}

	return {costUsd, totalTokens: tokens};
};

/**
 * `cctop status`: one line about the active block, for tmux. The default line
 * comes from the index summary plus appended bytes (no React, no zod when
 * nothing is new). Today's and the week's totals need entries, so `--format
 * json` and templates that use them read the index body too.
 */
export const runStatus = async (options: Options): Promise<number> => {
	const clock = () => options.now ?? Date.now();
	const needsPeriods = options.format === 'json' || /\{(?:today|week)_/.test(options.template ?? '');
	const usage = await openUsageFor({...options, quiet: true}, clock, {isSummaryEnough: !needsPeriods});
	const nowMs = clock();
	const weekStartMs = nowMs - 7 * dayMs;
	const view = usage.view(needsPeriods ? weekStartMs : undefined);
	const entries = needsPeriods ? view.blocks.filter(block => block.endMs > weekStartMs).flatMap(block => block.entries) : [];
	const status = buildStatus({
		blocks: view.blocks,
		nowMs,
		limit: limitChoices(view.blocks, options.tokenLimit, options.plan)[0],
		today: sumSince(entries, localDayStartMs(nowMs), nowMs),
		week: sumSince(entries, weekStartMs, nowMs),
	});
	await usage.save();
	if (options.format === 'json') {
		process.stdout.write(`${JSON.stringify(status.json)}\n`);
		return 0;
	}

	process.stdout.write(`${statusLine(status, {nowMs, format: options.format, template: options.template})}\n`);
	return 0;
};
