import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import type {OtelRecord} from '../../../source/core/otel/console-records.js';
import {decodeTracesRequest} from '../../../source/core/otel/otlp-proto.js';
import {logRecords, spanRecords} from '../../../source/core/otel/otlp-records.js';
import {buildTraces, tracesJson, type SpanRecord} from '../../../source/core/otel/traces.js';
import {nativeRunSpans} from '../../helpers/otel.js';

const folder = (encoding: string) => path.resolve(`fixtures/otlp-traces/cc-2.1.332_http-${encoding}`);
const otlpSpans = (encoding: 'json' | 'protobuf'): SpanRecord[] =>
	readdirSync(folder(encoding))
		.filter(name => /_traces\.(json|bin)$/.test(name))
		.flatMap(name => {
			const bytes = readFileSync(path.join(folder(encoding), name));
			return spanRecords(encoding === 'json' ? JSON.parse(bytes.toString('utf8')) : decodeTracesRequest(bytes)).records as SpanRecord[];
		});
/** A trace as its tree: span names indented by depth. */
const shape = (spans: SpanRecord[]) => buildTraces(spans).map(trace => trace.rows.map(row => `${'  '.repeat(row.depth)}${row.span.name.replace('claude_code.', '')}`));

const toolTurn = ['interaction', '  llm_request', '  tool', '    tool.blocked_on_user', '    tool.execution', '  llm_request'];

describe('buildTraces on real Claude Code 2.1.332 spans', () => {
	it.each([
		['OTLP/JSON', () => otlpSpans('json')],
		['OTLP/protobuf', () => otlpSpans('protobuf')],
		['console', nativeRunSpans],
	])('%s: one interaction per prompt, tools under it, each tool blocked on the user and then run', (_, spans) => {
		expect(shape(spans())).toEqual([toolTurn, toolTurn, ['interaction', '  llm_request']]);
	});

	it('splits an interaction\'s time: model (first token, generation), tool run, blocked on the user, the rest', () => {
		const [trace] = buildTraces(otlpSpans('json'));
		const spans = trace!.rows.map(row => row.span);
		const sum = (kind: string) => spans.filter(span => span.name === `claude_code.${kind}`).reduce((total, span) => total + span.durationMs!, 0);
		expect(trace!.split.model).toBeCloseTo(sum('llm_request'), 6);
		expect(trace!.split.toolExecution).toBeCloseTo(sum('tool.execution'), 6);
		expect(trace!.split.blockedOnUser).toBeCloseTo(sum('tool.blocked_on_user'), 6);
		expect(trace!.split.model + trace!.split.toolExecution + trace!.split.blockedOnUser + trace!.split.other).toBeCloseTo(trace!.durationMs, 6);
		// ttft_ms of the two model calls: 13 + 18.
		expect(trace!.split.timeToFirstToken).toBe(31);
		expect(trace!.tools.get('Write')).toMatchObject({calls: 1});
	});

	it('joins each model call to its transcript request and its api_request event by request id', () => {
		const requests = buildTraces(otlpSpans('json')).flatMap(trace => trace.llmRequests.map(span => span.attributes['request_id']));
		expect(requests).toHaveLength(5);
		const transcripts = readdirSync(path.join(folder('json'), 'transcripts'))
			.map(name => readFileSync(path.join(folder('json'), 'transcripts', name), 'utf8'))
			.join('');
		const events = readdirSync(folder('json'))
			.filter(name => /_logs\.json$/.test(name))
			.flatMap(name => logRecords(JSON.parse(readFileSync(path.join(folder('json'), name), 'utf8'))).records as Array<Extract<OtelRecord, {kind: 'log'}>>)
			.filter(record => record.name === 'claude_code.api_request')
			.map(record => record.attributes['request_id']);
		for (const id of requests) {
			expect(transcripts).toContain(`"requestId":"${String(id)}"`);
			expect(events).toContain(id);
		}

		// Each tool span names the transcript's tool_use block it ran, and the session is the conversation.
		const toolSpans = buildTraces(otlpSpans('json')).flatMap(trace => trace.rows.map(row => row.span).filter(span => span.name === 'claude_code.tool'));
		expect(toolSpans).toHaveLength(2);
		for (const span of toolSpans) expect(transcripts).toContain(`"id":"${String(span.attributes['tool_use_id'])}"`);
		for (const trace of buildTraces(otlpSpans('json'))) expect(readdirSync(path.join(folder('json'), 'transcripts'))).toContain(`${trace.sessionId}.jsonl`);
	});

	it('gives the same traces whatever order the spans arrive in (children before parents)', () => {
		const spans = otlpSpans('json');
		const expected = shape(spans);
		fc.assert(
			fc.property(fc.shuffledSubarray(spans, {minLength: spans.length, maxLength: spans.length}), shuffled => {
				expect(shape(shuffled)).toEqual(expected);
			}),
			{numRuns: 100},
		);
	});

	it('shows a trace whose root never came from its orphans, and keeps spans of unknown names and duplicates once', () => {
		const spans = otlpSpans('json').filter(span => span.name !== 'claude_code.interaction');
		const unknown: SpanRecord = {...spans.find(span => span.name === 'claude_code.tool')!, spanId: 'ffff000000000001', name: 'claude_code.hook', durationMs: 5};
		const traces = buildTraces([...spans, unknown, ...spans]);
		expect(traces.every(trace => trace.isRootMissing)).toBe(true);
		expect(traces[0]!.rows.map(row => [row.depth, row.span.name.replace('claude_code.', '')])).toEqual([
			[0, 'llm_request'],
			[0, 'tool'],
			[1, 'tool.blocked_on_user'],
			[1, 'tool.execution'],
			[0, 'hook'],
			[0, 'llm_request'],
		]);
		const json = tracesJson(traces);
		expect(json.interactions).toBe(0);
		expect(json.spans['claude_code.hook']).toBe(1);
		expect(json.spans['claude_code.llm_request']).toBe(5);
	});

	it('sums the traces for report --json', () => {
		const json = tracesJson(buildTraces(otlpSpans('protobuf')));
		expect(json).toMatchObject({interactions: 3, llmRequests: {count: 5, inputTokens: 4310, outputTokens: 153}});
		expect(Object.keys(json.tools)).toEqual(['Bash', 'Write']);
		expect(json.slowest.map(trace => trace.llmRequests)).toEqual([2, 2, 1]);
	});
});
