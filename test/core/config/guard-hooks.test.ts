import {describe, expect, it} from 'vitest';
import {isGuardCommand, mergeGuardHooks} from '../../../source/core/config/guard-hooks.js';

describe('mergeGuardHooks', () => {
	it('adds the guard on UserPromptSubmit and PreToolUse, keeping every other hook and key in place', () => {
		const settings = {
			model: 'opus',
			hooks: {
				PreToolUse: [{matcher: 'Bash', hooks: [{type: 'command', command: 'lint-bash'}]}],
				Stop: [{hooks: [{type: 'command', command: 'notify'}]}],
			},
		};
		const {settings: merged, changes} = mergeGuardHooks(settings, 'cctop guard');
		expect(merged).toEqual({
			model: 'opus',
			hooks: {
				PreToolUse: [{matcher: 'Bash', hooks: [{type: 'command', command: 'lint-bash'}]}, {matcher: '*', hooks: [{type: 'command', command: 'cctop guard', timeout: 10}]}],
				Stop: [{hooks: [{type: 'command', command: 'notify'}]}],
				UserPromptSubmit: [{hooks: [{type: 'command', command: 'cctop guard', timeout: 10}]}],
			},
		});
		expect(changes.map(change => change.event)).toEqual(['UserPromptSubmit', 'PreToolUse']);
		expect(mergeGuardHooks(merged, 'cctop guard').changes).toEqual([]);
	});

	it('updates an existing guard hook in place instead of adding a second', () => {
		const {settings} = mergeGuardHooks({}, 'cctop guard');
		const {settings: updated, changes} = mergeGuardHooks(settings, 'cctop guard --max-official 90');
		expect(changes).toEqual([
			{event: 'UserPromptSubmit', from: 'cctop guard', to: 'cctop guard --max-official 90'},
			{event: 'PreToolUse', from: 'cctop guard', to: 'cctop guard --max-official 90'},
		]);
		expect((updated['hooks'] as Record<string, unknown[]>)['PreToolUse']).toHaveLength(1);
	});

	it('knows the guard however cctop is named', () => {
		expect(isGuardCommand('cctop guard')).toBe(true);
		expect(isGuardCommand('/usr/bin/node /opt/cctop/dist/cli.js guard --max-official 90')).toBe(true);
		expect(isGuardCommand("'/usr/local/bin/cctop' guard")).toBe(true);
		expect(isGuardCommand('cctop status')).toBe(false);
		expect(isGuardCommand('my-guard')).toBe(false);
	});
});
