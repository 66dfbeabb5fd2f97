import {clockOf, formatTokens, formatUsd, pad2} from '../core/util/format.js';
import type {Weekly} from '../core/usage/weekly.js';

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const dayLabel = (ms: number): string => {
	const date = new Date(ms);
	return `${weekdays[date.getDay()]} ${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
};

/** `cctop report --weekly`: a row per local day, the 7-day total, and the official 7-day usage when known. */
export const renderWeeklyTable = (weekly: Weekly): string => {
	const row = (label: string, entries: number, tokens: number, costUsd: number) =>
		`${label.padEnd(12)}${String(entries).padStart(9)}${formatTokens(tokens).padStart(9)}${formatUsd(costUsd).padStart(11)}`;
	const lines = [`${'day'.padEnd(12)}${'requests'.padStart(9)}${'tokens'.padStart(9)}${'cost'.padStart(11)}`];
	for (const day of weekly.days) lines.push(row(dayLabel(day.startMs), day.entries, day.totalTokens, day.costUsd));
	lines.push('─'.repeat(41), row('7 days', weekly.total.entries, weekly.total.totalTokens, weekly.total.costUsd));
	if (weekly.official !== undefined) {
		lines.push(`official 7-day usage: ${Math.round(weekly.official.usedPercentage)}% (Claude Code, resets ${dayLabel(weekly.official.resetsAtMs)} ${clockOf(new Date(weekly.official.resetsAtMs))})`);
	}

	return lines.join('\n');
};
