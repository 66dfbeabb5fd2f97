import {sessionJson, sessionSummaryJson} from '../core/screens/session-detail.js';
import type {PricedEntry} from '../core/usage/blocks.js';
import {compareEntries, dedupeKey} from '../core/usage/dedupe.js';
import {byLastActive, continueRow, sessionSummaries, type RowState, type SessionSummary} from '../core/usage/session-summaries.js';
import {sessionOf, sessionsFrom, type SessionSeen} from '../core/usage/sessions.js';
import {lastDayStarts, UsageError, type Options} from '../options.js';
import {ledgerSettings} from './ledger-settings.js';
import type {SessionsAtIndex} from './snapshot-from-index.js';
import {renderSessionList, renderSessionText} from '../views/session-text.js';
import {loadSessionDetail} from './session-load.js';
import type {UsageHandle} from '../ingest/index/usage-handle.js';
import {cacheWarning, noTranscriptsMessage, openUsageFor, recentQuietStats} from './usage-for.js';
import {outColumns, writeOut} from './write-out.js';

/** A failure to report on stderr with exit 1: the session asked for is not there. */
class NotFound extends Error {}

/**
 * The session `idOrPrefix` names (an id or a unique prefix of one), or the one
 * last active; only sessions with requests, and only in `project` when given.
 */
const chooser =
	(idOrPrefix: string | undefined, project: string | undefined) =>
	(seen: ReadonlyMap<string, SessionSeen>): string => {
		const candidates = [...seen].filter(([, session]) => session.hasUsage && (project === undefined || session.project === project));
		if (project !== undefined && candidates.length === 0) {
			const projects = [...new Set([...seen.values()].map(session => session.project))].sort();
			throw new NotFound(`no sessions in project ${project}; projects: ${projects.slice(0, 12).join(', ')}${projects.length > 12 ? ', …' : ''}`);
		}

		if (idOrPrefix === undefined) {
			const latest = candidates.sort(([a, left], [b, right]) => right.lastSeenMs - left.lastSeenMs || a.localeCompare(b))[0];
			if (latest === undefined) throw new NotFound('no sessions with requests');
			return latest[0];
		}

		if (candidates.some(([sessionId]) => sessionId === idOrPrefix)) return idOrPrefix;
		const matches = candidates.map(([sessionId]) => sessionId).filter(sessionId => sessionId.startsWith(idOrPrefix));
		if (matches.length === 1) return matches[0]!;
		if (matches.length === 0) throw new NotFound(`no session ${idOrPrefix}${project === undefined ? '' : ` in project ${project}`} (\`cctop session --list\` shows recent ones)`);
		throw new UsageError(`${idOrPrefix} matches ${matches.length} sessions (${matches.slice(0, 3).join(', ')}${matches.length > 3 ? ', …' : ''}); give more of the id`);
	};

/**
 * Every session's row: those saved with the index, with the sessions changed
 * since recomputed one by one from their own copies (exactly as from the whole
 * history: see FrozenLedger.touchedSessions); or, without saved rows, from
 * every file.
 */
export const sessionRows = (usage: UsageHandle): SessionSummary[] => {
	const live = usage.live!.usage;
	const saved = usage.savedSessionRows?.();
	const touched = saved === undefined ? undefined : live.touchedSessions();
	if (saved === undefined || touched === undefined) return sessionSummaries(sessionsFrom([...live.eachFile()]).values());
	// All touched sessions' copies in one pass: a live session touches a few, and each pass scans every row.
	const {files, seen} = live.copiesOf(touched);
	const sessions = sessionsFrom(files, seen);
	const fresh = sessionSummaries([...touched].flatMap(sessionId => {
		const session = sessions.get(sessionId);
		return session === undefined ? [] : [session];
	}));
	return [...saved.filter(row => !touched.has(row.sessionId)), ...fresh].sort(byLastActive);
};

/**
 * The rows part of the status snapshot (see SessionsPart): every session's row
 * without its requests from `windowFromMs` on, which the snapshot keeps. Only
 * the sessions active since then are recomputed, from their own copies.
 */
const sessionsAtIndex = (usage: UsageHandle, rows: readonly SessionSummary[], windowFromMs: number): SessionsAtIndex | undefined => {
	const recentIds = new Set(rows.filter(row => row.endMs >= windowFromMs).map(row => row.sessionId));
	const {files, seen} = usage.live!.usage.copiesOf(recentIds);
	const sessions = sessionsFrom(files, seen);
	const states: RowState[] = [];
	const homes = new Map<string, string>();
	// The sessions holding each of their requests (files are theirs and every copy's): two or more are entangled.
	const holders = new Map<string, Set<string>>();
	for (const file of files) {
		for (const entry of file.keyed) {
			const key = dedupeKey(entry)!;
			const found = holders.get(key);
			if (found === undefined) holders.set(key, new Set([sessionOf(entry)]));
			else found.add(sessionOf(entry));
		}
	}

	const entangled = new Set([...holders.values()].filter(sessions => sessions.size > 1).flatMap(sessions => [...sessions]));
	for (const sessionId of recentIds) {
		const session = sessions.get(sessionId);
		if (session === undefined) return undefined;
		const entries = [...session.entries].sort(compareEntries);
		const state = continueRow(sessionId, undefined, entries.filter(entry => entry.timestampMs < windowFromMs));
		if (state !== undefined) states.push(state);
		for (const entry of entries) {
			const key = entry.timestampMs >= windowFromMs ? dedupeKey(entry) : undefined;
			if (key !== undefined) homes.set(key, sessionId);
		}
	}

	return {
		part: {finals: rows.filter(row => !recentIds.has(row.sessionId)), states},
		entangled: [...entangled],
		homes: (entry: PricedEntry) => {
			const key = dedupeKey(entry);
			return key === undefined ? sessionOf(entry) : homes.get(key);
		},
	};
};

