import type {ReactElement} from 'react';
import {Box} from 'ink';
import {render as renderInk} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {fit} from '../../source/components/text.js';
import {DashboardView} from '../../source/components/dashboard-view.js';
import {HelpView} from '../../source/components/help-view.js';
import {ModelsView} from '../../source/components/models-view.js';
import {SessionDetailView} from '../../source/components/session-detail-view.js';
import {ToolsView} from '../../source/components/tools-view.js';
import {OtelSummary} from '../../source/core/otel/otel-summary.js';
import {buildTraces, tracesJson} from '../../source/core/otel/traces.js';
import {sessionDetail} from '../../source/core/screens/session-detail.js';
import {fixtureEntries, fixtureState} from '../helpers/dashboard-state.js';
import {consoleRecords, nativeRunLog, nativeRunSpans} from '../helpers/otel.js';
import {frameLines, frameWidth} from '../helpers/render.js';

const widths = [40, 60, 100, 160] as const;

/** The OpenTelemetry summary of a real native Claude Code run (fixtures/otel-console), plus an API error. */
const otel = (() => {
	const summary = new OtelSummary();
	for (const {record, isIncomplete} of consoleRecords(nativeRunLog)) summary.add(record, isIncomplete);
	summary.add({kind: 'log', name: 'claude_code.api_error', timestampMs: 1, attributes: {status_code: '529', model: 'claude-opus-4-5'}});
	return summary.json();
})();
const render = (node: ReactElement) => renderInk(<Box width={200} flexDirection="column">{node}</Box>);
const state = fixtureState({limit: undefined});
const alerting = fixtureState();

describe('DashboardView', () => {
	it.each(widths)('never draws more rows than it has, nor wider than %i columns', width => {
		for (let rows = 0; rows <= 30; rows++) {
			const {lastFrame} = render(<DashboardView state={alerting} selected={0} width={width} rows={rows} isColor={false} />);
			const lines = frameLines(lastFrame()).filter((line, index, all) => index < all.length - 1 || line !== '');
			expect(lines.length, `${rows} rows`).toBeLessThanOrEqual(rows);
			expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width);
		}
	});

	it('stacks everything in one column at 50 columns', () => {
		const lines = frameLines(render(<DashboardView state={alerting} selected={0} width={50} rows={30} isColor={false} />).lastFrame());
		expect(lines.map(line => line.trim().split(/\s+/)[0])).toEqual(['time', 'tokens', '→', 'cost', 'burn', 'now', 'models', 'opus-4-5', 'sonnet-4-5', 'haiku-4-5', 'sessions', '▸', 'web-app', '!', '!']);
	});

	it('puts the bars beside the chart and the models beside the sessions at 140 columns', () => {
		const lines = frameLines(render(<DashboardView state={alerting} selected={0} width={140} rows={30} isColor={false} />).lastFrame());
		expect(lines[0]).toMatch(/^ time .* cumulative cost per model$/);
		expect(lines.find(line => line.startsWith(' models'))).toMatch(/ sessions /);
		expect(lines.some(line => /\$5\.00 ┼/.test(line))).toBe(true);
		expect(lines.at(-1)).toMatch(/^ ! 11:45 API error/);
	});

	it('folds panels away from the bottom as rows run out, keeping the bars', () => {
		const lines = frameLines(render(<DashboardView state={alerting} selected={0} width={50} rows={9} isColor={false} />).lastFrame());
		expect(lines[0]).toMatch(/^ time/);
		expect(lines.some(line => line.startsWith(' models'))).toBe(true);
		expect(lines.some(line => line.startsWith(' !'))).toBe(false);
	});

	it.each(widths)('shows the idle state with today’s sessions at %i columns', width => {
		const idle = fixtureState({nowMs: Date.parse('2026-11-26T18:00:00Z')});
		const lines = frameLines(render(<DashboardView state={idle} selected={0} width={width} rows={20} isColor={false} />).lastFrame());
		expect(lines[0]).toBe(fit(' no active block: last request 5h35m ago', width).trimEnd());
		expect(lines[1]).toMatch(/^ sessions today/);
	});

	it('shows the empty state', () => {
		const empty = fixtureState({entries: []});
		const lines = frameLines(render(<DashboardView state={empty} selected={-1} width={50} rows={20} isColor={false} />).lastFrame());
		expect(lines[0]).toBe(' waiting for the first request…');
		expect(lines[2]).toBe('  none yet');
	});

	it('shows tokens without a limit bar when no limit is known', () => {
		const lines = frameLines(render(<DashboardView state={state} selected={0} width={50} rows={20} isColor={false} />).lastFrame());
		expect(lines[1]).toBe(' tokens   10.0k  → 20.7k');
	});
});

