import {memo} from 'react';
import {Text} from 'ink';
import type {DashboardState} from '../core/screens/dashboard.js';
import {formatDuration, formatTokens} from '../core/util/format.js';
import {statusColor} from './theme.js';
import {clockTime, fit, percent} from './text.js';

export type HeaderProps = {state: DashboardState; width: number};

/** Two rows: the block window and reset countdown, then the limit in use and where it comes from. */
export const Header = memo(({state, width}: HeaderProps) => {
	const {block, limit, nowMs} = state;
	const window =
		block === undefined
			? state.lastActivityMs === undefined
				? 'no activity yet'
				: `idle · last activity ${formatDuration(nowMs - state.lastActivityMs)} ago`
			: `block ${clockTime(block.startMs)}–${clockTime(block.endMs)} · resets in ${formatDuration(block.remainingMs)}`;
	let limitText = block === undefined ? `today ${state.today.costUsd > 0 ? `$${state.today.costUsd.toFixed(2)}` : '$0.00'}` : 'limit none · p cycles limit sources';
	let alert = '';
	const {fiveHour, sevenDay} = state.official;
	// Claude Code's own figures come first when it has sent them (via `cctop statusline`).
	const official = [fiveHour === undefined ? '' : `${Math.round(fiveHour.usedPercentage)}% (5h)`, sevenDay === undefined ? '' : `${Math.round(sevenDay.usedPercentage)}% (7d)`].filter(Boolean).join(' · ');
	if (limit !== undefined) {
		limitText = `${official ? `official ${official} · ` : ''}limit ${formatTokens(limit.limit.tokens)} tok · ${limit.limit.label}`;
		if (limit.alert > 0) {
			const isProjected = limit.usedShare < limit.alert / 100;
			alert = ` ! ${isProjected ? 'projected ' : ''}${percent(Math.max(limit.usedShare, limit.projectedShare ?? 0))}`;
		}
	}

	return (
		<>
			<Text wrap="truncate">
				<Text bold inverse>
					{' cctop '}
				</Text>
				{fit(` ${window}`, width - 7)}
			</Text>
			<Text wrap="truncate">
				{fit(` ${limitText}`, Math.max(0, width - alert.length))}
				{alert && (
					<Text bold color={statusColor(limit!.status)}>
						{alert}
					</Text>
				)}
			</Text>
		</>
	);
});
