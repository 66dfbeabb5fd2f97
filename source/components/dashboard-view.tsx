import {memo} from 'react';
import {Box, Text} from 'ink';
import type {DashboardState} from '../core/screens/dashboard.js';
import {formatDuration} from '../core/util/format.js';
import {BlockPanel, blockPanelRows} from './block-panel.js';
import {BurnPanel} from './burn-panel.js';
import {CostChart} from './cost-chart.js';
import {EventsPanel} from './events-panel.js';
import {allocateRows} from './layout.js';
import {ModelsPanel, modelsPanelRows} from './models-panel.js';
import {SessionsPanel} from './sessions-panel.js';
import {fit} from './text.js';

export type DashboardViewProps = {state: DashboardState; selected: number; width: number; rows: number; isColor: boolean};

/** Width from which the dashboard uses two columns. */
export const wideWidth = 100;

const Idle = ({state, width}: {state: DashboardState; width: number}) => (
	<Text dimColor wrap="truncate">
		{fit(
			state.lastActivityMs === undefined
				? ' waiting for the first request…'
				: ` no active block: last request ${formatDuration(state.nowMs - state.lastActivityMs)} ago`,
			width,
		)}
	</Text>
);

/** Side pane: one column, panels folding away from the bottom as rows run out. */
const NarrowDashboard = ({state, selected, width, rows}: DashboardViewProps) => {
	const {block} = state;
	const sessions = block === undefined ? state.sessions : state.blockSessions;
	const [blockRows = 0, burnRows = 0, modelsRows = 0, sessionsRows = 0, eventsRows = 0] = allocateRows(rows, [
		{min: block === undefined ? 1 : blockPanelRows(state.limit, state.budget), want: block === undefined ? 1 : blockPanelRows(state.limit, state.budget)},
		{min: block === undefined ? 0 : 2, want: block === undefined ? 0 : 2},
		{min: block === undefined ? 0 : 2, want: block === undefined ? 0 : modelsPanelRows(block.models)},
		{min: 2, want: 1 + Math.max(1, sessions.length)},
		{min: 0, want: state.events.length},
	]);
	return (
		<>
			{block === undefined ? blockRows > 0 && <Idle state={state} width={width} /> : blockRows > 0 && <BlockPanel block={block} limit={state.limit} width={width} budget={state.budget} />}
			{block !== undefined && burnRows > 0 && <BurnPanel block={block} width={width} />}
			{block !== undefined && <ModelsPanel models={block.models} modelOrder={state.modelOrder} width={width} rows={modelsRows} />}
			<SessionsPanel title={block === undefined ? 'sessions today' : 'sessions'} sessions={sessions} selected={selected} modelOrder={state.modelOrder} nowMs={state.nowMs} width={width} rows={sessionsRows} />
			<EventsPanel events={state.events} width={width} rows={eventsRows} />
		</>
	);
};

/** Full screen: bars and burn beside the cost chart, then models beside sessions, then events. */
const WideDashboard = ({state, selected, width, rows, isColor}: DashboardViewProps) => {
	const {block} = state;
	if (block === undefined) return <NarrowDashboard state={state} selected={selected} width={width} rows={rows} isColor={isColor} />;
	const leftWidth = Math.min(64, Math.floor(width * 0.45));
	const rightWidth = width - leftWidth - 2;
	const leftRows = blockPanelRows(state.limit, state.budget) + 2;
	const sessions = state.blockSessions;
	const [topRows = 0, bottomRows = 0, eventsRows = 0, chartExtra = 0, moreEvents = 0] = allocateRows(rows, [
		{min: leftRows, want: leftRows},
		{min: 2, want: 1 + Math.max(modelsPanelRows(block.models) - 1, sessions.length, 1)},
		{min: 0, want: Math.min(2, state.events.length)},
		// The chart grows with the terminal, to about half of it.
		{min: 0, want: Math.max(0, Math.max(11, Math.min(18, Math.floor(rows * 0.5))) - leftRows)},
		{min: 0, want: Math.max(0, state.events.length - 2)},
	]);
	return (
		<>
			{topRows > 0 && (
				<Box height={topRows + chartExtra}>
					<Box flexDirection="column" width={leftWidth}>
						<BlockPanel block={block} limit={state.limit} width={leftWidth} budget={state.budget} />
						<BurnPanel block={block} width={leftWidth} />
					</Box>
					<Box flexDirection="column" width={rightWidth} marginLeft={2}>
						<CostChart models={block.models} modelOrder={state.modelOrder} width={rightWidth} rows={topRows + chartExtra} isColor={isColor} />
					</Box>
				</Box>
			)}
			{bottomRows > 0 && (
				<Box height={bottomRows}>
					<Box flexDirection="column" width={leftWidth}>
						<ModelsPanel models={block.models} modelOrder={state.modelOrder} width={leftWidth} rows={bottomRows} />
					</Box>
					<Box flexDirection="column" width={rightWidth} marginLeft={2}>
						<SessionsPanel title="sessions" sessions={sessions} selected={selected} modelOrder={state.modelOrder} nowMs={state.nowMs} width={rightWidth} rows={bottomRows} />
					</Box>
				</Box>
			)}
			<EventsPanel events={state.events} width={width} rows={eventsRows + moreEvents} />
		</>
	);
};

/** The dashboard view (view 1) in the rows left between header and footer. */
export const DashboardView = memo((props: DashboardViewProps) => (props.width >= wideWidth ? <WideDashboard {...props} /> : <NarrowDashboard {...props} />));
