import {readFileSync} from 'node:fs';
import path from 'node:path';
import {hotMs, isSweepDue} from './hot-tree.js';

// The check's file, apart from the looks that write it (quiet-check.ts): a warm
// report served from its cache (report-cache.ts) reads it and nothing else.

/**
 * What a one-shot report saw when it last stat'ed every transcript and folder:
 * the ones quiet since `quietBeforeMs` were all as the index named `identity`
 * has them. For the next {@link sweepMs} a report of that index stats only the
 * hot ones (see hot-tree.ts), the status line's rule: at 20,000 transcripts the
 * stats were half of a warm report. Written only by a run that has just stat'ed
 * them all itself, never carried on from another check.
 */
export type QuietCheck = {identity: string; checkedAtMs: number; quietBeforeMs: number};

/** Beside `index-v<n>-<roots>.bin`: `quiet-v1-<roots>.json`. */
export const quietCheckPath = (indexFile: string): string => path.join(path.dirname(indexFile), path.basename(indexFile).replace(/^index-v\d+-/, 'quiet-v1-').replace(/\.bin$/, '.json'));

/** The check of the index named `identity`, while it is recent (on the wall clock); else undefined. */
export const readQuietCheck = (indexFile: string, identity: string, wallMs: number): QuietCheck | undefined => {
	try {
		const check = JSON.parse(readFileSync(quietCheckPath(indexFile), 'utf8')) as Partial<QuietCheck>;
		if (check.identity !== identity || typeof check.checkedAtMs !== 'number' || typeof check.quietBeforeMs !== 'number') return undefined;
		return isSweepDue(check.checkedAtMs, wallMs) ? undefined : (check as QuietCheck);
	} catch {
		return undefined;
	}
};

/** The check a full look starting at `wallMs` makes, when it finds every quiet file as the index has it. */
export const quietCheckAt = (identity: string, wallMs: number): QuietCheck => ({identity, checkedAtMs: wallMs, quietBeforeMs: wallMs - hotMs});