/**
 * `session --list` from the status snapshot and what was appended since, when
 * it holds the rows part; undefined when the index must answer. Quiet files
 * are trusted as the last sweep saw them, and a due sweep is started in the
 * background, as a status line does.
 */
export const snapshotSessionRows = async (options: Options, settings: Awaited<ReturnType<typeof ledgerSettings>>): Promise<SessionSummary[] | undefined> => {
	const [{findRoots}, {advanceSnapshot, readSnapshot, sessionRowsFromSnapshot, snapshotPath}, {startSweep}] = await Promise.all([
		import('../ingest/transcripts/discover.js'),
		import('../ingest/index/status-snapshot.js'),
		import('./start-sweep.js'),
	]);
	const {roots} = await findRoots({claudeDirs: options.claudeDir});
	if (roots.length === 0) return undefined;
	const file = snapshotPath(roots);
	const snapshot = await readSnapshot(file);
	if (snapshot === undefined || snapshot.sessionsFile === '') return undefined;
	const nowMs = options.now ?? Date.now();
	// A snapshot that cannot be written back costs the next call time, never this answer.
	const {usage} = await advanceSnapshot(file, snapshot, {roots, ...settings, nowMs, dayStartsMs: lastDayStarts(nowMs), isSweep: false});
	if (usage?.isSweepDue) await startSweep(file, options);
	// Only as many rows as the list shows: the rest of the part is not parsed.
	const shown = {limit: options.limit, isShown: (row: SessionSummary) => options.project === undefined || row.project === options.project};
	return usage?.sessions === undefined ? undefined : sessionRowsFromSnapshot(snapshot, usage.sessions, shown);
};

/**
 * `cctop session [ID|--latest] [--project NAME] [--list] [--json]`. Totals use
 * the report's dedupe and pricing; a request copied into a resumed session
 * counts for the session it first appeared in. One session decodes only its own
 * lines and the copies of its requests; tool calls are read from its own files.
 */
export const runSession = async (options: Options, idOrPrefix: string | undefined): Promise<number> => {
	if (idOrPrefix !== undefined && options.latest) throw new UsageError('give a session id or --latest, not both');
	if (idOrPrefix !== undefined && options.list) throw new UsageError('--list lists sessions; leave out the id');
	const clock = () => options.now ?? Date.now();
	const width = outColumns();
	const print = (rows: readonly SessionSummary[]) => {
		const project = options.project;
		const matching = rows.filter(row => project === undefined || row.project === project);
		const listed = options.limit === 0 ? matching : matching.slice(0, options.limit);
		writeOut(options.json ? `${JSON.stringify({sessions: listed.map(row => sessionSummaryJson(row))}, null, 2)}\n` : `${renderSessionList(listed, {width})}\n`);
	};

	const settings = await ledgerSettings(options);
	const fast = options.list && options.cache ? await snapshotSessionRows(options, settings) : undefined;
	if (fast !== undefined) {
		print(fast);
		return 0;
	}

	const usage = await openUsageFor(options, clock, {isSummaryEnough: false, quietStats: async () => recentQuietStats(options), settings});
	try {
		if (!options.quiet) for (const note of usage.notes) process.stderr.write(`cctop: ${note}\n`);
		if (usage.discovery.files.length === 0) {
			// No data is not an error (README, exit codes).
			process.stderr.write(`${noTranscriptsMessage(usage.discovery)}\n`);
			return 0;
		}

		const live = usage.live!.usage;
		if (options.list) {
			const rows = sessionRows(usage);
			print(rows);
			if (options.cache) {
				// The next `session --list` (and every status line meanwhile) carries these rows on from the snapshot.
				const {snapshotFromIndex} = await import('./snapshot-from-index.js');
				const {failure} = await snapshotFromIndex(usage, {fingerprint: settings.fingerprint, nowMs: clock(), isCached: true, needsWeek: false}, windowFromMs => sessionsAtIndex(usage, rows, windowFromMs));
				if (failure !== undefined) process.stderr.write(`${cacheWarning([failure])}\n`);
			}

			return 0;
		}

		const loaded = (await loadSessionDetail(live, chooser(idOrPrefix, options.project), {topCount: options.json ? 10 : 5}))!;
		for (const {path, reason} of loaded.unreadable) process.stderr.write(`cctop: tool calls not read from ${path} (${reason})\n`);
		const {detail} = loaded;
		if (detail === undefined) throw new NotFound(`session ${loaded.sessionId} has no requests of its own: its lines are copies of an earlier session's`);
		writeOut(options.json ? `${JSON.stringify(sessionJson(detail), null, 2)}\n` : `${renderSessionText(detail, {width})}\n`);
		return 0;
	} catch (error) {
		if (!(error instanceof NotFound)) throw error;
		process.stderr.write(`cctop: ${error.message}\n`);
		return 1;
	} finally {
		await usage.save();
		const cacheLine = cacheWarning(usage.cacheErrors());
		if (cacheLine) process.stderr.write(`${cacheLine}\n`);
	}
};
