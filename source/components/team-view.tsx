import {memo, useEffect, useReducer, useState} from 'react';
import {Box, Text, useApp, useStdin} from 'ink';
import {useKeys} from '../hooks/use-keys.js';
import type {TeamJson, TeamRow} from '../core/otel/team.js';
import {formatInUnit} from '../core/usage/budgets.js';
import {formatTokens, formatUsd, shortModelName} from '../core/util/format.js';
import {sparkline} from '../core/util/series.js';
import {bar, fit} from './text.js';
import {statusColor, useTheme} from './theme.js';

/** The orders `s` cycles through. */
export const teamSorts = [
	{name: 'cost', compare: (a: TeamRow, b: TeamRow) => b.costUSD - a.costUSD},
	{name: '$/h', compare: (a: TeamRow, b: TeamRow) => b.costPerHourUSD - a.costPerHourUSD},
	{name: 'tokens', compare: (a: TeamRow, b: TeamRow) => tokensOf(b) - tokensOf(a)},
	{name: 'name', compare: (a: TeamRow, b: TeamRow) => a.key.localeCompare(b.key)},
] as const;

const tokensOf = (row: TeamRow) => row.tokens.input + row.tokens.output + row.tokens.cacheRead + row.tokens.cacheCreation;

const budgetLevel = {ok: 'ok', warn: 'warning', over: 'exceeds'} as const;

/**
 * `cctop team` as a view: a row per person or label with cost, share, burn over
 * the last hour, the projection at the period's end, and at 100+ columns
 * tokens, sessions, the top model, lines and the edit acceptance; a budget bar
 * when a team budget matches; the total, and who lacks a real identity.
 */
/** The rows in the order shown: what ↑↓ move through. */
export const sortedRows = (report: TeamJson, sort: number): TeamRow[] => {
	const order = teamSorts[sort % teamSorts.length]!;
	return [...report.rows].sort((a, b) => order.compare(a, b) || a.key.localeCompare(b.key));
};

