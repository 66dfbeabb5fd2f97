import type {PricedEntry} from './blocks.js';
import {compareEntries} from './dedupe.js';
import {totalTokens} from './types.js';

/** One row of `cctop session --list`. */
export type SessionSummary = {sessionId: string; project: string; startMs: number; endMs: number; entries: number; totalTokens: number; costUsd: number; models: string[]};

/**
 * A row part way through a session's requests in time order: the sums so far,
 * and each model's cost in the order models first appeared. Carried on with
 * later requests it ends exactly where one pass over all of them would: the
 * same additions in the same order (the status snapshot keeps one per recent
 * session, so `session --list` needs no index; see status-snapshot.ts).
 */
export type RowState = {sessionId: string; project: string; startMs: number; endMs: number; entries: number; totalTokens: number; costUsd: number; models: Array<[string, number]>};

/** `state` (or a new row) carried on with `entries`, which must be in time order ({@link compareEntries}) and after the state's. */
export const continueRow = (sessionId: string, state: RowState | undefined, entries: readonly PricedEntry[]): RowState | undefined => {
	if (entries.length === 0) return state;
	const row: RowState = state === undefined
		? {sessionId, project: entries[0]!.project, startMs: Number.POSITIVE_INFINITY, endMs: entries[0]!.timestampMs, entries: 0, totalTokens: 0, costUsd: 0, models: []}
		: {...state, models: state.models.map(([model, cost]) => [model, cost])};
	for (const entry of entries) {
		row.startMs = Math.min(row.startMs, entry.timestampMs);
		if (entry.timestampMs >= row.endMs) {
			row.endMs = entry.timestampMs;
			row.project = entry.project;
		}

		row.entries++;
		row.totalTokens += totalTokens(entry.tokens);
		row.costUsd += entry.costUsd ?? 0;
		if (entry.model !== '<synthetic>') {
			const found = row.models.find(([model]) => model === entry.model);
			if (found === undefined) row.models.push([entry.model, entry.costUsd ?? 0]);
			else found[1] += entry.costUsd ?? 0;
		}
	}

	return row;
};

/** The row a state stands for: models by cost, most first (ties in order of appearance). */
export const rowOf = (state: RowState): SessionSummary => ({
	...state,
	models: [...state.models].sort((a, b) => b[1] - a[1]).map(([model]) => model),
});

/** Every session with requests, most recently active first. */
export const sessionSummaries = (sessions: Iterable<{sessionId: string; entries: readonly PricedEntry[]}>): SessionSummary[] => {
	const rows: SessionSummary[] = [];
	for (const {sessionId, entries} of sessions) {
		// In time order: the sums then do not depend on the order the entries were found in, so a row
		// recomputed from one session's copies equals the row from the whole history to the last bit.
		const state = continueRow(sessionId, undefined, [...entries].sort(compareEntries));
		if (state !== undefined) rows.push(rowOf(state));
	}

	return rows.sort(byLastActive);
};

/** Most recently active first. */
export const byLastActive = (a: SessionSummary, b: SessionSummary): number => b.endMs - a.endMs || a.sessionId.localeCompare(b.sessionId);
