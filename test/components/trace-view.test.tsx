import {Box} from 'ink';
import {render as renderInk} from 'ink-testing-library';
import type {ReactElement} from 'react';
import {describe, expect, it} from 'vitest';
import {TraceView} from '../../source/components/trace-view.js';
import {buildTraces} from '../../source/core/otel/traces.js';
import {nativeRunSpans} from '../helpers/otel.js';
import {frameLines, frameWidth} from '../helpers/render.js';

// The first interaction of a real 2.1.332 run (console form): a Write turn on Sonnet 4.5.
const traces = buildTraces(nativeRunSpans());
// Wider than the test terminal's 100 columns: a box, as in the other view tests.
const render = (node: ReactElement) => renderInk(<Box width={200} flexDirection="column">{node}</Box>);
const trace = traces.find(candidate => candidate.sessionId?.startsWith('32c08c35'))!;

describe('TraceView', () => {
	it.each([60, 140])('draws the spans in order, indented by parent, with bars on one time axis (%i columns)', width => {
		const lines = frameLines(render(<TraceView trace={trace} width={width} isColor={false} />).lastFrame());
		expect(frameWidth(render(<TraceView trace={trace} width={width} isColor={false} />).lastFrame())).toBeLessThanOrEqual(width);
		expect(lines[0]).toMatch(/^ trace 734b3080 · session 32c08c35 · \d\d:\d\d · 229ms$/);
		const rows = lines.slice(1, 7);
		// Order and indentation: the interaction, then its children, each tool's two steps under it.
		expect(rows.map(line => /^ +(?=\S)/.exec(line)![0].length)).toEqual([1, 3, 3, 5, 5, 3]);
		expect(rows.map(line => line.trim().split(/ {2,}/)[0])).toEqual(['interaction', 'model sonnet-4-5 1.20k→85', 'tool Write', 'waiting on you (accept)', 'run', 'model sonnet-4-5 150→12']);
		// Proportions: each bar is its span's share of the interaction, on the same axis.
		const bar = (line: string) => ({start: line.indexOf('█'), length: (line.match(/█/g) ?? []).length});
		const axis = bar(rows[0]!);
		const spans = trace.rows.map(row => row.span);
		for (const [index, line] of rows.entries()) {
			const span = spans[index]!;
			const expectedLength = Math.max(1, Math.round((span.durationMs! / trace.durationMs) * axis.length));
			expect(Math.abs(bar(line).length - expectedLength), `row ${index}`).toBeLessThanOrEqual(1);
			const expectedStart = axis.start + Math.floor(((span.startMs! - trace.startMs) / trace.durationMs) * axis.length);
			expect(Math.abs(bar(line).start - expectedStart), `row ${index}`).toBeLessThanOrEqual(1);
		}

		// The tool runs after the user said yes, and the second model call comes last.
		expect(bar(rows[4]!).start).toBeGreaterThanOrEqual(bar(rows[3]!).start + bar(rows[3]!).length - 1);
		expect(bar(rows[5]!).start).toBeGreaterThan(bar(rows[4]!).start);
		expect(lines[7]).toMatch(/^ model \d+ms \(first token \d+ms\) · tools 14ms$/);
		expect(lines[8]).toMatch(/^ waiting on you 22ms · other \d+ms$/);
	});

	it('says when the root never arrived', () => {
		const orphans = buildTraces(trace.rows.map(row => row.span).filter(span => span.name !== 'claude_code.interaction'));
		expect(frameLines(render(<TraceView trace={orphans[0]!} width={100} isColor={false} />).lastFrame())[0]).toContain('root not received');
	});
});
