import {memo} from 'react';
import {Text} from 'ink';
import {bucketMs, type ModelRow} from '../core/screens/dashboard.js';
import {formatUsd, shortModelName} from '../core/util/format.js';
import {downsample, groupSize, sparkline} from '../core/util/series.js';
import {modelColor, useTheme} from './theme.js';
import {bucketLabel, fit, percent} from './text.js';

export type ModelsPanelProps = {models: readonly ModelRow[]; modelOrder: readonly string[]; width: number; rows: number};

const nameWidth = (width: number): number => Math.min(16, Math.max(9, width - 30));

/** One row per model in the block: cost, share and a cost sparkline across the block, fitted to `rows`. */
export const ModelsPanel = memo(({models, modelOrder, width, rows}: ModelsPanelProps) => {
	const theme = useTheme();
	if (rows <= 0) return null;
	const name = nameWidth(width);
	const sparkWidth = Math.max(0, width - 1 - name - 9 - 6 - 2);
	const buckets = models[0]?.costSeries.length ?? 0;
	const label = sparkWidth >= 4 && buckets > 0 ? `per ${bucketLabel(groupSize(buckets, sparkWidth) * bucketMs)}` : '';
	const capacity = rows - 1;
	// The last row says how many models did not fit rather than dropping them silently.
	const visible = models.length <= capacity ? models : models.slice(0, Math.max(0, capacity - 1));
	const more = models.length - visible.length;
	return (
		<>
			<Text bold wrap="truncate">
				{fit(` ${fit('models', name)}${fit('cost', 9, 'right')}${fit('share', 6, 'right')}  ${fit(label, sparkWidth)}`, width)}
			</Text>
			{models.length === 0 && rows > 1 && <Text dimColor>{fit('  no requests in this block yet', width)}</Text>}
			{visible.map(row => {
				const series = downsample(row.costSeries, sparkWidth);
				return (
					<Text key={row.model} wrap="truncate">
						<Text color={modelColor(row.model, modelOrder, theme)}>{` ${fit(shortModelName(row.model), name)}`}</Text>
						{fit(row.isPriced ? formatUsd(row.costUsd) : '?', 9, 'right')}
						{fit(percent(row.share), 6, 'right')}
						{'  '}
						<Text color={modelColor(row.model, modelOrder, theme)}>{sparkline(series, undefined, theme.glyphs.spark)}</Text>
					</Text>
				);
			})}
			{more > 0 && capacity > 0 && <Text dimColor>{fit(`  +${more} more (3: models view)`, width)}</Text>}
		</>
	);
});

/** Rows {@link ModelsPanel} wants: a header and one per model (or one for "none yet"). */
export const modelsPanelRows = (models: readonly ModelRow[]): number => 1 + Math.max(1, models.length);
