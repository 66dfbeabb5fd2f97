import {z} from 'zod';
import type {UsageEntry, UsageEvent} from './types.js';

/** What one transcript line turned into. */
export type LineResult =
	| {kind: 'usage'; entry: UsageEntry}
	| {kind: 'event'; event: UsageEvent}
	| {kind: 'other'}
	| {kind: 'invalid'; reason: string};

const count = z.number().finite().nonnegative();
const optionalCount = count.nullish();

// Narrow on purpose: only the fields cctop reads. Zod objects drop unknown keys,
// so new Claude Code fields never make a line invalid, and a field of an odd type
// that cctop only displays falls back to undefined instead of losing the usage.
const usageSchema = z.object({
	input_tokens: count,
	output_tokens: count,
	cache_creation_input_tokens: optionalCount,
	cache_read_input_tokens: optionalCount,
	cache_creation: z
		.object({
			ephemeral_5m_input_tokens: optionalCount,
			ephemeral_1h_input_tokens: optionalCount,
		})
		.nullish()
		.catch(undefined),
	server_tool_use: z.object({web_search_requests: optionalCount}).nullish().catch(undefined),
	speed: z.string().nullish().catch(undefined),
});

const lineSchema = z.object({
	timestamp: z.string().nullish().catch(undefined),
	sessionId: z.string().nullish().catch(undefined),
	cwd: z.string().nullish().catch(undefined),
	isSidechain: z.boolean().nullish().catch(undefined),
	isApiErrorMessage: z.boolean().nullish().catch(undefined),
	requestId: z.string().nullish().catch(undefined),
	costUSD: z.number().finite().nullish().catch(undefined),
	error: z.unknown().optional(),
	message: z
		.object({
			id: z.string().nullish().catch(undefined),
			model: z.string().nullish().catch(undefined),
			usage: z.unknown().optional(),
			content: z.unknown().optional(),
		})
		.nullish()
		.catch(undefined),
});

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

	const parsed = lineSchema.safeParse(value);
	if (!parsed.success) {
		return {kind: 'invalid', reason: 'unexpected field types'};
	}

	const line = parsed.data;
	const timestampMs = line.timestamp ? Date.parse(line.timestamp) : Number.NaN;
	const project = line.cwd ? projectFromCwd(line.cwd) : folderProject;
	const sessionId = line.sessionId ?? undefined;
	const model = line.message?.model ?? '';

	const text = firstText(line.message?.content);
	const isLimitHit =
		line.error === 'rate_limit' ||
		((line.isApiErrorMessage === true || model === '<synthetic>') && limitTextPattern.test(text));

	if (line.message?.usage === undefined || line.message.usage === null) {
		if (!Number.isFinite(timestampMs)) {
			return {kind: 'other'};
		}

		if (isLimitHit) {
			return {kind: 'event', event: {kind: 'rate_limit', timestampMs, sessionId, project, message: text}};
		}

		if (line.isApiErrorMessage === true) {
			return {kind: 'event', event: {kind: 'api_error', timestampMs, sessionId, project, message: text}};
		}

		return {kind: 'other'};
	}

	const usage = usageSchema.safeParse(line.message.usage);
	if (!usage.success) {
		return {kind: 'invalid', reason: 'usage without numeric input_tokens/output_tokens'};
	}

	if (!Number.isFinite(timestampMs)) {
		return {kind: 'invalid', reason: 'usage without a valid timestamp'};
	}

	const u = usage.data;
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
