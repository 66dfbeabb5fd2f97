import fc from 'fast-check';
import {expect, it} from 'vitest';
import {lowerBound} from '../../../source/core/util/lower-bound.js';

it('finds where a sorted list stops being below a value, as a scan does (property)', () => {
	fc.assert(
		fc.property(fc.array(fc.integer({min: -20, max: 20})), fc.integer({min: -25, max: 25}), (values, target) => {
			const sorted = values.sort((a, b) => a - b);
			const scanned = sorted.findIndex(value => value >= target);
			expect(lowerBound(sorted.length, index => sorted[index]! < target)).toBe(scanned === -1 ? sorted.length : scanned);
		}),
		{numRuns: 1000},
	);
});
