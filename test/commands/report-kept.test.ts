import {appendFile, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';
import {runReport} from '../../source/commands/report.js';
import {printKeptReport} from '../../source/commands/report-cached.js';
import {captureOutput} from '../../source/commands/write-out.js';
import {hourMs} from '../../source/core/usage/blocks.js';
import {parseOptions} from '../../source/options.js';
import {entriesAt, files, text, treeChanger, treeSteps, writeHistory} from '../helpers/quiet-history.js';

// A warm `report --json` that finds nothing changed prints what the last one
// printed (report-cache.ts), looking where a warm report under the same quiet
// check looks. In-process, with real files; the wall clock is moved (Date only)
// to expire checks, and --now to move the report's time.

let root: string;
let run = 0;
beforeAll(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'cctop-kept-'));
});
afterEach(() => {
	vi.useRealTimers();
	captureOutput(undefined);
});
afterAll(async () => {
	vi.unstubAllEnvs();
	await rm(root, {recursive: true, force: true});
});

/** Three transcripts in two projects, `quiet` of them (and their sessions' folders) last written 7 h ago. */
const history = async (quiet: readonly number[]) => {
	const dir = path.join(root, `h${run++}`);
	const {projects, settle} = await writeHistory(dir, quiet);
	await settle();
	const cacheDir = path.join(dir, 'cache');
	const optionsAt = (nowMs: number, extra: Record<string, unknown> = {}, cache = true) =>
		parseOptions({claudeDir: [dir], json: true, quiet: true, cache, now: new Date(nowMs).toISOString(), ...extra});
	const captured = async (print: () => Promise<unknown>): Promise<{text: string; result: unknown}> => {
		vi.stubEnv('CCTOP_CACHE_DIR', cacheDir);
		vi.stubEnv('CCTOP_DATA_DIR', path.join(dir, 'data'));
		let text = '';
		captureOutput(piece => (text += piece));
		try {
			return {result: await print(), text};
		} finally {
			captureOutput(undefined);
		}
	};

	return {
		dir,
		projects,
		cacheDir,
		settle,
		/** What the cli prints from the kept report, or undefined when it must make one. */
		kept: async (nowMs: number, extra?: Record<string, unknown>) => {
			const {text, result} = await captured(async () => printKeptReport(optionsAt(nowMs, extra)));
			return result === true ? text : undefined;
		},
		/** A report made as the cli makes one when none is kept (it keeps it, when it may). */
		made: async (nowMs: number, extra?: Record<string, unknown>) => (await captured(async () => runReport(optionsAt(nowMs, extra)))).text,
		cold: async (nowMs: number, extra?: Record<string, unknown>) => (await captured(async () => runReport(optionsAt(nowMs, extra, false)))).text,
	};
};

const reportAt = entriesAt + 10 * hourMs;

