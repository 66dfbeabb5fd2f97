import {memo, useMemo} from 'react';
import {Text} from 'ink';
import asciichart from 'asciichart';
import type {ModelRow} from '../core/screens/dashboard.js';
import {shortModelName} from '../core/util/format.js';
import {downsample, labelDecimals, stretch} from '../core/util/series.js';
import {chartColor, modelColor, themes, useTheme, type Theme} from './theme.js';
import {fit} from './text.js';

export type CostChartProps = {models: readonly ModelRow[]; modelOrder: readonly string[]; width: number; rows: number; isColor: boolean};

const labelWidth = 8;

/** Chart lines for cumulative cost per model, `rows - 2` high (room for the title and legend), each at most `width` columns. */
export const chartLines = (models: readonly ModelRow[], modelOrder: readonly string[], width: number, rows: number, isColor: boolean, theme: Theme = themes.dark): string[] => {
	const plotted = models.filter(model => model.costUsd > 0);
	if (plotted.length === 0 || rows < 4) return [];
	const seriesWidth = Math.max(2, width - labelWidth - 3);
	// A wide pane gets a wide chart: the buckets are stretched to the room there is.
	const series = plotted.map(model => stretch(downsample(model.cumulativeUsd, seriesWidth, 'last'), seriesWidth));
	const height = rows - 3;
	const max = Math.max(...series.flat());
	const decimals = labelDecimals(max, height);
	const chart = asciichart.plot(series, {
		// Title and legend take two rows; asciichart draws height + 1.
		height,
		min: 0,
		padding: ' '.repeat(labelWidth),
		format: (value: number) => fit(`$${value.toFixed(decimals)}`, labelWidth, 'right'),
		colors: isColor ? plotted.map(model => chartColor(modelColor(model.model, modelOrder, theme))) : [],
	});
	return chart.split('\n');
};

/** An asciichart of cumulative cost per model across the block, with a legend coloured like the model rows. */
export const CostChart = memo(({models, modelOrder, width, rows, isColor}: CostChartProps) => {
	const theme = useTheme();
	const lines = useMemo(() => chartLines(models, modelOrder, width, rows, isColor, theme), [models, modelOrder, width, rows, isColor, theme]);
	if (rows <= 0) return null;
	if (lines.length === 0) return <Text dimColor>{fit(' cumulative cost per model: no cost yet', width)}</Text>;
	return (
		<>
			<Text bold wrap="truncate">
				{fit(' cumulative cost per model', width)}
			</Text>
			{lines.map((line, index) => (
				// Chart rows have no identity beyond their position.
				<Text key={index} wrap="truncate">
					{line}
				</Text>
			))}
			<Text wrap="truncate">
				{' '}
				{models
					.filter(model => model.costUsd > 0)
					.map(model => (
						<Text key={model.model} color={modelColor(model.model, modelOrder, theme)}>{`■ ${shortModelName(model.model)}  `}</Text>
					))}
			</Text>
		</>
	);
});
