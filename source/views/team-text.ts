import type {TeamJson} from '../core/otel/team.js';
import {formatTokens, formatUsd, truncate} from '../core/util/format.js';

/** `cctop team` as text: a row per person (or label), cost first, the share of the team, the budget; the total last. */
export const renderTeam = (report: TeamJson, width: number): string => {
	const keyWidth = Math.max(8, Math.min(32, width - 52));
	const isWide = width >= 100;
	const header = `${'who'.padEnd(keyWidth)} ${'cost'.padStart(10)} ${'share'.padStart(5)} ${'tokens'.padStart(8)} ${'sess'.padStart(4)}${isWide ? `  ${'lines +/-'.padStart(11)} ${'commits'.padStart(7)} ${'PRs'.padStart(3)}` : ''}  budget`;
	const lines = report.rows.map(row => {
		const tokens = row.tokens.input + row.tokens.output + row.tokens.cacheRead + row.tokens.cacheCreation;
		const share = report.totals.costUSD > 0 ? `${Math.round((row.costUSD / report.totals.costUSD) * 100)}%` : '';
		const budget = row.budget === null ? '' : `${row.budget.name} ${Math.floor((row.budget.used / row.budget.limit) * 100)}% ${row.budget.status}`;
		const extra = isWide ? `  ${`${row.linesOfCode.added}/${row.linesOfCode.removed}`.padStart(11)} ${String(row.commits).padStart(7)} ${String(row.pullRequests).padStart(3)}` : '';
		return truncate(`${truncate(row.key, keyWidth).padEnd(keyWidth)} ${formatUsd(row.costUSD).padStart(10)} ${share.padStart(5)} ${formatTokens(tokens).padStart(8)} ${String(row.sessions).padStart(4)}${extra}  ${budget}`.trimEnd(), width);
	});
	const totalTokens = report.totals.tokens.input + report.totals.tokens.output + report.totals.tokens.cacheRead + report.totals.tokens.cacheCreation;
	const total = truncate(`${'total'.padEnd(keyWidth)} ${formatUsd(report.totals.costUSD).padStart(10)} ${''.padStart(5)} ${formatTokens(totalTokens).padStart(8)}`, width);
	const title = truncate(`team by ${report.by} · ${report.period.name} from ${report.period.start.slice(0, 10)} · ${report.source}`, width);
	const note =
		report.unidentified.series > 0
			? [truncate(`${report.unidentified.series} of them without a real identity (${formatUsd(report.unidentified.costUSD)}): an API-key login sends no e-mail; cctop setup --resource-attributes enduser.id=…,team.id=…`, width)]
			: [];
	return `${[title, header, ...(lines.length === 0 ? ['no usage in this period'] : lines), total, ...note].join('\n')}\n`;
};
