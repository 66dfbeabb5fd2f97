import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseConsoleLiteral} from '../../../source/core/otel/console-literal.js';

const valueOf = (text: string) => {
	const result = parseConsoleLiteral(text);
	if ('error' in result) throw new Error(result.error);
	return result;
};

describe('parseConsoleLiteral', () => {
	it('reads util.inspect output: bare and quoted keys, single quotes, time tuples, undefined', () => {
		expect(valueOf(`{\n  descriptor: { name: 'claude_code.cost.usage', advice: {} },\n  'session.id': 'abc',\n  startTime: [ 1795733889, 610000000 ],\n  schemaUrl: undefined,\n  value: 0.0123\n}`)).toEqual({
			value: {descriptor: {name: 'claude_code.cost.usage', advice: {}}, 'session.id': 'abc', startTime: [1_795_733_889, 610_000_000], schemaUrl: undefined, value: 0.0123},
			isIncomplete: false,
		});
	});

	it('reads Bun output: double-quoted keys and trailing commas', () => {
		expect(valueOf(`{\n  attributes: {\n    "host.arch": "amd64",\n    "anthropic.custom_base_url": true,\n    list: [],\n  },\n}`).value).toEqual({attributes: {'host.arch': 'amd64', 'anthropic.custom_base_url': true, list: []}});
	});

	it('joins the string pieces util.inspect splits a long string into', () => {
		expect(valueOf(`{ prompt: 'line one\\n' +\n    'line two\\n' +\n    "line 'three'" }`).value).toEqual({prompt: "line one\nline two\nline 'three'"});
	});

	it('decodes escapes in all three quote styles', () => {
		expect(valueOf(String.raw`{ a: 'it\'s \u00e9 \x41 \u{1F600}', b: "say \"hi\"\ttab", c: ` + '`back\\`tick`' + ' }').value).toEqual({a: "it's é A 😀", b: 'say "hi"\ttab', c: 'back`tick'});
	});

	it('marks records with [Object], [Array], `...` or "... more items" incomplete, and keeps the rest', () => {
		const result = valueOf(`{\n  dataPoints: [\n    { attributes: [Object], startTime: [Array], value: 1 },\n    ... 3 more items\n  ],\n  resource: { ... },\n  name: 'x'\n}`);
		expect(result.isIncomplete).toBe(true);
		expect(result.value).toEqual({dataPoints: [{attributes: undefined, startTime: undefined, value: 1}], resource: {}, name: 'x'});
	});

	it('says what is wrong instead of throwing', () => {
		for (const bad of ['{ a: ', "{ a: 'unterminated }", '{ a: 1 } trailing', '{ a b }', '', '[1, 2', '{ a: wat }', '{ a: 1 +}']) {
			expect(parseConsoleLiteral(bad)).toHaveProperty('error');
		}
	});

	it('never throws on any text (fuzz), and reads back any JSON value', () => {
		fc.assert(
			fc.property(fc.string({maxLength: 200}), text => {
				expect(() => parseConsoleLiteral(text)).not.toThrow();
			}),
			{numRuns: 3000},
		);
		fc.assert(
			fc.property(fc.jsonValue(), value => {
				const result = valueOf(JSON.stringify(value, null, 2));
				expect(JSON.stringify(result.value)).toBe(JSON.stringify(value));
			}),
		);
	});

	it('survives very deep nesting', () => {
		expect(parseConsoleLiteral('['.repeat(100_000))).toHaveProperty('error');
	});
});
