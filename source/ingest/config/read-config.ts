import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Config} from '../../core/config/config-schema.js';

/** `$XDG_CONFIG_HOME/cctop/config.json` (default `~/.config/cctop/config.json`). */
export const configPath = (env: NodeJS.ProcessEnv = process.env): string => path.join(env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config'), 'cctop', 'config.json');

/** The user's preferences, validated with zod (configSchema) once per change. No file: no preferences. */
export const readConfig = async (file = configPath()): Promise<Config> => {
	// Most users have no config file: then not one module more (every status line pays for each).
	if (!existsSync(file)) return {};
	const {readValidated} = await import('./validated-json.js');
	return (await readValidated<Config>(file, 'config-checked.json', async raw => {
		const {configProblems} = await import('../../core/config/config-schema.js');
		const checked = configProblems(raw);
		return 'problems' in checked ? checked : {value: checked.config};
	})) ?? {};
};
