import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {percentile} from '../../../source/core/util/percentile.js';

describe('percentile', () => {
	it('uses nearest rank', () => {
		expect(percentile([5, 1, 3], 90)).toBe(5);
		expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
		expect(percentile([7], 50)).toBe(7);
		expect(percentile([], 90)).toBeUndefined();
	});

	it('ranks numbers as numbers, not as their text (10 after 9, negatives first)', () => {
		expect(percentile([10, 9, 100, -5, 2], 50)).toBe(9);
		expect(percentile([10, 9, 100, -5, 2], 20)).toBe(-5);
	});

	it('is the nearest-rank value of the values sorted by a comparator, for any finite numbers and p', () => {
		// -0 and 0 rank alike either way, but a native sort puts -0 first: the values are counts and durations, never -0.
		const finite = fc.double({noNaN: true, noDefaultInfinity: true}).map(value => value + 0);
		fc.assert(
			fc.property(fc.array(finite, {minLength: 1, maxLength: 60}), fc.integer({min: 0, max: 100}), (values, p) => {
				const sorted = [...values].sort((a, b) => a - b);
				expect(percentile(values, p)).toBe(sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]);
			}),
		);
	});
});
