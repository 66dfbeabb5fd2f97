import type {UsageEntry, UsageEvent} from './types.js';

/** What one transcript line turned into. */
export type LineResult =
	| {kind: 'usage'; entry: UsageEntry}
	| {kind: 'event'; event: UsageEvent}
	| {kind: 'other'}
	| {kind: 'invalid'; reason: string};

// Checked by hand, not with zod: every command parses lines, and importing zod
// costs ~36 ms, half of what `cctop status` may take. The rules are zod's, field
// for field (test/core/usage/transcript-fields.test.ts checks both agree on random
// input): only the fields cctop reads, unknown keys ignored, and a field of an
// odd type that cctop only displays falls back to undefined instead of losing the usage.

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
/** A count, absent (undefined or null), or wrong. */
const optionalCount = (value: unknown): number | undefined | false => (value === undefined || value === null ? undefined : isCount(value) ? value : false);

/** The fields of a line cctop reads; anything of the wrong type is undefined. */
export type LineFields = {
	timestamp: string | undefined;
	sessionId: string | undefined;
	cwd: string | undefined;
	isSidechain: boolean | undefined;
	isApiErrorMessage: boolean | undefined;
	requestId: string | undefined;
	costUSD: number | undefined;
	error: unknown;
	message: {id: string | undefined; model: string | undefined; usage: unknown; content: unknown} | undefined;
};

export const lineFields = (line: Record<string, unknown>): LineFields => {
	const message = line['message'];
	const cost = line['costUSD'];
	return {
		timestamp: text(line['timestamp']),
		sessionId: text(line['sessionId']),
		cwd: text(line['cwd']),
		isSidechain: flag(line['isSidechain']),
		isApiErrorMessage: flag(line['isApiErrorMessage']),
		requestId: text(line['requestId']),
		costUSD: typeof cost === 'number' && Number.isFinite(cost) ? cost : undefined,
		error: line['error'],
		message: isRecord(message) ? {id: text(message['id']), model: text(message['model']), usage: message['usage'], content: message['content']} : undefined,
	};
};

/** `message.usage` as cctop reads it, or undefined when it lacks numeric input/output counts or a cache count is of the wrong type. */
export type UsageFields = {
	input_tokens: number;
	output_tokens: number;
	cache_creation_input_tokens: number | undefined;
	cache_read_input_tokens: number | undefined;
	cache_creation: {ephemeral_5m_input_tokens: number | undefined; ephemeral_1h_input_tokens: number | undefined} | undefined;
	server_tool_use: {web_search_requests: number | undefined} | undefined;
	speed: string | undefined;
};

export const usageFields = (usage: unknown): UsageFields | undefined => {
	if (!isRecord(usage) || !isCount(usage['input_tokens']) || !isCount(usage['output_tokens'])) return undefined;
	const cacheCreation = optionalCount(usage['cache_creation_input_tokens']);
	const cacheRead = optionalCount(usage['cache_read_input_tokens']);
	if (cacheCreation === false || cacheRead === false) return undefined;
	// A malformed split or server-tool block is dropped whole; the counts above still stand.
	const split = usage['cache_creation'];
	const fiveMinutes = isRecord(split) ? optionalCount(split['ephemeral_5m_input_tokens']) : false;
	const oneHour = isRecord(split) ? optionalCount(split['ephemeral_1h_input_tokens']) : false;
	const server = usage['server_tool_use'];
	const webSearches = isRecord(server) ? optionalCount(server['web_search_requests']) : false;
	return {
		input_tokens: usage['input_tokens'],
		output_tokens: usage['output_tokens'],
		cache_creation_input_tokens: cacheCreation,
		cache_read_input_tokens: cacheRead,
		cache_creation: fiveMinutes === false || oneHour === false ? undefined : {ephemeral_5m_input_tokens: fiveMinutes, ephemeral_1h_input_tokens: oneHour},
		server_tool_use: webSearches === false ? undefined : {web_search_requests: webSearches},
		speed: text(usage['speed']),
	};
};

