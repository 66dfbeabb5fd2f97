import {appendFile, mkdir, mkdtemp, readdir, rename, rm, utimes, writeFile} from 'node:fs/promises';
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
import {assistantLine} from '../../helpers/entries.js';

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

const nowMs = Date.parse('2026-11-26T12:00:00Z');
const files = ['-home-dev-shop/s1.jsonl', '-home-dev-shop/s2.jsonl', '-home-dev-blog/s3.jsonl'];
/** Each session's folder, where its subagents write: old for hours, as a long session's is. */
const subagentFolders = ['-home-dev-shop/s1/subagents', '-home-dev-shop/s2/subagents', '-home-dev-blog/s3/subagents'];
const text = (minutesAgo: number, request: number, output: number): string =>
	`${JSON.stringify(
		assistantLine({timestamp: new Date(nowMs - minutesAgo * 60_000).toISOString(), requestId: `req_${request}`}, {input_tokens: 10, output_tokens: output, cache_read_input_tokens: 1000}),
	).replace('"msg_013YZ68naDuds27CD9ZGNVDE"', `"msg_${request}"`)}\n`;

const totals = (usage: UsageHandle) => {
	const {blocks, counters, unknownModels} = usage.view();
	return {blocks: blocks.map(block => [block.id, block.entryCount, block.tokens, Math.round(block.costUsd * 1e9), block.models]), counters, unknownModels};
};

/** Three transcripts in two projects, `quiet` of them (and the folders of their sessions) last written 7 h ago. */
const history = async (quiet: readonly number[]) => {
	const dir = path.join(root, `h${run++}`);
	const projects = path.join(dir, 'projects');
	for (const folder of subagentFolders) await mkdir(path.join(projects, folder), {recursive: true});
	for (const [index, file] of files.entries()) await writeFile(path.join(projects, file), text(300 - index * 60, index + 1, 100 * (index + 1)));
	const hoursAgo = (hours: number) => new Date(Date.now() - hours * hourMs);
	for (const index of quiet) {
		for (const item of [files[index]!, subagentFolders[index]!, path.dirname(subagentFolders[index]!)]) await utimes(path.join(projects, item), hoursAgo(7), hoursAgo(7));
	}

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
	/**
	 * Folder mtimes within 2 s of a walk are not trusted (the index's folders are
	 * then walked again each time); tests age the hot folders a minute instead of waiting.
	 */
	const settle = async () => {
		const minuteAgo = hoursAgo(1 / 60);
		const quietFolders = new Set(quiet.flatMap(index => [subagentFolders[index]!, path.dirname(subagentFolders[index]!)]).map(folder => path.join(projects, folder)));
		const folders = [dir, projects, ...(await readdir(projects, {recursive: true, withFileTypes: true})).filter(entry => entry.isDirectory()).map(entry => path.join(entry.parentPath, entry.name))];
		for (const folder of folders) if (!quietFolders.has(folder)) await utimes(folder, minuteAgo, minuteAgo);
	};

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
		const stepArb = fc.oneof(
			{weight: 4, arbitrary: fc.record({kind: fc.constant('append' as const), file: fc.integer({min: 0, max: 2}), minutesAgo: fc.integer({min: 1, max: 280}), request: fc.integer({min: 0, max: 12}), output: fc.integer({min: 1, max: 3000})})},
			{weight: 1, arbitrary: fc.record({kind: fc.constant('session' as const), request: fc.integer({min: 20, max: 30})})},
			{weight: 1, arbitrary: fc.record({kind: fc.constant('subagent' as const), file: fc.integer({min: 0, max: 2}), request: fc.integer({min: 30, max: 40})})},
			{weight: 1, arbitrary: fc.record({kind: fc.constant('rename' as const)})},
			{weight: 1, arbitrary: fc.record({kind: fc.constant('later' as const)})},
		);
		await fc.assert(
			fc.asyncProperty(fc.subarray([0, 1, 2]), fc.array(stepArb, {minLength: 1, maxLength: 8}), async (quietFiles, steps) => {
				const h = await history(quietFiles);
				await h.settle();
				await h.report();
				expect(await h.report()).toEqual(await h.cold());
				const isQuiet = new Set(quietFiles);
				let isBehind = false;
				let sessions = 0;
				let agents = 0;
				let renames = 0;
				let blog = '-home-dev-blog';
				const where = (index: number, item: string) => (index === 2 ? item.replace('-home-dev-blog', blog) : item);
				for (const step of steps) {
					if (step.kind === 'append') {
						await appendFile(path.join(h.projects, where(step.file, files[step.file]!)), text(step.minutesAgo, step.request, step.output));
						if (isQuiet.has(step.file)) isBehind = true;
					} else if (step.kind === 'session') {
						await writeFile(path.join(h.projects, '-home-dev-shop', `new-${sessions++}.jsonl`), text(2, step.request, 7));
					} else if (step.kind === 'subagent') {
						await writeFile(path.join(h.projects, where(step.file, subagentFolders[step.file]!), `agent-${agents++}.jsonl`), text(1, step.request, 9));
						if (isQuiet.has(step.file)) isBehind = true;
					} else if (step.kind === 'rename') {
						// A project folder moved (a renamed repository): the root's mtime changes, and the root is always stat'ed.
						const to = `-home-dev-blog-${++renames}`;
						await rename(path.join(h.projects, blog), path.join(h.projects, to));
						blog = to;
					} else {
						h.later(11 * 60_000);
						isBehind = false;
					}

					const warm = await h.report();
					if (!isBehind) expect(warm).toEqual(await h.cold());
				}

				h.later(11 * 60_000);
				expect(await h.report()).toEqual(await h.cold());
			}),
			{numRuns: 30},
		);
	});
});
