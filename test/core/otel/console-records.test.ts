import {readdirSync, readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ConsoleRecordReader, type ConsolePiece} from '../../../source/core/otel/console-records.js';

const dir = 'fixtures/otel-console';
const read = (name: string): string => readFileSync(`${dir}/${name}`, 'utf8');

/** Every piece of `chunks` fed in order. */
const piecesOf = (chunks: readonly string[]): ConsolePiece[] => {
	const pieces: ConsolePiece[] = [];
	const reader = new ConsoleRecordReader(piece => pieces.push(piece));
	for (const chunk of chunks) reader.push(chunk);
	reader.end();
	return pieces;
};

const countsOf = (pieces: readonly ConsolePiece[]) => {
	const counts = {metric: 0, log: 0, span: 0, resource: 0, incomplete: 0, bad: 0};
	for (const piece of pieces) {
		if (piece.kind === 'record') {
			counts[piece.record.kind]++;
			if (piece.isIncomplete) counts.incomplete++;
		} else if (piece.kind === 'bad') {
			counts.bad++;
		}
	}

	return counts;
};

const textOf = (pieces: readonly ConsolePiece[]): string => pieces.flatMap(piece => (piece.kind === 'text' ? [piece.text] : [])).join('');

// Records per file, as listed in fixtures/README.md ("otel-console/").
const expected: Record<string, [metric: number, log: number, span: number, resource: number, incomplete: number]> = {
	'cc-1.0.60_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt': [6, 4, 0, 3, 0],
	'cc-2.1.112_interactive-TUI_--debug_debuglog-excerpt.txt': [28, 6, 0, 0, 28],
	'cc-2.1.112_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt': [10, 5, 0, 0, 0],
	'cc-2.1.332-native-bun_interactive-TUI_exit-flush_on-terminal.TTY-ansi.raw': [4, 1, 0, 0, 0],
	'cc-2.1.332-native-bun_p-mode_console-traces+metrics+logs_tool-turns.stdout.txt': [14, 28, 14, 0, 0],
	'cc-2.1.332-native-bun_p-mode_logs_LOG_USER_PROMPTS+TOOL_DETAILS_multiline-quotes-unicode.stdout.txt': [0, 10, 0, 0, 0],
	'logs_sdk-logs-0.200.0.stdout.txt': [0, 7, 0, 0, 0],
	'logs_sdk-logs-0.208.0.TTY-ansi-crlf.raw': [0, 7, 0, 0, 0],
	'logs_sdk-logs-0.208.0.claude-interactive-debuglog-style.txt': [0, 7, 0, 0, 1],
	'logs_sdk-logs-0.208.0.stdout.txt': [0, 7, 0, 0, 0],
	'logs_sdk-logs-0.216.0.stdout.txt': [0, 7, 0, 0, 0],
	'logs_sdk-logs-0.57.2.stdout.txt': [0, 7, 0, 0, 0],
	'logs_sdk-logs-3.1.1.stdout.txt': [0, 7, 0, 0, 0],
	'metrics_cumulative_sdk-metrics-1.30.1.stdout.txt': [15, 0, 0, 0, 0],
	'metrics_cumulative_sdk-metrics-2.0.0.stdout.txt': [15, 0, 0, 0, 0],
	'metrics_cumulative_sdk-metrics-2.2.0.TTY-ansi-crlf.raw': [15, 0, 0, 0, 0],
	'metrics_cumulative_sdk-metrics-2.2.0.stdout.txt': [15, 0, 0, 0, 0],
	'metrics_cumulative_sdk-metrics-2.7.1.stdout.txt': [15, 0, 0, 0, 0],
	'metrics_cumulative_sdk-metrics-3.1.1.stdout.txt': [15, 0, 0, 0, 0],
	'metrics_delta_sdk-metrics-1.30.1.stdout.txt': [9, 0, 0, 0, 0],
	'metrics_delta_sdk-metrics-2.0.0.stdout.txt': [9, 0, 0, 0, 0],
	'metrics_delta_sdk-metrics-2.2.0.stdout.txt': [9, 0, 0, 0, 0],
	'metrics_delta_sdk-metrics-2.7.1.stdout.txt': [9, 0, 0, 0, 0],
	'metrics_delta_sdk-metrics-3.1.1.stdout.txt': [9, 0, 0, 0, 0],
	'metrics_sdk-metrics-2.2.0.claude-interactive-debuglog-style.txt': [15, 0, 0, 0, 15],
	'public-excerpts/01_anthropics-claude-code-monitoring-guide_cc-1.0.17_metrics_node-format_ABRIDGED.txt': [1, 0, 0, 0, 0],
	'public-excerpts/02_cc-2.1.32_darwin_p-mode_node-format_ABRIDGED-by-author.txt': [2, 2, 0, 0, 0],
	'public-excerpts/03_cc-2.1.150_windows_p-mode_bun-format_plugin_loaded_SANITIZED.txt': [0, 1, 0, 0, 0],
	'public-excerpts/04_cc-2.1.3x_darwin_tool_result_node-format_ELIDED-by-author.txt': [0, 1, 0, 0, 1],
	'public-excerpts/05_cc-2.1.226_tool_result_bun-format_FRAGMENT.txt': [0, 0, 0, 0, 0],
};

