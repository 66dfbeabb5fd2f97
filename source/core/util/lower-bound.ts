/**
 * The first index in `[0, length)` for which `isBefore` is false, by binary
 * search; `isBefore` must hold on a prefix of the range and nowhere after it.
 * `length` when it holds everywhere.
 */
export const lowerBound = (length: number, isBefore: (index: number) => boolean): number => {
	let low = 0;
	let high = length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (isBefore(middle)) low = middle + 1;
		else high = middle;
	}

	return low;
};
