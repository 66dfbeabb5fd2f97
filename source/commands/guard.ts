import os from 'node:os';
import {budgetMessage, guardDecision, type BudgetState} from '../core/usage/budgets.js';
import {clockOf, formatDuration} from '../core/util/format.js';
import type {StatusJson} from '../core/screens/status.js';
import {readBudgets} from '../ingest/config/read-budgets.js';
import {awaitToolUse} from '../ingest/claude-code/await-tool-use.js';
import {isFirstWarning, recordDecision, recordFailure, type GuardRecord} from '../ingest/guard-log.js';
import {readStdin} from '../ingest/read-stdin.js';
import type {Options} from '../options.js';
import {localBudgetStates} from './budget-usage.js';
import {writeOut} from './write-out.js';

/** What Claude Code sends a command hook on stdin (the fields the guard reads). */
type HookInput = {sessionId: string | undefined; event: string; tool: string | undefined; toolUseId: string | undefined; transcriptPath: string | undefined};

const hookInput = (text: string): HookInput => {
	const value: unknown = text.trim() === '' ? {} : JSON.parse(text);
	const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
	const text_ = (key: string) => (typeof record[key] === 'string' && record[key] !== '' ? (record[key] as string) : undefined);
	return {sessionId: text_('session_id'), event: text_('hook_event_name') ?? 'manual', tool: text_('tool_name'), toolUseId: text_('tool_use_id'), transcriptPath: text_('transcript_path')};
};

type Verdict = {decision: 'allow' | 'warn' | 'block'; message: string | undefined; warningKey: string | undefined};

/** `--max-official PCT`: Claude Code's own recorded 5-hour or 7-day usage at or past PCT blocks. */
const officialVerdict = (official: StatusJson['official'], maxPercent: number, nowMs: number): Verdict | undefined => {
	for (const [name, window] of [['5-hour', official?.fiveHour], ['7-day', official?.sevenDay]] as const) {
		if (window === null || window === undefined || window.usedPercentage < maxPercent) continue;
		const resetsAtMs = Date.parse(window.resetsAt);
		return {
			decision: 'block',
			message: `Claude Code's own ${name} usage is at ${Math.round(window.usedPercentage)}% (cctop guard stops at ${maxPercent}%); resets at ${clockOf(new Date(resetsAtMs))} (in ${formatDuration(resetsAtMs - nowMs)})`,
			warningKey: undefined,
		};
	}

	return undefined;
};

const budgetVerdict = (states: readonly BudgetState[], nowMs: number, sessionId: string | undefined): Verdict => {
	const {decision, state} = guardDecision(states);
	if (state === undefined) return {decision, message: undefined, warningKey: undefined};
	return {decision, message: budgetMessage(state, nowMs), warningKey: `${sessionId ?? '-'}|${state.budget.name}|${state.level === 'over' ? 'over' : state.threshold}`};
};

/**
 * `cctop guard`: a Claude Code hook (UserPromptSubmit, PreToolUse) that stops
 * work past a budget. It answers as the hooks contract says: a block is exit 2
 * with one line on stderr (shown to the user for a prompt, to Claude for a tool
 * call); a warning is exit 0 with a `systemMessage` the user sees, once per step.
 * It fails open: any error of its own is logged for `cctop doctor` and the call
 * goes ahead (exit 0), because a broken guard must never stop Claude Code.
 */
export const runGuard = async (options: Options): Promise<number> => {
	const startedMs = options.now ?? Date.now();
	let input: HookInput = {sessionId: undefined, event: 'manual', tool: undefined, toolUseId: undefined, transcriptPath: undefined};
	let verdict: Verdict;
	let nowMs = startedMs;
	try {
		input = hookInput(await readStdin());
		const {budgets} = await readBudgets(options.budgets);
		const local = budgets.filter(budget => budget.scope === 'local');
		if (local.length === 0 && options.maxOfficial === undefined) return 0;
		// The request that asked for this tool must be counted: wait for Claude Code to write it.
		if (input.event === 'PreToolUse' && input.toolUseId !== undefined && input.transcriptPath !== undefined) await awaitToolUse(input.transcriptPath, input.toolUseId);
		const read = await localBudgetStates(options, local, {sessionId: input.sessionId, needsOfficial: options.maxOfficial !== undefined});
		nowMs = read.nowMs;
		const official = options.maxOfficial === undefined ? undefined : officialVerdict(read.status.json.official, options.maxOfficial, nowMs);
		verdict = official ?? budgetVerdict(read.states, nowMs, input.sessionId);
	} catch (error) {
		recordFailure(`${input.event}: ${error instanceof Error ? error.message : String(error)}`, startedMs);
		return 0;
	}

	const record: GuardRecord = {
		timestamp: new Date(nowMs).toISOString(),
		event: 'guard',
		user: os.userInfo().username,
		sessionId: input.sessionId ?? null,
		tool: input.tool ?? null,
		decision: verdict.decision,
		source: input.event,
		detail: verdict.message ?? 'within every budget',
	};
	try {
		recordDecision(record);
	} catch (error) {
		recordFailure(`audit record not written: ${error instanceof Error ? error.message : String(error)}`, startedMs);
	}

	if (verdict.decision === 'block') {
		process.stderr.write(`cctop: ${verdict.message}\n`);
		return 2;
	}

	if (verdict.decision === 'warn') {
		let isFirst = true;
		try {
			isFirst = isFirstWarning(verdict.warningKey!);
		} catch {
			// Cannot remember it: better twice than never.
		}

		if (isFirst) writeOut(`${JSON.stringify({systemMessage: `cctop: ${verdict.message}`})}\n`);
	}

	return 0;
};

/** The last word for a guard that failed before it could decide (bad flags, a broken config): log it, let the call through. */
export const failOpen = (error: unknown): number => {
	recordFailure(`cctop guard: ${error instanceof Error ? error.message : String(error)}`, Date.now());
	return 0;
};
