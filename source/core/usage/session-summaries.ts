import type {PricedEntry} from './blocks.js';
import {compareEntries} from './dedupe.js';
import {totalTokens} from './types.js';

/** One row of `cctop session --list`. */
export type SessionSummary = {sessionId: string; project: string; startMs: number; endMs: number; entries: number; totalTokens: number; costUsd: number; models: string[]};

/** Every session with requests, most recently active first. */
export const sessionSummaries = (sessions: Iterable<{sessionId: string; entries: readonly PricedEntry[]}>): SessionSummary[] => {
	const rows: SessionSummary[] = [];
	for (const {sessionId, entries: given} of sessions) {
		if (given.length === 0) continue;
		// In time order: the sums then do not depend on the order the entries were found in, so a row
		// recomputed from one session's copies equals the row from the whole history to the last bit.
		const entries = [...given].sort(compareEntries);
		let startMs = Number.POSITIVE_INFINITY;
		let latest = entries[0]!;
		let tokens = 0;
		let costUsd = 0;
		const models = new Map<string, number>();
		for (const entry of entries) {
			startMs = Math.min(startMs, entry.timestampMs);
			if (entry.timestampMs >= latest.timestampMs) latest = entry;
			tokens += totalTokens(entry.tokens);
			costUsd += entry.costUsd ?? 0;
			if (entry.model !== '<synthetic>') models.set(entry.model, (models.get(entry.model) ?? 0) + (entry.costUsd ?? 0));
		}

		rows.push({sessionId, project: latest.project, startMs, endMs: latest.timestampMs, entries: entries.length, totalTokens: tokens, costUsd, models: [...models].sort((a, b) => b[1] - a[1]).map(([model]) => model)});
	}

	return rows.sort(byLastActive);
};

/** Most recently active first. */
export const byLastActive = (a: SessionSummary, b: SessionSummary): number => b.endMs - a.endMs || a.sessionId.localeCompare(b.sessionId);
