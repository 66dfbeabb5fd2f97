import {AuditView, auditFilters} from './components/audit-view.js';
import type {AuditRow} from './core/otel/audit.js';
import {useEffect, useMemo, useReducer, useRef, useSyncExternalStore} from 'react';
import {Box, Text, useApp, useStdin} from 'ink';
import {useKeys} from './hooks/use-keys.js';
import type {PricedEntry} from './core/usage/blocks.js';
import {buildDashboard, type DashboardState} from './core/screens/dashboard.js';
import {limitCycle, type Plan, type TokenLimitOption} from './core/usage/limits.js';
import {sessionDetail, type SessionDetail} from './core/screens/session-detail.js';
import {sessionOf} from './core/usage/sessions.js';
import type {OtelJson} from './core/otel/otel-summary.js';
import {tracesJson, type Trace} from './core/otel/traces.js';
import type {OfficialWindow} from './core/usage/official-windows.js';
import {DashboardView} from './components/dashboard-view.js';
import {Footer, viewNames, type ViewName} from './components/footer.js';
import {Header} from './components/header.js';
import {HelpView} from './components/help-view.js';
import {ModelsView} from './components/models-view.js';
import {SessionDetailView} from './components/session-detail-view.js';
import {SessionTracesView} from './components/session-traces-view.js';
import {SessionsPanel} from './components/sessions-panel.js';
import {bar, fit} from './components/text.js';
import {ThemeContext, themes, useTheme, type Theme} from './components/theme.js';
import {ToolsView} from './components/tools-view.js';
import {initialNavigation, navigate, selectedIndex} from './hooks/navigation.js';
import {useNow, type IdleUntil} from './hooks/use-now.js';
import {nextMinuteChangeMs} from './core/util/next-change.js';
import {useSessionDetail} from './hooks/use-session-detail.js';
import {useWindowSize, type WindowSize} from './hooks/use-window-size.js';
import type {ScanProgress, UsageView} from './core/usage/usage-view.js';
import {dayBounds} from './options.js';
import type {Budget} from './core/config/budgets-schema.js';

/** What the store publishes: the usage (undefined while the first read runs) and its progress. */
export type DashboardSnapshot = {
	version: number;
	view: UsageView | undefined;
	progress: ScanProgress | undefined;
	unreadablePaths: number;
	/** The newest official reading `cctop statusline` recorded. */
	official?: {fiveHour: OfficialWindow | undefined; sevenDay: OfficialWindow | undefined} | undefined;
	/** OpenTelemetry figures from the spool (`cctop serve`, `cctop run`), when there are any. */
	otel?: OtelJson | undefined;
	/** The interactions traced so far (spans from the spool or --otel-log), oldest first. */
	traces?: readonly Trace[] | undefined;
	/** Today's security trail (spool events and guard decisions), oldest first, for view 5. */
	audit?: readonly AuditRow[] | undefined;
};

export type SnapshotSource = {subscribe: (listener: () => void) => () => void; getSnapshot: () => DashboardSnapshot};

export type AppProps = {
	store: SnapshotSource;
	clock: () => number;
	/** The clock tick for countdowns (1 s, or `--refresh` when slower). */
	tickMs: number;
	limitOption: TokenLimitOption | undefined;
	plan: Plan | undefined;
	isColor: boolean;
	/** Rings the terminal bell; the caller leaves it out for `--no-bell`. */
	onBell?: () => void;
	/** Told when Ctrl+C ends the app (it exits 130, where q exits 0). */
	onInterrupt?: () => void;
	/** A fixed size (tests, one-shot snapshots) instead of the terminal's. */
	size?: WindowSize;
	/** One printed snapshot: natural height and no key hints. */
	isSnapshot?: boolean;
	/** A session's full detail (all its days, its tool calls); without it the detail shows today's entries. */
	loadSession?: (sessionId: string) => Promise<SessionDetail | undefined>;
	/** A session's interactions from the traces received (`t` in its detail). */
	tracesForSession?: (sessionId: string) => Trace[];
	/** Colours and glyphs (the config's `theme` and `ascii`); dark with block glyphs by default. */
	theme?: Theme;
	/** The view shown first (the config's `defaultView`). */
	defaultView?: ViewName;
	/** Local budgets from the budgets file: the nearest block or day one is shown beside the block. */
	budgets?: readonly Budget[] | undefined;
};

const Loading = ({progress, width}: {progress: ScanProgress | undefined; width: number}) => {
	const theme = useTheme();
	if (progress === undefined) return <Text dimColor>{fit(' reading transcripts…', width)}</Text>;
	const share = progress.bytes > 0 ? progress.bytesDone / progress.bytes : 0;
	const cells = bar(share, Math.max(0, width - 8), theme.glyphs);
	return (
		<>
			<Text wrap="truncate">{fit(` indexing ${progress.filesDone}/${progress.files} files · ${Math.round(progress.bytesDone / 1048576)}/${Math.round(progress.bytes / 1048576)} MB`, width)}</Text>
			<Text wrap="truncate">
				{' '}
				<Text color="cyan">{cells.filled}</Text>
				<Text dimColor>{cells.empty}</Text>
				{` ${Math.round(share * 100)}%`}
			</Text>
		</>
	);
};

