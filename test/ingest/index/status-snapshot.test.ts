import {appendFile, mkdir, mkdtemp, readdir, rm, truncate, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {statusFor} from '../../../source/commands/status.js';
import {parseOptions} from '../../../source/options.js';
import {assistantLine} from '../../helpers/entries.js';

const nowIso = '2026-11-26T12:00:00Z';
const nowMs = Date.parse(nowIso);
let root: string;
let run = 0;
beforeAll(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'cctop-snapshot-'));
});
afterAll(async () => {
	await rm(root, {recursive: true, force: true});
});

type Line = {file: number; minutesAgo: number; request: number; output: number; isKeyed: boolean};
const files = ['-home-dev-shop/s1.jsonl', '-home-dev-shop/s2.jsonl', '-home-dev-blog/s3.jsonl'];
const text = ({minutesAgo, request, output, isKeyed}: Line): string =>
	`${JSON.stringify(
		assistantLine(
			{timestamp: new Date(nowMs - minutesAgo * 60_000).toISOString(), requestId: isKeyed ? `req_${request}` : undefined},
			{input_tokens: 10, output_tokens: output, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000},
		),
	).replace('"msg_013YZ68naDuds27CD9ZGNVDE"', isKeyed ? `"msg_${request}"` : 'null')}\n`;

/** A fresh history under its own cache dir; `status(cache)` runs `statusFor` on it in this process. */
const history = async (lines: Line[]) => {
	const dir = path.join(root, `h${run++}`);
	for (const file of files) await mkdir(path.dirname(path.join(dir, 'projects', file)), {recursive: true});
	for (const [index, file] of files.entries()) {
		await writeFile(path.join(dir, 'projects', file), lines.filter(line => line.file === index).map(line => text(line)).join(''));
	}

	const cacheDir = path.join(dir, 'cache');
	/** `isSweep` does what the background sweep does: stat every file. `needsPeriods` adds today and the week (`--format json`). */
	const status = async (cache: boolean, isSweep = false, needsPeriods = false, now = nowIso) => {
		process.env['CCTOP_CACHE_DIR'] = cacheDir;
		process.env['CCTOP_DATA_DIR'] = path.join(dir, 'data');
		const options = parseOptions({claudeDir: [dir], now, quiet: true, cache, tokenLimit: 'max'});
		const result = await statusFor(options, {needsPeriods, isSweep});
		return {json: result.status.json, source: result.source};
	};

	// Folder mtimes within 2 s of a walk are not trusted; tests age them instead of waiting.
	const age = async () => {
		const {utimes} = await import('node:fs/promises');
		const past = new Date(Date.now() - 60_000);
		for (const folder of [dir, path.join(dir, 'projects'), ...new Set(files.map(file => path.join(dir, 'projects', path.dirname(file))))]) await utimes(folder, past, past);
	};

	const append = async (more: Line[]) => {
		for (const line of more) await appendFile(path.join(dir, 'projects', files[line.file]!), text(line));
	};

	/** Make transcripts look last written `hours` ago (wall clock): out of the status line's hot set. */
	const quiet = async (indexes: readonly number[], hours = 7) => {
		const {utimes} = await import('node:fs/promises');
		const past = new Date(Date.now() - hours * 3_600_000);
		for (const index of indexes) await utimes(path.join(dir, 'projects', files[index]!), past, past);
	};

	return {dir, cacheDir, status, age, append, quiet};
};

const base: Line[] = [
	{file: 0, minutesAgo: 200, request: 1, output: 100, isKeyed: true},
	{file: 0, minutesAgo: 50, request: 2, output: 5, isKeyed: true},
	{file: 1, minutesAgo: 40, request: 3, output: 300, isKeyed: true},
	{file: 2, minutesAgo: 30, request: 4, output: 400, isKeyed: false},
];

