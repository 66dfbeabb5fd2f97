import {memo} from 'react';
import {Text} from 'ink';
import {auditTallies, type AuditRow} from '../core/otel/audit.js';
import {clockTime, fit} from './text.js';
import {useTheme} from './theme.js';

/** The audit view's filters, cycled with `f`: what a reviewer looks at first. */
export const auditFilters = [
	{name: 'all', keep: () => true},
	{name: 'rejected, blocked, failed', keep: (row: AuditRow) => ['reject', 'block', 'failure', 'failed', 'warn'].includes(row.decision ?? '')},
	{name: 'tool decisions', keep: (row: AuditRow) => row.event === 'tool_decision'},
	{name: 'permissions, auth, MCP, plugins, hooks', keep: (row: AuditRow) => ['permission_mode_changed', 'auth', 'mcp_server_connection', 'plugin_installed', 'plugin_loaded', 'hook_execution_complete'].includes(row.event)},
	{name: 'guard', keep: (row: AuditRow) => row.event === 'guard'},
] as const;

const isAlarm = (row: AuditRow) => ['reject', 'block', 'failure', 'failed'].includes(row.decision ?? '') || (row.event === 'permission_mode_changed' && row.detail.endsWith('bypassPermissions'));

/**
 * Dashboard view 5: today's security trail, newest first (`cctop audit` for
 * other days and the full detail). A title with the filter, one row per event,
 * and at the bottom who did what. Rejections, blocks, failures and a switch to
 * bypassPermissions stand out.
 */
export const AuditView = memo(({events: all, filter, width, rows}: {events: readonly AuditRow[]; filter: number; width: number; rows: number}) => {
	const theme = useTheme();
	const chosen = auditFilters[filter % auditFilters.length]!;
	const shown = all.filter(row => chosen.keep(row));
	const tallies = auditTallies(shown, row => row.user ?? '(unknown user)');
	const summary = tallies
		.slice(0, 2)
		.map(tally => `${tally.key} ${tally.events} ev${tally.rejections > 0 ? ` · ${tally.rejections} rej` : ''}${tally.blocks > 0 ? ` · ${tally.blocks} blk` : ''}${tally.failures > 0 ? ` · ${tally.failures} fail` : ''}${tally.bash > 0 ? ` · ${tally.bash} Bash` : ''}${tally.mcp > 0 ? ` · ${tally.mcp} MCP` : ''}`);
	// The summary gives way first: in a short pane the events matter more.
	const summaryShown = rows >= 6 ? summary : [];
	const listRows = Math.max(0, rows - 1 - summaryShown.length);
	const isWide = width >= 100;
	return (
		<>
			<Text bold wrap="truncate">
				{fit(` audit today · ${chosen.name} (f) · ${shown.length} of ${all.length}`, width)}
			</Text>
			{shown.length === 0 && rows > 1 && <Text dimColor>{fit(all.length === 0 ? ' no events yet today (cctop serve receives them; the guard adds its own)' : ' nothing matches this filter', width)}</Text>}
			{(listRows === 0 ? [] : shown.slice(-listRows))
				.reverse()
				.map((row, index) => {
					const who = isWide ? ` ${fit(row.user ?? '-', 16)} ${fit((row.sessionId ?? '-').slice(0, 8), 8)}` : '';
					// In a side pane (under 60 columns) tool, decision, source and detail run together, so the detail still shows.
					const text =
						width < 60
							? ` ${clockTime(Date.parse(row.timestamp))} ${fit(row.event, 14)} ${[row.tool, row.decision, row.source, row.detail].filter(Boolean).join(' · ')}`
							: ` ${clockTime(Date.parse(row.timestamp))} ${fit(row.event, isWide ? 23 : 14)}${who} ${fit(row.tool ?? '', isWide ? 12 : 8)} ${fit(row.decision ?? '', 7)} ${[row.source, row.detail].filter(Boolean).join(' · ')}`;
					return (
						// Newest first; a row has no identity beyond its position.
						<Text key={index} wrap="truncate" color={isAlarm(row) ? theme.status.exceeds : undefined}>
							{fit(text, width)}
						</Text>
					);
				})}
			{summaryShown.map(line => (
				<Text key={line} dimColor wrap="truncate">
					{fit(` ${line}`, width)}
				</Text>
			))}
		</>
	);
});
