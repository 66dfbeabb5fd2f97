/** Edit distance with adjacent swaps (`reprot` → `report` is one edit). */
const distance = (a: string, b: string): number => {
	const rows = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
			rows[i]![j] = best;
		}
	}

	return rows[a.length]![b.length]!;
};

/**
 * The candidate a mistyped word most likely meant, or undefined when none is
 * close: at most a third of its letters (and at least one) may differ, or it
 * is a prefix of exactly one candidate.
 */
export const closest = (word: string, candidates: Iterable<string>): string | undefined => {
	let best: string | undefined;
	let bestDistance = Number.POSITIVE_INFINITY;
	const list = [...candidates];
	for (const candidate of list) {
		const found = distance(word.toLowerCase(), candidate.toLowerCase());
		if (found < bestDistance) {
			best = candidate;
			bestDistance = found;
		}
	}

	if (best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3))) return best;
	const prefixed = list.filter(candidate => candidate.startsWith(word));
	return word.length >= 2 && prefixed.length === 1 ? prefixed[0] : undefined;
};
