import type {ReactElement} from 'react';
import {Box} from 'ink';
import {render as renderInk} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {BlockPanel} from '../../source/components/block-panel.js';
import {BurnPanel} from '../../source/components/burn-panel.js';
import {CostChart} from '../../source/components/cost-chart.js';
import {EventsPanel} from '../../source/components/events-panel.js';
import {Header} from '../../source/components/header.js';
import {ModelsPanel} from '../../source/components/models-panel.js';
import {SessionsPanel} from '../../source/components/sessions-panel.js';
import type {SessionRow} from '../../source/core/screens/dashboard.js';
import {fixtureNowMs, fixtureState, limitOf} from '../helpers/dashboard-state.js';
import {frameLines, frameWidth} from '../helpers/render.js';
import {chartColor, statusColor, ThemeContext, themeFor, themes} from '../../source/components/theme.js';

const widths = [40, 60, 100, 160] as const;

/** ink-testing-library's terminal is 100 columns; a box gives the panel the width under test. */
const render = (node: ReactElement) => renderInk(<Box width={200} flexDirection="column">{node}</Box>);
const state = fixtureState();
const block = state.block!;

describe('Header', () => {
	it.each(widths)('shows the block window, the countdown and the limit source at %i columns', width => {
		const {lastFrame} = render(<Header state={fixtureState({limit: limitOf(30_000)})} width={width} />);
		const [first, second] = frameLines(lastFrame());
		expect(first).toContain('cctop');
		// A narrow pane drops words, never the countdown or the limit.
		expect(first).toContain(width >= 50 ? 'block 10:00–15:00 · resets in 2h30m' : '10:00–15:00 · resets 2h30m');
		expect(second).toContain(width >= 60 ? 'limit 30.0k tok · --token-limit 30000' : 'limit 30.0k tok');
		expect(`${first}${second}`).not.toContain('…');
		expect(second).not.toContain('!');
		expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width);
	});

	it.each([
		{limit: 25_000, marker: '! projected 83%'},
		{limit: 22_000, marker: '! projected 94%'},
		{limit: 20_000, marker: '! projected 104%'},
		{limit: 9000, marker: '! used 230%'},
	])('marks the limit at $limit with "$marker"', ({limit, marker}) => {
		const {lastFrame} = render(<Header state={fixtureState({limit: limitOf(limit)})} width={60} />);
		expect(frameLines(lastFrame())[1]).toMatch(new RegExp(`${marker}$`));
	});

	it('keeps the alert and the limit whole at 40 columns by dropping the limit\'s source', () => {
		const {lastFrame} = render(<Header state={fixtureState({limit: limitOf(20_000, 'p90 of past blocks')})} width={40} />);
		expect(frameLines(lastFrame())[1]).toMatch(/^ limit 20\.0k tok +! projected 104%$/);
	});

	it.each([40, 50, 80])('never cuts a huge percentage (%i columns), and says used or projected', width => {
		const {lastFrame} = render(<Header state={fixtureState({limit: limitOf(2000, 'p90 of past blocks')})} width={width} />);
		const line = frameLines(lastFrame())[1]!;
		expect(line).toMatch(/! used \d{3,}%$/);
		expect(line).not.toContain('…');
		expect(line.length).toBeLessThanOrEqual(width);
	});

	it('puts Claude Code\'s official usage first when cctop statusline recorded it, dropping windows that reset', () => {
		const official = {fiveHour: {usedPercentage: 37.4, resetsAtMs: Date.parse('2026-11-26T15:00:00Z')}, sevenDay: {usedPercentage: 12, resetsAtMs: Date.parse('2026-11-20T00:00:00Z')}};
		const {lastFrame} = render(<Header state={fixtureState({limit: limitOf(30_000), official})} width={100} />);
		expect(frameLines(lastFrame())[1]).toBe(' official 37% (5h) · limit 30.0k tok · --token-limit 30000');
	});

	it('says idle with the time since the last request, and what today cost', () => {
		const {lastFrame} = render(<Header state={fixtureState({nowMs: Date.parse('2026-11-26T18:00:00Z')})} width={60} />);
		expect(frameLines(lastFrame())).toEqual([' cctop  idle · last activity 5h35m ago', ' today $8.00']);
	});
});

