/**
 * Nearest-rank percentile of `values` (p in 0–100); undefined for no values.
 * Sorted as a Float64Array, a numeric sort in native code: a status line takes
 * p90 of every finished block's total (~1,500 at 4 GB), and a sort calling a
 * comparator took ~2 ms of it before the JIT had compiled either.
 */
export const percentile = (values: readonly number[], p: number): number | undefined => {
	if (values.length === 0) {
		return undefined;
	}

	const sorted = Float64Array.from(values).sort();
	const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
	return sorted[rank - 1];
};
