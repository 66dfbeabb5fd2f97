import {Box} from 'ink';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {AuditView, auditFilters} from '../../source/components/audit-view.js';
import type {AuditRow} from '../../source/core/otel/audit.js';
import {initialNavigation, navigate, type Navigation} from '../../source/hooks/navigation.js';
import {frameLines} from '../helpers/render.js';

const row = (overrides: Partial<AuditRow>): AuditRow => ({timestamp: '2026-11-26T10:00:00.000Z', event: 'tool_result', user: 'ana@example.com', sessionId: 'cafe0001-aaaa', tool: 'Bash', decision: 'success', source: null, detail: '12 ms · ls', ...overrides});
const events: AuditRow[] = [
	row({}),
	row({timestamp: '2026-11-26T10:01:00.000Z', event: 'tool_decision', decision: 'reject', source: 'user_reject', detail: 'rm -rf build'}),
	row({timestamp: '2026-11-26T10:02:00.000Z', event: 'permission_mode_changed', tool: null, decision: null, source: 'shift_tab', detail: 'default → bypassPermissions'}),
	row({timestamp: '2026-11-26T10:03:00.000Z', event: 'guard', user: 'ana', tool: null, decision: 'block', source: 'UserPromptSubmit', detail: 'budget "day" (day) is over: $41.00 of $40.00 used'}),
];

const frame = (width: number, filter = 0, rows = 10) => frameLines(render(<Box width={200} flexDirection="column"><AuditView events={events} filter={filter} width={width} rows={rows} /></Box>).lastFrame());

describe('AuditView (dashboard view 5)', () => {
	it.each([40, 60, 100, 140])('lists today\'s events newest first under the filter, then who did what, at %i columns', width => {
		const lines = frame(width);
		expect(lines[0]).toMatch(/^ audit today · all \(f\)/);
		expect(lines[1]).toMatch(/^ 10:03 guard /);
		expect(lines[4]).toMatch(/^ 10:00 tool_result/);
		expect(lines.at(-2)).toMatch(/^ ana@example\.com 3 ev · 1 rej/);
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
		if (width >= 100) expect(lines[2]).toContain('ana@example.com  cafe0001');
		// A side pane runs the columns together so the detail shows.
		if (width === 40) expect(lines[3]).toBe(' 10:01 tool_decision  Bash · reject · u…');
	});

	it('narrows to rejections, blocks and failures, to tool decisions, to permission changes and to the guard', () => {
		expect(frame(100, 1).slice(1, 3).map(line => line.slice(0, 30).trim())).toEqual(['10:03 guard', '10:01 tool_decision']);
		expect(frame(100, 2)[0]).toMatch(/tool decisions \(f\) · 1 of 4$/);
		expect(frame(140, 3)[1]).toMatch(/permission_mode_changed .*default → bypassPermissions$/);
		expect(frame(140, 4)[1]).toMatch(/^ 10:03 guard .* block +UserPromptSubmit · budget "day"/);
	});

	it('keeps to its rows: the newest first when they run out', () => {
		const lines = frame(80, 0, 3);
		expect(lines).toHaveLength(3);
		expect(lines[1]).toMatch(/^ 10:03 guard/);
	});

	it('says so when there is nothing yet', () => {
		const lines = frameLines(render(<AuditView events={[]} filter={0} width={80} rows={5} />).lastFrame());
		expect(lines[1]).toMatch(/^ no events yet today/);
	});

	it('cycles its filters with f, wrapping around', () => {
		let state: Navigation = {...initialNavigation, view: 'audit'};
		for (let press = 0; press < auditFilters.length; press++) state = navigate(state, {type: 'next-audit-filter', count: auditFilters.length});
		expect(state.auditFilter).toBe(0);
		expect(navigate(state, {type: 'next-audit-filter', count: auditFilters.length}).auditFilter).toBe(1);
	});
});
