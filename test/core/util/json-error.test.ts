import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {jsonErrorAt} from '../../../source/core/util/json-error.js';

describe('jsonErrorAt', () => {
	it.each([
		['{\n  "a": 1,\n  "b": }\n', 3, 8],
		['{\n "a": 1\n "b": 2}', 3, 2],
		['{"a":', 1, 6],
		['{\n"x": [1,2,,3]}', 2, 11],
		['{"a": 1} x', 1, 10],
	])('finds where %j goes wrong: line %i, column %i', (text, line, column) => {
		expect(jsonErrorAt(text)).toMatchObject({line, column});
	});

	it('agrees with JSON.parse: it only ever points into text JSON.parse refuses', () => {
		fc.assert(
			fc.property(fc.json(), fc.nat(), fc.constantFrom('}', ',', ':', '"', ''), (json, at, junk) => {
				const cut = json.slice(0, at % (json.length + 1)) + junk;
				let isValid = true;
				try {
					JSON.parse(cut);
				} catch {
					isValid = false;
				}

				if (isValid) return;
				const {line, column} = jsonErrorAt(cut);
				expect(line).toBeGreaterThanOrEqual(1);
				expect(line).toBeLessThanOrEqual(cut.split('\n').length);
				expect(column).toBeGreaterThanOrEqual(1);
			}),
			{numRuns: 300},
		);
	});
});
