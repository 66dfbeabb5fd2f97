import {memo} from 'react';
import {Text} from 'ink';
import type {BlockState} from '../core/screens/dashboard.js';
import {settledSpanMs} from '../core/usage/burn-rate.js';
import {formatTokens, formatUsd} from '../core/util/format.js';
import {sparkline} from '../core/util/series.js';
import {levelColor, useTheme} from './theme.js';
import {firstFit, fit} from './text.js';

export type BurnPanelProps = {block: BlockState; width: number};

const rate = (tokensPerMinute: number, costPerHour: number): string => `${formatTokens(tokensPerMinute)} tok/min · ${formatUsd(costPerHour)}/h`;

/** Block-average burn with its level and the last hour's trend, then the last 10 minutes. */
export const BurnPanel = memo(({block, width}: BurnPanelProps) => {
	const theme = useTheme();
	// The average waits for the block's requests to span settledSpanMs (burn-rate.ts), however many there are.
	const waiting = firstFit(width, ` burn    – (after ${settledSpanMs / 60_000} min of requests)`, ` burn – (after ${settledSpanMs / 60_000} min)`);
	const numbers = block.burn === null ? '' : rate(block.burn.tokensPerMinute, block.burn.costPerHour);
	let level = block.burn === null ? '' : ` ${block.level}`;
	// A narrow pane loses the label's padding, then the level word; never a number.
	let average = block.burn === null ? waiting : ` burn    ${numbers}`;
	if (average.length + level.length > width) average = ` burn ${numbers}`;
	if (average.length + level.length > width) level = '';
	const room = width - average.length - level.length - 2;
	// The trend is the first thing to go in a narrow pane; the numbers stay.
	const trend = room >= 6 && block.burn !== null ? sparkline(block.trendUsd.slice(-Math.min(12, room)), undefined, theme.glyphs.spark) : '';
	const recent = ` now 10m ${rate(block.recent.tokensPerMinute, block.recent.costPerHour)}`;
	return (
		<>
			<Text wrap="truncate">
				{average}
				{trend && <Text color="cyan">{`  ${trend}`}</Text>}
				<Text color={levelColor(block.level, theme)}>{level}</Text>
			</Text>
			<Text wrap="truncate">{fit(recent, width)}</Text>
		</>
	);
});