describe('BlockPanel', () => {
	it.each(widths)('shows time, tokens against the limit, the projection and cost at %i columns', width => {
		const {lastFrame} = render(<BlockPanel block={block} limit={state.limit} width={width} />);
		const lines = frameLines(lastFrame());
		expect(lines).toHaveLength(4);
		expect(lines[0]).toMatch(/^ time +█+░+ +50% +2h30m$/);
		expect(lines[1]).toMatch(/^ tokens +█+░+ +50% +10\.0k$/);
		expect(lines[2]).toMatch(/^ {2}→ proj +█+ +104% +20\.7k$/);
		expect(lines[3]).toBe(' cost     $8.00  → $16.57 at 15:00');
		expect(frameWidth(lastFrame())).toBe(width);
	});

	it('fills the token bar in proportion to the limit', () => {
		const {lastFrame} = render(<BlockPanel block={block} limit={fixtureState({limit: limitOf(40_000)}).limit} width={60} />);
		const tokens = frameLines(lastFrame())[1]!;
		const filled = tokens.split('█').length - 1;
		const empty = tokens.split('░').length - 1;
		expect(filled / (filled + empty)).toBeCloseTo(0.25, 1);
	});

	it.each(widths)('adds the nearest budget under the cost, named, coloured by its level, at %i columns', width => {
		// The fixture's day has cost $8 by 12:30: $10 a day is at 80% (warn), $5 a block is over.
		const budget = (overrides: object) => ({name: 'my day', scope: 'local' as const, period: 'day' as const, usd: 10, warnAt: [0.8, 0.9], enforce: 'warn' as const, ...overrides});
		const warned = fixtureState({budgets: [budget({}), budget({name: 'month', period: 'month', usd: 1})], dayEndMs: Date.parse('2026-11-27T00:00:00Z')});
		expect(warned.budget).toMatchObject({level: 'warn', used: 8, limit: 10, budget: {name: 'my day'}});
		const {lastFrame} = render(<BlockPanel block={warned.block!} limit={warned.limit} width={width} budget={warned.budget} />);
		const lines = frameLines(lastFrame());
		expect(lines).toHaveLength(5);
		expect(lines[4]).toMatch(/^ my day +█+░+ +80% +\$8\.00$/);
		expect(frameWidth(lastFrame())).toBe(width);
		const over = fixtureState({budgets: [budget({name: 'blocks', period: 'block', usd: 5, enforce: 'block'})]});
		expect(over.budget).toMatchObject({level: 'over', used: 8, limit: 5});
		expect(fixtureState({}).budget).toBeUndefined();
	});

	it('shows tokens without a bar when there is no limit', () => {
		const {lastFrame} = render(<BlockPanel block={block} limit={undefined} width={50} />);
		expect(frameLines(lastFrame())[1]).toBe(' tokens   10.0k  → 20.7k');
	});
});

describe('BurnPanel', () => {
	it.each(widths)('shows the average with its level and the last 10 minutes at %i columns', width => {
		const {lastFrame} = render(<BurnPanel block={block} width={width} />);
		const [average, recent] = frameLines(lastFrame());
		expect(average).toMatch(/^ burn {4}71 tok\/min · \$3\.43\/h/);
		expect(average).toMatch(/normal$/);
		expect(recent).toBe(' now 10m 200 tok/min · $12.00/h');
		// The trend sparkline goes first when the pane is narrow.
		expect(/[▁▂▃▄▅▆▇█]/.test(average!)).toBe(width >= 60);
		expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width);
	});

	it('says why there is no average yet: the 5-minute span, not a count of requests', () => {
		const {lastFrame} = render(<BurnPanel block={{...block, burn: null}} width={60} />);
		expect(frameLines(lastFrame())[0]).toBe(' burn    – (after 5 min of requests)');
	});
});

