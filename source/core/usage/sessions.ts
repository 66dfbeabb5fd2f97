import type {PricedEntry} from './blocks.js';
import {beatsCopy, dedupeKey} from './dedupe.js';
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
};

export const noSession = '(no session)';

export const sessionOf = (entry: {sessionId: string | undefined}): string => entry.sessionId ?? noSession;

type Copy = {entry: PricedEntry; path: string};

/** When a session was last seen (any line of it, copies included), its project then, and whether it has usage lines. */
export type SessionSeen = {lastSeenMs: number; project: string; hasUsage: boolean};

/** Record a line of `sessionId` seen at `timestampMs` in `seen`. */
export const noteSeen = (seen: Map<string, SessionSeen>, sessionId: string, timestampMs: number, project: string, isUsage: boolean): void => {
	const found = seen.get(sessionId);
	if (found === undefined) {
		seen.set(sessionId, {lastSeenMs: timestampMs, project, hasUsage: isUsage});
		return;
	}

	if (timestampMs >= found.lastSeenMs) {
		found.lastSeenMs = timestampMs;
		found.project = project;
	}

	found.hasUsage ||= isUsage;
};

/** The files one session's numbers depend on, and when every session was last seen (see {@link sessionsFrom}). */
export type SessionCopies = {sessionId: string; files: FileCopies[]; seen: ReadonlyMap<string, SessionSeen>};

/** {@link SessionSeen} for every session in `files`. */
export const sessionsSeen = (files: readonly FileCopies[]): Map<string, SessionSeen> => {
	const seen = new Map<string, SessionSeen>();
	for (const file of files) {
		for (const entry of file.keyed) noteSeen(seen, sessionOf(entry), entry.timestampMs, entry.project, true);
		for (const entry of file.unkeyed) noteSeen(seen, sessionOf(entry), entry.timestampMs, entry.project, true);
		for (const event of file.events) noteSeen(seen, sessionOf(event), event.timestampMs, event.project, false);
	}

	return seen;
};

/**
 * Every session's usage, with the report's dedupe: one request counts once, as
 * its largest copy. A request copied into a resumed session belongs to the
 * session where it first appeared: the copy with the earliest timestamp and, as
 * copies keep their timestamps, on a tie the session that was last seen first
 * (the original ends before its resumption does), then the path that sorts first.
 * Events copied the same way (same kind, time and text) are shown once, by the same rule.
 *
 * `seen` is {@link sessionsSeen} of the whole history when `files` is only part
 * of it (one session's lines and every copy of its requests): that session's
 * result is then exact.
 */
export const sessionsFrom = (files: readonly FileCopies[], seen: ReadonlyMap<string, SessionSeen> = sessionsSeen(files)): Map<string, SessionUsage> => {
	const sessions = new Map<string, SessionUsage>();
	const session = (sessionId: string): SessionUsage => {
		let found = sessions.get(sessionId);
		if (found === undefined) {
			found = {sessionId, entries: [], events: [], paths: new Set()};
			sessions.set(sessionId, found);
		}

		return found;
	};

	type Line = {timestampMs: number; sessionId: string | undefined};
	const lastSeen = (line: Line): number => seen.get(sessionOf(line))?.lastSeenMs ?? Number.NEGATIVE_INFINITY;
	const isEarlier = (a: Line, aPath: string, b: Line, bPath: string): boolean =>
		(a.timestampMs - b.timestampMs || lastSeen(a) - lastSeen(b) || (aPath < bPath ? -1 : aPath > bPath ? 1 : 0)) < 0;

	// Per request, the copy that counts and the copy that came first.
	const requests = new Map<string, {winner: Copy; first: Copy}>();
	const events = new Map<string, {event: UsageEvent; path: string}>();
	for (const file of files) {
		for (const entry of file.keyed) {
			session(sessionOf(entry)).paths.add(file.path);
			const key = dedupeKey(entry)!;
			const found = requests.get(key);
			if (found === undefined) {
				requests.set(key, {winner: {entry, path: file.path}, first: {entry, path: file.path}});
				continue;
			}

			if (beatsCopy(entry, file.path, found.winner.entry, found.winner.path)) found.winner = {entry, path: file.path};
			if (isEarlier(entry, file.path, found.first.entry, found.first.path)) found.first = {entry, path: file.path};
		}

		for (const entry of file.unkeyed) {
			const own = session(sessionOf(entry));
			own.entries.push(entry);
			own.paths.add(file.path);
		}

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
