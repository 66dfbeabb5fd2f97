import {memo, useEffect, useState} from 'react';
import {Box, Text, useApp, useInput, useStdin} from 'ink';
import type {TeamJson, TeamRow} from '../core/otel/team.js';
import {formatTokens, formatUsd, shortModelName} from '../core/util/format.js';
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
export const TeamView = memo(({report, width, rows, sort}: {report: TeamJson; width: number; rows: number; sort: number}) => {
	const theme = useTheme();
	const order = teamSorts[sort % teamSorts.length]!;
	const sorted = [...report.rows].sort((a, b) => order.compare(a, b) || a.key.localeCompare(b.key));
	const isWide = width >= 100;
	const keyWidth = isWide ? 24 : Math.max(8, width - 34);
	const budgetWidth = Math.max(0, width - keyWidth - (isWide ? 86 : 34));
	const line = (row: TeamRow) => {
		const share = report.totals.costUSD > 0 ? `${Math.round((row.costUSD / report.totals.costUSD) * 100)}%` : '';
		const base = `${fit(` ${row.key}`, keyWidth)} ${formatUsd(row.costUSD).padStart(9)} ${share.padStart(4)} ${`${formatUsd(row.costPerHourUSD)}/h`.padStart(9)} ${formatUsd(row.projectedCostUSD).padStart(8)}`;
		if (!isWide) return base;
		const acceptance = row.editAcceptance === null ? '' : `${Math.round(row.editAcceptance * 100)}%`;
		return `${base} ${formatTokens(tokensOf(row)).padStart(7)} ${String(row.sessions).padStart(4)} ${fit(row.topModel === null ? '' : shortModelName(row.topModel), 12)} ${`+${row.linesOfCode.added}/-${row.linesOfCode.removed}`.padStart(10)} ${acceptance.padStart(4)}`;
	};

	const header = `${fit(` ${report.by}`, keyWidth)} ${'cost'.padStart(9)} ${'shr'.padStart(4)} ${'burn'.padStart(9)} ${'proj'.padStart(8)}${isWide ? ` ${'tokens'.padStart(7)} ${'sess'.padStart(4)} ${fit('top model', 12)} ${'lines'.padStart(10)} ${'acc'.padStart(4)}` : ''}`;
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
			{sorted.slice(0, listRows).map(row => {
				const cells = row.budget === null || budgetWidth <= 8 ? undefined : bar(row.budget.used / row.budget.limit, budgetWidth - 6, theme.glyphs);
				return (
					<Text key={row.key} wrap="truncate">
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

/** The live `cctop team`: the report again every `refreshMs`; `s` sorts, `q` quits. */
export const TeamApp = ({load, refreshMs, width, rows}: {load: () => Promise<TeamJson>; refreshMs: number; width: number; rows: number}) => {
	const [report, setReport] = useState<TeamJson | undefined>(undefined);
	const [problem, setProblem] = useState<string | undefined>(undefined);
	const [sort, setSort] = useState(0);
	const {exit} = useApp();
	const {isRawModeSupported} = useStdin();
	useEffect(() => {
		let isStopped = false;
		const tick = () => {
			load().then(
				next => {
					if (!isStopped) {
						setReport(next);
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
	useInput(
		input => {
			if (input === 'q') exit();
			if (input === 's') setSort(current => current + 1);
		},
		{isActive: isRawModeSupported === true},
	);
	return (
		<Box flexDirection="column">
			{report === undefined ? <Text dimColor>{fit(' reading…', width)}</Text> : <TeamView report={report} width={width} rows={rows - 1} sort={sort} />}
			<Text dimColor wrap="truncate">
				{fit(problem === undefined ? ' q quit  s sort' : ` ${problem}`, width)}
			</Text>
		</Box>
	);
};
