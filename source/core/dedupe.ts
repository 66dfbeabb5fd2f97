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

/** True when a line has both ids, so it takes part in dedupe. */
export const isKeyed = (entry: UsageEntry): boolean => Boolean(entry.messageId && entry.requestId);

/**
 * Entries by request (`message.id` + `requestId`) without a key string per
 * request: keyed by the `requestId` string the entry already holds, with the rare
 * request id seen under a second message id kept in a side map keyed by the
 * pair. At 100k+ requests that saves ~80 bytes each. Only keyed entries go in.
 */
export class RequestMap<T extends UsageEntry> {
	private readonly byRequest = new Map<string, T>();
	private readonly byPair = new Map<string, T>();

	get size(): number {
		return this.byRequest.size + this.byPair.size;
	}

	/** The stored entry for the same request as `entry`. */
	get(entry: UsageEntry): T | undefined {
		const found = this.byRequest.get(entry.requestId!);
		return found === undefined || found.messageId === entry.messageId ? found : this.byPair.get(dedupeKey(entry)!);
	}

	/** Store `entry` for its request, replacing the previous copy. */
	set(entry: T): void {
		const found = this.byRequest.get(entry.requestId!);
		if (found === undefined || found.messageId === entry.messageId) {
			this.byRequest.set(entry.requestId!, entry);
		} else {
			this.byPair.set(dedupeKey(entry)!, entry);
		}
	}

	*values(): IterableIterator<T> {
		yield* this.byRequest.values();
		yield* this.byPair.values();
	}

	clear(): void {
		this.byRequest.clear();
		this.byPair.clear();
	}
}
