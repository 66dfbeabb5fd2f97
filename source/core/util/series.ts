/**
 * Time series for the dashboard's sparklines and charts: values bucketed by
 * time, shrunk to the columns a panel has, and drawn as block characters.
 */

/** Sum `value(item)` into `count` buckets of `bucketMs` from `startMs`; items outside are ignored. */
export const bucketize = <T extends {timestampMs: number}>(
	items: Iterable<T>,
	startMs: number,
	bucketMs: number,
	count: number,
	value: (item: T) => number,
): number[] => {
	const buckets = Array.from({length: Math.max(0, count)}, () => 0);
	for (const item of items) {
		const index = Math.floor((item.timestampMs - startMs) / bucketMs);
		if (index >= 0 && index < buckets.length) buckets[index]! += value(item);
	}

	return buckets;
};

/** How many buckets go into one column so that `length` buckets fit `width` columns. */
export const groupSize = (length: number, width: number): number => (width <= 0 ? length : Math.max(1, Math.ceil(length / width)));

/**
 * Shrink a series to at most `width` points. Groups of adjacent buckets are
 * summed (rates and costs per bucket) or their last value kept (cumulative
 * series); the last group may be short, so the newest bucket always shows.
 */
export const downsample = (series: readonly number[], width: number, how: 'sum' | 'last' = 'sum'): number[] => {
	const size = groupSize(series.length, width);
	if (size === 1) return [...series];
	const points: number[] = [];
	for (let start = 0; start < series.length; start += size) {
		const group = series.slice(start, start + size);
		points.push(how === 'sum' ? group.reduce((sum, value) => sum + value, 0) : group.at(-1)!);
	}

	return points;
};

/** A series spread over `width` points, each value repeated as a step: a short series still fills a wide chart. */
export const stretch = (series: readonly number[], width: number): number[] =>
	series.length === 0 || series.length >= width ? [...series] : Array.from({length: width}, (_, index) => series[Math.floor((index * series.length) / width)]!);

/** Decimals that keep `steps` evenly spaced labels from 0 to `max` apart: `$0.012`, `$0.024`, not `$0.01` twice. */
export const labelDecimals = (max: number, steps: number): number => {
	const step = max / Math.max(1, steps);
	if (!(step > 0) || step >= 1) return max >= 100 ? 0 : 2;
	return Math.min(6, Math.max(2, Math.ceil(-Math.log10(step)) + (step * 10 ** Math.ceil(-Math.log10(step)) < 2 ? 1 : 0)));
};

const bars = '▁▂▃▄▅▆▇█';

/**
 * One character per value, scaled to the series' maximum (or `max`). Zero is a
 * blank so that "nothing happened" reads differently from "a little".
 */
export const sparkline = (values: readonly number[], max = Math.max(0, ...values), glyphs: string = bars): string =>
	values
		.map(value => {
			if (!(value > 0) || !(max > 0)) return ' ';
			const level = Math.min(glyphs.length - 1, Math.floor((value / max) * (glyphs.length - 1) + 0.5));
			return glyphs[Math.max(0, level)]!;
		})
		.join('');

/** Running total of a series. */
export const cumulative = (series: readonly number[]): number[] => {
	let sum = 0;
	return series.map(value => (sum += value));
};
