import os from 'node:os';
import path from 'node:path';

// The two folders every cctop process shares (SPEC §1). The cache can be deleted
// at any time and is rebuilt; the data dir holds what cannot be read again.

/** Where the index and the status snapshot live: `$CCTOP_CACHE_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/cctop`. */
export const cacheDir = (env: NodeJS.ProcessEnv = process.env): string =>
	env['CCTOP_CACHE_DIR'] || path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'cctop');

/** Where the OpenTelemetry spool and the official rate-limit reading live: `$CCTOP_DATA_DIR`, else `${XDG_DATA_HOME:-~/.local/share}/cctop`. */
export const dataDir = (env: NodeJS.ProcessEnv = process.env): string =>
	env['CCTOP_DATA_DIR'] || path.join(env['XDG_DATA_HOME'] || path.join(os.homedir(), '.local', 'share'), 'cctop');
