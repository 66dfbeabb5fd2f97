import {auditRowOf, auditTallies, eventCounts, matchesAudit, type AuditFilter, type AuditRow} from '../core/otel/audit.js';
import {readDecisions} from '../ingest/guard-log.js';
import {spoolPath, streamSpool} from '../ingest/otel/otel-spool.js';
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
		{file: options.spool ?? spoolPath(), range: {sinceMs: filter.sinceMs === undefined ? undefined : filter.sinceMs - receiveMarginMs, untilMs: filter.untilMs === undefined ? undefined : filter.untilMs + receiveMarginMs}},
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

/**
 * `cctop audit verify`: walk the hash chains of the spool and of the guard's
 * record, streaming, and name the first break (file, line, what happened).
 * Exit 1 on a break; the chain heads are printed so they can be kept elsewhere
 * (a truncated tail leaves a valid chain: only an earlier head shows it).
 */
export const runAuditVerify = async (options: Options): Promise<number> => {
	const [{verifyChain}, {existsSync}, {guardDecisionsPath}] = await Promise.all([import('../ingest/otel/spool-chain.js'), import('node:fs'), import('../ingest/guard-log.js')]);
	let isBroken = false;
	const files = [['spool', options.spool ?? spoolPath()], ['guard decisions', guardDecisionsPath()]] as const;
	const results = [];
	for (const [name, file] of files) {
		if (!existsSync(file)) {
			results.push({name, file, exists: false});
			continue;
		}

		const report = verifyChain(file);
		isBroken ||= report.break !== undefined;
		results.push({name, file, exists: true, ...report});
		if (options.json) continue;
		if (report.break === undefined) {
			const legacy = report.legacy > 0 ? ` (${report.legacy} from before the chain, covered by its first link)` : '';
			const torn = report.torn.length > 0 ? `; ${report.torn.length} torn write${report.torn.length === 1 ? '' : 's'} the chain goes on around (line ${report.torn.join(', ')})` : '';
			process.stdout.write(`✓ ${name} ${file}: ${report.lines} lines, ${report.chained} chained${legacy}${torn}; head ${report.head}\n`);
		} else {
			process.stdout.write(`✗ ${name} ${file}: line ${report.break.line} ${report.break.kind}: ${report.break.detail}\n`);
		}
	}

	if (options.json) process.stdout.write(`${JSON.stringify({intact: !isBroken, files: results}, null, 2)}\n`);
	else if (results.every(result => !result.exists)) process.stdout.write('nothing to verify: no spool and no guard decisions yet\n');
	return isBroken ? 1 : 0;
};
