import type {Block} from './blocks.js';
import type {UsageEvent} from './types.js';

/** Line counters summed over the files read, in the report's diagnostics shape. */
export type UsageCounters = {files: number; lines: number; usageLines: number; duplicateLines: number; invalidLines: number; limitHits: number; apiErrors: number};

/** The usage as a reader sees it now: what views render, whichever way it was read. */
export type UsageView = {
	blocks: readonly Block[];
	unknownModels: string[];
	counters: UsageCounters;
	/** Limit hits and API errors from `detailFromMs` on (empty without it). */
	events: UsageEvent[];
};

/** How far the first read of never-read files has got. */
export type ScanProgress = {filesDone: number; files: number; bytesDone: number; bytes: number};
