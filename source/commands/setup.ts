import {defaultEndpoint, mergeEnv, telemetryEnv} from '../core/config/telemetry-settings.js';
import {readSettings, settingsPath, undoSettings, writeSettings} from '../ingest/claude-code/settings-file.js';
import {UsageError, type Options} from '../options.js';

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

	const env = telemetryEnv({protocol: setup.protocol, endpoint: setup.endpoint ?? defaultEndpoint(setup.protocol), isTraces: setup.isTraces, resourceAttributes: setup.resourceAttributes});
	const {settings, changes} = mergeEnv(read.exists ? read.value : {}, env);
	const where = `${file} (${setup.scope})`;
	if (changes.length === 0) {
		process.stderr.write(`cctop: ${where} already sends telemetry as asked; nothing to change\n`);
		return 0;
	}

	const lines = changes.map(({key, from, to}) => (from === undefined ? `  + ${key}=${to}` : `  ~ ${key}: ${from} → ${to}`));
	if (setup.isDryRun) {
		process.stdout.write(`${[`cctop setup would change ${where}${read.exists ? '' : ' (a new file)'}:`, ...lines].join('\n')}\n`);
		return 0;
	}

	const backup = writeSettings(file, settings);
	process.stdout.write(`${[`cctop setup changed ${where}:`, ...lines, `Backup: ${backup} (cctop setup --undo${setup.scope === 'user' ? '' : ` --scope ${setup.scope}`} puts it back).`, 'Restart Claude Code, start `cctop serve`, and check with `cctop doctor`.'].join('\n')}\n`);
	if (setup.scope !== 'user') process.stderr.write('cctop: note: some Claude Code versions do not take telemetry settings from project files (cctop doctor says which); --scope user always works\n');
	return 0;
};
