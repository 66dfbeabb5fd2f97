import {describe, expect, it} from 'vitest';
import {allocateRows} from '../../source/components/layout.js';
import {bar, fit} from '../../source/components/text.js';

describe('allocateRows', () => {
	const claims = [
		{min: 4, want: 4},
		{min: 2, want: 5},
		{min: 2, want: 8},
		{min: 0, want: 3},
	];

	it.each([
		{total: 30, expected: [4, 5, 8, 3]},
		{total: 15, expected: [4, 5, 6, 0]},
		{total: 8, expected: [4, 2, 2, 0]},
		{total: 7, expected: [4, 3, 0, 0]},
		{total: 3, expected: [0, 3, 0, 0]},
		{total: 0, expected: [0, 0, 0, 0]},
	])('shares $total rows as $expected', ({total, expected}) => {
		expect(allocateRows(total, claims)).toEqual(expected);
	});

	it('never hands out more than it has', () => {
		for (let total = 0; total < 40; total++) {
			expect(allocateRows(total, claims).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(total);
		}
	});
});

describe('fit and bar', () => {
	it.each([
		['abc', 5, 'left', 'abc  '],
		['abc', 5, 'right', '  abc'],
		['abcdef', 4, 'left', 'abc…'],
		['abc', 0, 'left', ''],
	] as const)('fit(%j, %i, %s) = %j', (text, width, align, expected) => {
		expect(fit(text, width, align)).toBe(expected);
	});

	it.each([
		[0.5, 10, 5],
		[1.7, 10, 10],
		[-1, 10, 0],
		[Number.NaN, 4, 0],
	])('bar(%f, %i) fills %i cells', (share, width, filled) => {
		const cells = bar(share, width);
		expect(cells.filled.length).toBe(filled);
		expect(cells.filled.length + cells.empty.length).toBe(width);
	});
});
