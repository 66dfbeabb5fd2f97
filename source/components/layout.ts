/** A panel's claim on rows: it is shown only if `min` fits, and grows up to `want`. */
export type RowClaim = {min: number; want: number};

/**
 * Share `total` rows among claims given in priority order: first every claim's
 * minimum while it fits (a claim whose minimum does not fit gets nothing, so
 * panels fold away whole), then the rest up to each `want`, in the same order.
 * The sum never exceeds `total`: the frame never outgrows the terminal.
 */
export const allocateRows = (total: number, claims: readonly RowClaim[]): number[] => {
	let left = Math.max(0, total);
	const rows = claims.map(claim => {
		if (claim.min > left) return 0;
		left -= claim.min;
		return claim.min;
	});
	for (const [index, claim] of claims.entries()) {
		if (rows[index] === 0 && claim.min > 0) continue;
		const extra = Math.min(left, Math.max(0, claim.want - rows[index]!));
		rows[index]! += extra;
		left -= extra;
	}

	return rows;
};
