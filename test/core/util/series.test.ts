import {describe, expect, it} from 'vitest';
import {bucketize, cumulative, downsample, groupSize, sparkline} from '../../../source/core/util/series.js';

describe('bucketize', () => {
	it('sums values into fixed buckets and ignores items outside them', () => {
		const items = [0, 4, 5, 9, 10, -1, 20].map(timestampMs => ({timestampMs, value: timestampMs === -1 ? 100 : 1}));
		expect(bucketize(items, 0, 5, 3, item => item.value)).toEqual([2, 2, 1]);
	});

	it('gives empty buckets for a non-positive count', () => {
		expect(bucketize([{timestampMs: 0}], 0, 5, 0, () => 1)).toEqual([]);
	});
});

describe('downsample', () => {
	it.each([
		{series: [1, 2, 3, 4, 5], width: 5, how: 'sum', expected: [1, 2, 3, 4, 5]},
		{series: [1, 2, 3, 4, 5], width: 2, how: 'sum', expected: [6, 9]},
		{series: [1, 2, 3, 4, 5], width: 3, how: 'sum', expected: [3, 7, 5]},
		{series: [1, 3, 6, 10, 15], width: 2, how: 'last', expected: [6, 15]},
		{series: [1, 2], width: 10, how: 'sum', expected: [1, 2]},
	] as const)('$series into $width columns by $how', ({series, width, how, expected}) => {
		expect(downsample(series, width, how)).toEqual(expected);
	});

	it('keeps the total of a summed series', () => {
		const series = Array.from({length: 61}, (_, index) => index % 7);
		for (const width of [1, 7, 13, 60]) {
			const points = downsample(series, width);
			expect(points.length).toBeLessThanOrEqual(width);
			expect(points.reduce((a, b) => a + b, 0)).toBe(series.reduce((a, b) => a + b, 0));
		}
	});

	it('reports the group size it used', () => {
		expect(groupSize(60, 13)).toBe(5);
		expect(groupSize(5, 10)).toBe(1);
	});
});

describe('sparkline', () => {
	it('scales to the maximum and leaves zero blank', () => {
		expect(sparkline([0, 1, 2, 4, 8])).toBe(' ▂▃▅█');
	});

	it('is blank for an all-zero series', () => {
		expect(sparkline([0, 0, 0])).toBe('   ');
	});

	it('uses a given maximum', () => {
		expect(sparkline([1], 8)).toBe('▂');
	});
});

it('cumulative runs a total', () => {
	expect(cumulative([1, 0, 2, 3])).toEqual([1, 1, 3, 6]);
});
