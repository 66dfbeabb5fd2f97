import {memo} from 'react';
import {Text} from 'ink';
import type {SessionRow} from '../core/screens/dashboard.js';
import {formatDuration, formatTokens, formatUsd, shortModelName} from '../core/util/format.js';
import {modelColor, useTheme} from './theme.js';
import {age, cell, fit, percent} from './text.js';

export type SessionsPanelProps = {
	title: string;
	sessions: readonly SessionRow[];
	/** Index of the highlighted session, or -1 for none. */
	selected: number;
	modelOrder: readonly string[];
	nowMs: number;
	width: number;
	rows: number;
};

/** The first row to show so that `selected` stays in a window of `capacity` rows. */
export const scrollStart = (selected: number, count: number, capacity: number): number =>
	Math.max(0, Math.min(selected - capacity + 1 > 0 ? selected - capacity + 1 : 0, count - capacity));

/**
 * Sessions, most recent first: project, model, cost, last activity and sidechain
 * share; from 100 columns a short session id (sessions of one project apart),
 * requests, tokens and span. Scrolls with the selection. Every number column
 * starts with a space, so two never run together.
 */
export const SessionsPanel = memo(({title, sessions, selected, modelOrder, nowMs, width, rows}: SessionsPanelProps) => {
	const theme = useTheme();
	if (rows <= 0) return null;
	const hasModel = width >= 46;
	const hasSidechain = width >= 60;
	const isWide = width >= 100;
	const model = hasModel ? 12 : 0;
	const sidechain = hasSidechain ? 8 : 0;
	const id = isWide ? 10 : 0;
	const extra = isWide ? 10 + 9 + 8 : 0;
	const project = Math.max(6, width - 2 - id - model - 10 - 10 - sidechain - extra);
	const capacity = rows - 1;
	const start = scrollStart(selected, sessions.length, capacity);
	const visible = sessions.slice(start, start + capacity);
	const position = sessions.length > capacity && selected >= 0 ? ` ${selected + 1}/${sessions.length}` : sessions.length > capacity ? ` (${sessions.length})` : '';
	return (
		<>
			<Text bold wrap="truncate">
				{fit(
					` ${fit(`${title}${position}`, project + 1)}${isWide ? fit('session', id) : ''}${hasModel ? fit('model', model) : ''}${isWide ? `${cell('requests', 10)}${cell('tokens', 9)}${cell('span', 8)}` : ''}${cell('cost', 10)}${cell('last', 10)}${hasSidechain ? cell('sub', sidechain) : ''}`,
					width,
				)}
			</Text>
			{sessions.length === 0 && capacity > 0 && <Text dimColor>{fit('  none yet', width)}</Text>}
			{visible.map((session, offset) => {
				const isSelected = start + offset === selected;
				return (
					<Text key={session.sessionId} wrap="truncate" inverse={isSelected}>
						{isSelected ? '▸ ' : '  '}
						{fit(session.project, project)}
						{isWide && <Text dimColor={!isSelected}>{fit(` ${session.sessionId.slice(0, 8)}`, id)}</Text>}
						{hasModel && <Text color={modelColor(session.model, modelOrder, theme)}>{fit(` ${shortModelName(session.model)}`, model)}</Text>}
						{isWide && `${cell(String(session.entries), 10)}${cell(formatTokens(session.totalTokens), 9)}${cell(formatDuration(session.lastMs - session.firstMs), 8)}`}
						{cell(formatUsd(session.costUsd), 10)}
						{cell(age(session.lastMs, nowMs, formatDuration), 10)}
						{hasSidechain && cell(session.sidechainShare > 0 ? percent(session.sidechainShare) : '–', sidechain)}
					</Text>
				);
			})}
		</>
	);
});