describe('ModelsView', () => {
	it.each([40, 60])('gives each model three rows with every token kind at %i columns', width => {
		const lines = frameLines(render(<ModelsView models={state.models} modelOrder={state.modelOrder} width={width} rows={20} />).lastFrame());
		expect(lines[0]).toBe(' models today');
		expect(lines[1]).toMatch(/^ opus-4-5 +\$5\.00 +2 req +hit 0%$/);
		expect(lines[2]).toBe('   in 2.00k · out 2.00k · read 0');
		expect(lines[3]).toBe('   cache write 0 5m · 0 1h');
		expect(frameWidth(render(<ModelsView models={state.models} modelOrder={state.modelOrder} width={width} rows={20} />).lastFrame())).toBeLessThanOrEqual(width);
	});

	it.each([100, 160])('is a table at %i columns', width => {
		const lines = frameLines(render(<ModelsView models={state.models} modelOrder={state.modelOrder} width={width} rows={20} />).lastFrame());
		expect(lines[0]).toMatch(/^ models today +in +out +cw 5m +cw 1h +cache rd +hit +cost$/);
		expect(lines[1]).toMatch(/^ opus-4-5 +2\.00k +2\.00k +0 +0 +0 +0% +\$5\.00$/);
		expect(lines).toHaveLength(4);
	});

	it('drops whole models that do not fit', () => {
		expect(frameLines(render(<ModelsView models={state.models} modelOrder={state.modelOrder} width={50} rows={5} />).lastFrame())).toHaveLength(4);
	});
});

describe('SessionDetailView', () => {
	const detail = sessionDetail({sessionId: 'a1', entries: fixtureEntries().filter(entry => entry.sessionId === 'a1')});

	it.each(widths)('shows span, cost, subagents, timeline, models and top requests at %i columns', width => {
		const {lastFrame} = render(<SessionDetailView detail={detail} modelOrder={state.modelOrder} width={width} rows={20} />);
		const lines = frameLines(lastFrame());
		expect(lines[0]).toMatch(/^ session api-server · a1/);
		expect(lines[1]).toBe(' 10:05–12:25 · 2h20m · 3 requests');
		expect(lines[2]).toMatch(/^ cost \$5\.50 · 6\.00k tok · subagents 9%/);
		expect(lines[3]).toMatch(/^ per \d+ min +[ ▁▂▃▄▅▆▇█]+$/);
		expect(lines[5]).toMatch(/^ {2}opus-4-5 +\$5\.00 +2 +0%$/);
		expect(lines[8]).toMatch(/^ {2}10:05 opus-4-5 +\$3\.00 +2\.00k/);
		expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width);
	});

	it('folds rows that do not fit', () => {
		expect(frameLines(render(<SessionDetailView detail={detail} modelOrder={[]} width={60} rows={4} />).lastFrame())).toHaveLength(4);
	});

	it('lists tool calls and the session\'s limit hits and errors when it has them', () => {
		const full = sessionDetail(
			{
				sessionId: 'a1',
				entries: fixtureEntries().filter(entry => entry.sessionId === 'a1'),
				events: [{kind: 'rate_limit', timestampMs: Date.parse('2026-11-26T12:26:00Z'), sessionId: 'a1', project: 'api-server', message: "You've reached your usage limit."}],
			},
			{tools: [{name: 'Read', calls: 12}, {name: 'Bash', calls: 3}]},
		);
		full!.toolTimings = {Bash: {calls: 3, failures: 0, durationMsP50: 900, durationMsP95: 2400}};
		const lines = frameLines(render(<SessionDetailView detail={full} modelOrder={[]} width={60} rows={20} />).lastFrame());
		expect(lines).toContain(' tools  Read 12 · Bash 3 (p95 2.4s)');
		expect(lines.at(-1)).toBe("  12:26 limit hit: You've reached your usage limit.");
		const none = sessionDetail({sessionId: 'a1', entries: fixtureEntries().filter(entry => entry.sessionId === 'a1')}, {tools: []});
		expect(frameLines(render(<SessionDetailView detail={none} modelOrder={[]} width={60} rows={20} />).lastFrame())).toContain(' tools: none called');
	});

	it('says so when the session has nothing in view', () => {
		expect(frameLines(render(<SessionDetailView detail={undefined} modelOrder={[]} width={60} rows={4} />).lastFrame())[0]).toBe(' that session has no requests in view (esc back)');
	});
});

