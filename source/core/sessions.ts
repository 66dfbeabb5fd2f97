import type {PricedEntry} from './blocks.js';
import {dedupeKey} from './dedupe.js';
import {beatsCopy} from './ledger.js';
import type {UsageEvent} from './types.js';

/** One transcript file's usage: its best copy per request, its unkeyed entries and its events. */
export type FileCopies = {
	path: string;
	keyed: readonly PricedEntry[];
	unkeyed: readonly PricedEntry[];
	events: readonly UsageEvent[];
};

/** What one session counts: the requests that first appeared in it (each as the copy that counts), and its events. */
export type SessionUsage = {
	sessionId: string;
	/** Counted requests, in no particular order; values are the winning copy's (SPEC §2). */
	entries: PricedEntry[];
	events: UsageEvent[];
	/** Every file that holds a line of this session or the counted copy of one of its requests: where its tool calls are read from. */
	paths: Set<string>;
	/** Latest timestamp of any of its lines, copies included. */
	lastSeenMs: number;
};

export const noSession = '(no session)';

export const sessionOf = (entry: {sessionId: string | undefined}): string => entry.sessionId ?? noSession;

type Copy = {entry: PricedEntry; path: string};

/**
 * Every session's usage, with the report's dedupe: one request counts once, as
 * its largest copy. A request copied into a resumed session belongs to the
 * session where it first appeared: the copy with the earliest timestamp and, as
 * copies keep their timestamps, on a tie the session that was last seen first
 * (the original ends before its resumption does), then the path that sorts first.
 * Events copied the same way (same kind, time and text) are shown once, by the same rule.
 */
export const sessionsFrom = (files: Iterable<FileCopies>): Map<string, SessionUsage> => {
	const sessions = new Map<string, SessionUsage>();
	const session = (sessionId: string): SessionUsage => {
		let found = sessions.get(sessionId);
		if (found === undefined) {
			found = {sessionId, entries: [], events: [], paths: new Set(), lastSeenMs: Number.NEGATIVE_INFINITY};
			sessions.set(sessionId, found);
		}

		return found;
	};

	const seen = (sessionId: string, path: string, timestampMs: number): void => {
		const target = session(sessionId);
		target.paths.add(path);
		target.lastSeenMs = Math.max(target.lastSeenMs, timestampMs);
	};

	// Pass 1: what every session holds, so a tie can ask which one ended first.
	const list = [...files];
	for (const file of list) {
		for (const entry of file.keyed) seen(sessionOf(entry), file.path, entry.timestampMs);
		for (const entry of file.unkeyed) seen(sessionOf(entry), file.path, entry.timestampMs);
		for (const event of file.events) seen(sessionOf(event), file.path, event.timestampMs);
	}

	type Line = {timestampMs: number; sessionId: string | undefined};
	const lastSeen = (line: Line): number => sessions.get(sessionOf(line))!.lastSeenMs;
	const isEarlier = (a: Line, aPath: string, b: Line, bPath: string): boolean =>
		(a.timestampMs - b.timestampMs || lastSeen(a) - lastSeen(b) || (aPath < bPath ? -1 : aPath > bPath ? 1 : 0)) < 0;

	// Pass 2: per request, the copy that counts and the copy that came first.
	const requests = new Map<string, {winner: Copy; first: Copy}>();
	const events = new Map<string, {event: UsageEvent; path: string}>();
	for (const file of list) {
		for (const entry of file.keyed) {
			const key = dedupeKey(entry)!;
			const found = requests.get(key);
			if (found === undefined) {
				requests.set(key, {winner: {entry, path: file.path}, first: {entry, path: file.path}});
				continue;
			}

			if (beatsCopy(entry, file.path, found.winner.entry, found.winner.path)) found.winner = {entry, path: file.path};
			if (isEarlier(entry, file.path, found.first.entry, found.first.path)) found.first = {entry, path: file.path};
		}

		for (const entry of file.unkeyed) session(sessionOf(entry)).entries.push(entry);
		for (const event of file.events) {
			const key = `${event.kind}\u0000${event.timestampMs}\u0000${event.message}`;
			const found = events.get(key);
			if (found === undefined || isEarlier(event, file.path, found.event, found.path)) events.set(key, {event, path: file.path});
		}
	}

	for (const {winner, first} of requests.values()) {
		const home = session(sessionOf(first.entry));
		home.entries.push(winner.entry);
		// The counted copy's file too: its tool calls may be written only there.
		home.paths.add(winner.path);
	}

	for (const {event} of events.values()) session(sessionOf(event)).events.push(event);
	return sessions;
};
