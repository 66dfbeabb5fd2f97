import {readFileSync} from 'node:fs';
import {replaceJsonFile} from '../lazy-fs.js';
import path from 'node:path';
import type {SessionSummary} from '../../core/usage/session-summaries.js';

/**
 * `cctop session --list`'s rows as of one index, saved beside it when it is
 * written: listing sessions then decodes only the sessions that changed since
 * (see FrozenLedger.touchedSessions), not the whole history.
 */
export type SavedSessionRows = {identity: string; fingerprint: string; rows: SessionSummary[]};

/** Beside `index-v6-<roots>.bin`: `sessions-v1-<roots>.json`. */
export const sessionRowsPath = (indexFile: string): string => path.join(path.dirname(indexFile), path.basename(indexFile).replace(/^index-v\d+-/, 'sessions-v1-').replace(/\.bin$/, '.json'));

/** The saved rows, when they were made from the index named `identity` with these prices; else undefined. */
export const readSessionRows = (indexFile: string, identity: string, fingerprint: string): SessionSummary[] | undefined => {
	try {
		const saved = JSON.parse(readFileSync(sessionRowsPath(indexFile), 'utf8')) as Partial<SavedSessionRows>;
		return saved.identity === identity && saved.fingerprint === fingerprint && Array.isArray(saved.rows) ? saved.rows : undefined;
	} catch {
		return undefined;
	}
};

/** Written to a temp file and renamed; a failure costs the next list its speed, never its answer. */
export const writeSessionRows = async (indexFile: string, saved: SavedSessionRows): Promise<void> => replaceJsonFile(sessionRowsPath(indexFile), saved);
