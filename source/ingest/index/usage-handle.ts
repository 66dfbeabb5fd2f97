import type {ReportBasis} from './report-cache.js';
import type {Block} from '../../core/usage/blocks.js';
import type {LedgerOptions} from '../../core/usage/ledger.js';
import type {SessionSummary} from '../../core/usage/session-summaries.js';
import type {ScanProgress, UsageView} from '../../core/usage/usage-view.js';
import type {Discovery} from '../transcripts/discover.js';
import type {ScanOptions, TranscriptSource} from '../transcripts/transcript-source.js';
import type {LiveUsage} from './live-usage.js';

/** Files' stats taken as known, by path. */
export type KnownStats = ReadonlyMap<string, {dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number}>;

export type OpenUsageOptions = {
	claudeDirs: readonly string[];
	ledger: LedgerOptions;
	/** Identifies prices, cost mode and session length: a saved summary is only reused for the same one. */
	fingerprint: string;
	isCacheEnabled: boolean;
	/** One-shot callers may take the saved summary when no file changed, without decoding any entry. */
	isSummaryEnough: boolean;
	clock: () => number;
	/** The wall clock file times are compared with (tests move it; `clock` may be --now). */
	wallClock?: () => number;
	onChange?: () => void;
	onProgress?: (progress: ScanProgress) => void;
	/** Where the first read goes to worker threads, and their script (tests set both). */
	scan?: Omit<ScanOptions, 'early'> & {earlyFromFiles?: number};
	/**
	 * What `report --json` prints for a finished block, stored beside the summary
	 * whenever the index is written, so a warm report prints old blocks without
	 * building them (ingest does not render: the caller says how).
	 */
	blockText?: (block: Block) => string;
	/**
	 * Quiet files' stats from the status line's last sweep (see quietFileStats),
	 * taken instead of stat'ing them at opening. Asked for only when the report's
	 * quiet check (quiet-check.ts) cannot answer: within ten minutes of a full
	 * look, the index's own cursors stand for the quiet files, with no side file to read.
	 */
	quietStats?: () => Promise<KnownStats | undefined>;
};

/** Transcripts found, read and kept current: the ledger plus what feeds it. */
export type UsageHandle = {
	discovery: Discovery;
	/** Undefined when the report came straight from the saved summary. */
	live: {usage: LiveUsage; source: TranscriptSource} | undefined;
	/** The usage now; `detailFromMs` as in {@link LiveUsage.view} (live handles only). */
	view: (detailFromMs?: number) => UsageView;
	/** The stored `report --json` texts (UTF-8) of blocks restored as they were saved (see {@link OpenUsageOptions.blockText}). */
	blockTexts?: () => ReadonlyMap<Block, Uint8Array>;
	/** Problems worth one stderr line (an index that had to be rebuilt). */
	notes: string[];
	unreadablePaths: () => Array<{path: string; reason: string}>;
	/**
	 * Write the index if anything was read since it was last written. Never
	 * throws: the cache is an optimisation, and a write that fails (a full disk,
	 * a read-only dir) is kept in {@link cacheErrors} while the answer stands.
	 */
	save: () => Promise<void>;
	/** `session --list`'s rows as of the index this handle restored, when they were saved with it (see session-rows.ts). */
	savedSessionRows?: () => SessionSummary[] | undefined;
	/** Cache writes that failed in this process. */
	cacheErrors: () => Array<{path: string; reason: string}>;
	/** A warm report under a quiet check: what it looked at, which the next must find as it is to print the same (report-cache.ts). */
	lookedAt?: () => ReportBasis;
};
