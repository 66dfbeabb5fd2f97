import {memo} from 'react';
import {Text} from 'ink';
import type {SessionRow} from '../core/screens/dashboard.js';
import {formatDuration, formatUsd, shortModelName} from '../core/util/format.js';
import {modelColor} from './theme.js';
import {age, fit, percent} from './text.js';

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

/** Sessions, most recent first: project, model, cost, last activity and sidechain share; scrolls with the selection. */
export const SessionsPanel = memo(({title, sessions, selected, modelOrder, nowMs, width, rows}: SessionsPanelProps) => {
	if (rows <= 0) return null;
	const hasModel = width >= 46;
	const hasSidechain = width >= 60;
	const model = hasModel ? 12 : 0;
	const sidechain = hasSidechain ? 8 : 0;
	const project = Math.max(6, width - 2 - model - 9 - 9 - sidechain);
	const capacity = rows - 1;
	const start = scrollStart(selected, sessions.length, capacity);
	const visible = sessions.slice(start, start + capacity);
	const position = sessions.length > capacity && selected >= 0 ? ` ${selected + 1}/${sessions.length}` : sessions.length > capacity ? ` (${sessions.length})` : '';
	return (
		<>
			<Text bold wrap="truncate">
				{fit(` ${fit(`${title}${position}`, project + 1)}${hasModel ? fit('model', model) : ''}${fit('cost', 9, 'right')}${fit('last', 9, 'right')}${hasSidechain ? fit('sub', sidechain, 'right') : ''}`, width)}
			</Text>
			{sessions.length === 0 && capacity > 0 && <Text dimColor>{fit('  none yet', width)}</Text>}
			{visible.map((session, offset) => {
				const isSelected = start + offset === selected;
				return (
					<Text key={session.sessionId} wrap="truncate" inverse={isSelected}>
						{isSelected ? '▸ ' : '  '}
						{fit(session.project, project)}
						{hasModel && <Text color={modelColor(session.model, modelOrder)}>{fit(` ${shortModelName(session.model)}`, model)}</Text>}
						{fit(formatUsd(session.costUsd), 9, 'right')}
						{fit(age(session.lastMs, nowMs, formatDuration), 9, 'right')}
						{hasSidechain && fit(session.sidechainShare > 0 ? percent(session.sidechainShare) : '–', sidechain, 'right')}
					</Text>
				);
			})}
		</>
	);
});
