import type {OtelRecord} from '../core/otel/console-records.js';

/** One demo request, as the telemetry for it needs it. */
export type DemoRequest = {
	sessionId: string;
	model: string;
	timestampMs: number;
	requestId: string;
	tokens: {input: number; output: number; cacheRead: number; cacheCreation: number};
	costUsd: number;
	tool: string | undefined;
};

const hex = (next: () => number, length: number): string => Array.from({length}, () => Math.floor(next() * 16).toString(16)).join('');

/**
 * What Claude Code's OpenTelemetry would send for one request (SPEC §5): the
 * api_request event, the tool's result and decision, delta counters for cost,
 * tokens, lines, commits and active time, and one traced interaction (the
 * request and the tool under it). The demo writes these to its own spool, so
 * view 4, `t` and `cctop trace` have something real-shaped to show.
 */
export const telemetryFor = (request: DemoRequest, next: () => number): OtelRecord[] => {
	const at = request.timestampMs;
	const session = {'session.id': request.sessionId, 'user.account_uuid': 'demo-user', 'terminal.type': 'demo'};
	const requestMs = Math.round(1500 + next() * 9000);
	const toolMs = request.tool === undefined ? 0 : Math.round(40 + next() * next() * 6000);
	const waitMs = request.tool === undefined || next() < 0.7 ? 0 : Math.round(500 + next() * 4000);
	const isToolFailed = next() < 0.08;
	const point = (name: string, unit: string, value: number, attributes: Record<string, string> = {}): OtelRecord => ({
		kind: 'metric',
		name,
		unit,
		points: [{attributes: {...session, ...attributes}, startTimeMs: at - 1, endTimeMs: at, value}],
	});
	const records: OtelRecord[] = [
		{
			kind: 'log',
			name: 'claude_code.api_request',
			timestampMs: at,
			attributes: {
				...session,
				model: request.model,
				cost_usd: String(request.costUsd),
				duration_ms: String(requestMs),
				input_tokens: String(request.tokens.input),
				output_tokens: String(request.tokens.output),
				cache_read_tokens: String(request.tokens.cacheRead),
				cache_creation_tokens: String(request.tokens.cacheCreation),
				request_id: request.requestId,
			},
		},
		point('claude_code.cost.usage', 'USD', request.costUsd, {model: request.model}),
		point('claude_code.token.usage', 'tokens', request.tokens.input, {model: request.model, type: 'input'}),
		point('claude_code.token.usage', 'tokens', request.tokens.output, {model: request.model, type: 'output'}),
		point('claude_code.token.usage', 'tokens', request.tokens.cacheRead, {model: request.model, type: 'cacheRead'}),
		point('claude_code.token.usage', 'tokens', request.tokens.cacheCreation, {model: request.model, type: 'cacheCreation'}),
		point('claude_code.active_time.total', 's', Math.round(requestMs / 100) / 10, {type: 'cli'}),
	];
	if (request.tool !== undefined) {
		records.push(
			{kind: 'log', name: 'claude_code.tool_decision', timestampMs: at, attributes: {...session, tool_name: request.tool, decision: next() < 0.95 ? 'accept' : 'reject', source: waitMs > 0 ? 'user_temporary' : 'config'}},
			{kind: 'log', name: 'claude_code.tool_result', timestampMs: at + toolMs, attributes: {...session, tool_name: request.tool, success: isToolFailed ? 'false' : 'true', duration_ms: String(toolMs)}},
		);
		if (waitMs > 0) records.push(point('claude_code.active_time.total', 's', Math.round(waitMs / 100) / 10, {type: 'user'}));
		if (request.tool === 'Edit' || request.tool === 'Write') {
			records.push(
				point('claude_code.lines_of_code.count', '', Math.round(2 + next() * 60), {type: 'added'}),
				point('claude_code.lines_of_code.count', '', Math.round(next() * 25), {type: 'removed'}),
				point('claude_code.code_edit_tool.decision', '', 1, {tool: request.tool, decision: 'accept', language: 'TypeScript'}),
			);
		}

		if (request.tool === 'Bash' && next() < 0.12) records.push(point('claude_code.commit.count', '', 1));
		if (request.tool === 'Bash' && next() < 0.02) records.push(point('claude_code.pull_request.count', '', 1));
	}

	// One interaction per request: the request, then its tool (the user's approval, then the run).
	const traceId = hex(next, 32);
	const root = hex(next, 16);
	const llm = hex(next, 16);
	const span = (name: string, spanId: string, parent: string | undefined, startMs: number, durationMs: number, attributes: Record<string, string> = {}): OtelRecord => ({
		kind: 'span',
		name,
		traceId,
		spanId,
		parentSpanId: parent,
		startMs,
		durationMs,
		attributes: {...session, ...attributes},
	});
	const start = at - requestMs;
	records.push(
		span('claude_code.interaction', root, undefined, start, requestMs + waitMs + toolMs),
		span('claude_code.llm_request', llm, root, start, requestMs, {
			model: request.model,
			ttft_ms: String(Math.round(requestMs * (0.15 + next() * 0.2))),
			input_tokens: String(request.tokens.input + request.tokens.cacheRead + request.tokens.cacheCreation),
			output_tokens: String(request.tokens.output),
		}),
	);
	if (request.tool !== undefined) {
		const tool = hex(next, 16);
		records.push(span('claude_code.tool', tool, root, at, waitMs + toolMs, {tool_name: request.tool}));
		if (waitMs > 0) records.push(span('claude_code.tool.blocked_on_user', hex(next, 16), tool, at, waitMs, {decision: 'accept'}));
		records.push(span('claude_code.tool.execution', hex(next, 16), tool, at + waitMs, toolMs, {success: isToolFailed ? 'false' : 'true'}));
	}

	return records;
};
