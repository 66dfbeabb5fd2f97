import {describe, expect, it} from 'vitest';
import {percentile} from '../../../source/core/util/percentile.js';

describe('percentile', () => {
	it('uses nearest rank', () => {
		expect(percentile([5, 1, 3], 90)).toBe(5);
		expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
		expect(percentile([7], 50)).toBe(7);
		expect(percentile([], 90)).toBeUndefined();
	});
});
