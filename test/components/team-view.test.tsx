import {Box} from 'ink';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {TeamApp, TeamView} from '../../source/components/team-view.js';
import {waitFor} from '../helpers/wait-for.js';
import {teamReport, type TeamJson, type TeamSample} from '../../source/core/otel/team.js';
import {frameLines} from '../helpers/render.js';

const nowMs = Date.UTC(2026, 10, 26, 12);
const period = {name: 'day' as const, startMs: Date.UTC(2026, 10, 26), endMs: Date.UTC(2026, 10, 27)};
const sample = (name: string, labels: Record<string, string>, value: number): TeamSample => ({name, labels, value});
const samples: TeamSample[] = [
	sample('claude_code_cost_usage_USD_total', {user_email: 'ana@example.com', team_id: 'platform', model: 'claude-opus-4-5-20251101'}, 30),
	sample('claude_code_cost_usage_USD_total', {user_email: 'ana@example.com', team_id: 'platform', model: 'claude-sonnet-4-5-20250929'}, 10),
	sample('claude_code_cost_usage_USD_total', {user_email: 'bo@example.com', team_id: 'web', model: 'claude-haiku-4-5-20251001'}, 5),
	sample('claude_code_cost_usage_USD_total', {user_id: 'a1b2c3', model: 'claude-haiku-4-5-20251001'}, 1),
	sample('claude_code_token_usage_tokens_total', {user_email: 'ana@example.com', type: 'input'}, 120_000),
	sample('claude_code_session_count_total', {user_email: 'ana@example.com', session_id: 's-2'}, 2),
	sample('claude_code_session_count_total', {user_email: 'ana@example.com', session_id: 's-1'}, 1),
	sample('claude_code_lines_of_code_count_total', {user_email: 'ana@example.com', type: 'added'}, 412),
	sample('claude_code_code_edit_tool_decision_total', {user_email: 'ana@example.com', decision: 'accept'}, 9),
	sample('claude_code_code_edit_tool_decision_total', {user_email: 'ana@example.com', decision: 'reject'}, 1),
];
const report = teamReport(samples, {
	by: 'user',
	period,
	nowMs,
	source: 'spool',
	budgets: [{name: 'each', scope: 'team', match: {user: '*'}, period: 'day', usd: 50, warnAt: [0.8, 0.9], enforce: 'warn'}],
	hourSamples: [sample('claude_code_cost_usage_USD_total', {user_email: 'ana@example.com', model: 'x'}, 4.5)],
	buckets: Array.from({length: 24}, (_, hour) => (hour === 9 || hour === 11 ? [sample('claude_code_cost_usage_USD_total', {user_email: 'ana@example.com', model: 'x'}, hour === 9 ? 10 : 30)] : [])),
});

describe('teamReport', () => {
	it('adds the top model, the last hour\'s burn, the projection and the edit acceptance', () => {
		expect(report.rows[0]).toMatchObject({key: 'ana@example.com', costUSD: 40, topModel: 'claude-opus-4-5-20251101', costPerHourUSD: 4.5, projectedCostUSD: 80, editAcceptance: 0.9, sessions: 3, budget: {name: 'each', used: 40, limit: 50, projected: 80, status: 'warn'}});
		expect(report.unidentified).toEqual({costUSD: 1, series: 1});
	});
});

describe('TeamView', () => {
	it.each([40, 50, 140, 200])('shows each person, the total and who lacks an identity, at %i columns', width => {
		const lines = frameLines(render(<Box width={200}><TeamView report={report} width={width} rows={12} sort={0} /></Box>).lastFrame());
		expect(lines[0]).toMatch(width >= 80 ? /^ team by user · day from 2026-11-26 · spool · sort cost \(s\)/ : /^ team · user · day · spool · cost \(s\)$/);
		expect(lines[2]).toMatch(width >= 50 ? /^ ana@example\.com +\$40\.00 +87% +\$4\.50\/h +\$80\.00/ : /^ ana@example\.c… +\$40\.00 +87% +\$4\.50\/h$/);
		expect(lines.find(line => line.startsWith(' total'))).toMatch(/\$46\.00/);
		expect(lines.at(-1)).toMatch(/^ 1 without a real identity/);
		if (width === 140) expect(lines[2]).toMatch(/120\.0k +3 opus-4-5 +\+412\/-0 +90% +[ ▁-█]{12} +█+░* +80%$/);
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
	});

	it('sorts by name with s', () => {
		const lines = frameLines(render(<Box width={200}><TeamView report={report} width={80} rows={12} sort={3} /></Box>).lastFrame());
		expect(lines[0]).toContain('sort name (s)');
		expect(report.rows[0]!.sessionIds).toEqual(['s-1', 's-2']);
		expect(report.rows[0]!.models).toEqual([{model: 'claude-opus-4-5-20251101', costUSD: 30}, {model: 'claude-sonnet-4-5-20250929', costUSD: 10}]);
		expect(lines[2]).toMatch(/^ a1b2c3/);
	});
});

describe('TeamApp', () => {
	it('opens a row with ↓ and enter: its models, tokens and budget; esc goes back', async () => {
		let deliver: (value: TeamJson) => void = () => undefined;
		const {stdin, lastFrame} = render(<TeamApp load={async () => new Promise<TeamJson>(resolve => { deliver = resolve; })} refreshMs={60_000} width={100} rows={14} />);
		await waitFor(() => lastFrame()?.includes('reading'), 5000, 'the first frame');
		deliver(report);
		// Keys typed the moment the rows are drawn, maybe before React has run
		// that render's effects: they must act on the rows just drawn. Checked
		// every turn of the event loop, not every 20 ms, to type that soon.
		for (let turn = 0; turn < 1000 && !lastFrame()?.includes('ana@example.com'); turn++) await new Promise(resolve => setImmediate(resolve));
		expect(lastFrame()).toContain('ana@example.com');
		// ↓ and ⏎ together, as a quick typist sends them: ⏎ opens the row ↓ moved to.
		stdin.write('\u001B[B');
		stdin.write('\r');
		await waitFor(() => lastFrame()?.includes(' models'), 5000, 'the detail');
		const detail = frameLines(lastFrame());
		expect(detail[0]).toMatch(/^ bo@example\.com · \$5\.00/);
		expect(detail.find(line => line.startsWith('   haiku-4-5'))).toMatch(/\$5\.00 +100%$/);
		await new Promise(resolve => setTimeout(resolve, 50));
		stdin.write('\u001B');
		await waitFor(() => lastFrame()?.includes('sort cost (s)'), 5000, 'the list again');
	});
});
