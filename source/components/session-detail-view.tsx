import {memo, type ReactNode} from 'react';
import {Text} from 'ink';
import {eventMessage} from '../core/screens/dashboard.js';
import {counted, formatDuration, formatMs, formatTokens, formatUsd, shortModelName} from '../core/util/format.js';
import {downsample, groupSize, sparkline} from '../core/util/series.js';
import type {SessionDetail} from '../core/screens/session-detail.js';
import {totalTokens} from '../core/usage/types.js';
import {modelColor, useTheme} from './theme.js';
import {bucketLabel, clockSpan, clockTime, fit, percent} from './text.js';

export type SessionDetailViewProps = {detail: SessionDetail | undefined; modelOrder: readonly string[]; width: number; rows: number};

/** One session: span, cost, models, tools, subagent share, a cost timeline, the costliest requests and its limit hits and errors. Rows past `rows` fold away. */
export const SessionDetailView = memo(({detail, modelOrder, width, rows}: SessionDetailViewProps) => {
	const theme = useTheme();
	if (rows <= 0) return null;
	if (detail === undefined) return <Text dimColor>{fit(' that session has no requests in view (esc back)', width)}</Text>;
	const sparkWidth = Math.max(4, width - 22);
	// The table keeps its columns together on a wide screen.
	const nameWidth = Math.min(26, Math.max(8, width - 30));
	const timeline = downsample(detail.timelineUsd, sparkWidth);
	const perBucket = bucketLabel(groupSize(detail.timelineUsd.length, sparkWidth) * detail.timelineBucketMs);
	const line = (key: string, text: string, color?: string): ReactNode => (
		<Text key={key} wrap="truncate" color={color}>
			{fit(text, width)}
		</Text>
	);
	const rowsOut: ReactNode[] = [
		<Text key="title" bold wrap="truncate">
			{fit(` session ${detail.project} · ${detail.sessionId}`, width)}
		</Text>,
		line('span', ` ${clockSpan(detail.startMs, detail.endMs)} · ${formatDuration(detail.endMs - detail.startMs)} · ${counted(detail.entries, 'request')}`),
		line(
			'cost',
			` cost ${formatUsd(detail.costUsd)} · ${formatTokens(totalTokens(detail.tokens))} tok · subagents ${detail.sidechain.entries > 0 ? `${percent(detail.costUsd > 0 ? detail.sidechain.costUsd / detail.costUsd : 0)} (${formatUsd(detail.sidechain.costUsd)})` : 'none'}`,
		),
		<Text key="timeline" wrap="truncate">
			{fit(` per ${perBucket}`, 18)}
			<Text color="cyan">{sparkline(timeline, undefined, theme.glyphs.spark)}</Text>
		</Text>,
		<Text key="models" bold wrap="truncate">
			{fit(' models', nameWidth)}
			{fit('cost', 10, 'right')}
			{fit('requests', 9, 'right')}
			{fit('cache hit', 11, 'right')}
		</Text>,
		...detail.models.map(model => (
			<Text key={`model-${model.model}`} wrap="truncate">
				<Text color={modelColor(model.model, modelOrder, theme)}>{fit(`  ${shortModelName(model.model)}`, nameWidth)}</Text>
				{fit(model.isPriced ? formatUsd(model.costUsd) : '?', 10, 'right')}
				{fit(String(model.entries), 9, 'right')}
				{fit(percent(model.cacheHitShare), 11, 'right')}
			</Text>
		)),
		...(detail.tools === undefined
			? []
			: [
					line(
						'tools',
						detail.tools.length === 0
							? ' tools: none called'
							: ` tools  ${detail.tools
									.map(tool => {
										// With OpenTelemetry: how long the tool ran, the bottleneck at a glance.
										const p95 = detail.toolTimings?.[tool.name]?.durationMsP95;
										return `${tool.name} ${tool.calls}${p95 === undefined || p95 === null ? '' : ` (p95 ${formatMs(p95)})`}`;
									})
									.join(' · ')}`,
					),
				]),
		<Text key="top" bold wrap="truncate">
			{fit(' costliest requests', width)}
		</Text>,
		...detail.topRequests.map(request =>
			line(
				`top-${request.requestId ?? request.timestampMs}`,
				`  ${clockTime(request.timestampMs)} ${fit(shortModelName(request.model), 12)} ${fit(formatUsd(request.costUsd), 8, 'right')} ${fit(formatTokens(request.totalTokens), 7, 'right')}  ${request.requestId ?? ''}`,
			),
		),
		...detail.events.map((event, index) =>
			line(`event-${index}`, `  ${clockTime(event.timestampMs)} ${event.kind === 'rate_limit' ? 'limit hit' : 'API error'}: ${eventMessage(event.message)}`, event.kind === 'rate_limit' ? 'red' : 'yellow'),
		),
	];
	return <>{rowsOut.slice(0, rows)}</>;
});
