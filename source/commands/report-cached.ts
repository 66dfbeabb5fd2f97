import {readdirSync, statSync} from 'node:fs';
import {cacheDir} from '../ingest/dirs.js';
import {indexPath} from '../ingest/index/index-file.js';
import {readCachedReport} from '../ingest/index/report-cache.js';
import {segmentListPath, spoolPath} from '../ingest/otel/spool-paths.js';
import {findRoots} from '../ingest/transcripts/roots.js';
import type {Options} from '../options.js';
import {outColumns, writeOut} from './write-out.js';

// A warm `report` that finds nothing changed, printed from what the last
// one printed (ingest/index/report-cache.ts). In the cli's own chunk with the
// few small modules it needs: a report it answers loads nothing else.

/** Whether a report with these options may be kept: one-shot, through the index, with no OpenTelemetry to read (it changes on its own). */
export const mayKeepReport = (options: Options): boolean => {
	if (options.watch || options.weekly || !options.cache || options.otelLog.length > 0) return false;
	const spool = spoolPath();
	return statSync(spool, {throwIfNoEntry: false}) === undefined && statSync(segmentListPath(spool), {throwIfNoEntry: false}) === undefined;
};

/**
 * What a report's output depends on besides the transcripts and the time: this
 * build (its chunks are named for their content, prices included), the options,
 * the roots, the time zone (the table prints local times), a `--pricing` file
 * and the table's width.
 */
export const reportKey = (options: Options, roots: readonly string[]): string => {
	const rest: Partial<Options> = {...options};
	delete rest.now;
	const pricing = options.pricing === undefined ? undefined : statSync(options.pricing, {throwIfNoEntry: false});
	const build = readdirSync(import.meta.dirname).sort();
	// Not Intl's zone name: building a DateTimeFormat loads ICU's zone data (~20 ms).
	const localtime = statSync('/etc/localtime', {throwIfNoEntry: false});
	const zone = [process.env['TZ'] ?? '', localtime?.ino, localtime?.mtimeMs, new Date(0).getTimezoneOffset(), new Date(2026, 0, 1).getTimezoneOffset(), new Date(2026, 6, 1).getTimezoneOffset()];
	return JSON.stringify([build, rest, roots, zone, pricing && [pricing.ino, pricing.size, pricing.mtimeMs, pricing.ctimeMs], options.json ? 0 : outColumns()]);
};

/** Print the kept report when it still holds; false when the report must be made. */
export const printKeptReport = async (options: Options): Promise<boolean> => {
	let kept;
	try {
		if (!mayKeepReport(options)) return false;
		const {roots} = await findRoots({claudeDirs: options.claudeDir});
		if (roots.length === 0) return false;
		const wallMs = Date.now();
		kept = readCachedReport(indexPath(cacheDir(), roots), reportKey(options, roots), options.now ?? wallMs, wallMs);
	} catch {
		// A path that cannot be stat'ed (a folder without permission): the report made says what is wrong, if anything is.
		return false;
	}

	if (kept === undefined) return false;
	if (kept.stderr !== '') process.stderr.write(kept.stderr);
	writeOut([kept.stdout]);
	return true;
};
