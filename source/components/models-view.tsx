import {Fragment, memo} from 'react';
import {Text} from 'ink';
import type {ModelUsage} from '../core/screens/dashboard.js';
import {formatTokens, formatUsd, shortModelName} from '../core/util/format.js';
import {modelColor, useTheme} from './theme.js';
import {fit, percent} from './text.js';

export type ModelsViewProps = {models: readonly ModelUsage[]; modelOrder: readonly string[]; width: number; rows: number};

const columns = [
	['in', (row: ModelUsage) => formatTokens(row.inputTokens)],
	['out', (row: ModelUsage) => formatTokens(row.outputTokens)],
	['cw 5m', (row: ModelUsage) => formatTokens(row.cacheWrite5mTokens)],
	['cw 1h', (row: ModelUsage) => formatTokens(row.cacheWrite1hTokens)],
	['cache rd', (row: ModelUsage) => formatTokens(row.cacheReadTokens)],
	['hit', (row: ModelUsage) => percent(row.cacheHitShare)],
	['cost', (row: ModelUsage) => (row.isPriced ? formatUsd(row.costUsd) : '?')],
] as const;

/**
 * Today's tokens by kind per model. Wide: one table row per model. Narrow: two
 * rows per model, so the numbers never get cut.
 */
export const ModelsView = memo(({models, modelOrder, width, rows}: ModelsViewProps) => {
	const theme = useTheme();
	if (rows <= 0) return null;
	const name = 13;
	const isWide = width >= name + 2 + columns.length * 9;
	const perModel = isWide ? 1 : 3;
	const visible = models.slice(0, Math.max(0, Math.floor((rows - 1) / perModel)));
	const cell = (text: string) => fit(text, 9, 'right');
	return (
		<>
			<Text bold wrap="truncate">
				{fit(' models today', isWide ? name + 1 : width)}
				{isWide && columns.map(([label]) => cell(label)).join('')}
			</Text>
			{models.length === 0 && rows > 1 && <Text dimColor>{fit('  no requests today', width)}</Text>}
			{visible.map(row => {
				const color = modelColor(row.model, modelOrder, theme);
				if (isWide) {
					return (
						<Text key={row.model} wrap="truncate">
							<Text color={color}>{` ${fit(shortModelName(row.model), name)}`}</Text>
							{columns.map(([, value]) => cell(value(row))).join('')}
						</Text>
					);
				}

				return (
					<Fragment key={row.model}>
						<Text wrap="truncate">
							<Text color={color}>{fit(` ${shortModelName(row.model)}`, Math.max(8, width - 28))}</Text>
							{fit(row.isPriced ? formatUsd(row.costUsd) : '?', 10, 'right')}
							{fit(`${row.entries} req`, 9, 'right')}
							{fit(`hit ${percent(row.cacheHitShare)}`, 9, 'right')}
						</Text>
						<Text wrap="truncate">{fit(`   in ${formatTokens(row.inputTokens)} · out ${formatTokens(row.outputTokens)} · read ${formatTokens(row.cacheReadTokens)}`, width)}</Text>
						<Text wrap="truncate">{fit(`   cache write ${formatTokens(row.cacheWrite5mTokens)} 5m · ${formatTokens(row.cacheWrite1hTokens)} 1h`, width)}</Text>
					</Fragment>
				);
			})}
		</>
	);
});
