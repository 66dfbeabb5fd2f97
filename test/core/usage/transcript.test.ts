import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseTranscriptLine, projectFromCwd} from '../../../source/core/usage/transcript.js';
import {assistantLine} from '../../helpers/entries.js';

const usageOf = (text: string) => {
	const result = parseTranscriptLine(text, 'folder-slug');
	if (result.kind !== 'usage') {
		throw new Error(`expected usage, got ${JSON.stringify(result)}`);
	}

	return result.entry;
};

describe('parseTranscriptLine', () => {
	it('reads every field cctop uses from a real 2.1 assistant line', () => {
		const entry = usageOf(JSON.stringify(assistantLine()));
		expect(entry).toEqual({
			timestampMs: Date.parse('2026-03-11T15:52:12.033Z'),
			sessionId: '8427ae52-369a-420b-bf83-434a42ea03ab',
			project: 'api-server',
			model: 'claude-opus-4-6',
			messageId: 'msg_013YZ68naDuds27CD9ZGNVDE',
			requestId: 'req_011CYwZUU7RHFoZn2ppDGGRK',
			isSidechain: false,
			tokens: {inputTokens: 3, outputTokens: 186, cacheCreationInputTokens: 453, cacheReadInputTokens: 82_371},
			cacheCreation1hTokens: 453,
			webSearchRequests: 0,
			isFast: false,
			loggedCostUsd: undefined,
			isNonBillable: false,
		});
	});

	it.each([
		['compact separators', (value: unknown) => JSON.stringify(value)],
		['", " and ": " separators (one peer drops these)', (value: unknown) => JSON.stringify(value).replaceAll(',"', ', "').replaceAll('":', '": ')],
		['pretty-printed with tabs', (value: unknown) => JSON.stringify(value, null, '\t').replaceAll('\n', ' ')],
		['CRLF line ending', (value: unknown) => `${JSON.stringify(value)}\r`],
	])('counts a line with %s', (_name, serialize) => {
		const entry = usageOf(serialize(assistantLine()));
		expect(entry.tokens.outputTokens).toBe(186);
	});

	it('ignores unknown and newer top-level fields', () => {
		const line = assistantLine({effort: 'high', attributionAgent: {x: 1}, promptSource: 'cli', caller: null, diagnostics: [1, 2]});
		expect(usageOf(JSON.stringify(line)).tokens.inputTokens).toBe(3);
	});

	it('keeps usage when a display-only field has an odd type', () => {
		const line = assistantLine({cwd: 42, isSidechain: 'yes'});
		const entry = usageOf(JSON.stringify(line));
		expect(entry.project).toBe('folder-slug');
		expect(entry.isSidechain).toBe(false);
	});

	it.each([
		['speed fast', {speed: 'fast'}, (entry: ReturnType<typeof usageOf>) => entry.isFast, true],
		['web search requests', {server_tool_use: {web_search_requests: 3}}, (entry: ReturnType<typeof usageOf>) => entry.webSearchRequests, 3],
		['server_tool_use null', {server_tool_use: null}, (entry: ReturnType<typeof usageOf>) => entry.webSearchRequests, 0],
		['no cache split: all 5-minute', {cache_creation: undefined}, (entry: ReturnType<typeof usageOf>) => entry.cacheCreation1hTokens, 0],
		['missing cache fields default to 0', {cache_creation_input_tokens: undefined, cache_read_input_tokens: undefined, cache_creation: undefined}, (entry: ReturnType<typeof usageOf>) => entry.tokens.cacheReadInputTokens + entry.tokens.cacheCreationInputTokens, 0],
	])('reads %s', (_name, usage, pick, expected) => {
		expect(pick(usageOf(JSON.stringify(assistantLine({}, usage))))).toBe(expected);
	});

	it('reads costUSD from old lines', () => {
		expect(usageOf(JSON.stringify(assistantLine({costUSD: 0.12}))).loggedCostUsd).toBe(0.12);
	});

	it('marks synthetic and API-error lines as non-billable', () => {
		const synthetic = assistantLine({}, {});
		(synthetic['message'] as Record<string, unknown>)['model'] = '<synthetic>';
		expect(usageOf(JSON.stringify(synthetic)).isNonBillable).toBe(true);
		expect(usageOf(JSON.stringify(assistantLine({isApiErrorMessage: true}))).isNonBillable).toBe(true);
	});

	it('turns a rate-limit line into an event, never usage', () => {
		const line = {
			type: 'assistant',
			timestamp: '2026-07-15T17:40:12.594Z',
			requestId: 'req_011Cd4FdpFh4xXSbbicAccrN',
			error: 'rate_limit',
			isApiErrorMessage: true,
			cwd: '/Users/macmini/Peers/probe',
			sessionId: 's',
			message: {model: '<synthetic>', role: 'assistant', content: [{type: 'text', text: "You've reached your Fable 5 limit."}]},
		};
		const result = parseTranscriptLine(JSON.stringify(line), 'x');
		expect(result).toEqual({
			kind: 'event',
			event: {kind: 'rate_limit', timestampMs: Date.parse('2026-07-15T17:40:12.594Z'), sessionId: 's', project: 'probe', message: "You've reached your Fable 5 limit."},
		});
	});

	it('recognises a limit hit by its text', () => {
		const line = {type: 'assistant', timestamp: '2026-07-15T17:40:12.594Z', isApiErrorMessage: true, message: {model: '<synthetic>', content: [{type: 'text', text: 'Claude usage limit reached. Your limit will reset at 5pm'}]}};
		const result = parseTranscriptLine(JSON.stringify(line), 'x');
		expect(result.kind === 'event' && result.event.kind).toBe('rate_limit');
	});

	it('turns other API error lines into api_error events', () => {
		const line = {type: 'assistant', timestamp: '2026-07-15T17:40:12.594Z', isApiErrorMessage: true, message: {model: '<synthetic>', content: [{type: 'text', text: 'API Error: 529 overloaded'}]}};
		const result = parseTranscriptLine(JSON.stringify(line), 'x');
		expect(result.kind === 'event' && result.event.kind).toBe('api_error');
	});

	it.each([
		['garbage', 'this is not json', 'invalid'],
		['truncated JSON', JSON.stringify(assistantLine()).slice(0, 200), 'invalid'],
		['string usage counts', JSON.stringify(assistantLine({}, {input_tokens: '3'})), 'invalid'],
		['negative tokens', JSON.stringify(assistantLine({}, {output_tokens: -1})), 'invalid'],
		['usage without timestamp', JSON.stringify(assistantLine({timestamp: undefined})), 'invalid'],
		['a JSON array', '[1,2,3]', 'other'],
		['a JSON string', '"hello"', 'other'],
		['a user line', JSON.stringify({type: 'user', timestamp: '2026-03-11T15:52:12.033Z', message: {role: 'user', content: 'hi'}}), 'other'],
		['a summary line', JSON.stringify({type: 'summary', summary: 'x', leafUuid: 'y'}), 'other'],
	])('classifies %s', (_name, text, kind) => {
		expect(parseTranscriptLine(text, 'x').kind).toBe(kind);
	});
});