describe('the status snapshot', () => {
	it('answers appends from the snapshot, with what a cold read gives', async () => {
		const h = await history(base);
		await h.age();
		expect((await h.status(true)).source).toBe('index');
		// Request 2 streams on (5 → 900 output tokens), a new request arrives, and a copy of request 3 elsewhere.
		await h.append([
			{file: 0, minutesAgo: 49, request: 2, output: 900, isKeyed: true},
			{file: 2, minutesAgo: 10, request: 5, output: 50, isKeyed: true},
			{file: 2, minutesAgo: 40, request: 3, output: 300, isKeyed: true},
		]);
		const fast = await h.status(true);
		expect(fast.source).toBe('snapshot');
		expect(fast.json).toEqual((await h.status(false)).json);
		// Requests 1–5 once each, request 2 at its final count: 1,110 cache tokens and 10 input each.
		expect(fast.json.block?.totalTokens).toBe(5 * 1110 + 100 + 900 + 300 + 400 + 50);
		// Nothing new: the snapshot answers again, unchanged.
		expect(await h.status(true)).toEqual(fast);
	});

	it('answers many new requests at once from the snapshot, its key filter read whole past 256 probes', async () => {
		const h = await history(base);
		await h.age();
		await h.status(true);
		// 300 new requests, at least a probe each (a new key's first probe mostly finds a clear bit): the filter is read byte by byte, then whole.
		await h.append(Array.from({length: 300}, (_, index) => ({file: index % 3, minutesAgo: 25 - (index % 20), request: 100 + index, output: 10 + index, isKeyed: true})));
		const fast = await h.status(true);
		expect(fast.source).toBe('snapshot');
		expect(fast.json).toEqual((await h.status(false)).json);
	});

	it('finds a new transcript (a new session) by walking the folders again', async () => {
		const h = await history(base);
		await h.age();
		await h.status(true);
		await mkdir(path.join(h.dir, 'projects', '-home-dev-new', 's9', 'subagents'), {recursive: true});
		await writeFile(path.join(h.dir, 'projects', '-home-dev-new', 's9.jsonl'), text({file: 2, minutesAgo: 5, request: 9, output: 10, isKeyed: true}));
		await writeFile(path.join(h.dir, 'projects', '-home-dev-new', 's9', 'subagents', 'agent-1.jsonl'), text({file: 2, minutesAgo: 4, request: 10, output: 20, isKeyed: true}));
		const found = await h.status(true);
		expect(found.source).toBe('snapshot');
		expect(found.json).toEqual((await h.status(false)).json);
		expect(found.json.block?.totalTokens).toBe(6 * 1110 + 100 + 5 + 300 + 400 + 10 + 20);
	});

	it('leaves it to the index when a transcript is deleted, shrunk, or gets a line from before the last block', async () => {
		const h = await history(base);
		await h.age();
		await h.status(true);
		await rm(path.join(h.dir, 'projects', files[2]!));
		await h.age();
		expect((await h.status(true)).source).toBe('index');
		expect((await h.status(true)).source).toBe('snapshot');
		await truncate(path.join(h.dir, 'projects', files[1]!), 10);
		expect((await h.status(true)).source).toBe('index');
		await h.age();
		await h.status(true);
		await h.append([{file: 0, minutesAgo: 400, request: 7, output: 10, isKeyed: true}]);
		const old = await h.status(true);
		expect(old.source).toBe('index');
		expect(old.json).toEqual((await h.status(false)).json);
	});

	it('leaves it to the index when a request\'s counted copy would move from an earlier block into the last one', async () => {
		// Block 1 from 06:00 (the largest, so `--token-limit max` learns from it), block 2 from 11:10.
		const h = await history([
			{file: 0, minutesAgo: 330, request: 1, output: 5000, isKeyed: true},
			{file: 0, minutesAgo: 90, request: 7, output: 100, isKeyed: true},
			{file: 1, minutesAgo: 50, request: 8, output: 100, isKeyed: true},
		]);
		await h.age();
		await h.status(true);
		// A bigger copy of request 7, dated inside block 2.
		await h.append([{file: 1, minutesAgo: 40, request: 7, output: 4000, isKeyed: true}]);
		const moved = await h.status(true);
		expect(moved.source).toBe('index');
		expect(moved.json).toEqual((await h.status(false)).json);
		expect(moved.json.block?.limitTokens).toBe(1110 + 5000);
	});

	it('leaves it to the index when a new line repeats a request older than the snapshot holds', async () => {
		// Request 10 at 10:58 is counted in block 1 (from 06:59); block 2 starts 11:59. Its tie copy at 11:59 must not count again.
		const h = await history([
			{file: 0, minutesAgo: 301, request: 0, output: 1, isKeyed: false},
			{file: 0, minutesAgo: 62, request: 10, output: 1, isKeyed: true},
			{file: 0, minutesAgo: 1, request: 0, output: 1, isKeyed: false},
		]);
		await h.age();
		await h.status(true);
		await h.append([{file: 0, minutesAgo: 1, request: 10, output: 1, isKeyed: true}]);
		const repeated = await h.status(true);
		expect(repeated.source).toBe('index');
		expect(repeated.json).toEqual((await h.status(false)).json);
		expect(repeated.json.block?.totalTokens).toBe(1111);
	});

	it('is ignored when unreadable or made for other prices', async () => {
		const h = await history(base);
		await h.age();
		await h.status(true);
		const [snapshot] = (await readdir(h.cacheDir)).filter(name => name.startsWith('status-') && name.endsWith('.bin'));
		await writeFile(path.join(h.cacheDir, snapshot!), '{"version": 1, "garbage');
		expect((await h.status(true)).source).toBe('index');
		expect((await h.status(true)).source).toBe('snapshot');
	});

	it('rewrites only its small file on appends, reads the key filter only for new requests, and falls back when a side file is gone', async () => {
		const h = await history(base);
		await h.age();
		await h.status(true);
		const {readSnapshot, snapshotPath} = await import('../../../source/ingest/index/status-snapshot.js');
		const read = async () => {
			process.env['CCTOP_CACHE_DIR'] = h.cacheDir;
			return (await readSnapshot(snapshotPath([path.join(h.dir, 'projects')])))!;
		};

		const before = await read();
		expect(before.coldFile).not.toBe('');
		expect(before.addedKeys).toEqual([]);
		await h.append([{file: 1, minutesAgo: 3, request: 40, output: 4, isKeyed: true}]);
		const appended = await h.status(true);
		expect(appended.source).toBe('snapshot');
		expect(appended.json).toEqual((await h.status(false)).json);
		const after = await read();
		// The side files stay as they were; the new request's key is listed beside the filter.
		expect([after.coldFile, after.keysFile]).toEqual([before.coldFile, before.keysFile]);
		expect(after.addedKeys).toHaveLength(1);

		// A copy of a request the snapshot counts needs no filter; a new request does.
		await rm(path.join(h.cacheDir, after.keysFile));
		await h.append([{file: 0, minutesAgo: 3, request: 40, output: 4, isKeyed: true}]);
		expect((await h.status(true)).source).toBe('snapshot');
		await h.append([{file: 1, minutesAgo: 2, request: 41, output: 5, isKeyed: true}]);
		// Side files a minute old that no snapshot names are removed when new ones are written; newer ones may still be being read.
		const {utimes} = await import('node:fs/promises');
		const twoMinutesAgo = new Date(Date.now() - 120_000);
		await utimes(path.join(h.cacheDir, after.coldFile), twoMinutesAgo, twoMinutesAgo);
		const fallback = await h.status(true);
		expect(fallback.source).toBe('index');
		expect(fallback.json).toEqual((await h.status(false)).json);
		const rebuilt = await read();
		expect(rebuilt.keysFile).not.toBe(after.keysFile);
		const names = await readdir(h.cacheDir);
		expect(names).not.toContain(after.coldFile);
		expect(names).toEqual(expect.arrayContaining([rebuilt.coldFile, rebuilt.keysFile]));
	});

	// Property: whatever is appended (streamed copies, copies in other files,
	// unkeyed lines, lines older than the last block), the status equals a cold read.
	it('always agrees with a cold read (property)', async () => {
		const lineArb = fc.record({
			file: fc.integer({min: 0, max: 2}),
			minutesAgo: fc.integer({min: 1, max: 420}),
			request: fc.integer({min: 0, max: 12}),
			output: fc.integer({min: 1, max: 3000}),
			isKeyed: fc.boolean(),
		});
		await fc.assert(
			fc.asyncProperty(fc.array(lineArb, {minLength: 1, maxLength: 25}), fc.array(fc.array(lineArb, {maxLength: 6}), {minLength: 1, maxLength: 3}), async (before, batches) => {
				const h = await history(before);
				await h.age();
				await h.status(true);
				for (const [index, batch] of batches.entries()) {
					await h.append(batch);
					// Alternately the one-line status and `--format json`'s today and week, from the same snapshot.
					const needsPeriods = index % 2 === 1;
					const fast = await h.status(true, false, needsPeriods);
					expect(fast.json).toEqual((await h.status(false, false, needsPeriods)).json);
				}
			}),
			{numRuns: 60},
		);
	});

	it('stats only hot transcripts between sweeps: an append to a file quiet for hours shows at the next sweep', async () => {
		const h = await history(base);
		await h.quiet([0, 2]);
		await h.age();
		const before = await h.status(true);
		// Files 0 and 2 were last written 7 h ago; file 1 is hot.
		await h.append([{file: 1, minutesAgo: 5, request: 8, output: 80, isKeyed: true}]);
		const hot = await h.status(true);
		expect(hot.source).toBe('snapshot');
		expect(hot.json).toEqual((await h.status(false)).json);
		await h.append([{file: 2, minutesAgo: 4, request: 9, output: 90, isKeyed: true}]);
		// Not stat'ed: the status line still says what it said.
		expect((await h.status(true)).json).toEqual(hot.json);
		const swept = await h.status(true, true);
		expect(swept.source).toBe('snapshot');
		expect(swept.json).toEqual((await h.status(false)).json);
		expect(swept.json.block!.totalTokens).toBe(hot.json.block!.totalTokens + 1110 + 90);
		expect(before.json.block!.totalTokens).toBe(hot.json.block!.totalTokens - 1110 - 80);
	});

	it('sees a new subagent transcript at once in a project with a live session, and at the sweep in a quiet one', async () => {
		const h = await history(base);
		// Both projects' sessions have had a subagent folder for hours.
		for (const folder of ['-home-dev-shop/s1/subagents', '-home-dev-blog/s3/subagents']) await mkdir(path.join(h.dir, 'projects', folder), {recursive: true});
		const {utimes} = await import('node:fs/promises');
		const past = new Date(Date.now() - 7 * 3_600_000);
		for (const folder of ['-home-dev-shop/s1/subagents', '-home-dev-shop/s1', '-home-dev-blog/s3/subagents', '-home-dev-blog/s3']) await utimes(path.join(h.dir, 'projects', folder), past, past);
		await h.quiet([2]);
		await h.age();
		await h.status(true);
		const line = {file: 0, minutesAgo: 3, request: 11, output: 11, isKeyed: true};
		await writeFile(path.join(h.dir, 'projects', '-home-dev-shop/s1/subagents/agent-1.jsonl'), text(line));
		// Older than the walk's settling time, so the next call trusts the folder.
		await utimes(path.join(h.dir, 'projects', '-home-dev-shop/s1/subagents'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
		const live = await h.status(true);
		expect(live.json).toEqual((await h.status(false)).json);
		await writeFile(path.join(h.dir, 'projects', '-home-dev-blog/s3/subagents/agent-2.jsonl'), text({...line, request: 12}));
		expect((await h.status(true)).json).toEqual(live.json);
		const swept = await h.status(true, true);
		expect(swept.json).toEqual((await h.status(false)).json);
		expect(swept.json.block!.totalTokens).toBe(live.json.block!.totalTokens + 1110 + 11);
	});

	it('stats a live project\'s folder and its live session\'s folders, not the folders of its quiet sessions', async () => {
		const h = await history(base);
		const {utimes} = await import('node:fs/promises');
		const past = new Date(Date.now() - 7 * 3_600_000);
		for (const folder of ['-home-dev-shop/s1/subagents', '-home-dev-shop/old/subagents']) await mkdir(path.join(h.dir, 'projects', folder), {recursive: true});
		await writeFile(path.join(h.dir, 'projects', '-home-dev-shop/old.jsonl'), text({file: 0, minutesAgo: 900, request: 30, output: 3, isKeyed: true}));
		for (const item of ['-home-dev-shop/s1/subagents', '-home-dev-shop/s1', '-home-dev-shop/old/subagents', '-home-dev-shop/old', '-home-dev-shop/old.jsonl']) await utimes(path.join(h.dir, 'projects', item), past, past);
		await h.age();
		await h.status(false);
		await h.status(true);
		const {readSnapshot, snapshotPath} = await import('../../../source/ingest/index/status-snapshot.js');
		process.env['CCTOP_CACHE_DIR'] = h.cacheDir;
		const snapshot = (await readSnapshot(snapshotPath([path.join(h.dir, 'projects')])))!;
		const hotDirs = snapshot.hot.dirPaths.split('\n').map(dir => path.relative(path.join(h.dir, 'projects'), dir));
		expect(hotDirs).toEqual(expect.arrayContaining(['-home-dev-shop', '-home-dev-shop/s1', '-home-dev-shop/s1/subagents']));
		expect(hotDirs).not.toContain('-home-dev-shop/old');
		expect(hotDirs).not.toContain('-home-dev-shop/old/subagents');
	});

	// Property: with some transcripts quiet for hours, and appends, new sessions
	// and renamed project folders in any order, the status line equals a cold
	// read whenever no quiet file was appended to since the last sweep, and
	// always right after a sweep.
	it('agrees with a cold read between sweeps unless a quiet file grew, and always after one (property)', async () => {
		const stepArb = fc.oneof(
			{weight: 4, arbitrary: fc.record({kind: fc.constant('append' as const), file: fc.integer({min: 0, max: 2}), minutesAgo: fc.integer({min: 1, max: 300}), request: fc.integer({min: 0, max: 12}), output: fc.integer({min: 1, max: 3000})})},
			{weight: 1, arbitrary: fc.record({kind: fc.constant('session' as const), request: fc.integer({min: 20, max: 30})})},
			{weight: 1, arbitrary: fc.record({kind: fc.constant('rename' as const)})},
			{weight: 1, arbitrary: fc.record({kind: fc.constant('sweep' as const)})},
		);
		await fc.assert(
			fc.asyncProperty(fc.subarray([0, 1, 2]), fc.array(stepArb, {minLength: 1, maxLength: 8}), async (quietFiles, steps) => {
				const h = await history(base);
				await h.quiet(quietFiles);
				await h.age();
				await h.status(true);
				const isQuiet = new Set(quietFiles);
				let isBehind = false;
				let sessions = 0;
				let renames = 0;
				let blog = '-home-dev-blog';
				for (const step of steps) {
					if (step.kind === 'append') {
						const file = step.file === 2 ? path.join(blog, 's3.jsonl') : files[step.file]!;
						await appendFile(path.join(h.dir, 'projects', file), text({...step, file: step.file, isKeyed: true}));
						if (isQuiet.has(step.file)) isBehind = true;
					} else if (step.kind === 'session') {
						await writeFile(path.join(h.dir, 'projects', '-home-dev-shop', `new-${sessions++}.jsonl`), text({file: 0, minutesAgo: 2, request: step.request, output: 7, isKeyed: true}));
					} else if (step.kind === 'rename') {
						// A project folder moved (a renamed repository): its transcripts are gone from where the snapshot saw them.
						const {rename} = await import('node:fs/promises');
						const to = `-home-dev-blog-${++renames}`;
						await rename(path.join(h.dir, 'projects', blog), path.join(h.dir, 'projects', to));
						blog = to;
					}

					const isSweep = step.kind === 'sweep';
					const fast = await h.status(true, isSweep);
					if (isSweep) isBehind = false;
					if (!isBehind) expect(fast.json).toEqual((await h.status(false)).json);
				}

				const swept = await h.status(true, true);
				expect(swept.json).toEqual((await h.status(false)).json);
			}),
			{numRuns: 40},
		);
	});

	it('tells today and the week from the snapshot\'s day sums, across midnight and not across a time zone change', async () => {
		const zone = process.env['TZ'];
		try {
			process.env['TZ'] = 'America/New_York';
			// Requests on three days before now (12:00 UTC, 07:00 in New York) and in the last block.
			const h = await history([
				{file: 0, minutesAgo: 2 * 1440 + 30, request: 1, output: 100, isKeyed: true},
				{file: 1, minutesAgo: 1440 + 60, request: 2, output: 200, isKeyed: true},
				{file: 1, minutesAgo: 600, request: 3, output: 300, isKeyed: false},
				{file: 2, minutesAgo: 100, request: 4, output: 400, isKeyed: true},
			]);
			await h.age();
			expect((await h.status(true, false, true)).source).toBe('index');
			await h.append([{file: 2, minutesAgo: 20, request: 5, output: 500, isKeyed: true}]);
			const fast = await h.status(true, false, true);
			expect(fast.source).toBe('snapshot');
			expect(fast.json).toEqual((await h.status(false, false, true)).json);
			expect(fast.json.week.totalTokens).toBe(5 * 1110 + 1500);
			// Requests 4 and 5 are today in New York; request 3, at 02:00 UTC, was 21:00 the evening before.
			expect(fast.json.today.totalTokens).toBe(2 * 1110 + 900);
			// Seventeen hours on, past midnight in New York: yesterday's requests leave today, none leave the week.
			const later = '2026-11-27T05:30:00Z';
			const next = await h.status(true, false, true, later);
			expect(next.source).toBe('snapshot');
			expect(next.json).toEqual((await h.status(false, false, true, later)).json);
			expect(next.json.today.totalTokens).toBe(0);
			// Another time zone: the day sums are not its days, so the index answers.
			process.env['TZ'] = 'Asia/Tokyo';
			const tokyo = await h.status(true, false, true, later);
			expect(tokyo.source).toBe('index');
			expect(tokyo.json).toEqual((await h.status(false, false, true, later)).json);
		} finally {
			if (zone === undefined) delete process.env['TZ'];
			else process.env['TZ'] = zone;
		}
	});
});
