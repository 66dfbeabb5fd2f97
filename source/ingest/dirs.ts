import os from 'node:os';
import path from 'node:path';

/** Where the index and the status snapshot live: `$CCTOP_CACHE_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/cctop`. */
export const cacheDir = (env: NodeJS.ProcessEnv = process.env): string =>
	env['CCTOP_CACHE_DIR'] || path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'cctop');