describe('HelpView and ToolsView', () => {
	it.each(widths)('fit %i columns', width => {
		for (const node of [<HelpView key="help" width={width} rows={20} />, <ToolsView key="tools" otel={undefined} width={width} rows={20} />, <ToolsView key="tools-otel" otel={otel} width={width} rows={20} />]) {
			const {lastFrame} = render(node);
			expect(frameWidth(lastFrame())).toBeLessThanOrEqual(width);
		}
	});

	it('lists the keys', () => {
		const text = frameLines(render(<HelpView width={60} rows={20} />).lastFrame()).join('\n');
		for (const key of ['q, Ctrl+C', 'tab, 1–5', 'f  ', 'enter', 'p ']) expect(text).toContain(key);
	});

	it('says how to send OpenTelemetry data while none has arrived', () => {
		const text = frameLines(render(<ToolsView otel={undefined} width={60} rows={20} />).lastFrame()).join('\n');
		expect(text).toContain('CLAUDE_CODE_ENABLE_TELEMETRY=1');
	});

	it('shows productivity, the slowest tools first, API latency per model and errors by status', () => {
		const lines = frameLines(render(<ToolsView otel={otel} width={60} rows={30} />).lastFrame());
		expect(lines[0]).toBe(' tools & OpenTelemetry · all received today · 3 sessions');
		expect(lines).toContain('  lines +4 −0 · 0 commits · 0 PRs');
		expect(lines.find(line => line.startsWith('  edits accepted'))).toBe('  edits accepted 100% (1 of 1) · $1.65/100 lines');
		const tools = lines.slice(lines.findIndex(line => /^ tools +calls/.test(line)) + 1, lines.findIndex(line => line.startsWith(' API')));
		expect(tools.map(line => line.trim().split(/\s+/))).toEqual([
			['Bash', '1', '0', '34ms', '34ms'],
			['Write', '1', '0', '14ms', '14ms'],
		]);
		expect(lines.some(line => /^ {2}sonnet-4-5 +\d+ +\d+ms +\d+ms$/.test(line))).toBe(true);
		expect(lines.at(-1)).toBe('  errors: 529 ×1');
	});

	it('folds to the rows it has', () => {
		for (let rows = 0; rows <= 20; rows++) {
			expect(frameLines(render(<ToolsView otel={otel} width={60} rows={rows} />).lastFrame()).filter(line => line !== '').length).toBeLessThanOrEqual(rows);
		}
	});

	it('says where the interactions\' time went when traces arrived', () => {
		const traces = tracesJson(buildTraces(nativeRunSpans()));
		const lines = frameLines(render(<ToolsView otel={otel} traces={traces} width={100} rows={30} />).lastFrame());
		expect(lines).toContain(' time · 3 interactions');
		const split = lines.find(line => line.startsWith('  model '))!;
		const shares = [...split.matchAll(/(\d+)%/g)].map(match => Number(match[1]));
		expect(shares).toHaveLength(4);
		expect(Math.abs(shares.reduce((sum, share) => sum + share, 0) - 100)).toBeLessThanOrEqual(2);
		expect(lines.find(line => line.startsWith('  slowest '))).toMatch(/^ {2}slowest \d+ms · cctop trace \w{8}$/);
		expect(frameWidth(render(<ToolsView otel={otel} traces={traces} tracesScope="all received" width={50} rows={30} />).lastFrame())).toBeLessThanOrEqual(50);
	});
});
