/** Nearest-rank percentile of `values` (p in 0–100); undefined for no values. */
export const percentile = (values: readonly number[], p: number): number | undefined => {
	if (values.length === 0) {
		return undefined;
	}

	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
	return sorted[rank - 1];
};
