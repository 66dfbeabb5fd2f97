import {appendFile, mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {ledgerSettings} from '../../../source/commands/ledger-settings.js';
import {statusFor} from '../../../source/commands/status.js';
import {hourMs} from '../../../source/core/usage/blocks.js';
import {openUsage} from '../../../source/ingest/index/open-usage.js';
import {quietCheckAt, readQuietCheck, writeQuietCheck} from '../../../source/ingest/index/quiet-check.js';
import type {UsageHandle} from '../../../source/ingest/index/usage-handle.js';
import {parseOptions} from '../../../source/options.js';
import {entriesAt, files, subagentFolders, text, treeChanger, treeSteps, writeHistory} from '../../helpers/quiet-history.js';

// A warm report stats only the hot transcripts and folders for ten minutes after
// a full look found the quiet ones as the index has them (quiet-check.ts). File
// times are real (the wall clock); the reports' wall clock is moved to expire a check.

let root: string;
let run = 0;
beforeAll(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'cctop-quiet-'));
});
afterAll(async () => {
	vi.unstubAllEnvs();
	await rm(root, {recursive: true, force: true});
});

const nowMs = entriesAt;

const totals = (usage: UsageHandle) => {
	const {blocks, counters, unknownModels} = usage.view();
	return {blocks: blocks.map(block => [block.id, block.entryCount, block.tokens, Math.round(block.costUsd * 1e9), block.models]), counters, unknownModels};
};

/** Three transcripts in two projects, `quiet` of them (and the folders of their sessions) last written 7 h ago. */
const history = async (quiet: readonly number[]) => {
	const dir = path.join(root, `h${run++}`);
	const {projects, settle} = await writeHistory(dir, quiet);
	const cacheDir = path.join(dir, 'cache');
	let wallOffsetMs = 0;
	// The prices and fingerprint `cctop report` and `cctop status` use: the status line's sweep writes the index too.
	const {ledger, fingerprint} = await ledgerSettings(parseOptions({claudeDir: [dir], quiet: true}));
	const open = async (isCacheEnabled = true) => {
		vi.stubEnv('CCTOP_CACHE_DIR', cacheDir);
		return openUsage({
			claudeDirs: [dir],
			ledger,
			fingerprint,
			isCacheEnabled,
			isSummaryEnough: true,
			clock: () => nowMs,
			wallClock: () => Date.now() + wallOffsetMs,
		});
	};

	/** A one-shot report's totals (it saves the index when it read past it, as `cctop report` does), and what a cold read gives. */
	const report = async () => {
		const usage = await open();
		await usage.save();
		return totals(usage);
	};

	const cold = async () => totals(await open(false));
	const checkFile = async () => (await readdir(cacheDir)).find(name => name.startsWith('quiet-'));
	return {dir, cacheDir, projects, report, cold, settle, checkFile, later: (ms: number) => (wallOffsetMs += ms)};
};

