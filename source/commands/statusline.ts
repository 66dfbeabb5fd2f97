import {currentWindows} from '../core/usage/official-windows.js';
import {parseHookPayload, statuslineText, type HookPayload} from '../core/screens/statusline.js';
import {recordOfficial} from '../ingest/claude-code/official-limits.js';
import type {Options} from '../options.js';
import {statusBudgets, statusFor, withBudgets} from './status.js';
import {readStdin} from '../ingest/read-stdin.js';
import {writeOut} from './write-out.js';

/**
 * `cctop statusline`: Claude Code's statusLine command. It prints one line and
 * exits 0 whatever happens, because a failing hook breaks the user's status bar:
 * bad stdin gives a short line from what cctop knows on its own.
 */
export const runStatusline = async (options: Options): Promise<number> => {
	const nowMs = options.now ?? Date.now();
	let payload: HookPayload = parseHookPayload(undefined);
	try {
		const text = await readStdin();
		payload = parseHookPayload(text.trim() === '' ? undefined : JSON.parse(text));
	} catch {
		// Not JSON: carry on with what the transcripts say.
	}

	try {
		if (payload.fiveHour !== undefined || payload.sevenDay !== undefined) {
			recordOfficial({recordedAtMs: nowMs, fiveHour: payload.fiveHour, sevenDay: payload.sevenDay});
		}
	} catch {
		// A read-only data dir costs the record, not the line.
	}

	let status;
	try {
		const budgets = await statusBudgets({...options, quiet: true});
		const found = await statusFor(options, {needsPeriods: budgets.some(budget => budget.period !== 'block')});
		status = (await withBudgets(found.status, budgets, found.nowMs)).json;
	} catch {
		status = undefined;
	}

	const windows = currentWindows(payload, nowMs);
	writeOut(`${statuslineText({...payload, ...windows}, status, nowMs)}\n`);
	return 0;
};
