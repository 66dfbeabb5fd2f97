import type {UsageEntry} from '../../core/usage/types.js';

/**
 * What the index and the status snapshot share when they store entries:
 * repeated names (sessions, projects, models, paths) as indexes into one
 * table, and an entry's booleans as bits.
 */
export const stringTable = (): {strings: string[]; ref: (value: string | undefined) => number} => {
	const strings: string[] = [];
	const ids = new Map<string, number>();
	const ref = (value: string | undefined): number => {
		if (value === undefined) return -1;
		let id = ids.get(value);
		if (id === undefined) {
			id = strings.push(value) - 1;
			ids.set(value, id);
		}

		return id;
	};

	return {strings, ref};
};

export const sidechainFlag = 1;
export const fastFlag = 2;
export const nonBillableFlag = 4;

/** Bits 1, 2 and 4; higher bits are the caller's own. */
export const entryFlags = (entry: Pick<UsageEntry, 'isSidechain' | 'isFast' | 'isNonBillable'>): number =>
	(entry.isSidechain ? sidechainFlag : 0) | (entry.isFast ? fastFlag : 0) | (entry.isNonBillable ? nonBillableFlag : 0);
