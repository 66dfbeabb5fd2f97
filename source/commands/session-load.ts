import {sessionDetail, toolCounts, type SessionDetail} from '../core/session-detail.js';
import {sessionsFrom, type SessionSeen} from '../core/sessions.js';
import type {LiveUsage} from '../ingest/live-usage.js';
import {readToolCalls} from '../ingest/read-tool-calls.js';

/**
 * One session in full, as `cctop session` and the dashboard's detail show it:
 * only that session's lines and the copies of its requests are decoded, and its
 * tool calls are read from its own files. `sessionId` is undefined when the
 * chosen session's lines are all copies counted elsewhere.
 */
export const loadSessionDetail = async (
	usage: LiveUsage,
	choose: (seen: ReadonlyMap<string, SessionSeen>) => string | undefined,
	{topCount = 5} = {},
): Promise<{sessionId: string; detail: SessionDetail | undefined; unreadable: Array<{path: string; reason: string}>} | undefined> => {
	const copies = usage.sessionCopies(choose);
	if (copies === undefined) return undefined;
	const session = sessionsFrom(copies.files, copies.seen).get(copies.sessionId);
	if (session === undefined || session.entries.length === 0) return {sessionId: copies.sessionId, detail: undefined, unreadable: []};
	const read = await readToolCalls([...session.paths].sort());
	const tools = toolCounts(read.calls, session.sessionId, session.entries);
	return {sessionId: copies.sessionId, detail: sessionDetail(session, {tools, topCount}), unreadable: read.unreadable};
};