export const TeamView = memo(({report, width, rows, sort, selected = -1}: {report: TeamJson; width: number; rows: number; sort: number; selected?: number}) => {
	const theme = useTheme();
	const order = teamSorts[sort % teamSorts.length]!;
	const sorted = sortedRows(report, sort);
	const isWide = width >= 100;
	// Under 50 columns the projection gives way to the name.
	const hasProjection = width >= 50;
	const keyWidth = isWide ? 24 : Math.max(8, width - (hasProjection ? 34 : 25));
	// From 140 columns, a sparkline of the cost over the period (24 buckets, two to a cell) before the budget.
	const sparkWidth = isWide && width - keyWidth - 86 >= 26 ? 12 : 0;
	// A budget bar longer than 30 cells reads no better.
	const budgetWidth = Math.min(36, Math.max(0, width - keyWidth - (isWide ? 86 : 34) - (sparkWidth > 0 ? sparkWidth + 1 : 0)));
	const spark = (row: TeamRow) => {
		const cells = Array.from({length: sparkWidth}, (_, index) => (row.costByBucketUSD[index * 2] ?? 0) + (row.costByBucketUSD[index * 2 + 1] ?? 0));
		return ` ${sparkline(cells, Math.max(0, ...sorted.flatMap(one => Array.from({length: sparkWidth}, (_, index) => (one.costByBucketUSD[index * 2] ?? 0) + (one.costByBucketUSD[index * 2 + 1] ?? 0)))), theme.glyphs.spark).padEnd(sparkWidth)}`;
	};
	const line = (row: TeamRow) => {
		const share = report.totals.costUSD > 0 ? `${Math.round((row.costUSD / report.totals.costUSD) * 100)}%` : '';
		const base = `${fit(` ${row.key}`, keyWidth)} ${formatUsd(row.costUSD).padStart(9)} ${share.padStart(4)} ${`${formatUsd(row.costPerHourUSD)}/h`.padStart(9)}${hasProjection ? ` ${formatUsd(row.projectedCostUSD).padStart(8)}` : ''}`;
		if (!isWide) return base;
		const acceptance = row.editAcceptance === null ? '' : `${Math.round(row.editAcceptance * 100)}%`;
		return `${base} ${formatTokens(tokensOf(row)).padStart(7)} ${String(row.sessions).padStart(4)} ${fit(row.topModel === null ? '' : shortModelName(row.topModel), 12)} ${`+${row.linesOfCode.added}/-${row.linesOfCode.removed}`.padStart(10)} ${acceptance.padStart(4)}${sparkWidth > 0 ? spark(row) : ''}`;
	};

	const header = `${fit(` ${report.by}`, keyWidth)} ${'cost'.padStart(9)} ${'shr'.padStart(4)} ${'burn'.padStart(9)}${hasProjection ? ` ${'proj'.padStart(8)}` : ''}${isWide ? ` ${'tokens'.padStart(7)} ${'sess'.padStart(4)} ${fit('top model', 12)} ${'lines'.padStart(10)} ${'acc'.padStart(4)}` : ''}${sparkWidth > 0 ? ` ${fit(`cost/${report.period.name === 'day' ? '2h' : 'bucket'}`, sparkWidth)}` : ''}`;
	const listRows = Math.max(0, rows - 4 - (report.unidentified.series > 0 ? 1 : 0));
	return (
		<Box flexDirection="column">
			<Text bold wrap="truncate">
				{fit(width >= 80 ? ` team by ${report.by} · ${report.period.name} from ${report.period.start.slice(0, 10)} · ${report.source} · sort ${order.name} (s)` : ` team · ${report.by} · ${report.period.name} · ${report.source} · ${order.name} (s)`, width)}
			</Text>
			<Text dimColor wrap="truncate">
				{fit(`${header}${budgetWidth > 8 ? '  budget' : ''}`, width)}
			</Text>
			{sorted.length === 0 && <Text dimColor>{fit(' no usage in this period', width)}</Text>}
			{sorted.slice(0, listRows).map((row, index) => {
				const cells = row.budget === null || budgetWidth <= 8 ? undefined : bar(row.budget.used / row.budget.limit, budgetWidth - 6, theme.glyphs);
				return (
					<Text key={row.key} wrap="truncate" inverse={index === selected}>
						{line(row)}
						{cells !== undefined && row.budget !== null && (
							<>
								{'  '}
								<Text color={statusColor(budgetLevel[row.budget.status], theme)}>{cells.filled}</Text>
								<Text dimColor>{cells.empty}</Text>
								{` ${Math.floor((row.budget.used / row.budget.limit) * 100)}%`.padStart(5)}
							</>
						)}
					</Text>
				);
			})}
			{sorted.length > listRows && <Text dimColor>{fit(` … ${sorted.length - listRows} more`, width)}</Text>}
			<Text bold wrap="truncate">
				{fit(`${fit(' total', keyWidth)} ${formatUsd(report.totals.costUSD).padStart(9)}`, width)}
			</Text>
			{report.unidentified.series > 0 && (
				<Text color={theme.status.warning} wrap="truncate">
					{fit(` ${report.unidentified.series} without a real identity: cctop setup --resource-attributes enduser.id=…`, width)}
				</Text>
			)}
		</Box>
	);
});

/** One row in full: cost per model, tokens by kind, sessions, lines, commits, PRs, edits and the budget. */
export const TeamDetail = memo(({row, width}: {row: TeamRow; width: number}) => {
	const lines = [
		` ${row.key} · ${formatUsd(row.costUSD)} · ${formatUsd(row.costPerHourUSD)}/h · ${formatUsd(row.projectedCostUSD)} projected`,
		` tokens: input ${formatTokens(row.tokens.input)} · output ${formatTokens(row.tokens.output)} · cache read ${formatTokens(row.tokens.cacheRead)} · cache write ${formatTokens(row.tokens.cacheCreation)}`,
		` ${row.sessions} sessions · lines +${row.linesOfCode.added}/-${row.linesOfCode.removed} · ${row.commits} commits · ${row.pullRequests} PRs${row.editAcceptance === null ? '' : ` · ${Math.round(row.editAcceptance * 100)}% of edits accepted`}`,
		...(row.budget === null ? [] : [(() => {
			const amount = (value: number) => formatInUnit(row.budget!.unit, value);
			return ` budget ${row.budget.name}: ${amount(row.budget.used)} of ${amount(row.budget.limit)}, ${amount(row.budget.projected)} projected · ${row.budget.status}`;
		})()]),
		' models',
		...row.models.map(({model, costUSD}) => `   ${fit(shortModelName(model), 20)} ${formatUsd(costUSD).padStart(9)} ${row.costUSD > 0 ? `${Math.round((costUSD / row.costUSD) * 100)}%`.padStart(5) : ''}`),
		...(row.sessionIds.length === 0 ? [] : [` sessions (cctop session ID on that machine)`, ...row.sessionIds.slice(0, 10).map(id => `   ${id}`), ...(row.sessionIds.length > 10 ? [`   … and ${row.sessionIds.length - 10} more`] : [])]),
	];
	return (
		<Box flexDirection="column">
			{lines.map((line, index) => (
				// A detail's lines have no identity beyond their position.
				<Text key={index} wrap="truncate" bold={index === 0}>
					{fit(line, width)}
				</Text>
			))}
		</Box>
	);
});

