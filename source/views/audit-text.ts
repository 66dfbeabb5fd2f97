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
	// A side pane (under 80 columns) gets the date without its year and shorter columns.
	const isNarrow = width < 80;
	const [eventWidth, toolWidth, decisionWidth] = isNarrow ? [16, 10, 7] : [23, 12, 8];
	const when = (ms: number) => (isNarrow ? formatLocalTime(ms).slice(5) : formatLocalTime(ms));
	const lines = rows.map(row => {
		const who = isWide ? `${truncate(row.user ?? '-', 18).padEnd(18)} ${(row.sessionId ?? '-').slice(0, 8).padEnd(8)} ` : '';
		const head = `${when(Date.parse(row.timestamp))} ${truncate(row.event, eventWidth).padEnd(eventWidth)} ${who}${truncate(row.tool ?? '', toolWidth).padEnd(toolWidth)} ${truncate(row.decision ?? '', decisionWidth).padEnd(decisionWidth)}`;
		return truncate(`${head} ${[row.source, row.detail].filter(Boolean).join(' · ')}`.trimEnd(), width);
	});
	const header = truncate(`${'time'.padEnd(isNarrow ? 11 : 16)} ${'event'.padEnd(eventWidth)} ${isWide ? `${'user'.padEnd(18)} ${'session'.padEnd(8)} ` : ''}${'tool'.padEnd(toolWidth)} ${(isNarrow ? 'decided' : 'decision')} source · detail`, width);
	const section = (title: string, tallies: readonly AuditTally[]) => [title, ...tallies.slice(0, 20).map(tally => truncate(`  ${tally.key.padEnd(isWide ? 36 : 20)} ${tallyLine(tally)}`, width)), ...(tallies.length > 20 ? [`  … and ${tallies.length - 20} more`] : [])];
	const kinds = counts.map(({event, count, isDocumented}) => `${event}${isDocumented ? '' : ' (unknown)'} ${count}`).join(' · ');
	return `${[header, ...lines, '', ...section('by user', byUser), '', ...section('by session', bySession), '', truncate(`events: ${kinds}`, Math.max(width, 40) * 3)].join('\n')}\n`;
};
