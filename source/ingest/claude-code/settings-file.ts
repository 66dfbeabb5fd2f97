import {existsSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync, copyFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {jsonErrorAt} from '../../core/util/json-error.js';

/** Where Claude Code reads settings from, lowest precedence last in its own docs' terms. */
export type SettingsScope = 'managed' | 'user' | 'project' | 'local';

/** Claude Code's config dir: the first of `CLAUDE_CONFIG_DIR`, else `~/.claude`. */
export const claudeConfigDir = (env: NodeJS.ProcessEnv = process.env): string => env['CLAUDE_CONFIG_DIR']?.split(',')[0]?.trim() || path.join(os.homedir(), '.claude');

/** Managed settings, which an organisation installs and no user file overrides. */
export const managedSettingsPath = (platform: NodeJS.Platform = process.platform): string =>
	platform === 'darwin'
		? '/Library/Application Support/ClaudeCode/managed-settings.json'
		: platform === 'win32'
			? 'C:\\ProgramData\\ClaudeCode\\managed-settings.json'
			: '/etc/claude-code/managed-settings.json';

/** The settings file of a scope: user in the config dir, project and local in the project's `.claude/`. */
export const settingsPath = (scope: SettingsScope, {cwd = process.cwd(), env = process.env}: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): string => {
	switch (scope) {
		case 'managed': {
			return env['CCTOP_MANAGED_SETTINGS'] || managedSettingsPath();
		}

		case 'user': {
			return path.join(claudeConfigDir(env), 'settings.json');
		}

		case 'project': {
			return path.join(cwd, '.claude', 'settings.json');
		}

		case 'local': {
			return path.join(cwd, '.claude', 'settings.local.json');
		}
	}
};

/** A settings file as read: absent, its value, or why it cannot be used (with the line). */
export type SettingsRead = {exists: false} | {exists: true; value: unknown} | {exists: true; error: string};

export const readSettings = (file: string): SettingsRead => {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'ENOTDIR') return {exists: false};
		return {exists: true, error: `${file}: cannot read it (${code ?? String(error)})`};
	}

	try {
		return {exists: true, value: text.trim() === '' ? {} : JSON.parse(text)};
	} catch {
		const {line, column, message} = jsonErrorAt(text);
		return {exists: true, error: `${file}:${line}:${column}: not valid JSON (${message})`};
	}
};

/** Beside the file: its bytes as they were before cctop first changed it (or a marker that it did not exist). */
const backupOf = (file: string) => ({copy: `${file}.cctop-backup`, absent: `${file}.cctop-backup-absent`});

/**
 * Write `value` as the file's JSON (2-space, as Claude Code writes it), by
 * rename so Claude Code never reads half a file. Before the first change cctop
 * makes, the original is kept beside it for `--undo`; later writes keep that
 * first backup. Returns the backup's path.
 */
export const writeSettings = (file: string, value: unknown): string => {
	mkdirSync(path.dirname(file), {recursive: true});
	const backup = backupOf(file);
	if (!existsSync(backup.copy) && !existsSync(backup.absent)) {
		if (existsSync(file)) copyFileSync(file, backup.copy);
		else writeFileSync(backup.absent, '');
	}

	const temporary = `${file}.${process.pid}.tmp`;
	writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
	renameSync(temporary, file);
	return existsSync(backup.copy) ? backup.copy : backup.absent;
};

/** Put the file back as it was before cctop first changed it; false when there is nothing to undo. */
export const undoSettings = (file: string): boolean => {
	const backup = backupOf(file);
	if (existsSync(backup.copy)) {
		renameSync(backup.copy, file);
		return true;
	}

	if (existsSync(backup.absent)) {
		rmSync(file, {force: true});
		rmSync(backup.absent, {force: true});
		return true;
	}

	return false;
};
