import {memo} from 'react';
import {Text} from 'ink';
import type {DashboardState} from '../core/screens/dashboard.js';
import {formatDuration, formatTokens} from '../core/util/format.js';
import {statusColor, useTheme} from './theme.js';
import {clockTime, firstFit, fit, percent} from './text.js';

export type HeaderProps = {state: DashboardState; width: number};

/** Two rows: the block window and reset countdown, then the limit in use and where it comes from. */
export const Header = memo(({state, width}: HeaderProps) => {
	const theme = useTheme();
	const {block, limit, nowMs} = state;
	const room = width - 8;
	const window =
		block === undefined
			? state.lastActivityMs === undefined
				? 'no activity yet'
				: firstFit(room, `idle · last activity ${formatDuration(nowMs - state.lastActivityMs)} ago`, `idle · last ${formatDuration(nowMs - state.lastActivityMs)} ago`)
			: firstFit(
					room,
					`block ${clockTime(block.startMs)}–${clockTime(block.endMs)} · resets in ${formatDuration(block.remainingMs)}`,
					`${clockTime(block.startMs)}–${clockTime(block.endMs)} · resets ${formatDuration(block.remainingMs)}`,
					`resets ${formatDuration(block.remainingMs)}`,
				);
	let limitTexts = [block === undefined ? `today ${state.today.costUsd > 0 ? `$${state.today.costUsd.toFixed(2)}` : '$0.00'}` : 'limit none · p cycles limit sources', 'limit none · p cycles'];
	let alert = '';
	const {fiveHour, sevenDay} = state.official;
	// Claude Code's own figures come first when it has sent them (via `cctop statusline`).
	const official = [fiveHour === undefined ? '' : `${Math.round(fiveHour.usedPercentage)}% (5h)`, sevenDay === undefined ? '' : `${Math.round(sevenDay.usedPercentage)}% (7d)`].filter(Boolean).join(' · ');
	if (limit !== undefined) {
		const tokens = `limit ${formatTokens(limit.limit.tokens)} tok`;
		// Least important first to go: the limit's source, then the word "official".
		limitTexts = official
			? [`official ${official} · ${tokens} · ${limit.limit.label}`, `official ${official} · ${tokens}`, `${official} · ${tokens}`, official]
			: [`${tokens} · ${limit.limit.label}`, tokens];
		if (limit.alert > 0) {
			// Always says which: what is used already, or where the block is heading.
			const isProjected = limit.usedShare < limit.alert / 100;
			alert = ` ! ${isProjected ? 'projected' : 'used'} ${percent(Math.max(limit.usedShare, limit.projectedShare ?? 0))}`;
		}
	}

	const limitText = firstFit(Math.max(0, width - alert.length - 1), ...limitTexts);

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
					<Text bold color={statusColor(limit!.status, theme)}>
						{alert}
					</Text>
				)}
			</Text>
		</>
	);
});
