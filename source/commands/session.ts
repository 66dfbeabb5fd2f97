import {sessionDetail, sessionJson, sessionSummaries, sessionSummaryJson, toolCounts, type SessionSummary} from '../core/session-detail.js';
import {sessionsFrom} from '../core/sessions.js';
import {readToolCalls} from '../ingest/read-tool-calls.js';
import {UsageError, type Options} from '../options.js';
import {renderSessionList, renderSessionText} from '../views/session-text.js';
import {noTranscriptsMessage, openUsageFor} from './usage-for.js';

/** Runtime failure with a message for stderr (exit 1): the session asked for is not there. */
class NotFound extends Error {}

/** The one session `idOrPrefix` names among `rows` (all of them when undefined: the latest). */
const pick = (rows: readonly SessionSummary[], idOrPrefix: string | undefined, project: string | undefined): SessionSummary => {
	const where = project === undefined ? '' : ` in project ${project}`;
	if (idOrPrefix === undefined) {
		const latest = rows[0];
		if (latest === undefined) throw new NotFound(`no sessions${where}`);
		return latest;
	}

	const exact = rows.find(row => row.sessionId === idOrPrefix);
	if (exact !== undefined) return exact;
	const matches = rows.filter(row => row.sessionId.startsWith(idOrPrefix));
	if (matches.length === 1) return matches[0]!;
	if (matches.length === 0) throw new NotFound(`no session ${idOrPrefix}${where} (\`cctop session --list\` shows recent ones)`);
	throw new UsageError(`${idOrPrefix} matches ${matches.length} sessions (${matches.slice(0, 3).map(row => row.sessionId).join(', ')}${matches.length > 3 ? ', …' : ''}); give more of the id`);
};

/**
 * `cctop session [ID|--latest] [--project NAME] [--list] [--json]`. Totals use
 * the report's dedupe and pricing; a request copied into a resumed session
 * counts for the session it first appeared in. Tool calls are read from the
 * chosen session's own files only.
 */
export const runSession = async (options: Options, idOrPrefix: string | undefined): Promise<number> => {
	if (idOrPrefix !== undefined && options.latest) throw new UsageError('give a session id or --latest, not both');
	if (idOrPrefix !== undefined && options.list) throw new UsageError('--list lists sessions; leave out the id');
	const clock = () => options.now ?? Date.now();
	const usage = await openUsageFor(options, clock, {isSummaryEnough: false});
	if (!options.quiet) for (const note of usage.notes) process.stderr.write(`cctop: ${note}\n`);
	if (usage.discovery.files.length === 0) {
		process.stderr.write(`${noTranscriptsMessage(usage.discovery)}\n`);
		await usage.save();
		return 1;
	}

	const sessions = sessionsFrom(usage.live!.usage.eachFile());
	const nowMs = clock();
	let rows = sessionSummaries(sessions.values()).filter(row => row.startMs <= nowMs);
	if (options.project !== undefined) {
		const inProject = rows.filter(row => row.project === options.project);
		if (inProject.length === 0) {
			const projects = [...new Set(rows.map(row => row.project))].sort();
			await usage.save();
			process.stderr.write(`cctop: no sessions in project ${options.project}; projects: ${projects.slice(0, 12).join(', ')}${projects.length > 12 ? ', …' : ''}\n`);
			return 1;
		}

		rows = inProject;
	}

	const width = process.stdout.columns ?? process.stderr.columns ?? (Number(process.env['COLUMNS']) || 100);
	if (options.list) {
		const listed = options.limit === 0 ? rows : rows.slice(0, options.limit);
		process.stdout.write(options.json ? `${JSON.stringify({sessions: listed.map(row => sessionSummaryJson(row))}, null, 2)}\n` : `${renderSessionList(listed, {width})}\n`);
		await usage.save();
		return 0;
	}

	let chosen: SessionSummary;
	try {
		chosen = pick(rows, idOrPrefix, options.project);
	} catch (error) {
		if (!(error instanceof NotFound)) throw error;
		await usage.save();
		process.stderr.write(`cctop: ${error.message}\n`);
		return 1;
	}

	const session = sessions.get(chosen.sessionId)!;
	const read = await readToolCalls([...session.paths].sort());
	for (const {path, reason} of read.unreadable) process.stderr.write(`cctop: tool calls not read from ${path} (${reason})\n`);
	const detail = sessionDetail(session, {tools: toolCounts(read.calls, session.sessionId, session.entries), topCount: options.json ? 10 : 5})!;
	process.stdout.write(options.json ? `${JSON.stringify(sessionJson(detail), null, 2)}\n` : `${renderSessionText(detail, {width})}\n`);
	await usage.save();
	return 0;
};