describe('ModelsPanel', () => {
	it.each(widths)('lists each model with cost, share and a sparkline at %i columns', width => {
		const {lastFrame} = render(<ModelsPanel models={block.models} modelOrder={state.modelOrder} width={width} rows={10} />);
		const lines = frameLines(lastFrame());
		expect(lines[0]).toMatch(/^ models +cost +share {2}per \d+ min/);
		expect(lines[1]).toMatch(/^ opus-4-5 +\$5\.00 +63% {2}[ ▁▂▃▄▅▆▇█]+$/);
		expect(lines[2]).toMatch(/^ sonnet-4-5 +\$2\.50 +31% /);
		expect(lines[3]).toMatch(/^ haiku-4-5 +\$0\.50 +6% /);
		expect(lines).toHaveLength(4);
		expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width);
	});

	it('shows the whole block in one column per bucket when it fits, merged buckets when not', () => {
		const wide = frameLines(render(<ModelsPanel models={block.models} modelOrder={state.modelOrder} width={160} rows={4} />).lastFrame());
		expect(wide[0]).toContain('per 5 min');
		const narrow = frameLines(render(<ModelsPanel models={block.models} modelOrder={state.modelOrder} width={40} rows={4} />).lastFrame());
		expect(narrow[0]).not.toContain('per 5 min');
	});

	it('folds models that do not fit into a count', () => {
		const {lastFrame} = render(<ModelsPanel models={block.models} modelOrder={state.modelOrder} width={50} rows={3} />);
		const lines = frameLines(lastFrame());
		expect(lines).toHaveLength(3);
		expect(lines[2]).toBe('  +2 more (3: models view)');
	});

	it('says when the block has no models yet', () => {
		const {lastFrame} = render(<ModelsPanel models={[]} modelOrder={[]} width={50} rows={3} />);
		expect(frameLines(lastFrame())[1]).toBe('  no requests in this block yet');
	});

	it('marks an unpriced model with ?', () => {
		const {lastFrame} = render(<ModelsPanel models={[{...block.models[0]!, isPriced: false}]} modelOrder={[]} width={50} rows={3} />);
		expect(frameLines(lastFrame())[1]).toMatch(/^ opus-4-5 +\? +63%/);
	});
});

describe('SessionsPanel', () => {
	it.each(widths)('shows project, cost and last activity, and the model and sidechain share when there is room, at %i columns', width => {
		const {lastFrame} = render(<SessionsPanel title="sessions" sessions={state.blockSessions} selected={0} modelOrder={state.modelOrder} nowMs={fixtureNowMs} width={width} rows={5} />);
		const lines = frameLines(lastFrame());
		expect(lines).toHaveLength(3);
		expect(lines[1]).toMatch(/^▸ api-server/);
		expect(lines[1]).toContain('$5.50');
		expect(lines[1]).toContain('5m ago');
		expect(lines[2]).toMatch(/^ {2}web-app/);
		expect(lines[2]).toContain('10m ago');
		expect(lines[1]!.includes('opus-4-5')).toBe(width >= 46);
		expect(lines[1]!.endsWith('9%')).toBe(width >= 60);
		expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width);
	});

	it('scrolls to keep the selection in view and says where it is', () => {
		const sessions: SessionRow[] = Array.from({length: 10}, (_, index) => ({...state.blockSessions[0]!, sessionId: `s${index}`, project: `project-${index}`}));
		const {lastFrame} = render(<SessionsPanel title="sessions" sessions={sessions} selected={7} modelOrder={[]} nowMs={fixtureNowMs} width={50} rows={4} />);
		const lines = frameLines(lastFrame());
		expect(lines).toHaveLength(4);
		expect(lines[0]).toMatch(/^ sessions 8\/10/);
		expect(lines.slice(1).map(line => line.slice(2, 11))).toEqual(['project-5', 'project-6', 'project-7']);
		expect(lines[3]).toMatch(/^▸ project-7/);
	});

	it('truncates a long project name with an ellipsis', () => {
		const sessions = [{...state.blockSessions[0]!, project: 'a-very-long-project-name-that-does-not-fit'}];
		const {lastFrame} = render(<SessionsPanel title="sessions" sessions={sessions} selected={0} modelOrder={[]} nowMs={fixtureNowMs} width={40} rows={3} />);
		expect(frameLines(lastFrame())[1]).toMatch(/^▸ a-very-long-\S+… +\$5\.50/);
	});

	it('says none yet when empty', () => {
		const {lastFrame} = render(<SessionsPanel title="sessions" sessions={[]} selected={-1} modelOrder={[]} nowMs={fixtureNowMs} width={40} rows={3} />);
		expect(frameLines(lastFrame())[1]).toBe('  none yet');
	});
});

