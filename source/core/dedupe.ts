import {totalTokens, type UsageEntry} from './types.js';

/**
 * Dedupe state across all files: one request = one `message.id` + `requestId`.
 * Claude Code writes one line per content block (early ones carry placeholder
 * output_tokens) and resumed sessions copy history into new files, so the copy
 * with the largest token total wins; on a tie the earlier copy stays.
 */
export type DedupeState = {
	byKey: Map<string, UsageEntry>;
	/** Entries without both ids: never deduped. */
	unkeyed: UsageEntry[];
	duplicateLines: number;
};

export type DedupeOutcome = 'added' | 'replaced' | 'duplicate';

export const createDedupeState = (): DedupeState => ({byKey: new Map(), unkeyed: [], duplicateLines: 0});

export const dedupeKey = (entry: UsageEntry): string | undefined =>
	entry.messageId && entry.requestId ? `${entry.messageId}\u0000${entry.requestId}` : undefined;

/** Add one usage line's entry. Mutates `state`; returns what happened to the line. */
export const addToDedupe = (state: DedupeState, entry: UsageEntry): DedupeOutcome => {
	const key = dedupeKey(entry);
	if (key === undefined) {
		state.unkeyed.push(entry);
		return 'added';
	}

	const existing = state.byKey.get(key);
	if (existing === undefined) {
		state.byKey.set(key, entry);
		return 'added';
	}

	state.duplicateLines++;
	if (totalTokens(entry.tokens) > totalTokens(existing.tokens)) {
		state.byKey.set(key, entry);
		return 'replaced';
	}

	return 'duplicate';
};

/** Unique entries sorted by time (stable, so equal timestamps keep arrival order). */
export const dedupedEntries = (state: DedupeState): UsageEntry[] =>
	[...state.byKey.values(), ...state.unkeyed].sort((a, b) => a.timestampMs - b.timestampMs);
