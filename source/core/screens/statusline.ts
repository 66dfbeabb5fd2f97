import {formatDuration, formatUsd} from '../util/format.js';
import type {OfficialWindow} from '../usage/official-windows.js';
import type {StatusJson} from './status.js';

/** What cctop reads from Claude Code's statusLine payload. Older payloads lack most fields. */
export type HookPayload = {
	model: string | undefined;
	sessionCostUsd: number | undefined;
	/** Share of the context window in use, 0–100. */
	contextPercent: number | undefined;
	fiveHour: OfficialWindow | undefined;
	sevenDay: OfficialWindow | undefined;
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
/** A known Claude Code bug sends the epoch as the percentage: clamp to 0–100. */
const clampPercent = (value: number): number => Math.min(100, Math.max(0, value));

const officialWindow = (value: unknown): OfficialWindow | undefined => {
	if (!isRecord(value)) return undefined;
	const used = finite(value['used_percentage']);
	const resetsAt = finite(value['resets_at']);
	if (used === undefined || resetsAt === undefined) return undefined;
	// Seconds since the epoch; a value already in ms is taken as is.
	return {usedPercentage: clampPercent(used), resetsAtMs: resetsAt < 1e12 ? resetsAt * 1000 : resetsAt};
};

const contextPercent = (value: unknown): number | undefined => {
	if (!isRecord(value)) return undefined;
	const used = finite(value['used_percentage']);
	if (used !== undefined) return clampPercent(used);
	const size = finite(value['context_window_size']);
	if (size === undefined || size <= 0) return undefined;
	const current = value['current_usage'];
	const inContext = isRecord(current)
		? (finite(current['input_tokens']) ?? 0) + (finite(current['cache_creation_input_tokens']) ?? 0) + (finite(current['cache_read_input_tokens']) ?? 0)
		: finite(value['total_input_tokens']);
	return inContext === undefined ? undefined : clampPercent((inContext / size) * 100);
};

/** Read the hook's JSON leniently: every field is optional, wrong types are ignored. */
export const parseHookPayload = (raw: unknown): HookPayload => {
	const payload = isRecord(raw) ? raw : {};
	const model = isRecord(payload['model']) ? payload['model'] : {};
	const limits = isRecord(payload['rate_limits']) ? payload['rate_limits'] : {};
	const displayName = model['display_name'];
	const id = model['id'];
	return {
		model: typeof displayName === 'string' && displayName !== '' ? displayName : typeof id === 'string' ? id : undefined,
		sessionCostUsd: isRecord(payload['cost']) ? finite(payload['cost']['total_cost_usd']) : undefined,
		contextPercent: contextPercent(payload['context_window']),
		fiveHour: officialWindow(limits['five_hour']),
		sevenDay: officialWindow(limits['seven_day']),
	};
};

/**
 * The statusLine text: model, session cost, block % and reset, burn, context %,
 * and the official 5h/7d usage when Claude Code sent it.
 */
export const statuslineText = (payload: HookPayload, status: StatusJson | undefined, nowMs: number): string => {
	const parts: string[] = [];
	if (payload.model !== undefined) parts.push(payload.model);
	if (payload.sessionCostUsd !== undefined) parts.push(`${formatUsd(payload.sessionCostUsd)} session`);
	const block = status?.block;
	if (block) parts.push(`block ${Math.round(block.percentElapsed)}% · resets ${formatDuration(Date.parse(block.endTime) - nowMs)}`);
	if (status?.burnRate) parts.push(`${formatUsd(status.burnRate.costPerHour)}/h`);
	if (payload.contextPercent !== undefined) parts.push(`ctx ${Math.round(payload.contextPercent)}%`);
	const official = [payload.fiveHour === undefined ? '' : `5h ${Math.round(payload.fiveHour.usedPercentage)}%`, payload.sevenDay === undefined ? '' : `7d ${Math.round(payload.sevenDay.usedPercentage)}%`].filter(Boolean);
	if (official.length > 0) parts.push(official.join(' '));
	// The nearest budget once it warns; over its limit it says so.
	const budget = status?.budget;
	if (budget !== undefined && budget.level !== 'ok') parts.push(`${budget.level === 'over' ? 'OVER ' : ''}${budget.name} ${Math.floor(budget.percent)}%`);
	return parts.length > 0 ? parts.join(' · ') : 'cctop';
};
