import type {PricedEntry} from '../core/usage/blocks.js';
import {daySums, entriesFrom} from '../core/usage/weekly.js';
import type {SessionsPart} from '../ingest/index/sessions-part.js';
import {buildSnapshot, marginMs, snapshotPath, writeSnapshot} from '../ingest/index/status-snapshot.js';
import type {UsageHandle} from '../ingest/index/usage-handle.js';
import {lastDayStarts} from '../options.js';

/** Session rows before the recent window, and each recent request's session (see SessionsPart). */
export type SessionsAtIndex = {part: SessionsPart; entangled: readonly string[]; homes: (entry: PricedEntry) => string | undefined};

/**
 * The index's view for a status line (blocks, and the week's requests when
 * `needsWeek`), and a fresh status snapshot written from it when the cache is
 * on: the recent requests from the last block's start (less an hour), the day
 * sums of the week before it, every file's cursor and a filter of every
 * request key. `sessionsFor` adds `session --list`'s rows part, given where
 * the recent window starts.
 */
export const snapshotFromIndex = async (
	usage: UsageHandle,
	{fingerprint, nowMs, isCached, needsWeek}: {fingerprint: string; nowMs: number; isCached: boolean; needsWeek: boolean},
	sessionsFor?: (windowFromMs: number) => SessionsAtIndex | undefined,
) => {
	const last = usage.view().blocks.findLast(block => !block.isGap);
	const recentFromMs = (last?.firstEntryMs ?? nowMs) - marginMs;
	const dayStartsMs = lastDayStarts(nowMs);
	const weekStartMs = dayStartsMs[0]!;
	const view = usage.view(Math.min(recentFromMs, isCached || needsWeek ? weekStartMs : Number.POSITIVE_INFINITY));
	const weekEntries = isCached || needsWeek ? entriesFrom(view.blocks, weekStartMs) : [];
	const tailers = usage.live === undefined ? [] : [...usage.live.source.tailers.values()];
	let failure: {path: string; reason: string} | undefined;
	if (isCached && usage.live !== undefined && tailers.every(tailer => tailer.cursor !== undefined)) {
		const files = tailers.map(tailer => ({path: tailer.path, projectSlug: tailer.projectSlug, ...tailer.cursor!}));
		const {dirs, walkedAtMs, roots} = usage.discovery;
		const hashes = [...usage.live.usage.keyHashes()];
		const {KeyBloom} = await import('../core/util/bloom.js');
		const bloom = KeyBloom.sized(hashes.length * 1.25);
		for (const hash of hashes) bloom.add(hash);
		// The snapshot's recent requests are those from the last block's start on; the day sums hold the week's before it.
		const daysBeforeMs = last?.firstEntryMs ?? Number.MAX_SAFE_INTEGER;
		const sessions = sessionsFor?.(last === undefined ? Number.POSITIVE_INFINITY : recentFromMs);
		failure = await writeSnapshot(
			snapshotPath(roots),
			buildSnapshot(
				{
					files,
					dirs,
					wallMs: Date.now(),
					walkedAtMs,
					sweptAtMs: Date.now(),
					roots,
					blocks: view.blocks,
					earlierTotals: [],
					days: daySums(weekEntries, dayStartsMs, daysBeforeMs, nowMs),
					daysBeforeMs,
					dayStartsMs,
					nowMs,
					recent: entriesFrom(view.blocks, recentFromMs),
					keys: {bits: bloom.bits},
					...(sessions === undefined ? {} : {sessions: {part: sessions.part, entangled: sessions.entangled}, homes: sessions.homes}),
				},
				fingerprint,
			),
		);
	}

	return {view, weekEntries, dayStartsMs, failure};
};
