import type {Discovery} from '../ingest/transcripts/discover.js';
import type {ScanProgress} from '../core/usage/usage-view.js';
import {openUsage} from '../ingest/index/open-usage.js';
import type {KnownStats, UsageHandle} from '../ingest/index/usage-handle.js';
import type {Options} from '../options.js';
import {ledgerSettings} from './ledger-settings.js';
import {blockJsonText} from '../core/screens/report.js';
import {progressReporter} from '../views/progress-line.js';

// What every command opens usage with, apart from the report's own rendering:
// `status` loads this and not the report table, and only when its snapshot cannot answer.

/** What to tell a user whose machine has no transcripts. */
export const noTranscriptsMessage = (discovery: Discovery): string =>
	[
		'cctop: no Claude Code transcripts found. Looked in:',
		...discovery.searched.map(dir => `  ${dir}/projects`),
		'Set CLAUDE_CONFIG_DIR or pass --claude-dir DIR.',
	].join('\n');

/** One stderr line for cache writes that failed, or undefined when none did. */
export const cacheWarning = (errors: ReadonlyArray<{path: string; reason: string}>): string | undefined =>
	errors.length === 0
		? undefined
		: `cctop: cache not written (${errors.map(({path, reason}) => `${reason}: ${path}`).join('; ')}); answered from memory, so the next run reads everything again`;

/** Open the transcripts for these options: index, then only new bytes. */
export const openUsageFor = async (
	options: Options,
	clock: () => number,
	{
		isSummaryEnough,
		onChange,
		onProgress,
		quietStats,
		settings,
	}: {
		isSummaryEnough: boolean;
		onChange?: () => void;
		onProgress?: (progress: ScanProgress) => void;
		quietStats?: () => Promise<KnownStats | undefined>;
		/** {@link ledgerSettings} when the caller has them already (a `--pricing` file is read and validated once). */
		settings?: Awaited<ReturnType<typeof ledgerSettings>>;
	},
): Promise<UsageHandle> => {
	const {ledger, fingerprint} = settings ?? (await ledgerSettings(options));
	const progress = progressReporter(() => process.stderr);
	const usage = await openUsage({
		claudeDirs: options.claudeDir,
		ledger,
		fingerprint,
		isCacheEnabled: options.cache,
		isSummaryEnough,
		clock,
		onChange,
		onProgress: onProgress ?? (options.quiet ? undefined : progress.onProgress),
		quietStats,
		// Finished blocks cannot change: whoever writes the index stores their report text with it.
		blockText: block => blockJsonText(block, undefined, 0),
	});
	progress.done();
	return usage;
};

/**
 * The quiet transcripts' stats from the status snapshot's last sweep (see
 * quietFileStats): `session` then stats only the live files, as a status line
 * does. A due sweep is started in the background, as a status line starts it,
 * and the last one's stats stand meanwhile: Claude Code appends only to live
 * sessions, and a new file shows in its folder's mtime. Undefined without the
 * cache or a snapshot.
 */
export const recentQuietStats = async (options: Options) => {
	if (!options.cache) return undefined;
	const [{findRoots}, {isSweepDue, readSnapshot, snapshotPath, quietFileStats}, {startSweep}] = await Promise.all([
		import('../ingest/transcripts/discover.js'),
		import('../ingest/index/status-snapshot.js'),
		import('./start-sweep.js'),
	]);
	const {roots} = await findRoots({claudeDirs: options.claudeDir});
	if (roots.length === 0) return undefined;
	const file = snapshotPath(roots);
	const snapshot = await readSnapshot(file);
	if (snapshot === undefined) return undefined;
	if (isSweepDue(snapshot.sweptAtMs, Date.now())) await startSweep(file, options);
	return quietFileStats(snapshot);
};
