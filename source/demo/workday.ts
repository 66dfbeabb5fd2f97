import {appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {OtelRecord} from '../core/otel/console-records.js';
import {createPriceLookup, defaultPricing, entryCostUsd} from '../core/usage/pricing.js';
import {parseTranscriptLine} from '../core/usage/transcript.js';
import {spoolPath, spoolText} from '../ingest/otel/otel-spool.js';
import {recordOfficial} from '../ingest/claude-code/official-limits.js';
import {localDayStartMs} from '../options.js';
import {telemetryFor} from './telemetry.js';

/**
 * `cctop --demo`: a simulated workday written as real-format Claude Code
 * transcripts into a temp dir, then appended to live, so a newcomer sees a
 * moving dashboard at once. It goes through the same discovery, tailer and
 * parser as real data; nothing in the engine knows it is a demo.
 */

type Session = {project: string; sessionId: string; model: string; subagentModel: string | undefined; weight: number};

const sessions: Session[] = [
	{project: 'api-server', sessionId: '4f1c2a9e-6b0d-4c1e-9a57-2d8e3b7c1f01', model: 'claude-opus-4-5-20251101', subagentModel: 'claude-haiku-4-5-20251001', weight: 5},
	{project: 'web-app', sessionId: '9a3e5b71-0c2d-4e8f-b6a4-7d1c9e2f3a02', model: 'claude-sonnet-4-5-20250929', subagentModel: undefined, weight: 3},
	{project: 'data-pipeline', sessionId: 'c27d8e14-5f3a-4b9c-8e61-0a4b2c7d9e03', model: 'claude-sonnet-4-5-20250929', subagentModel: 'claude-haiku-4-5-20251001', weight: 2},
	{project: 'docs-site', sessionId: 'e85b0f32-9d1c-47a6-b3e8-5c6f1a0d2b04', model: 'claude-haiku-4-5-20251001', subagentModel: undefined, weight: 1},
];

/** A small seeded generator (mulberry32): the same demo every run. */
const random = (seed: number) => () => {
	seed = (seed + 0x6d_2b_79_f5) | 0;
	let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
	t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
	return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

const slug = (project: string): string => `-home-dev-${project}`;

/** The demo's transcripts, and its own data dir: its telemetry spool and official reading, never the user's. */
export type Demo = {claudeDir: string; dataDir: string; stop: () => void};

/** Tools a demo turn calls, the common ones more often. */
const toolNames = ['Read', 'Read', 'Read', 'Edit', 'Edit', 'Bash', 'Bash', 'Grep', 'Glob', 'Write', 'TodoWrite'];

type Writer = {
	/** `scale` multiplies the tokens: the live part of the demo runs hotter, so its limit is crossed. */
	request: (session: Session, timestampMs: number, options?: {isSidechain?: boolean; isStreamed?: boolean; scale?: number}) => string[];
	event: (session: Session, timestampMs: number, kind: 'api_error' | 'rate_limit') => string;
};

const writer = (next: () => number): Writer => {
	let counter = 0;
	const id = (prefix: string): string => `${prefix}_01Demo${(counter++).toString(36).padStart(6, '0')}${Math.floor(next() * 1e9).toString(36)}`;
	const base = (session: Session, timestampMs: number, isSidechain: boolean) => ({
		parentUuid: null,
		isSidechain,
		userType: 'external',
		cwd: `/home/dev/${session.project}`,
		sessionId: session.sessionId,
		version: '2.1.72',
		gitBranch: 'main',
		type: 'assistant',
		uuid: id('uuid'),
		timestamp: new Date(timestampMs).toISOString(),
	});
	return {
		request(session, timestampMs, {isSidechain = false, isStreamed = false, scale = 1} = {}) {
			const model = isSidechain && session.subagentModel ? session.subagentModel : session.model;
			const usage = {
				input_tokens: 2 + Math.floor(next() * 40),
				cache_creation_input_tokens: Math.floor((200 + next() * 6000) * scale),
				cache_read_input_tokens: Math.floor((15_000 + next() * 90_000) * scale),
				output_tokens: Math.floor((80 + next() * next() * 2500) * scale),
				service_tier: 'standard',
			};
			const messageId = id('msg');
			const requestId = id('req');
			// Most turns end in a tool call, as a coding session's do.
			const tool = next() < 0.7 ? toolNames[Math.floor(next() * toolNames.length)]! : undefined;
			const text = {type: 'text', text: tool === undefined ? 'Done.' : 'Let me look.'};
			const line = (output: number, content: unknown[]) =>
				JSON.stringify({
					...base(session, timestampMs, isSidechain),
					requestId,
					message: {model, id: messageId, type: 'message', role: 'assistant', content, stop_reason: tool === undefined ? 'end_turn' : 'tool_use', usage: {...usage, output_tokens: output}},
				});
			const call = tool === undefined ? [] : [{type: 'tool_use', id: id('toolu'), name: tool, input: {}}];
			// Claude Code writes one line per content block; early ones carry placeholder output.
			return isStreamed && call.length > 0 ? [line(1, [text]), line(usage.output_tokens, call)] : [line(usage.output_tokens, [text, ...call])];
		},
		event(session, timestampMs, kind) {
			const isLimit = kind === 'rate_limit';
			return JSON.stringify({
				...base(session, timestampMs, false),
				requestId: id('req'),
				...(isLimit ? {error: 'rate_limit', apiErrorStatus: 429} : {apiErrorStatus: 529}),
				isApiErrorMessage: true,
				message: {
					model: '<synthetic>',
					role: 'assistant',
					type: 'message',
					content: [{type: 'text', text: isLimit ? 'Claude usage limit reached. Your limit will reset at 7pm.' : 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'}],
				},
			});
		},
	};
};

const pick = (next: () => number): Session => {
	const total = sessions.reduce((sum, session) => sum + session.weight, 0);
	let roll = next() * total;
	for (const session of sessions) {
		roll -= session.weight;
		if (roll < 0) return session;
	}

	return sessions[0]!;
};

/**
 * Write the history (three past days of two blocks each, and the current block
 * from two hours ago) and start appending a request every 1–4 s. `stop` ends
 * the appends and deletes the dir.
 */
export const startDemo = (nowMs: number, {seed = 42, clock = Date.now}: {seed?: number; clock?: () => number} = {}): Demo => {
	const next = random(seed);
	const root = mkdtempSync(join(tmpdir(), 'cctop-demo-'));
	const dataDir = join(root, 'data');
	mkdirSync(dataDir);
	const spool = spoolPath(dataDir);
	const lookup = createPriceLookup(defaultPricing);
	/** Today's requests also go out as OpenTelemetry, read back from the transcript line itself (same ids, tokens and cost). */
	const telemetry = (lines: readonly string[]): OtelRecord[] => {
		const last = parseTranscriptLine(lines.at(-1)!, 'demo');
		if (last.kind !== 'usage') return [];
		const {entry} = last;
		const content = (JSON.parse(lines.at(-1)!) as {message: {content: Array<{type: string; name?: string}>}}).message.content;
		return telemetryFor(
			{
				sessionId: entry.sessionId ?? '',
				model: entry.model,
				timestampMs: entry.timestampMs,
				requestId: entry.requestId ?? '',
				tokens: {input: entry.tokens.inputTokens, output: entry.tokens.outputTokens, cacheRead: entry.tokens.cacheReadInputTokens, cacheCreation: entry.tokens.cacheCreationInputTokens},
				costUsd: entryCostUsd(entry, lookup, 'auto') ?? 0,
				tool: content.find(block => block.type === 'tool_use')?.name,
			},
			next,
		);
	};

	const spooled: OtelRecord[] = [];
	const lines = new Map<Session, string[]>(sessions.map(session => [session, []]));
	const write = writer(next);
	const day = 24 * 3_600_000;
	const past = new Map<string, Session>();
	const span = (startMs: number, endMs: number, perMinute: number, isToday = false) => {
		for (let at = startMs; at < endMs; at += (60_000 / perMinute) * (0.4 + next() * 1.2)) {
			const live = pick(next);
			// Past days ran their own sessions; today's continue live.
			const key = `${live.project}-${Math.floor(startMs / 3_600_000)}`;
			if (!isToday && !past.has(key)) past.set(key, {...live, sessionId: `${live.sessionId.slice(0, -2)}${(past.size + 10).toString(36).padStart(2, '0')}`});
			const session = isToday ? live : past.get(key)!;
			if (!lines.has(session)) lines.set(session, []);
			const written = write.request(session, at, {isSidechain: session.subagentModel !== undefined && next() < 0.25});
			lines.get(session)!.push(...written);
			if (isToday) spooled.push(...telemetry(written));
		}
	};

	for (let daysAgo = 3; daysAgo >= 1; daysAgo--) {
		span(nowMs - daysAgo * day - 4 * 3_600_000, nowMs - daysAgo * day - 30 * 60_000, 3);
		span(nowMs - daysAgo * day + 90 * 60_000, nowMs - daysAgo * day + 5 * 3_600_000, 3);
	}

	span(nowMs - 2 * 3_600_000, nowMs - 20_000, 1.5, true);
	// 40 minutes ago, but never before local midnight: the events panel shows today's, and just after midnight the demo would show none.
	const apiErrorMs = Math.max(nowMs - 40 * 60_000, Math.min(localDayStartMs(nowMs) + 60_000, nowMs - 1000));
	lines.get(sessions[1]!)!.push(write.event(sessions[1]!, apiErrorMs, 'api_error'));
	for (const [session, sessionLines] of lines) {
		const dir = join(root, 'projects', slug(session.project));
		mkdirSync(dir, {recursive: true});
		writeFileSync(join(dir, `${session.sessionId}.jsonl`), `${sessionLines.join('\n')}\n`);
	}

	// The demo's own telemetry, and an official reading as `cctop statusline` would have recorded it.
	// Synchronous, as the transcripts are: nothing is left writing into the folder once stop() removed it.
	const spoolRecords = (records: readonly OtelRecord[], receivedAtMs: number) => appendFileSync(spool, spoolText(records.map(record => ({record, isIncomplete: false})), receivedAtMs));
	spoolRecords(spooled, nowMs);
	try {
		recordOfficial({recordedAtMs: nowMs, fiveHour: {usedPercentage: 41, resetsAtMs: nowMs + 3 * 3_600_000}, sevenDay: {usedPercentage: 23, resetsAtMs: nowMs + 4 * 24 * 3_600_000}}, dataDir);
	} catch {
		// The demo goes on without an official reading.
	}

	const fileOf = (session: Session): string => join(root, 'projects', slug(session.project), `${session.sessionId}.jsonl`);
	let appended = 0;
	let timer: NodeJS.Timeout | undefined;
	const tick = () => {
		const session = pick(next);
		appended++;
		const isLimit = appended === 45;
		// Live requests run hotter than the history: the projection climbs past 80% of the limit, then past it.
		const line = isLimit ? [write.event(session, clock(), 'rate_limit')] : write.request(session, clock(), {isSidechain: session.subagentModel !== undefined && next() < 0.3, isStreamed: next() < 0.3, scale: 3});
		appendFileSync(fileOf(session), `${line.join('\n')}\n`);
		if (!isLimit) spoolRecords(telemetry(line), clock());

		timer = setTimeout(tick, 1000 + next() * 3000);
	};

	timer = setTimeout(tick, 800);
	return {
		claudeDir: root,
		dataDir,
		stop() {
			clearTimeout(timer);
			rmSync(root, {recursive: true, force: true});
		},
	};
};
