import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {ConsoleRecordReader} from '../../../source/core/otel/console-records.js';
import {OtelSummary} from '../../../source/core/otel/otel-summary.js';

const summaryOf = (...names: string[]) => {
	const summary = new OtelSummary();
	const reader = new ConsoleRecordReader(piece => {
		if (piece.kind === 'record') summary.add(piece.record, piece.isIncomplete);
		else if (piece.kind === 'bad') summary.addBad();
	});
	for (const name of names) reader.push(readFileSync(`fixtures/otel-console/${name}`, 'utf8'));
	reader.end();
	return summary.json();
};

// Totals worked out by hand in fixtures/README.md ("otel-console/").
describe('OtelSummary', () => {
	it('takes the last value of a cumulative series and sums delta exports, to the same totals', () => {
		for (const version of ['1.30.1', '2.0.0', '2.2.0', '2.7.1', '3.1.1']) {
			for (const temporality of ['cumulative', 'delta']) {
				const json = summaryOf(`metrics_${temporality}_sdk-metrics-${version}.stdout.txt`);
				expect(json.costUSD, `${temporality} ${version}`).toBeCloseTo(0.0143, 10);
				expect(json.tokens).toEqual({input: 1300, output: 300, cacheRead: 5000, cacheCreation: 0});
				expect(Object.keys(json.byModel)).toEqual(['claude-sonnet-4-5-20250929']);
			}
		}
	});

	it('sums a real Claude Code 2.1.112 run: metrics and api_request events agree', () => {
		const json = summaryOf('cc-2.1.112_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt');
		expect(json.costUSD).toBeCloseTo(0.017_685, 10);
		expect(json.apiRequests.costUSD).toBeCloseTo(0.017_685, 10);
		expect(json.tokens).toEqual({input: 2400, output: 99, cacheRead: 10_000, cacheCreation: 1600});
		expect(json.apiRequests).toMatchObject({count: 2, errors: 0, durationMsP50: 1520, durationMsP95: 1605});
		expect(json.tools).toEqual({Read: {calls: 1, failures: 0, durationMsP50: 6, durationMsP95: 6, decisions: {accept: 1, reject: 0}}});
		expect(json.events).toEqual({api_request: 2, tool_decision: 1, tool_result: 1, user_prompt: 1});
		expect(json.sessions).toHaveLength(1);
	});

	it('reads the native build\'s lines of code, edit decisions and active time', () => {
		const json = summaryOf('cc-2.1.332-native-bun_p-mode_console-traces+metrics+logs_tool-turns.stdout.txt');
		expect(json.costUSD).toBeCloseTo(0.066_05, 10);
		expect(json.linesOfCode).toEqual({added: 4, removed: 0});
		expect(json.editDecisions).toEqual({accept: 1, reject: 0});
		expect(json.activeTimeSeconds.cli).toBeCloseTo(0.592, 10);
		expect(json.sessions).toHaveLength(3);
		expect(json.events['plugin_loaded']).toBe(9);
	});

	it('counts an API error and string numbers in events', () => {
		const json = summaryOf('logs_sdk-logs-0.208.0.stdout.txt');
		expect(json.apiRequests).toMatchObject({count: 2, errors: 1});
		expect(json.apiRequests.costUSD).toBeCloseTo(0.0542, 10);
	});

	it('counts an event read twice once, and keeps every export of a metric to its last value', () => {
		const once = summaryOf('cc-1.0.60_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt');
		const twice = summaryOf('cc-1.0.60_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt', 'cc-1.0.60_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt');
		expect({...twice, diagnostics: undefined}).toEqual({...once, diagnostics: undefined});
		expect(twice.diagnostics.records).toBe(2 * once.diagnostics.records);
	});

	it('skips metric points that lost their series to [Object]/[Array], and counts the records as incomplete', () => {
		const json = summaryOf('metrics_sdk-metrics-2.2.0.claude-interactive-debuglog-style.txt');
		expect(json.costUSD).toBe(0);
		expect(json.diagnostics).toEqual({records: 15, incompleteRecords: 15, badRecords: 0});
		// The debug log's events are whole, so they still count.
		expect(summaryOf('cc-2.1.112_interactive-TUI_--debug_debuglog-excerpt.txt').apiRequests.count).toBe(3);
	});

	it('keeps a point without a start time when the record is complete (an abridged excerpt)', () => {
		expect(summaryOf('public-excerpts/02_cc-2.1.32_darwin_p-mode_node-format_ABRIDGED-by-author.txt')).toMatchObject({costUSD: 0.024_46, tokens: {input: 3, output: 5, cacheRead: 18_190, cacheCreation: 2436}});
	});
});
