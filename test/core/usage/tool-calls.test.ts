import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {toolCallsOf} from '../../../source/core/usage/tool-calls.js';

const lines = (path: string): unknown[] =>
	readFileSync(path, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line) as unknown);
const original = lines('fixtures/claude/projects/-home-dev-api-server/bbb-original.jsonl');
const shop = lines('fixtures/sessions/projects/-home-dev-shop/5e551011-6a1e-4c0d-9b1a-0d3c1f2e4a01.jsonl');

describe('toolCallsOf', () => {
	it('reads the tool_use blocks of a real Claude Code 2.0 assistant line', () => {
		expect(toolCallsOf(original[4])).toEqual([
			{id: 'toolu_01WZxn8yWUeMk2TKoNSt2f7L', name: 'Read', sessionId: '132b2f66-ee5f-46f6-8904-32d9dc4d36c3', requestKey: 'msg_018SJqZRgcskcNiWtdLAPCDx\u0000req_011CWqsVrfA466r21QArY7R1'},
		]);
	});

	it('finds nothing in text-only lines, snapshots and user lines that answer a tool (tool_result)', () => {
		expect(toolCallsOf(original[0])).toEqual([]);
		expect(toolCallsOf(original[2])).toEqual([]);
		const toolResult = shop.find(line => JSON.stringify(line).includes('tool_result'));
		expect(toolResult).toBeDefined();
		expect(toolCallsOf(toolResult)).toEqual([]);
	});

	it('keeps every call of a line with several, and has no request key without both ids', () => {
		const line = {
			type: 'assistant',
			sessionId: 's',
			message: {
				id: 'msg_1',
				content: [
					{type: 'tool_use', id: 'toolu_a', name: 'Read', input: {}},
					{type: 'text', text: 'and'},
					{type: 'tool_use', id: 'toolu_b', name: 'mcp__github__create_pr', input: {}},
				],
			},
		};
		expect(toolCallsOf(line).map(call => [call.name, call.requestKey])).toEqual([
			['Read', undefined],
			['mcp__github__create_pr', undefined],
		]);
	});

	it('never throws, and skips blocks without a name', () => {
		for (const value of [null, 42, 'text', [], {message: null}, {message: {content: 'plain'}}, {message: {content: [null, 3, {type: 'tool_use'}]}}]) {
			expect(toolCallsOf(value)).toEqual([]);
		}
	});
});
