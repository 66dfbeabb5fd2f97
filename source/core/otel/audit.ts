import {attributeText, numberOf, type OtelRecord} from './console-records.js';

/**
 * One row of the security trail (`cctop audit`): a Claude Code event from the
 * spool, or one of the guard's own decisions. `--json` prints exactly these
 * fields, one object per line.
 */
export type AuditRow = {
	timestamp: string;
	/** Claude Code's event name without `claude_code.`, or `guard`. */
	event: string;
	user: string | null;
	sessionId: string | null;
	tool: string | null;
	decision: string | null;
	source: string | null;
	detail: string;
};

/** The events the Monitoring docs list; any other name is still a row (counted as unknown), never dropped. */
export const documentedEvents = new Set([
	'user_prompt', 'tool_result', 'tool_decision', 'api_request', 'api_error', 'api_request_body', 'api_response_body', 'api_refusal', 'api_retries_exhausted',
	'assistant_response', 'permission_mode_changed', 'auth', 'mcp_server_connection', 'internal_error', 'plugin_installed', 'plugin_loaded', 'skill_activated',
	'at_mention', 'hook_registered', 'hook_execution_start', 'hook_execution_complete', 'compaction', 'feedback_survey',
]);

/** Usage and content, not security: left out unless `--event` names them (report and trace show them). */
export const usageEvents = new Set(['api_request', 'api_request_body', 'api_response_body', 'assistant_response']);

/** Attributes every event carries: not worth repeating in an unknown event's detail. */
const standard = new Set(['session.id', 'app.version', 'organization.id', 'user.account_uuid', 'user.account_id', 'user.id', 'user.email', 'terminal.type', 'event.name', 'event.timestamp', 'event.sequence', 'prompt.id']);

type Attributes = Record<string, unknown>;
const text = (attributes: Attributes, key: string): string | undefined => attributeText(attributes[key]);

/** Who: the identity rule of `cctop team` (email, account uuid, enduser.id, user.id). */
export const userOf = (attributes: Attributes): string | null =>
	text(attributes, 'user.email') ?? text(attributes, 'user.account_uuid') ?? text(attributes, 'enduser.id') ?? text(attributes, 'user.id') ?? null;

const join = (...parts: Array<string | undefined | false>): string => parts.filter((part): part is string => typeof part === 'string' && part !== '').join(' · ');

/** With OTEL_LOG_TOOL_DETAILS=1: the command, file or MCP call a tool ran (a JSON string attribute). */
const toolDetail = (attributes: Attributes): string | undefined => {
	const raw = text(attributes, 'tool_parameters') ?? text(attributes, 'tool_input');
	if (raw === undefined) return undefined;
	try {
		const value = JSON.parse(raw) as Record<string, unknown>;
		const named = ['full_command', 'bash_command', 'command', 'file_path', 'notebook_path', 'url', 'pattern', 'mcp_server_name', 'skill_name'].find(key => typeof value[key] === 'string');
		if (named !== undefined) return `${named === 'mcp_server_name' && typeof value['mcp_tool_name'] === 'string' ? `${String(value[named])}/${String(value['mcp_tool_name'])}` : String(value[named])}`;
	} catch {
		// Not JSON: show it as sent.
	}

	return raw;
};

const successWord = (value: string | undefined): string | null => (value === undefined ? null : value === 'true' ? 'success' : value === 'false' ? 'failure' : value);

/** An event's own detail, in a few words. */
const describe = (event: string, attributes: Attributes): Pick<AuditRow, 'tool' | 'decision' | 'source' | 'detail'> => {
	const tool = text(attributes, 'tool_name') ?? null;
	switch (event) {
		case 'user_prompt': {
			const prompt = text(attributes, 'prompt');
			// The prompt itself only when the user opted in (OTEL_LOG_USER_PROMPTS); else Claude Code sends `<REDACTED>`.
			const shown = prompt !== undefined && prompt !== '<REDACTED>' ? `"${prompt.replaceAll(/\s+/g, ' ').slice(0, 120)}"` : undefined;
			return {tool: null, decision: null, source: text(attributes, 'command_name') ?? null, detail: join(`${text(attributes, 'prompt_length') ?? '?'} chars`, shown)};
		}

		case 'tool_decision': {
			return {tool, decision: text(attributes, 'decision') ?? null, source: text(attributes, 'source') ?? null, detail: join(toolDetail(attributes))};
		}

		case 'tool_result': {
			const duration = numberOf(attributes['duration_ms']);
			return {tool, decision: successWord(text(attributes, 'success')), source: text(attributes, 'decision_source') ?? null, detail: join(duration === undefined ? undefined : `${duration} ms`, toolDetail(attributes), text(attributes, 'error'))};
		}

		case 'permission_mode_changed': {
			return {tool: null, decision: null, source: text(attributes, 'trigger') ?? null, detail: `${text(attributes, 'from_mode') ?? '?'} → ${text(attributes, 'to_mode') ?? '?'}`};
		}

		case 'hook_execution_complete': {
			const blocking = numberOf(attributes['num_blocking']) ?? 0;
			return {
				tool: null,
				decision: blocking > 0 ? 'block' : null,
				source: text(attributes, 'hook_event') ?? null,
				detail: join(`${numberOf(attributes['num_success']) ?? 0} ok`, blocking > 0 && `${blocking} blocking`, (numberOf(attributes['num_non_blocking_error']) ?? 0) > 0 && `${numberOf(attributes['num_non_blocking_error'])} errors`, text(attributes, 'total_duration_ms') && `${text(attributes, 'total_duration_ms')} ms`),
			};
		}

		case 'auth': {
			return {tool: null, decision: successWord(text(attributes, 'success')), source: text(attributes, 'auth_method') ?? null, detail: join(text(attributes, 'action'), text(attributes, 'error_category'), text(attributes, 'status_code'))};
		}

		case 'mcp_server_connection': {
			return {tool: text(attributes, 'server_name') ?? null, decision: text(attributes, 'status') ?? null, source: text(attributes, 'server_scope') ?? null, detail: join(text(attributes, 'transport_type'), text(attributes, 'plugin.name'), text(attributes, 'error_code'), text(attributes, 'error'))};
		}

		case 'plugin_installed':
		case 'plugin_loaded': {
			return {tool: null, decision: null, source: text(attributes, 'marketplace.name') ?? text(attributes, 'plugin.marketplace') ?? null, detail: join(text(attributes, 'plugin.name') ?? text(attributes, 'plugin_name'), text(attributes, 'plugin.version'))};
		}

		case 'api_error':
		case 'api_retries_exhausted': {
			return {tool: null, decision: null, source: text(attributes, 'model') ?? null, detail: join(text(attributes, 'status_code'), text(attributes, 'error'), text(attributes, 'attempt') && `attempt ${text(attributes, 'attempt')}`)};
		}

		default: {
			const rest = Object.entries(attributes)
				.filter(([key]) => !standard.has(key))
				.map(([key, value]) => `${key}=${attributeText(value) ?? JSON.stringify(value)}`);
			return {tool, decision: text(attributes, 'decision') ?? null, source: text(attributes, 'source') ?? null, detail: rest.join(' ').slice(0, 240)};
		}
	}
};