describe('the report\'s quiet check', () => {
	it('takes files quiet for hours as a full look found them for ten minutes, then looks again', async () => {
		const h = await history([2]);
		await h.settle();
		// The first report writes the index; the second stats every file and, finding the quiet one as indexed, writes the check.
		await h.report();
		expect(await h.checkFile()).toBeUndefined();
		const first = await h.report();
		expect(await h.checkFile()).toBeDefined();
		expect(first).toEqual(await h.cold());
		// A hot file grows: stat'ed, counted at once.
		await appendFile(path.join(h.projects, files[0]!), text(20, 10, 70));
		const hot = await h.report();
		expect(hot).toEqual(await h.cold());
		expect(hot).not.toEqual(first);
		// The quiet one grows (by hand: Claude Code would start a new file): not stat'ed yet.
		await appendFile(path.join(h.projects, files[2]!), text(10, 11, 90));
		expect(await h.report()).toEqual(hot);
		// Eleven minutes on, the check is stale: every file is stat'ed again and the append counts.
		h.later(11 * 60_000);
		const looked = await h.report();
		expect(looked).toEqual(await h.cold());
		expect(looked).not.toEqual(hot);
		// That look found the quiet file grown since the index: it wrote no check, and the next report looks again too.
		await appendFile(path.join(h.projects, files[2]!), text(5, 12, 30));
		expect(await h.report()).toEqual(await h.cold());
	});

	it('sees a quiet session\'s new subagent at the next full look, which a new session or a live session\'s new subagent makes at once', async () => {
		const h = await history([2]);
		await h.settle();
		await h.report();
		const before = await h.report();
		// The quiet session's folder is not stat'ed: its new subagent waits for the next full look.
		await writeFile(path.join(h.projects, subagentFolders[2]!, 'agent-2.jsonl'), text(1, 22, 9));
		expect(await h.report()).toEqual(before);
		// A live session's new subagent changes a hot folder: the folders are walked and every file stat'ed.
		await writeFile(path.join(h.projects, subagentFolders[0]!, 'agent-1.jsonl'), text(2, 21, 8));
		const live = await h.report();
		expect(live).toEqual(await h.cold());
		expect(live.counters.files).toBe(before.counters.files + 2);
		// So does a new session in a project folder.
		await writeFile(path.join(h.projects, '-home-dev-shop', 'new.jsonl'), text(3, 20, 7));
		expect(await h.report()).toEqual(await h.cold());
	});

	it('is written by the status line\'s background sweep too, when the quiet files are as the index has them', async () => {
		const h = await history([2]);
		await h.settle();
		await h.report();
		expect(await h.checkFile()).toBeUndefined();
		const sweep = async () => {
			vi.stubEnv('CCTOP_CACHE_DIR', h.cacheDir);
			vi.stubEnv('CCTOP_DATA_DIR', path.join(h.dir, 'data'));
			await statusFor(parseOptions({claudeDir: [h.dir], now: '2026-11-26T12:00:00Z', quiet: true, cache: true}), {needsPeriods: false, isSweep: true});
		};

		await sweep();
		expect(await h.checkFile()).toBeDefined();
		const before = await h.report();

		expect(before).toEqual(await h.cold());
		// Taken as the sweep saw it.
		await appendFile(path.join(h.projects, files[2]!), text(10, 11, 90));
		expect(await h.report()).toEqual(before);
		// A sweep that finds it grown writes no check; once the last one is stale, reports stat every file.
		await rm(path.join(h.cacheDir, (await h.checkFile())!));
		await sweep();
		expect(await h.checkFile()).toBeUndefined();
		expect(await h.report()).toEqual(await h.cold());
	});

	it('is read only for the index it was made from, and only while it is recent', async () => {
		const dir = path.join(root, 'checks');
		await mkdir(dir, {recursive: true});
		const index = path.join(dir, 'index-v8-abc.bin');
		const at = Date.parse('2026-11-26T12:00:00Z');
		await writeQuietCheck(index, quietCheckAt('id-1', at));
		expect(await readdir(dir)).toEqual(['quiet-v1-abc.json']);
		expect(readQuietCheck(index, 'id-1', at + 60_000)).toEqual({identity: 'id-1', checkedAtMs: at, quietBeforeMs: at - 6 * hourMs});
		expect(readQuietCheck(index, 'id-2', at + 60_000)).toBeUndefined();
		expect(readQuietCheck(index, 'id-1', at + 10 * 60_000)).toBeUndefined();
		// A clock set back: the check may be from the future.
		expect(readQuietCheck(index, 'id-1', at - 1000)).toBeUndefined();
		// Torn or of another shape: no check.
		await writeFile(path.join(dir, 'quiet-v1-abc.json'), '{"identity": "id-1", "checkedAtMs": 1');
		expect(readQuietCheck(index, 'id-1', at + 60_000)).toBeUndefined();
		await writeFile(path.join(dir, 'quiet-v1-abc.json'), JSON.stringify({identity: 'id-1', checkedAtMs: at}));
		expect(readQuietCheck(index, 'id-1', at + 60_000)).toBeUndefined();
	});

	// Property: with some transcripts quiet for hours, and appends, new sessions,
	// new subagents and renamed project folders in any order, a warm report equals
	// a cold read unless something quiet changed since the last full look, and
	// always once the check is stale.
	it('agrees with a cold read unless a quiet file or folder changed since the last full look, and always after the next (property)', async () => {
		const stepArb = fc.oneof(...treeSteps, {weight: 1, arbitrary: fc.record({kind: fc.constant('later' as const)})});
		await fc.assert(
			fc.asyncProperty(fc.subarray([0, 1, 2]), fc.array(stepArb, {minLength: 1, maxLength: 8}), async (quietFiles, steps) => {
				const h = await history(quietFiles);
				await h.settle();
				await h.report();
				expect(await h.report()).toEqual(await h.cold());
				const tree = treeChanger(h.projects, quietFiles);
				for (const step of steps) {
					if (step.kind === 'later') {
						h.later(11 * 60_000);
						tree.state.isBehind = false;
					} else {
						await tree.apply(step);
					}

					const warm = await h.report();
					if (!tree.state.isBehind) expect(warm).toEqual(await h.cold());
				}

				h.later(11 * 60_000);
				expect(await h.report()).toEqual(await h.cold());
			}),
			{numRuns: 30},
		);
	});
});
