/**
 * `cctop setup --guard`: the guard as a command hook on UserPromptSubmit (stops
 * a new prompt) and PreToolUse (stops the next tool call mid-turn), merged into
 * the settings file's `hooks`: every other hook stays as it was and where it was.
 */

export type HookChange = {event: string; from: string | undefined; to: string};

const guardEvents = [
	{event: 'UserPromptSubmit', matcher: undefined},
	{event: 'PreToolUse', matcher: '*'},
] as const;

/** Seconds Claude Code waits: past it the hook counts as failed and the call goes ahead (fail open). */
export const guardTimeoutS = 10;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A hook command that runs `cctop guard`, however cctop was named (`cctop`, a path, `node …/cli.js`). */
export const isGuardCommand = (command: unknown): boolean => typeof command === 'string' && /(?:^|[\s/"'])(?:cctop|cli\.js)["']?\s+guard(?:\s|$)/.test(command);

/**
 * `settings` with the guard hooked in: an existing guard hook's command is
 * updated in place; otherwise a matcher group is appended to the event's list.
 * No change when the file already says it all (setup is idempotent).
 */
export const mergeGuardHooks = (settings: unknown, command: string): {settings: Record<string, unknown>; changes: HookChange[]} => {
	const base = isRecord(settings) ? settings : {};
	const hooks: Record<string, unknown> = isRecord(base['hooks']) ? {...base['hooks']} : {};
	const changes: HookChange[] = [];
	for (const {event, matcher} of guardEvents) {
		const groups = Array.isArray(hooks[event]) ? [...(hooks[event] as unknown[])] : [];
		let found = false;
		const updated = groups.map(group => {
			if (!isRecord(group) || !Array.isArray(group['hooks'])) return group;
			return {
				...group,
				hooks: (group['hooks'] as unknown[]).map(hook => {
					if (!isRecord(hook) || !isGuardCommand(hook['command'])) return hook;
					found = true;
					if (hook['command'] === command) return hook;
					changes.push({event, from: String(hook['command']), to: command});
					return {...hook, command};
				}),
			};
		});
		if (!found) {
			updated.push({...(matcher === undefined ? {} : {matcher}), hooks: [{type: 'command', command, timeout: guardTimeoutS}]});
			changes.push({event, from: undefined, to: command});
		}

		hooks[event] = updated;
	}

	return {settings: {...base, hooks}, changes};
};
