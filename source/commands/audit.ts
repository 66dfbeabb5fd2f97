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
		{file: options.spool, range: {sinceMs: filter.sinceMs === undefined ? undefined : filter.sinceMs - receiveMarginMs, untilMs: filter.untilMs === undefined ? undefined : filter.untilMs + receiveMarginMs}},
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

type Verdict = {name: string; file: string; exists: boolean; lines: number; chained: number; legacy: number; torn: number; segments: number; retired: number; head: string; break?: {file: string; line: number; kind: string; detail: string}};

/**
 * The spool's one chain across its segments: retired ones (by retention),
 * sealed ones (each must end at the head it was sealed with), then the one
 * being written. A sealed segment that is gone without a retention record, or
 * a retention no record in the chain speaks for, is a break too.
 */
const verifySpool = async (active: string): Promise<Verdict> => {
	const [{genesis, verifyChain}, {readSegmentList}, {existsSync}] = await Promise.all([import('../ingest/otel/spool-chain.js'), import('../ingest/otel/spool-segments.js'), import('node:fs')]);
	const path = await import('node:path');
	const list = readSegmentList(active);
	const verdict: Verdict = {name: 'spool', file: active, exists: false, lines: 0, chained: 0, legacy: 0, torn: 0, segments: 0, retired: list.retired.length, head: list.retired.at(-1)?.head ?? genesis};
	const confirmed = new Set<string>();
	let firstPresentMs: number | undefined;
	const files = [...list.segments.map(segment => ({file: path.join(path.dirname(active), segment.file), sealed: segment})), {file: active, sealed: undefined}];
	for (const {file, sealed} of files) {
		if (!existsSync(file)) {
			if (sealed !== undefined) verdict.break ??= {file, line: 0, kind: 'removed', detail: `segment ${sealed.file} is gone, and no retention removed it`};
			if (verdict.break !== undefined) break;
			continue;
		}

		verdict.exists = true;
		verdict.segments++;
		firstPresentMs ??= sealed?.firstMs;
		const report = verifyChain(file, {startHead: verdict.head});
		for (const head of report.retired) confirmed.add(head);
		verdict.lines += report.lines;
		verdict.chained += report.chained;
		verdict.legacy += report.legacy;
		verdict.torn += report.torn.length;
		if (report.break !== undefined) {
			verdict.break = {file, ...report.break};
			break;
		}

		if (sealed !== undefined && report.head !== sealed.head) {
			verdict.break = {file, line: report.lines, kind: 'truncated', detail: `${sealed.file} no longer ends at the head it was sealed with: its end was cut or changed`};
			break;
		}

		verdict.head = report.head;
	}

	// A retention after the oldest segment still here left a record in the chain; earlier ones' records went with their segments.
	const unrecorded = list.retired.find(segment => (firstPresentMs === undefined || segment.removedAtMs >= firstPresentMs) && !confirmed.has(segment.head));
	if (verdict.break === undefined && unrecorded !== undefined && verdict.exists) verdict.break = {file: active, line: 0, kind: 'removed', detail: `segment ${unrecorded.file} is listed as retired, but no retention record for it is in the chain`};
	return verdict;
};

/**
 * `cctop audit verify`: walk the hash chains of the spool (all its segments)
 * and of the guard's record, streaming, and name the first break (file, line,
 * what happened). Exit 1 on a break. The chain heads are printed so they can
 * be kept elsewhere: a clean cut at the end of the segment being written leaves
 * a valid chain, and only an earlier head shows it.
 */
export const runAuditVerify = async (options: Options): Promise<number> => {
	const [{verifyChain}, {existsSync}, {guardDecisionsPath}] = await Promise.all([import('../ingest/otel/spool-chain.js'), import('node:fs'), import('../ingest/guard-log.js')]);
	const verdicts: Verdict[] = [await verifySpool(options.spool ?? spoolPath())];
	const guardFile = guardDecisionsPath();
	if (existsSync(guardFile)) {
		const report = verifyChain(guardFile);
		verdicts.push({name: 'guard decisions', file: guardFile, exists: true, lines: report.lines, chained: report.chained, legacy: report.legacy, torn: report.torn.length, segments: 1, retired: 0, head: report.head, ...(report.break === undefined ? {} : {break: {file: guardFile, ...report.break}})});
	} else {
		verdicts.push({name: 'guard decisions', file: guardFile, exists: false, lines: 0, chained: 0, legacy: 0, torn: 0, segments: 0, retired: 0, head: ''});
	}

	const isBroken = verdicts.some(verdict => verdict.break !== undefined);
	if (options.json) {
		process.stdout.write(`${JSON.stringify({intact: !isBroken, files: verdicts}, null, 2)}\n`);
		return isBroken ? 1 : 0;
	}

	for (const verdict of verdicts) {
		if (!verdict.exists && verdict.break === undefined) continue;
		if (verdict.break !== undefined) {
			process.stdout.write(`✗ ${verdict.name} ${verdict.break.file}: ${verdict.break.line > 0 ? `line ${verdict.break.line} ` : ''}${verdict.break.kind}: ${verdict.break.detail}\n`);
			continue;
		}

		const segments = verdict.name === 'spool' && (verdict.segments > 1 || verdict.retired > 0) ? `${verdict.segments} segments${verdict.retired > 0 ? ` (and ${verdict.retired} removed by retention, recorded)` : ''}, ` : '';
		const legacy = verdict.legacy > 0 ? ` (${verdict.legacy} from before the chain, covered by its first link)` : '';
		const torn = verdict.torn > 0 ? `; ${verdict.torn} torn write${verdict.torn === 1 ? '' : 's'} the chain goes on around` : '';
		process.stdout.write(`✓ ${verdict.name} ${verdict.file}: ${segments}${verdict.lines} lines, ${verdict.chained} chained${legacy}${torn}; head ${verdict.head}\n`);
	}

	if (verdicts.every(verdict => !verdict.exists)) process.stdout.write('nothing to verify: no spool and no guard decisions yet\n');
	return isBroken ? 1 : 0;
};