describe('the kept report', () => {
	it('is printed while nothing a warm report looks at changed, and never once something did', async () => {
		const h = await history([2]);
		// The first report writes the index, the second a quiet check and the kept report.
		await h.made(reportAt);
		expect(await h.kept(reportAt)).toBeUndefined();
		const first = await h.made(reportAt);
		expect(await h.kept(reportAt)).toBe(first);
		expect(first).toBe(await h.cold(reportAt));
		// Later is the same (every block stays finished); earlier, or with other options, is made again.
		expect(await h.kept(reportAt + hourMs)).toBe(first);
		expect(await h.kept(reportAt - 1)).toBeUndefined();
		expect(await h.kept(reportAt, {last: '1'})).toBeUndefined();
		// A hot transcript grows: made again, and kept again once nothing changes.
		await appendFile(path.join(h.projects, files[0]!), text(20, 10, 70));
		expect(await h.kept(reportAt)).toBeUndefined();
		const grown = await h.made(reportAt);
		expect(grown).toBe(await h.cold(reportAt));
		expect(grown).not.toBe(first);
		expect(await h.kept(reportAt)).toBe(grown);
		// Another index in its place (another process wrote one): not the one the report was made from.
		const index = path.join(h.cacheDir, (await readdir(h.cacheDir)).find(name => name.startsWith('index-'))!);
		const bytes = await readFile(index);
		bytes[24]! ^= 1;
		await writeFile(index, bytes);
		expect(await h.kept(reportAt)).toBeUndefined();
		bytes[24]! ^= 1;
		await writeFile(index, bytes);
		expect(await h.kept(reportAt)).toBe(grown);
		// A new session changes its project folder.
		await writeFile(path.join(h.projects, '-home-dev-blog', 'new.jsonl'), text(5, 30, 5));
		expect(await h.kept(reportAt)).toBeUndefined();
	});

	it('is not printed from a torn or odd file, and the report is made instead', async () => {
		const h = await history([]);
		await h.made(reportAt);
		const first = await h.made(reportAt);
		const kept = path.join(h.cacheDir, (await readdir(h.cacheDir)).find(name => name.startsWith('report-'))!);
		const bytes = await readFile(kept);
		const end = bytes.indexOf(10);
		await writeFile(kept, bytes.subarray(0, end - 3));
		expect(await h.kept(reportAt)).toBeUndefined();
		// The same key and checks, but no folders listed as they should be: no crash, no output.
		const saved = JSON.parse(bytes.toString('utf8', 0, end)) as Record<string, unknown>;
		await writeFile(kept, Buffer.concat([Buffer.from(`${JSON.stringify({...saved, dirs: 7})}\n`), bytes.subarray(end + 1)]));
		expect(await h.kept(reportAt)).toBeUndefined();
		expect(await h.made(reportAt)).toBe(first);
		expect(await h.kept(reportAt)).toBe(first);
	});

	it('keeps the table too, for the width it was made for', async () => {
		const h = await history([]);
		vi.stubEnv('COLUMNS', '120');
		await h.made(reportAt, {json: false});
		const table = await h.made(reportAt, {json: false});
		expect(table).toContain('Total');
		expect(await h.kept(reportAt, {json: false})).toBe(table);
		vi.stubEnv('COLUMNS', '40');
		expect(await h.kept(reportAt, {json: false})).toBeUndefined();
		const narrow = await h.made(reportAt, {json: false});
		expect(narrow).toBe(await h.cold(reportAt, {json: false}));
		expect(await h.kept(reportAt, {json: false})).toBe(narrow);
	});

	it('is not kept while a block may still be active, nor from a report that reads OpenTelemetry', async () => {
		const h = await history([]);
		// The entries are 07:00 to 09:00: one block, 07:00 to 12:00, active at 10:00.
		const during = entriesAt - 2 * hourMs;
		await h.made(during);
		await h.made(during);
		expect(await h.kept(during)).toBeUndefined();
		expect((await readdir(h.cacheDir)).some(name => name.startsWith('report-'))).toBe(false);
		// A fixed --now before the last block: that block may start later, so nothing is kept either.
		await h.made(entriesAt - 6 * hourMs);
		expect((await readdir(h.cacheDir)).some(name => name.startsWith('report-'))).toBe(false);
		// A spool: its records change on their own.
		await h.made(reportAt);
		// (Found by the property below: a block the index holds as finished is active at an earlier
		// --now, and a limit learnt from finished blocks leaves it out, as a cold read does.)
		expect(await h.made(during, {tokenLimit: 'max'})).toBe(await h.cold(during, {tokenLimit: 'max'}));
		expect(await h.kept(reportAt)).toBeDefined();
		await mkdir(path.join(h.dir, 'data'), {recursive: true});
		await writeFile(path.join(h.dir, 'data', 'otel-spool.ndjson'), '');
		expect(await h.kept(reportAt)).toBeUndefined();
	});

	it('follows the quiet check: taken as the check saw the quiet files, made again when the check is stale', async () => {
		const h = await history([2]);
		await h.made(reportAt);
		const first = await h.made(reportAt);
		expect(await h.kept(reportAt)).toBe(first);
		// A quiet transcript grows (by hand): a warm report under the same check does not look, and neither does the kept one.
		await appendFile(path.join(h.projects, files[2]!), text(10, 11, 90));
		expect(await h.made(reportAt)).toBe(first);
		expect(await h.kept(reportAt)).toBe(first);
		// Eleven minutes on, the check is stale: the kept report is not printed, and the next look counts the append.
		vi.useFakeTimers({toFake: ['Date'], now: Date.now() + 11 * 60_000});
		expect(await h.kept(reportAt)).toBeUndefined();
		const looked = await h.made(reportAt);
		expect(looked).toBe(await h.cold(reportAt));
		expect(looked).not.toBe(first);
	});

	// Property: whatever happens to the transcripts, folders, clock and options,
	// a kept report is printed only when it is what the report made instead would
	// print; and that report equals a cold read unless a quiet file changed since
	// the last full look. Kept reports are printed in most runs (counted).
	it('is what the report made instead would print, whatever changed (property)', async () => {
		let printed = 0;
		const stepArb = fc.oneof(
			...treeSteps,
			{weight: 1, arbitrary: fc.record({kind: fc.constant('touch' as const), file: fc.integer({min: 0, max: 2})})},
			{weight: 1, arbitrary: fc.record({kind: fc.constant('later' as const)})},
			{weight: 2, arbitrary: fc.record({kind: fc.constant('time' as const), hours: fc.integer({min: -12, max: 12})})},
			{weight: 2, arbitrary: fc.record({kind: fc.constant('options' as const), last: fc.option(fc.integer({min: 1, max: 3}), {nil: undefined}), tokenLimit: fc.option(fc.constantFrom('max', 'p90', '50000'), {nil: undefined}), isTable: fc.boolean()})},
			{weight: 3, arbitrary: fc.record({kind: fc.constant('nothing' as const)})},
		);
		await fc.assert(
			fc.asyncProperty(fc.subarray([0, 1, 2]), fc.array(stepArb, {minLength: 1, maxLength: 10}), async (quietFiles, steps) => {
				vi.useRealTimers();
				const h = await history(quietFiles);
				let nowMs = reportAt;
				let extra: Record<string, unknown> = {};
				await h.made(nowMs);
				await h.made(nowMs);
				const tree = treeChanger(h.projects, quietFiles);
				for (const step of steps) {
					if (step.kind === 'touch') {
						// Written to without a new byte (an editor's save): its mtime moves.
						const now = new Date();
						await utimes(tree.fileAt(step.file), now, now);
					} else if (step.kind === 'later') {
						vi.useFakeTimers({toFake: ['Date'], now: Date.now() + 11 * 60_000});
						tree.state.isBehind = false;
					} else if (step.kind === 'time') {
						nowMs = reportAt + step.hours * hourMs;
					} else if (step.kind === 'options') {
						extra = {...(step.last === undefined ? {} : {last: String(step.last)}), ...(step.tokenLimit === undefined ? {} : {tokenLimit: step.tokenLimit}), ...(step.isTable ? {json: false} : {})};
					} else if (step.kind !== 'nothing') {
						await tree.apply(step);
					}

					const kept = await h.kept(nowMs, extra);
					const made = await h.made(nowMs, extra);
					if (kept !== undefined) {
						printed++;
						expect(kept).toBe(made);
					}

					if (!tree.state.isBehind) expect(made).toBe(await h.cold(nowMs, extra));
				}

				vi.useRealTimers();
			}),
			{numRuns: 25},
		);
		expect(printed).toBeGreaterThan(10);
	});
});