/** The live `cctop team`: the report again every `refreshMs`; `s` sorts, ↑↓ and enter open a row, esc goes back, `q` quits. */
type TeamState = {report: TeamJson | undefined; sort: number; selected: number; openKey: string | undefined};
type TeamAction = {type: 'loaded'; report: TeamJson} | {type: 'sort'} | {type: 'down'} | {type: 'up'} | {type: 'open'} | {type: 'back'};

/**
 * The report, its order, the selection and the opened row in one reducer:
 * keys act on the rows as they are when the key is read, not on the rows of
 * the render whose input handler got it (↓ then ⏎ typed in the moment the
 * first report arrives must open the second row, not nothing).
 */
const teamNavigation = (state: TeamState, action: TeamAction): TeamState => {
	const count = state.report?.rows.length ?? 0;
	switch (action.type) {
		case 'loaded': {
			return {...state, report: action.report};
		}

		case 'sort': {
			return {...state, sort: state.sort + 1};
		}

		case 'down': {
			return {...state, selected: Math.min(Math.max(0, count - 1), state.selected + 1)};
		}

		case 'up': {
			return {...state, selected: Math.max(0, state.selected - 1)};
		}

		case 'open': {
			return state.report === undefined ? state : {...state, openKey: sortedRows(state.report, state.sort)[state.selected]?.key};
		}

		case 'back': {
			return {...state, openKey: undefined};
		}
	}
};

export const TeamApp = ({load, refreshMs, width, rows}: {load: () => Promise<TeamJson>; refreshMs: number; width: number; rows: number}) => {
	const [problem, setProblem] = useState<string | undefined>(undefined);
	const [{report, sort, selected, openKey}, dispatch] = useReducer(teamNavigation, {report: undefined, sort: 0, selected: 0, openKey: undefined});
	const {exit} = useApp();
	const {isRawModeSupported} = useStdin();
	useEffect(() => {
		let isStopped = false;
		const tick = () => {
			load().then(
				next => {
					if (!isStopped) {
						dispatch({type: 'loaded', report: next});
						setProblem(undefined);
					}
				},
				(error: unknown) => {
					if (!isStopped) setProblem(error instanceof Error ? error.message : String(error));
				},
			);
		};

		tick();
		const timer = setInterval(tick, refreshMs);
		return () => {
			isStopped = true;
			clearInterval(timer);
		};
	}, [load, refreshMs]);
	const openRow = openKey === undefined ? undefined : report?.rows.find(row => row.key === openKey);
	useKeys(
		(input, key) => {
			if (input === 'q') exit();
			else if (input === 's') dispatch({type: 'sort'});
			else if (key.downArrow || input === 'j') dispatch({type: 'down'});
			else if (key.upArrow || input === 'k') dispatch({type: 'up'});
			else if (key.return) dispatch({type: 'open'});
			else if (key.escape || key.leftArrow || key.backspace) dispatch({type: 'back'});
		},
		{isActive: isRawModeSupported === true},
	);
	return (
		<Box flexDirection="column">
			{report === undefined ? (
				<Text dimColor>{fit(' reading…', width)}</Text>
			) : openRow === undefined ? (
				<TeamView report={report} width={width} rows={rows - 1} sort={sort} selected={selected} />
			) : (
				<TeamDetail row={openRow} width={width} />
			)}
			<Text dimColor wrap="truncate">
				{fit(problem === undefined ? (openRow === undefined ? ' q quit  s sort  ↑↓⏎ open' : ' esc back  q quit') : ` ${problem}`, width)}
			</Text>
		</Box>
	);
};