/** A spool record as a row; undefined for what is not an event (metrics, spans, resources). */
export const auditRowOf = (record: OtelRecord, receivedAtMs: number): AuditRow | undefined => {
	if (record.kind !== 'log') return undefined;
	const {attributes} = record;
	const event = (text(attributes, 'event.name') ?? record.name).replace(/^claude_code\./, '');
	const timestampMs = record.timestampMs ?? (Date.parse(text(attributes, 'event.timestamp') ?? '') || receivedAtMs);
	return {timestamp: new Date(timestampMs).toISOString(), event, user: userOf(attributes), sessionId: text(attributes, 'session.id') ?? null, ...describe(event, attributes)};
};

export type AuditFilter = {sinceMs?: number | undefined; untilMs?: number | undefined; user?: string | undefined; session?: string | undefined; events?: readonly string[] | undefined; tool?: string | undefined};

/** Whether a row passes the filters: users and tools match whole (any case), sessions by prefix, events by name. */
export const matchesAudit = (row: AuditRow, filter: AuditFilter): boolean => {
	const ms = Date.parse(row.timestamp);
	if (filter.sinceMs !== undefined && ms < filter.sinceMs) return false;
	if (filter.untilMs !== undefined && ms >= filter.untilMs) return false;
	if (filter.user !== undefined && row.user?.toLowerCase() !== filter.user.toLowerCase()) return false;
	if (filter.session !== undefined && !(row.sessionId ?? '').startsWith(filter.session)) return false;
	if (filter.tool !== undefined && row.tool?.toLowerCase() !== filter.tool.toLowerCase()) return false;
	if (filter.events !== undefined) return filter.events.includes(row.event);
	return !usageEvents.has(row.event);
};

/** Per user or per session: what a reviewer looks for first. */
export type AuditTally = {key: string; events: number; prompts: number; rejections: number; bash: number; mcp: number; failures: number; blocks: number; warnings: number; modeChanges: number};

const isMcp = (row: AuditRow) => row.event === 'mcp_server_connection' || (row.tool ?? '').startsWith('mcp__');

/** Rows tallied by `keyOf`, most events first. Tool calls count once each, at their result. */
export const auditTallies = (rows: readonly AuditRow[], keyOf: (row: AuditRow) => string): AuditTally[] => {
	const tallies = new Map<string, AuditTally>();
	for (const row of rows) {
		const key = keyOf(row);
		let tally = tallies.get(key);
		if (tally === undefined) {
			tally = {key, events: 0, prompts: 0, rejections: 0, bash: 0, mcp: 0, failures: 0, blocks: 0, warnings: 0, modeChanges: 0};
			tallies.set(key, tally);
		}

		tally.events++;
		if (row.event === 'user_prompt') tally.prompts++;
		if (row.event === 'tool_decision' && row.decision === 'reject') tally.rejections++;
		if (row.event === 'tool_result' && row.tool === 'Bash') tally.bash++;
		if ((row.event === 'tool_result' || row.event === 'mcp_server_connection') && isMcp(row)) tally.mcp++;
		if ((row.event === 'tool_result' || row.event === 'auth') && row.decision === 'failure') tally.failures++;
		if (row.event === 'api_error' || (row.event === 'mcp_server_connection' && row.decision === 'failed')) tally.failures++;
		if (row.decision === 'block') tally.blocks++;
		if (row.event === 'guard' && row.decision === 'warn') tally.warnings++;
		if (row.event === 'permission_mode_changed') tally.modeChanges++;
	}

	return [...tallies.values()].sort((a, b) => b.events - a.events || a.key.localeCompare(b.key));
};

/** How many rows of each event, with the names the docs do not list marked: they are kept, and counted. */
export const eventCounts = (rows: readonly AuditRow[]): Array<{event: string; count: number; isDocumented: boolean}> => {
	const counts = new Map<string, number>();
	for (const row of rows) counts.set(row.event, (counts.get(row.event) ?? 0) + 1);
	return [...counts].map(([event, count]) => ({event, count, isDocumented: event === 'guard' || documentedEvents.has(event)})).sort((a, b) => b.count - a.count || a.event.localeCompare(b.event));
};
