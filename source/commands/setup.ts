import {accessSync, constants, realpathSync} from 'node:fs';
import path from 'node:path';
import {mergeGuardHooks, type HookChange} from '../core/config/guard-hooks.js';
import {defaultEndpoint, mergeEnv, telemetryEnv, type EnvChange} from '../core/config/telemetry-settings.js';
import {readSettings, settingsPath, undoSettings, writeSettings} from '../ingest/claude-code/settings-file.js';
import {UsageError, type Options} from '../options.js';

/**
 * How the hook runs cctop: `cctop guard` when `cctop` is on PATH (an npm
 * install), else this very Node and script by absolute path (a clone), so the
 * hook works from any folder Claude Code starts in.
 */
const guardCommand = (maxOfficial: number | undefined): string => {
	const onPath = (process.env['PATH'] ?? '').split(path.delimiter).some(dir => {
		try {
			accessSync(path.join(dir, 'cctop'), constants.X_OK);
			return true;
		} catch {
			return false;
		}
	});
	const quote = (text: string) => (/^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`);
	const runner = onPath ? 'cctop' : `${quote(process.execPath)} ${quote(realpathSync(process.argv[1]!))}`;
	return `${runner} guard${maxOfficial === undefined ? '' : ` --max-official ${maxOfficial}`}`;
};

/**
 * `cctop setup`: the telemetry settings written into one of Claude Code's
 * settings files, merged into its `env` block. Nothing else in the file
 * changes; the first change keeps a backup (`--undo`); a second run with the
 * same choice writes nothing. A file that is not valid JSON is left alone.
 */
export const runSetup = async (options: Options): Promise<number> => {
	const {setup} = options;
	const file = settingsPath(setup.scope);
	if (setup.isUndo) {
		if (setup.isDryRun) throw new UsageError('--undo and --dry-run together: run --undo alone');
		const isUndone = undoSettings(file);
		process.stderr.write(isUndone ? `cctop: ${file} is back as it was before cctop setup\n` : `cctop: nothing to undo in ${file} (cctop setup never changed it)\n`);
		return 0;
	}

	const read = readSettings(file);
	if ('error' in read) {
		// Exit 1, and not one byte written: the file is the user's to fix.
		process.stderr.write(`cctop: ${read.error}; fix it (or move it away), then run cctop setup again. Nothing was written.\n`);
		return 1;
	}

	const current = read.exists ? read.value : {};
	const {settings, changes} = setup.isGuard
		? mergeGuardHooks(current, guardCommand(options.maxOfficial))
		: mergeEnv(current, telemetryEnv({protocol: setup.protocol, endpoint: setup.endpoint ?? defaultEndpoint(setup.protocol), isTraces: setup.isTraces, resourceAttributes: setup.resourceAttributes}));
	const where = `${file} (${setup.scope})`;
	if (changes.length === 0) {
		process.stderr.write(`cctop: ${where} already ${setup.isGuard ? 'runs cctop guard as asked' : 'sends telemetry as asked'}; nothing to change\n`);
		return 0;
	}

	const lines = (changes as Array<EnvChange | HookChange>).map(change =>
		'key' in change
			? change.from === undefined ? `  + ${change.key}=${change.to}` : `  ~ ${change.key}: ${change.from} → ${change.to}`
			: change.from === undefined ? `  + hooks.${change.event}: ${change.to}` : `  ~ hooks.${change.event}: ${change.from} → ${change.to}`);
	if (setup.isDryRun) {
		process.stdout.write(`${[`cctop setup would change ${where}${read.exists ? '' : ' (a new file)'}:`, ...lines].join('\n')}\n`);
		return 0;
	}

	const backup = writeSettings(file, settings);
	const next = setup.isGuard ? 'Claude Code reads hooks at start: restart it. Budgets: ~/.config/cctop/budgets.json (README, Budgets); check with `cctop doctor`.' : 'Restart Claude Code, start `cctop serve`, and check with `cctop doctor`.';
	process.stdout.write(`${[`cctop setup changed ${where}:`, ...lines, `Backup: ${backup} (cctop setup --undo${setup.scope === 'user' ? '' : ` --scope ${setup.scope}`} puts it back).`, next].join('\n')}\n`);
	if (setup.scope !== 'user' && !setup.isGuard) process.stderr.write('cctop: note: some Claude Code versions do not take telemetry settings from project files (cctop doctor says which); --scope user always works\n');
	return 0;
};