describe('ConsoleRecordReader on every console sample', () => {
	it('covers every file in fixtures/otel-console', () => {
		const files = [
			...readdirSync(dir).filter(name => name !== 'public-excerpts'),
			...readdirSync(`${dir}/public-excerpts`)
				.filter(name => !name.endsWith('.md'))
				.map(name => `public-excerpts/${name}`),
		];
		expect(files.sort()).toEqual(Object.keys(expected).sort());
	});

	it.each(Object.entries(expected))('%s', (name, [metric, log, span, resource, incomplete]) => {
		expect(countsOf(piecesOf([read(name)]))).toEqual({metric, log, span, resource, incomplete, bad: 0});
	});

	it('passes the model\'s answer through and keeps banners and records out of it', () => {
		expect(textOf(piecesOf([read('cc-2.1.112_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt')]))).toBe('Hello from the mock.\n');
		const old = textOf(piecesOf([read('cc-1.0.60_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt')]));
		expect(old).not.toContain('Resource Attributes');
		expect(old).not.toMatch(/^=+$/m);
	});

	it('reads the span, log and metric fields, numbers printed as strings included', () => {
		const pieces = piecesOf([read('cc-2.1.332-native-bun_p-mode_console-traces+metrics+logs_tool-turns.stdout.txt')]);
		const records = pieces.flatMap(piece => (piece.kind === 'record' ? [piece.record] : []));
		const span = records.find(record => record.kind === 'span' && record.name === 'claude_code.llm_request');
		expect(span).toMatchObject({kind: 'span', traceId: '734b30800efcb2455c64217562c91e2a', spanId: '85b64bdaad71ff63', parentSpanId: 'b9e9c2ac867e03c4', startMs: 1_795_736_499_086});
		expect(span?.kind === 'span' && span.durationMs).toBeCloseTo(42.000_868, 6);
		const cost = records.find(record => record.kind === 'metric' && record.name === 'claude_code.cost.usage');
		expect(cost).toMatchObject({unit: 'USD', points: [{startTimeMs: 1_795_736_499_124, endTimeMs: 1_795_736_499_216}]});
	});

	it('gives back JSON that is not a record (the model printed it) as text, and a broken record as text plus a bad count', () => {
		const answer = 'Here is the config:\n{\n  "name": "demo"\n}\nDone.\n';
		expect(textOf(piecesOf([answer]))).toBe(answer);
		const broken = "{\n  body: 'claude_code.api_request',\n  attributes: { oops\n}\nafter\n";
		const pieces = piecesOf([broken]);
		expect(countsOf(pieces).bad).toBe(1);
		expect(textOf(pieces)).toBe(broken);
	});

	it('gives the same pieces whatever the chunk boundaries (property)', () => {
		const text = read('cc-1.0.60_p-mode_console-metrics+logs_tool-turn_interval1000.stdout.txt') + read('logs_sdk-logs-0.208.0.TTY-ansi-crlf.raw');
		const whole = piecesOf([text]);
		fc.assert(
			fc.property(fc.uniqueArray(fc.integer({min: 1, max: text.length - 1}), {maxLength: 40}), cuts => {
				const points = [0, ...cuts.sort((a, b) => a - b), text.length];
				const chunks = points.slice(1).map((end, index) => text.slice(points[index], end));
				const pieces = piecesOf(chunks);
				expect(countsOf(pieces)).toEqual(countsOf(whole));
				expect(pieces.filter(piece => piece.kind === 'record')).toEqual(whole.filter(piece => piece.kind === 'record'));
				expect(textOf(pieces)).toBe(textOf(whole));
			}),
			{numRuns: 200},
		);
	});

	it('never throws on garbage, and loses no text (fuzz)', () => {
		const record = read('logs_sdk-logs-0.208.0.stdout.txt');
		fc.assert(
			fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('{\n', '}\n', '[Object]', "'", '\u001B[32m', '\r\n', '=== Resource Attributes ===\n'), fc.constant(record.slice(0, 300))), {maxLength: 30}), parts => {
				const text = parts.join('');
				const pieces = piecesOf([text]);
				// Whatever is not a record comes back; records account for the rest.
				expect(textOf(pieces).length).toBeLessThanOrEqual(text.length);
			}),
			{numRuns: 1000},
		);
	});
});
