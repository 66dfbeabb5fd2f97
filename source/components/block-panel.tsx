import {memo} from 'react';
import {Text} from 'ink';
import type {BlockState, LimitState} from '../core/screens/dashboard.js';
import {formatDuration, formatTokens, formatUsd} from '../core/util/format.js';
import {statusColor, type Color} from './theme.js';
import {bar, clockTime, fit, percent} from './text.js';

export type BlockPanelProps = {block: BlockState; limit: LimitState | undefined; width: number};

const labelWidth = 9;

const BarRow = ({label, share, suffix, width, color}: {label: string; share: number; suffix: string; width: number; color: Color}) => {
	const cells = bar(share, width - labelWidth - 1 - suffix.length);
	return (
		<Text wrap="truncate">
			{fit(` ${label} `, labelWidth)}
			<Text color={color}>{cells.filled}</Text>
			<Text dimColor>{cells.empty}</Text>
			{` ${suffix}`}
		</Text>
	);
};

/** How many rows {@link BlockPanel} draws. */
export const blockPanelRows = (limit: LimitState | undefined): number => (limit === undefined ? 3 : limit.projectedTokens === undefined ? 3 : 4);

/** Time through the block, tokens against the limit with the projection, and cost. */
export const BlockPanel = memo(({block, limit, width}: BlockPanelProps) => {
	const cost = ` cost     ${formatUsd(block.costUsd)}${block.projection ? `  → ${formatUsd(block.projection.costUsd)} at ${clockTime(block.endMs)}` : ''}`;
	return (
		<>
			<BarRow label="time" share={block.elapsedShare} suffix={`${fit(percent(block.elapsedShare), 4, 'right')} ${fit(formatDuration(block.remainingMs), 7, 'right')}`} width={width} color="cyan" />
			{limit === undefined ? (
				<Text wrap="truncate">{fit(` tokens   ${formatTokens(block.totalTokens)}${block.projection ? `  → ${formatTokens(block.projection.totalTokens)}` : ''}`, width)}</Text>
			) : (
				<>
					<BarRow
						label="tokens"
						share={limit.usedShare}
						suffix={`${fit(percent(limit.usedShare), 4, 'right')} ${fit(formatTokens(limit.usedTokens), 7, 'right')}`}
						width={width}
						color={statusColor(limit.usedShare > 1 ? 'exceeds' : limit.usedShare >= 0.8 ? 'warning' : 'ok')}
					/>
					{limit.projectedTokens !== undefined && (
						<BarRow
							label=" → proj"
							share={limit.projectedShare ?? 0}
							suffix={`${fit(percent(limit.projectedShare ?? 0), 4, 'right')} ${fit(formatTokens(limit.projectedTokens), 7, 'right')}`}
							width={width}
							color={statusColor(limit.status)}
						/>
					)}
				</>
			)}
			<Text wrap="truncate">{fit(cost, width)}</Text>
		</>
	);
});