const limitTextPattern = /limit reached|reached your .{0,40}limit|usage limit/i;

const projectByCwd = new Map<string, string>();

/** Last path segment of a cwd, for both `/` and `\` separators. Memoised: a history has few cwds. */
export const projectFromCwd = (cwd: string): string => {
	let project = projectByCwd.get(cwd);
	if (project === undefined) {
		project = cwd.split(/[/\\]+/).findLast(Boolean) ?? cwd;
		if (projectByCwd.size > 10_000) projectByCwd.clear();
		projectByCwd.set(cwd, project);
	}

	return project;
};

const firstText = (content: unknown): string => {
	if (typeof content === 'string') {
		return content;
	}

	if (Array.isArray(content)) {
		for (const block of content as unknown[]) {
			if (block && typeof block === 'object' && typeof (block as {text?: unknown}).text === 'string') {
				return (block as {text: string}).text;
			}
		}
	}

	return '';
};

/**
 * Turn one already-decoded JSON value into usage, an event, or nothing.
 * `folderProject` is the project folder's slug, used when the line has no `cwd`.
 */
export const parseTranscriptValue = (value: unknown, folderProject: string): LineResult => {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		return {kind: 'other'};
	}

	const line = lineFields(value as Record<string, unknown>);
	const timestampMs = line.timestamp ? Date.parse(line.timestamp) : Number.NaN;
	const project = line.cwd ? projectFromCwd(line.cwd) : folderProject;
	const sessionId = line.sessionId ?? undefined;
	const model = line.message?.model ?? '';

	if (line.message?.usage === undefined || line.message.usage === null) {
		if (!Number.isFinite(timestampMs)) {
			return {kind: 'other'};
		}

		// Only a line without usage can be an event, so only then is its text looked at.
		const text = firstText(line.message?.content);
		const isLimitHit =
			line.error === 'rate_limit' ||
			((line.isApiErrorMessage === true || model === '<synthetic>') && limitTextPattern.test(text));

		if (isLimitHit) {
			return {kind: 'event', event: {kind: 'rate_limit', timestampMs, sessionId, project, message: text}};
		}

		if (line.isApiErrorMessage === true) {
			return {kind: 'event', event: {kind: 'api_error', timestampMs, sessionId, project, message: text}};
		}

		return {kind: 'other'};
	}

	const u = usageFields(line.message.usage);
	if (u === undefined) {
		return {kind: 'invalid', reason: 'usage without numeric input_tokens/output_tokens'};
	}

	if (!Number.isFinite(timestampMs)) {
		return {kind: 'invalid', reason: 'usage without a valid timestamp'};
	}

	const cacheCreationInputTokens = u.cache_creation_input_tokens ?? 0;
	// Without the 5m/1h split every write is priced as 5-minute (SPEC §3).
	const cacheCreation1hTokens = Math.min(u.cache_creation?.ephemeral_1h_input_tokens ?? 0, cacheCreationInputTokens);

	return {
		kind: 'usage',
		entry: {
			timestampMs,
			sessionId,
			project,
			model,
			messageId: line.message.id ?? undefined,
			requestId: line.requestId ?? undefined,
			isSidechain: line.isSidechain === true,
			tokens: {
				inputTokens: u.input_tokens,
				outputTokens: u.output_tokens,
				cacheCreationInputTokens,
				cacheReadInputTokens: u.cache_read_input_tokens ?? 0,
			},
			cacheCreation1hTokens,
			webSearchRequests: u.server_tool_use?.web_search_requests ?? 0,
			isFast: u.speed === 'fast',
			loggedCostUsd: line.costUSD ?? undefined,
			isNonBillable: model === '<synthetic>' || line.isApiErrorMessage === true,
		},
	};
};

/** Parse one transcript line (without its newline). Never throws. */
export const parseTranscriptLine = (text: string, folderProject: string): LineResult => {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return {kind: 'invalid', reason: 'not valid JSON'};
	}

	return parseTranscriptValue(value, folderProject);
};