describe('EventsPanel', () => {
	it.each(widths)('lists events newest first in one row each at %i columns', width => {
		const {lastFrame} = render(<EventsPanel events={state.events} width={width} rows={5} />);
		const lines = frameLines(lastFrame());
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(/^ ! 12:10 limit hit \(api-server\)/);
		expect(lines[1]).toMatch(/^ ! 11:45 API error \(web-app\)/);
		if (width >= 60) expect(lines[1]).toBe(' ! 11:45 API error (web-app): 529 Overloaded');
		expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width);
	});

	it('shows no more rows than it is given', () => {
		expect(frameLines(render(<EventsPanel events={state.events} width={60} rows={1} />).lastFrame())).toHaveLength(1);
	});
});

describe('CostChart', () => {
	it.each([100, 160])('plots cumulative cost per model with a legend at %i columns', width => {
		const {lastFrame} = render(<CostChart models={block.models} modelOrder={state.modelOrder} width={width - 50} rows={9} isColor={false} />);
		const lines = frameLines(lastFrame());
		expect(lines).toHaveLength(9);
		expect(lines[0]).toBe(' cumulative cost per model');
		expect(lines[1]).toMatch(/^ +\$5\.00 ┼/);
		expect(lines.at(-2)).toMatch(/^ +\$0\.00 ┼/);
		expect(lines.at(-1)).toBe(' ■ opus-4-5  ■ sonnet-4-5  ■ haiku-4-5');
		expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width - 50);
	});

	it('says so before anything cost money', () => {
		const {lastFrame} = render(<CostChart models={[]} modelOrder={[]} width={60} rows={9} isColor={false} />);
		expect(frameLines(lastFrame())).toEqual([' cumulative cost per model: no cost yet']);
	});
});

describe('themes and glyphs', () => {
	it('draws bars and sparklines in ASCII when asked, for terminals without block characters', () => {
		const theme = themeFor('dark', true);
		const {lastFrame} = render(
			<ThemeContext value={theme}>
				<BlockPanel block={block} limit={state.limit} width={60} />
				<BurnPanel block={block} width={80} />
			</ThemeContext>,
		);
		const frame = lastFrame() ?? '';
		expect(frame).toMatch(/#+-+/);
		expect(frame).not.toMatch(/[█░▁▂▃▄▅▆▇]/);
	});

	it('keeps block characters by default', () => {
		expect(render(<BlockPanel block={block} limit={state.limit} width={60} />).lastFrame()).toContain('█');
	});

	it.each(['dark', 'light', 'colorblind'] as const)('gives the %s theme three distinct limit colours and six model colours', name => {
		const theme = themes[name];
		expect(new Set([statusColor('ok', theme), statusColor('warning', theme), statusColor('exceeds', theme)]).size).toBe(3);
		expect(new Set(theme.models).size).toBe(6);
		expect(chartColor(theme.models[0]!)).toMatch(new RegExp(`^${String.fromCharCode(27)}\\[(3\\d|38;2;\\d+;\\d+;\\d+)m$`));
	});

	it('uses no red–green pair in the colour-blind theme', () => {
		expect(Object.values(themes.colorblind.status)).toEqual(['#0072B2', '#E69F00', '#D55E00']);
	});
});

describe('BlockPanel with a block far past its limit', () => {
	it.each([40, 50, 80, 140, 200])('shows 1043%% whole at %i columns', width => {
		const {lastFrame} = render(<BlockPanel block={block} limit={{...state.limit!, usedShare: 10.43, projectedShare: 14.1, projectedTokens: 2_000_000}} width={width} />);
		const frame = lastFrame() ?? '';
		expect(frame).toContain('1043%');
		expect(frame).toContain('1410%');
		expect(frame).not.toContain('…');
		expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width);
	});
});