/** The sessions a view lists, in the order shown: what ↑/↓ move through. */
const listedSessions = (state: DashboardState, view: ViewName) => (view === 'dashboard' && state.block !== undefined ? state.blockSessions : state.sessions);

/** How often the clock ticks once no new data came for a while (see useNow). */
const idleTickMs = 5000;

/**
 * The moments whose distance from now the screen shows in minutes, when that is
 * all that moves with time alone: the dashboard or the session list, no active
 * block (its bar, burn rate and projection move on their own) and no budget
 * (its day projection does). Then the idle clock wakes when one of them turns
 * over a minute (nextMinuteChangeMs), not every 5 s. Undefined otherwise.
 */
const idleAnchors = (state: DashboardState, view: ViewName, dayEndMs: number): number[] | undefined => {
	if ((view !== 'dashboard' && view !== 'sessions') || state.block !== undefined || state.budget !== undefined) return undefined;
	const anchors = [dayEndMs, ...state.sessions.map(session => session.lastMs)];
	if (state.lastActivityMs !== undefined) anchors.push(state.lastActivityMs);
	for (const window of [state.official.fiveHour, state.official.sevenDay]) if (window !== undefined) anchors.push(window.resetsAtMs);
	return anchors;
};

/** The Ink root: store subscription, the clock, keys, and the frame fitted to the terminal. */
export const App = ({store, clock, tickMs, limitOption, plan, isColor, onBell, onInterrupt, size, isSnapshot = false, loadSession, tracesForSession, theme = themes.dark, defaultView = 'dashboard', budgets}: AppProps) => {
	const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
	// Set below, once the screen's state is known (see idleAnchors).
	const idleUntil = useRef<IdleUntil['current']>(undefined);
	const nowMs = useNow(clock, tickMs, snapshot.version, {idleTickMs: Math.max(tickMs, idleTickMs), idleUntil});
	const {columns, rows} = useWindowSize(size);
	const [navigation, dispatch] = useReducer(navigate, {...initialNavigation, view: defaultView});
	const {exit} = useApp();
	const {isRawModeSupported} = useStdin();
	const view = snapshot.view;
	const blocks = view?.blocks;
	const choices = useMemo(() => (blocks === undefined ? [] : limitCycle(blocks, limitOption, plan)), [blocks, limitOption, plan]);
	const limit = choices.length === 0 ? undefined : choices[navigation.limitIndex % choices.length];
	const {dayStartMs, midnightMs: dayEndMs} = dayBounds(nowMs);
	const state = useMemo(
		() =>
			view === undefined
				? undefined
				: buildDashboard({
						blocks: view.blocks,
						events: view.events,
						unknownModels: view.unknownModels,
						counters: view.counters,
						unreadablePaths: snapshot.unreadablePaths,
						limit,
						nowMs,
						dayStartMs,
						official: snapshot.official,
						budgets,
						dayEndMs,
					}),
		[view, snapshot.unreadablePaths, snapshot.official, limit, nowMs, dayStartMs, dayEndMs, budgets],
	);
	// Where the time went: this block's interactions when it has any, else all of them.
	const blockStartMs = state?.block?.startMs;
	const blockEndMs = state?.block?.endMs;
	const traceList = snapshot.traces;
	const timeSplit = useMemo(() => {
		if (traceList === undefined || traceList.length === 0) return undefined;
		const inBlock = blockStartMs === undefined || blockEndMs === undefined ? [] : traceList.filter(trace => trace.startMs >= blockStartMs && trace.startMs < blockEndMs);
		return inBlock.length > 0 ? {json: tracesJson(inBlock), scope: 'this block'} : {json: tracesJson(traceList), scope: 'all received'};
	}, [traceList, blockStartMs, blockEndMs]);
	useEffect(() => {
		const anchors = state === undefined || navigation.detailId !== undefined || navigation.isHelp ? undefined : idleAnchors(state, navigation.view, dayEndMs);
		idleUntil.current = anchors === undefined ? undefined : atMs => nextMinuteChangeMs(atMs, anchors);
	}, [state, navigation.view, navigation.detailId, navigation.isHelp, dayEndMs]);
	const sessions = state === undefined ? [] : listedSessions(state, navigation.view);
	const ids = sessions.map(session => session.sessionId);
	const fullDetail = useSessionDetail(loadSession, navigation.detailId, snapshot.version);
	const todayDetail = useMemo(() => {
		if (navigation.detailId === undefined || blocks === undefined) return undefined;
		const entries: PricedEntry[] = [];
		for (const block of blocks) entries.push(...block.entries.filter(entry => sessionOf(entry) === navigation.detailId));
		return sessionDetail({sessionId: navigation.detailId, entries});
	}, [navigation.detailId, blocks]);

	// The bell rings once per threshold crossed while running (80, 90, 100% of the
	// limit, actual or projected), not for a level that was already reached at start.
	const alerted = useRef<{blockId: string | undefined; level: number} | undefined>(undefined);
	const alert = state?.limit?.alert ?? 0;
	const blockId = state?.block?.id;
	useEffect(() => {
		if (state === undefined) return;
		const previous = alerted.current;
		if (previous !== undefined && previous.blockId === blockId && alert > previous.level) onBell?.();
		if (previous === undefined || previous.blockId !== blockId || alert > previous.level) alerted.current = {blockId, level: alert};
	}, [state, blockId, alert, onBell]);

	useKeys(
		(input, key) => {
			if (key.ctrl && input === 'c') {
				onInterrupt?.();
				exit();
				return;
			}

			if (navigation.isHelp) {
				dispatch({type: 'back'});
				return;
			}

			if (input === 'q') {
				exit();
			} else if (input === '?') {
				dispatch({type: 'help'});
			} else if (key.tab) {
				dispatch({type: 'next-view', step: key.shift ? -1 : 1});
			} else if (input >= '1' && input <= '5') {
				dispatch({type: 'view', view: viewNames[Number(input) - 1]!});
			} else if (key.upArrow || input === 'k') {
				dispatch({type: 'move', step: -1, ids});
			} else if (key.downArrow || input === 'j') {
				dispatch({type: 'move', step: 1, ids});
			} else if (key.return && (navigation.view === 'dashboard' || navigation.view === 'sessions')) {
				dispatch({type: 'open', ids});
			} else if (key.escape || key.backspace || key.leftArrow) {
				dispatch({type: 'back'});
			} else if (input === 't') {
				dispatch({type: 'traces'});
			} else if (input === 'p') {
				dispatch({type: 'next-limit', count: choices.length});
			} else if (input === 'f' && navigation.view === 'audit') {
				dispatch({type: 'next-audit-filter', count: auditFilters.length});
			}
		},
		// Piped stdin cannot be put in raw mode: no keys then, and no crash.
		{isActive: isRawModeSupported === true},
	);

	// One row shorter than the terminal: a frame as tall as the screen makes Ink
	// clear it on every redraw, which flickers and wipes scrollback.
	const frameRows = Math.max(1, rows - 1);
	const width = Math.max(20, columns);
	const bodyRows = Math.max(0, frameRows - 3);
	const selected = selectedIndex(navigation, ids);
	let body;
	if (state === undefined) {
		body = <Loading progress={snapshot.progress} width={width} />;
	} else if (navigation.isHelp) {
		body = <HelpView width={width} rows={bodyRows} />;
	} else if (navigation.detailId !== undefined && navigation.isTraces) {
		body = <SessionTracesView traces={tracesForSession?.(navigation.detailId) ?? []} width={width} rows={bodyRows} isColor={isColor} />;
	} else if (navigation.detailId !== undefined) {
		body = <SessionDetailView detail={fullDetail ?? todayDetail} modelOrder={state.modelOrder} width={width} rows={bodyRows} />;
	} else {
		switch (navigation.view) {
			case 'dashboard': {
				body = <DashboardView state={state} selected={selected} width={width} rows={bodyRows} isColor={isColor} />;
				break;
			}

			case 'sessions': {
				body = <SessionsPanel title="sessions today" sessions={state.sessions} selected={selected} modelOrder={state.modelOrder} nowMs={state.nowMs} width={width} rows={bodyRows} />;
				break;
			}

			case 'models': {
				body = <ModelsView models={state.models} modelOrder={state.modelOrder} width={width} rows={bodyRows} />;
				break;
			}

			case 'tools': {
				body = <ToolsView otel={snapshot.otel} traces={timeSplit?.json} tracesScope={timeSplit?.scope} width={width} rows={bodyRows} />;
				break;
			}

			case 'audit': {
				body = <AuditView events={snapshot.audit ?? []} filter={navigation.auditFilter} width={width} rows={bodyRows} />;
				break;
			}
		}
	}

	if (frameRows < 4) {
		return <Text wrap="truncate">{fit(' cctop: terminal too small', width)}</Text>;
	}

	return (
		<ThemeContext value={theme}>
		<Box flexDirection="column" width={width} height={isSnapshot ? undefined : frameRows}>
			{state === undefined ? <Text bold>{fit(' cctop', width)}</Text> : <Header state={state} width={width} />}
			{/* No overflow clipping: panels keep to the rows they are given (tested), and clipping costs a slice of every line on every frame. */}
			<Box flexDirection="column" height={isSnapshot ? undefined : bodyRows}>
				{body}
			</Box>
			{!isSnapshot && <Footer view={navigation.view} isDetail={navigation.detailId !== undefined || navigation.isHelp} width={width} hasKeys={isRawModeSupported === true} />}
		</Box>
		</ThemeContext>
	);
};
