import {memo} from 'react';
import {Text} from 'ink';
import type {BlockState, LimitState} from '../core/screens/dashboard.js';
import type {BudgetState} from '../core/usage/budgets.js';
import {formatDuration, formatTokens, formatUsd} from '../core/util/format.js';
import {statusColor, useTheme, type Color} from './theme.js';
import {bar, clockTime, fit, percent} from './text.js';

export type BlockPanelProps = {block: BlockState; limit: LimitState | undefined; width: number; budget?: BudgetState | undefined};

const labelWidth = 9;

/** A share and an amount after a bar: padded to line up, never cut (a block can reach 1043%). */
const suffixOf = (share: number, amount: string): string => `${percent(share).padStart(4)} ${amount.padStart(7)}`;

const BarRow = ({label, share, suffix, width, color}: {label: string; share: number; suffix: string; width: number; color: Color}) => {
	const theme = useTheme();
	// The bar gives way to the numbers: it shrinks, they stay whole.
	const cells = bar(share, width - labelWidth - 1 - suffix.length, theme.glyphs);
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
export const blockPanelRows = (limit: LimitState | undefined, budget?: BudgetState): number => (limit === undefined ? 3 : limit.projectedTokens === undefined ? 3 : 4) + (budget === undefined ? 0 : 1);

const budgetColor = {ok: 'ok', warn: 'warning', over: 'exceeds'} as const;

/** Time through the block, tokens against the limit with the projection, and cost. */
export const BlockPanel = memo(({block, limit, width, budget}: BlockPanelProps) => {
	const theme = useTheme();
	const cost = ` cost     ${formatUsd(block.costUsd)}${block.projection ? `  → ${formatUsd(block.projection.costUsd)} at ${clockTime(block.endMs)}` : ''}`;
	return (
		<>
			<BarRow label="time" share={block.elapsedShare} suffix={suffixOf(block.elapsedShare, formatDuration(block.remainingMs))} width={width} color="cyan" />
			{limit === undefined ? (
				<Text wrap="truncate">{fit(` tokens   ${formatTokens(block.totalTokens)}${block.projection ? `  → ${formatTokens(block.projection.totalTokens)}` : ''}`, width)}</Text>
			) : (
				<>
					<BarRow
						label="tokens"
						share={limit.usedShare}
						suffix={suffixOf(limit.usedShare, formatTokens(limit.usedTokens))}
						width={width}
						color={statusColor(limit.usedShare > 1 ? 'exceeds' : limit.usedShare >= 0.8 ? 'warning' : 'ok', theme)}
					/>
					{limit.projectedTokens !== undefined && (
						<BarRow
							label=" → proj"
							share={limit.projectedShare ?? 0}
							suffix={suffixOf(limit.projectedShare ?? 0, formatTokens(limit.projectedTokens))}
							width={width}
							color={statusColor(limit.status, theme)}
						/>
					)}
				</>
			)}
			<Text wrap="truncate">{fit(cost, width)}</Text>
			{budget !== undefined && (
				// The nearest budget, named in the label column: its share used, and the amount (projected when it goes further).
				<BarRow
					label={budget.budget.name}
					share={budget.used / budget.limit}
					suffix={suffixOf(budget.used / budget.limit, budget.budget.usd === undefined ? formatTokens(budget.used) : formatUsd(budget.used))}
					width={width}
					color={statusColor(budgetColor[budget.level], theme)}
				/>
			)}
		</>
	);
});