describe('projectFromCwd', () => {
	it.each([
		['/home/dev/api-server', 'api-server'],
		['/home/dev/api-server/', 'api-server'],
		['e:\\Workspace\\src\\claude-code-log', 'claude-code-log'],
	])('%s → %s', (cwd, project) => {
		expect(projectFromCwd(cwd)).toBe(project);
	});
});

describe('parseTranscriptLine (property)', () => {
	const usageArb = fc.record({
		input_tokens: fc.nat(1_000_000),
		output_tokens: fc.nat(1_000_000),
		cache_creation_input_tokens: fc.nat(1_000_000),
		cache_read_input_tokens: fc.nat(1_000_000),
	});

	it('gives the same entry whatever the spacing and key order', () => {
		fc.assert(
			fc.property(usageArb, fc.constantFrom('', ' ', '  ', '\t'), fc.boolean(), (usage, space, isReversed) => {
				const value = assistantLine({}, usage);
				const reorder = (input: unknown): unknown => {
					if (Array.isArray(input)) return input.map(reorder);
					if (input && typeof input === 'object') {
						const pairs = Object.entries(input).map(([key, inner]) => [key, reorder(inner)] as const);
						return Object.fromEntries(isReversed ? pairs.reverse() : pairs);
					}

					return input;
				};

				const text = JSON.stringify(reorder(value), null, space).replaceAll('\n', '');
				const entry = usageOf(text);
				expect(entry.tokens).toEqual({
					inputTokens: usage.input_tokens,
					outputTokens: usage.output_tokens,
					cacheCreationInputTokens: usage.cache_creation_input_tokens,
					cacheReadInputTokens: usage.cache_read_input_tokens,
				});
			}),
		);
	});

	it('never throws on arbitrary text or JSON', () => {
		fc.assert(
			fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map(value => JSON.stringify({message: {usage: value}, timestamp: '2026-01-01T00:00:00Z'}))), text => {
				expect(['usage', 'event', 'other', 'invalid']).toContain(parseTranscriptLine(text, 'x').kind);
			}),
		);
	});
});
