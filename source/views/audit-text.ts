import type {AuditRow, AuditTally} from '../core/otel/audit.js';
import {counted, truncate} from '../core/util/format.js';
import {formatLocalTime} from './report-table.js';

const csvField = (value: string | null): string => (value === null ? '' : /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

const fields = ['timestamp', 'event', 'user', 'sessionId', 'tool', 'decision', 'source', 'detail'] as const;

/** RFC 4180 CSV with a header row: one line per row. */
export const auditCsv = (rows: readonly AuditRow[]): string => `${[fields.join(','), ...rows.map(row => fields.map(field => csvField(row[field])).join(','))].join('\n')}\n`;

/** `--json`: one object per line, the fields in the contract's order. */
export const auditJsonLines = (rows: readonly AuditRow[]): string => rows.map(row => `${JSON.stringify(Object.fromEntries(fields.map(field => [field, row[field]])))}\n`).join('');

const tallyLine = (tally: AuditTally): string =>
	[
		counted(tally.events, 'event'),
		tally.prompts > 0 && counted(tally.prompts, 'prompt'),
		tally.rejections > 0 && `${tally.rejections} rejected`,
		tally.bash > 0 && `${tally.bash} Bash`,
		tally.mcp > 0 && `${tally.mcp} MCP`,
		tally.failures > 0 && counted(tally.failures, 'failure'),
		tally.modeChanges > 0 && counted(tally.modeChanges, 'mode change'),
		tally.blocks > 0 && `${tally.blocks} blocked`,
		tally.warnings > 0 && `${tally.warnings} warned`,
	]
		.filter(Boolean)
		.join(' · ');

/**
 * The trail as text `width` columns wide: a row per event (time, event, who,
 * session, tool, decision, detail cut to fit), then who did what and the
 * events counted by kind, unknown names marked.
 */
export const renderAudit = (
	rows: readonly AuditRow[],
	{byUser, bySession, counts, width}: {byUser: readonly AuditTally[]; bySession: readonly AuditTally[]; counts: ReadonlyArray<{event: string; count: number; isDocumented: boolean}>; width: number},
): string => {
	if (rows.length === 0) return 'No audit events in this range (the spool gets them from `cctop serve`; the guard adds its own).\n';
	// Who and which session take 28 columns: only where the detail still has room.
	const isWide = width >= 130;
	// A side pane (under 80 columns): the date without its year, and tool, decision, source and detail run together.
	const isNarrow = width < 80;
	const lines = rows.map(row => {
		const time = formatLocalTime(Date.parse(row.timestamp));
		if (isNarrow) return truncate(`${time.slice(5)} ${truncate(row.event, 14).padEnd(14)} ${[row.tool, row.decision, row.source, row.detail].filter(Boolean).join(' · ')}`.trimEnd(), width);
		const who = isWide ? `${truncate(row.user ?? '-', 18).padEnd(18)} ${(row.sessionId ?? '-').slice(0, 8).padEnd(8)} ` : '';
		const head = `${time} ${truncate(row.event, 23).padEnd(23)} ${who}${truncate(row.tool ?? '', 12).padEnd(12)} ${truncate(row.decision ?? '', 8).padEnd(8)}`;
		return truncate(`${head} ${[row.source, row.detail].filter(Boolean).join(' · ')}`.trimEnd(), width);
	});
	const header = truncate(isNarrow ? `${'time'.padEnd(11)} ${'event'.padEnd(14)} tool · decision · source · detail` : `${'time'.padEnd(16)} ${'event'.padEnd(23)} ${isWide ? `${'user'.padEnd(18)} ${'session'.padEnd(8)} ` : ''}${'tool'.padEnd(12)} decision source · detail`, width);
	// Sessions by their shortest prefix (8 characters at least) that tells the listed ones apart: what --session takes.
	const listed = bySession.slice(0, 20).map(tally => tally.key);
	let sessionWidth = 8;
	while (sessionWidth < 36 && new Set(listed.map(key => key.slice(0, sessionWidth))).size < listed.length) sessionWidth++;
	const section = (title: string, tallies: readonly AuditTally[], keyWidth: number) => [title, ...tallies.slice(0, 20).map(tally => truncate(`  ${truncate(tally.key, keyWidth).padEnd(keyWidth)} ${tallyLine(tally)}`, width)), ...(tallies.length > 20 ? [`  … and ${tallies.length - 20} more`] : [])];
	const kinds = counts.map(({event, count, isDocumented}) => `${event}${isDocumented ? '' : ' (unknown)'} ${count}`).join(' · ');
	return `${[header, ...lines, '', ...section('by user', byUser, isWide ? 36 : 20), '', ...section('by session', bySession.map(tally => ({...tally, key: tally.key.slice(0, sessionWidth)})), sessionWidth), '', truncate(`events: ${kinds}`, Math.max(width, 40) * 3)].join('\n')}\n`;
};
