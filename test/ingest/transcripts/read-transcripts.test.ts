import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseTranscriptLine, type LineResult} from '../../../source/core/usage/transcript.js';
import {createReadCounters, indexOfUsage, LineClassifier, readCompleteLines} from '../../../source/ingest/transcripts/read-transcripts.js';
import {assistantLine} from '../../helpers/entries.js';

/** What the classifier hands on for `text`, line by line, and its counters. */
const classified = (text: string) => {
	const results: LineResult[] = [];
	const counters = createReadCounters();
	const classifier = new LineClassifier(result => results.push(result), counters, 'slug', parseTranscriptLine);
	const bytes = Buffer.from(text);
	let start = 0;
	for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, start)) {
		classifier.line(bytes, start, at);
		start = at + 1;
	}

	return {results: results.filter(result => result.kind !== 'other'), counters};
};

/** The same lines, each parsed in full: what the classifier's needles must not change. */
const parsedInFull = (text: string) => {
	const results: LineResult[] = [];
	const counters = createReadCounters();
	for (const line of text.split('\n').slice(0, -1)) {
		if (line.trim() === '') continue;
		counters.lines++;
		const result = parseTranscriptLine(line.trim(), 'slug');
		if (result.kind === 'invalid') counters.invalidLines++;
		if (result.kind === 'usage') counters.usageLines++;
		if (result.kind !== 'other') results.push(result);
	}

	return {results, counters};
};

// Lines a needle could be fooled by: the keys that matter and words that look like them, in keys and in text, spelled plainly or with \u escapes.
const words = ['usage', 'isApiErrorMessage', 'ApiErrorMessage', 'isApiError', 'apiErrorStatus', 'error', 'rate_limit', 'message', 'text', 'type', 'assistant', 'input_tokens', 'Usage', 'us age'];
const word = fc.constantFrom(...words);
const escaped = (text: string, count: number) => [...text].map((character, index) => (index < count ? `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}` : character)).join('');
const jsonValue = fc.oneof(fc.boolean(), fc.integer({min: 0, max: 600}), word, fc.string({maxLength: 12}));
const base = {type: 'assistant', timestamp: '2026-07-15T17:40:12.594Z', sessionId: 's', cwd: '/home/dev/probe'};
const lineArbitrary = fc.oneof(
	// An assistant line with usage, its `usage` key maybe escaped.
	fc.tuple(fc.integer({min: 0, max: 5}), fc.string({maxLength: 8})).map(([count, id]) => JSON.stringify(assistantLine({requestId: `r${id}`})).replace('"usage"', `"${escaped('usage', count)}"`)),
	// An API error or limit line, as the versions wrote them: the flag true, false or absent (maybe escaped), a status, an error, the synthetic model or a real one, a limit text or another.
	fc
		.record({
			flag: fc.constantFrom(true, false, undefined),
			count: fc.integer({min: 0, max: 3}),
			status: fc.option(fc.constantFrom(429, 529, 400)),
			error: fc.option(fc.constantFrom('rate_limit', 'invalid_request')),
			model: fc.constantFrom('<synthetic>', 'claude-opus-4-5-20251101'),
			text: fc.constantFrom('API Error: 529 Overloaded', 'Claude AI limit reached', 'You have reached your 5-hour limit', 'Claude AI usage limit reached|1760000000', 'hello'),
		})
		.map(({flag, count, status, error, model, text}) =>
			JSON.stringify({...base, ...(flag === undefined ? {} : {isApiErrorMessage: flag}), ...(status === null ? {} : {apiErrorStatus: status}), ...(error === null ? {} : {error}), message: {model, role: 'assistant', content: [{type: 'text', text}]}}).replace('"isApiErrorMessage"', `"${escaped('isApiErrorMessage', count)}"`),
		),
	// Anything else: a few of those words as keys and values.
	fc.dictionary(word, jsonValue, {maxKeys: 5}).map(object => JSON.stringify({...base, ...object})),
	// Not an object, or not JSON at all.
	fc.constantFrom('[1,2]', '"usage"', 'not json', '{"broken": ', 'ApiErrorMessage', '   '),
);

describe('LineClassifier', () => {
	it('hands on what parsing every line in full gives, for any JSON object and any line that is not one (property)', () => {
		fc.assert(
			fc.property(fc.array(lineArbitrary, {maxLength: 12}), lines => {
				const text = lines.map(line => `${line}\n`).join('');
				expect(classified(text)).toEqual(parsedInFull(text));
			}),
			{numRuns: 1000},
		);
	});

	it('hands on the same when the lines arrive in reads of any size, each a new buffer (property)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(lineArbitrary, {maxLength: 12}), fc.integer({min: 1, max: 200}), async (lines, readBytes) => {
				const text = lines.map(line => `${line}\n`).join('');
				const bytes = Buffer.from(text);
				const results: LineResult[] = [];
				const counters = createReadCounters();
				// Short reads: every read fills a fresh view of the chunk, and lines cut by a read are joined.
				const handle = {
					read: async (buffer: Buffer, offset: number, length: number, position: number) => ({bytesRead: bytes.copy(buffer, offset, position, Math.min(position + Math.min(length, readBytes), bytes.length))}),
				};
				await readCompleteLines(handle, 0, bytes.length, new LineClassifier(result => results.push(result), counters, 'slug', parseTranscriptLine));
				expect({results: results.filter(result => result.kind !== 'other'), counters}).toEqual(parsedInFull(text));
			}),
			{numRuns: 500},
		);
	});
});

describe('indexOfUsage', () => {
	// Pieces that come close: the word, its parts, its letters, and `g`s with other neighbours.
	const piece = fc.constantFrom('usage', 'usag', 'sage', 'age', 'ge', 'g', 'u', 's', 'a', 'e', 'uusage', 'usagge', 'xg', '"', ' ', 'é');

	it('finds where Buffer.indexOf finds `usage`, from any start (property)', () => {
		fc.assert(
			fc.property(fc.array(piece, {maxLength: 30}), fc.nat(200), (pieces, start) => {
				const buffer = Buffer.from(pieces.join(''));
				const from = Math.min(start, buffer.length);
				expect(indexOfUsage(buffer, from)).toBe(buffer.indexOf('usage', from));
			}),
			{numRuns: 2000},
		);
	});
});
