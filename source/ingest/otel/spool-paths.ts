import path from 'node:path';
import {dataDir} from '../dirs.js';

// The spool's file names, apart from its reader and writer (otel-spool.ts): a
// warm report served from its cache (report-cache.ts) only asks whether there is one.

/** The segment being written. */
export const spoolPath = (dir = dataDir()): string => path.join(dir, 'otel-spool.ndjson');

/** The list of sealed segments beside it (spool-segments.ts). */
export const segmentListPath = (active: string): string => active.replace(/\.ndjson$/, '.segments.json');
