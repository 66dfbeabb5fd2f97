import {auditRowOf, auditTallies, eventCounts, matchesAudit, type AuditFilter, type AuditRow} from '../core/otel/audit.js';
import {readDecisions} from '../ingest/guard-log.js';
import {streamSpool} from '../ingest/otel/otel-spool.js';
import {localMidnightMs, type Options} from '../options.js';
import {auditCsv, auditJsonLines, renderAudit} from '../views/audit-text.js';

/** Exports trail the event by seconds to minutes: the spool is read from this much before `--since`. */
const receiveMarginMs = 3_600_000;

/**
 * `cctop audit`: the security trail. Claude Code's events from the spool
 * (tool decisions and results, permission modes, hooks, auth, MCP, plugins,
 * API errors, prompts by length) and the guard's own decisions, filtered,
 * oldest first; as text with a summary per user and session, as JSON lines or CSV.
 */
export const runAudit = async (options: Options): Promise<number> => {
	const filter: AuditFilter = {
		sinceMs: options.since === undefined ? undefined : localMidnightMs(options.since),
		untilMs: options.until === undefined ? undefined : localMidnightMs(options.until, 1),
		user: options.user,
		session: options.traceSession,
		events: options.events,
		tool: options.tool,
	};
	const rows: AuditRow[] = [];
	let bad = 0;
	const spool = streamSpool(
		{range: {sinceMs: filter.sinceMs === undefined ? undefined : filter.sinceMs - receiveMarginMs, untilMs: filter.untilMs === undefined ? undefined : filter.untilMs + receiveMarginMs}},
		({record, receivedAtMs}) => {
			const row = auditRowOf(record, receivedAtMs);
			if (row !== undefined && matchesAudit(row, filter)) rows.push(row);
		},
		() => bad++,
	);
	const decisions = readDecisions();
	bad += decisions.bad;
	rows.push(...decisions.records.filter(row => matchesAudit(row, filter)));
	// Stable: rows of one instant keep the order they were recorded in.
	rows.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
	if (!options.quiet) {
		if (!spool.exists && decisions.records.length === 0) process.stderr.write('cctop: no spool and no guard decisions yet: `cctop serve` receives Claude Code\'s events (cctop setup), `cctop setup --guard` adds the guard\n');
		if (bad > 0) process.stderr.write(`cctop: skipped ${bad} unreadable line${bad === 1 ? '' : 's'} (a torn or edited record)\n`);
	}

	if (options.json) process.stdout.write(auditJsonLines(rows));
	else if (options.csv) process.stdout.write(auditCsv(rows));
	else {
		const width = process.stdout.columns ?? (Number(process.env['COLUMNS']) || 100);
		process.stdout.write(renderAudit(rows, {byUser: auditTallies(rows, row => row.user ?? '(unknown user)'), bySession: auditTallies(rows, row => row.sessionId ?? '(no session)'), counts: eventCounts(rows), width}));
	}

	return 0;
};
