import {appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, unlink, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {hourMs, type Block} from '../../../source/core/usage/blocks.js';
import {blockJsonText, buildReportJson, reportJsonPretty} from '../../../source/core/screens/report.js';
import {createPriceLookup, defaultPricing} from '../../../source/core/usage/pricing.js';
import {deferredSaveBytes} from '../../../source/ingest/index/open-live.js';
import {openUsage} from '../../../source/ingest/index/open-usage.js';
import {loadIndex} from '../../../source/ingest/index/usage-index.js';
import {ScanPool} from '../../../source/ingest/transcripts/scan-pool.js';
import type {UsageHandle} from '../../../source/ingest/index/usage-handle.js';
import {isDueOn} from '../../../source/ingest/transcripts/poll-turn.js';
import {watchSource} from '../../../source/ingest/transcripts/watch.js';
import {assistantLine} from '../../helpers/entries.js';
import {waitFor} from '../../helpers/wait-for.js';

let temp: string;
let claudeDir: string;
let cache: string;
beforeEach(async () => {
	temp = await mkdtemp(path.join(os.tmpdir(), 'cctop-open-'));
	claudeDir = path.join(temp, 'claude');
	cache = path.join(temp, 'cache');
	await cp(path.resolve('fixtures/claude'), claudeDir, {recursive: true});
	vi.stubEnv('CCTOP_CACHE_DIR', cache);
});
afterEach(async () => {
	vi.unstubAllEnvs();
	await rm(temp, {recursive: true, force: true});
});

const nowMs = Date.parse('2026-11-27T00:00:00Z');
const open = async (options: {isCacheEnabled?: boolean; isSummaryEnough?: boolean; scan?: {workerFromBytes: number; workerUrl: URL; earlyFromFiles?: number}; blockText?: (block: Block) => string} = {}) =>
	openUsage({
		scan: options.scan,
		blockText: options.blockText,
		claudeDirs: [claudeDir],
		ledger: {lookup: createPriceLookup(defaultPricing), mode: 'auto', sessionLengthMs: 5 * hourMs},
		fingerprint: 'test',
		isCacheEnabled: options.isCacheEnabled ?? true,
		isSummaryEnough: options.isSummaryEnough ?? false,
		clock: () => nowMs,
	});

/** The totals a report shows, to compare a cached run with a cold one. */
const totals = (usage: UsageHandle) => {
	const {blocks, counters, unknownModels} = usage.view();
	return {
		blocks: blocks.map(block => [block.id, block.entryCount, block.tokens, Math.round(block.costUsd * 1e9), block.models]),
		counters,
		unknownModels,
	};
};

const cold = async () => totals(await open({isCacheEnabled: false}));
const project = (name: string) => path.join(claudeDir, 'projects', name);
const line = (requestId: string, outputTokens = 100, timestamp = '2026-11-26T20:00:00.000Z') =>
	`${JSON.stringify(assistantLine({requestId, timestamp}, {output_tokens: outputTokens}))}\n`;

describe('openUsage cold reads', () => {
	it('gives the same totals from worker threads as from the main thread', async () => {
		// Workers run compiled JavaScript: `npm test` builds dist/ first.
		const viaWorkers = await open({isCacheEnabled: false, scan: {workerFromBytes: 0, workerUrl: pathToFileURL(path.resolve('dist/scan-worker.js'))}});
		expect(totals(viaWorkers)).toEqual(await cold());
		expect(viaWorkers.unreadablePaths()).toEqual([]);
	});
});

describe('openUsage hands files to the scan workers while it walks a history it has no index for', () => {
	const workerUrl = pathToFileURL(path.resolve('dist/scan-worker.js'));
	/** `count` one-request sessions beside the fixtures. */
	const manyFiles = async (count: number) => {
		await mkdir(project('-many'), {recursive: true});
		for (let file = 0; file < count; file++) await writeFile(path.join(project('-many'), `s${file}.jsonl`), line(`req_many_${file}`, file + 1));
	};

	const pools = async (run: () => Promise<UsageHandle>) => {
		const before = {...ScanPool.counts};
		const usage = await run();
		return {usage, started: ScanPool.counts.started - before.started, closed: ScanPool.counts.closed - before.closed};
	};

	it('reads a history through the workers it started mid-walk as the main thread would, whatever its size', async () => {
		await manyFiles(150);
		for (const workerFromBytes of [0, Number.MAX_SAFE_INTEGER]) {
			const {usage, started, closed} = await pools(async () => open({isCacheEnabled: false, scan: {workerFromBytes, workerUrl, earlyFromFiles: 40}}));
			expect([started, closed]).toEqual([1, 1]);
			expect(totals(usage)).toEqual(await cold());
			expect(usage.unreadablePaths()).toEqual([]);
		}
	});

	it('reads a file that changes after the walk handed it over as a cold read after the change does', async () => {
		await manyFiles(60);
		const usage = await open({isCacheEnabled: false, scan: {workerFromBytes: 0, workerUrl, earlyFromFiles: 10}});
		await appendFile(path.join(project('-many'), 's0.jsonl'), line('req_many_later', 7));
		await usage.live!.source.pollAll();
		expect(totals(usage)).toEqual(await cold());
	});

	it('starts none for a few files, or when an index exists', async () => {
		await manyFiles(20);
		expect((await pools(async () => open({isCacheEnabled: false, scan: {workerFromBytes: Number.MAX_SAFE_INTEGER, workerUrl, earlyFromFiles: 40}}))).started).toBe(0);
		await manyFiles(60);
		await (await open({scan: {workerFromBytes: Number.MAX_SAFE_INTEGER, workerUrl, earlyFromFiles: 40}})).save();
		await appendFile(path.join(project('-many'), 's0.jsonl'), line('req_many_more'));
		const {usage, started} = await pools(async () => open({scan: {workerFromBytes: Number.MAX_SAFE_INTEGER, workerUrl, earlyFromFiles: 40}}));
		expect(started).toBe(0);
		expect(totals(usage)).toEqual(await cold());
	});
});

describe('openUsage with the persistent index', () => {
	it('writes an index on the first run and reads no transcript byte on an unchanged restart', async () => {
		const first = await open();
		await first.save();
		// The index, and session --list's rows made with it.
		expect((await readdir(cache)).map(name => name.replace(/-v\d+-[\da-f]+/, ''))).toEqual(['index.bin', 'sessions.json']);
		const second = await open({isSummaryEnough: true});
		expect(second.live).toBeUndefined();
		expect(totals(second)).toEqual(totals(first));
		expect(totals(second)).toEqual(await cold());
	});

	it('removes the index an older version wrote for the same folders once it writes its own, and nothing else', async () => {
		await (await open()).save();
		const [name] = (await readdir(cache)).filter(found => found.startsWith('index-'));
		await rm(path.join(cache, name!));
		const older = name!.replace(/^index-v\d+-/, 'index-v1-');
		await writeFile(path.join(cache, older), 'old');
		await writeFile(path.join(cache, 'index-v1-0123456789abcdef.bin'), 'another history');
		await (await open()).save();
		const names = await readdir(cache);
		expect(names).not.toContain(older);
		expect(names).toContain(name);
		expect(names).toContain('index-v1-0123456789abcdef.bin');
	});

	it('sees every line appended while stopped exactly once after a restart', async () => {
		const first = await open();
		await first.save();
		const file = path.join(project('-home-dev-api-server'), 'bbb-original.jsonl');
		await appendFile(file, line('new-1') + line('new-2'));
		const second = await open();
		expect(second.live?.source.tailers.get(file)?.cursor?.offset).toBe((await readFile(file)).length);
		expect(totals(second).counters.usageLines).toBe(totals(first).counters.usageLines + 2);
		expect(totals(second)).toEqual(await cold());
		await second.save();
		// And a third start sees them once, not twice.
		expect(totals(await open())).toEqual(await cold());
	});

	it('leaves the index as it is for a few appends, each run still equal to a cold run, and rewrites it once they add up', async () => {
		await (await open()).save();
		const [name] = await readdir(cache);
		const indexFile = path.join(cache, name!);
		const written = await readFile(indexFile);
		const file = path.join(project('-home-dev-api-server'), 'bbb-original.jsonl');
		for (const round of [1, 2, 3]) {
			await appendFile(file, line(`small-${round}`));
			const usage = await open();
			expect(totals(usage)).toEqual(await cold());
			await usage.save();
			// O(appended bytes) from here on, not a rewrite of the whole history.
			expect((await readFile(indexFile)).equals(written)).toBe(true);
		}

		// Past deferredSaveBytes (8 MiB) of appends the index is written again, and still right.
		const bulk: string[] = [];
		for (let bytes = 0; bytes < deferredSaveBytes; bytes += bulk.at(-1)!.length) bulk.push(line(`bulk-${bulk.length}`));
		await appendFile(file, bulk.join(''));
		const big = await open();
		await big.save();
		expect((await readFile(indexFile)).equals(written)).toBe(false);
		expect(totals(await open({isSummaryEnough: true}))).toEqual(await cold());
	});

	it.each([
		['truncated while stopped', async (file: string) => truncate(file, 0)],
		['deleted while stopped', async (file: string) => unlink(file)],
		['replaced while stopped', async (file: string) => {
			await unlink(file);
			await writeFile(file, line('replacement'));
		}],
	])('matches a cold run when a file was %s', async (_name, change) => {
		await (await open()).save();
		await change(path.join(project('-home-dev-api-server'), 'bbb-original.jsonl'));
		expect(totals(await open())).toEqual(await cold());
	});

	it.each([
		['garbage', Buffer.from('garbage, not an index')],
		['a flipped byte', undefined],
		['a truncated index', 'truncate' as const],
	])('ignores and rebuilds a corrupt index (%s)', async (_name, corruption) => {
		await (await open()).save();
		const [name] = await readdir(cache);
		const indexFile = path.join(cache, name!);
		const bytes = await readFile(indexFile);
		if (corruption === 'truncate') {
			await writeFile(indexFile, bytes.subarray(0, bytes.length - 100));
		} else if (corruption === undefined) {
			// Inside the entry rows (the key table is the last 72 bytes before the lookup section here).
			const at = bytes.length - bytes.readUInt32LE(32) - 200;
			bytes[at] = bytes[at]! ^ 0xff;
			await writeFile(indexFile, bytes);
		} else {
			await writeFile(indexFile, corruption);
		}

		const usage = await open();
		expect(usage.notes.join('\n')).toMatch(/ignored \(.+\); rebuilding/);
		expect(totals(usage)).toEqual(await cold());
		await usage.save();
		const again = await open({isSummaryEnough: true});
		expect(again.notes).toEqual([]);
		expect(totals(again)).toEqual(await cold());
	});

	it('answers from the summary plus only the appended bytes, equal to a cold run', async () => {
		await (await open()).save();
		const original = path.join(project('-home-dev-api-server'), 'bbb-original.jsonl');
		const resumed = path.join(project('-home-dev-api-server'), 'aaa-resumed.jsonl');
		const fixtureLines = (await readFile(original, 'utf8')).trim().split('\n');
		// A later streaming copy of request A with more output (it must replace the stored winner),
		// an equal copy in a file whose path sorts first (it wins the tie), new requests, and a new file.
		const requestA = JSON.parse(fixtureLines[5]!) as {message: {usage: {output_tokens: number}}};
		requestA.message.usage.output_tokens = 9999;
		await appendFile(original, `${JSON.stringify(requestA)}\n${line('fresh-1', 50, '2026-01-06T09:30:00.000Z')}`);
		await appendFile(resumed, `${fixtureLines[12]}\n`);
		const fresh = path.join(project('-home-dev-new'), 'session.jsonl');
		await mkdir(path.dirname(fresh), {recursive: true});
		await writeFile(fresh, line('fresh-2', 70, '2026-01-06T10:00:00.000Z'));
		const usage = await open({isSummaryEnough: true});
		expect(usage.live).toBeUndefined();
		expect(totals(usage)).toEqual(await cold());
		expect(totals(usage).blocks.find(block => block[0] === '2026-01-06T09:00:00.000Z')?.[2]).toMatchObject({outputTokens: 9999 + 1309 + 1400 + 50 + 70});
	});

	it('prints report --json as a cold run does from the texts stored with the index, unchanged and after appends', async () => {
		const blockText = (block: Block) => blockJsonText(block, undefined, nowMs);
		await (await open({blockText})).save();
		const printed = (usage: UsageHandle, texts: ReadonlyMap<Block, Uint8Array> | undefined) => {
			const {blocks, counters, unknownModels} = usage.view();
			const pieces = reportJsonPretty({blocks, unknownModels, limit: undefined, sessionLengthMs: 5 * hourMs}, {...counters, unreadablePaths: usage.unreadablePaths(), cacheErrors: []}, {nowMs}, texts);
			return pieces.map(piece => (typeof piece === 'string' ? piece : Buffer.from(piece).toString('utf8'))).join('');
		};

		const coldText = async () => {
			const usage = await open({isCacheEnabled: false});
			const {blocks, counters, unknownModels} = usage.view();
			return JSON.stringify(buildReportJson({blocks, unknownModels, limit: undefined, sessionLengthMs: 5 * hourMs}, {...counters, unreadablePaths: usage.unreadablePaths(), cacheErrors: []}, {nowMs}), null, 2);
		};

		const unchanged = await open({isSummaryEnough: true, blockText});
		expect(unchanged.blockTexts?.().size).toBeGreaterThan(3);
		expect(printed(unchanged, unchanged.blockTexts?.())).toBe(await coldText());
		// A new request in the last block: that block is rebuilt, the earlier ones keep their objects and their text.
		const original = path.join(project('-home-dev-api-server'), 'bbb-original.jsonl');
		await appendFile(original, line('late', 10, '2026-07-31T02:00:00.000Z'));
		const appended = await open({isSummaryEnough: true, blockText});
		expect(appended.live).toBeUndefined();
		const kept = appended.blockTexts?.();
		const reused = appended.view().blocks.filter(block => kept?.has(block));
		expect(reused.length).toBeGreaterThan(3);
		expect(reused.length).toBeLessThan(appended.view().blocks.length);
		expect(printed(appended, kept)).toBe(await coldText());
		// A line before every block: all of them are rebuilt.
		await appendFile(original, line('ancient', 5, '2024-01-01T00:00:00.000Z'));
		const regrouped = await open({isSummaryEnough: true, blockText});
		expect(printed(regrouped, regrouped.blockTexts?.())).toBe(await coldText());
	});

	it('regroups everything when new lines land before every block', async () => {
		await (await open()).save();
		await appendFile(path.join(project('-home-dev-probe'), 'rate-limit.jsonl'), line('ancient', 5, '2024-01-01T00:00:00.000Z'));
		const usage = await open({isSummaryEnough: true});
		expect(totals(usage)).toEqual(await cold());
		expect(totals(usage).blocks[0]?.[0]).toBe('2024-01-01T00:00:00.000Z');
	});

	it('notices a corrupt key table on the append path, answers right and rewrites the index', async () => {
		await (await open()).save();
		const [name] = await readdir(cache);
		const indexFile = path.join(cache, name!);
		const bytes = await readFile(indexFile);
		bytes[bytes.length - 9] = bytes[bytes.length - 9]! ^ 0xff;
		await writeFile(indexFile, bytes);
		await appendFile(path.join(project('-home-dev-api-server'), 'bbb-original.jsonl'), line('after-corruption'));
		const usage = await open({isSummaryEnough: true});
		expect(usage.notes.join('\n')).toMatch(/ignored \(checksum mismatch\); rebuilding/);
		expect(totals(usage)).toEqual(await cold());
		await usage.save();
		expect((await open({isSummaryEnough: true})).notes).toEqual([]);
	});

	it('notices a corrupt entry of the file appended to, read on the append path, answers right and rewrites the index', async () => {
		await (await open()).save();
		const [name] = await readdir(cache);
		const indexFile = path.join(cache, name!);
		const file = path.join(project('-home-dev-api-server'), 'bbb-original.jsonl');
		const index = await loadIndex(indexFile);
		if (index === undefined || 'problem' in index) throw new Error('no index');
		const position = index.paths.indexOf(file);
		const bytes = await readFile(indexFile);
		const headerLength = bytes.readUInt32LE(12);
		const idsOffset = 40 + headerLength + bytes.subarray(40, 40 + headerLength).readUInt32LE(20);
		// One byte of that file's ids: only its own segment checksum covers it on this path.
		bytes[idsOffset + index.files[position]!.idsStart]! ^= 0x01;
		await writeFile(indexFile, bytes);
		await appendFile(file, line('after-corruption'));
		const usage = await open({isSummaryEnough: true});
		expect(usage.notes.join('\n')).toMatch(/ignored \(checksum mismatch in .*bbb-original\.jsonl's entries\); rebuilding/);
		expect(totals(usage)).toEqual(await cold());
		await usage.save();
		expect((await open({isSummaryEnough: true})).notes).toEqual([]);
	});

	it('does not reuse a summary made with other prices', async () => {
		await (await open()).save();
		const other = await openUsage({
			claudeDirs: [claudeDir],
			ledger: {lookup: createPriceLookup({models: []}), mode: 'calculate', sessionLengthMs: 5 * hourMs},
			fingerprint: 'free',
			isCacheEnabled: true,
			isSummaryEnough: true,
			clock: () => nowMs,
		});
		expect(other.live).toBeDefined();
		expect(other.view().unknownModels.length).toBeGreaterThan(0);
	});
});

describe('live: watcher, tailer and ledger together', () => {
	it.each([
		['without an index (full ledger)', false],
		['from a saved index (frozen: only changed files held)', true],
	])('picks up a new project folder, appends and deletions, matching a cold run after each, %s', async (_name, isFromIndex) => {
		if (isFromIndex) await (await open()).save();
		const usage = await open();
		const {source, usage: live} = usage.live!;
		expect(live.isFrozen).toBe(isFromIndex);
		const ledger = {
			sorted: {
				get length() {
					return live.view(nowMs).blocks.reduce((sum, block) => sum + block.entryCount, 0);
				},
			},
			files: {has: (file: string) => live.hasFile(file)},
		};
		const watcher = watchSource(source, usage.discovery, {claudeDirs: [claudeDir], isPolling: false, safetyPollMs: 60_000});
		try {
			await watcher.ready;
			const before = ledger.sorted.length;
			const fresh = path.join(project('-home-dev-brand-new'), 'session.jsonl');
			await mkdir(path.dirname(fresh), {recursive: true});
			await writeFile(fresh, line('fresh-1'));
			await waitFor(() => ledger.sorted.length === before + 1, 10_000, 'the new project file');
			expect(totals(usage)).toEqual(await cold());

			await appendFile(fresh, line('fresh-2'));
			await waitFor(() => ledger.sorted.length === before + 2, 10_000, 'the append');
			expect(totals(usage)).toEqual(await cold());

			// Two writes inside chokidar's 50 ms change throttle: the second must not wait for a later write.
			await appendFile(fresh, line('fresh-3'));
			await waitFor(() => ledger.sorted.length === before + 3, 10_000, 'the first of two quick writes');
			await appendFile(fresh, line('fresh-4'));
			await waitFor(() => ledger.sorted.length === before + 4, 2000, 'the second of two quick writes');

			await unlink(path.join(project('-home-dev-api-server'), 'bbb-original.jsonl'));
			await waitFor(() => !ledger.files.has(path.join(project('-home-dev-api-server'), 'bbb-original.jsonl')), 10_000, 'the deletion');
			expect(totals(usage)).toEqual(await cold());
		} finally {
			await watcher.close();
		}
	});
});

describe('live: the safety poll', () => {
	// Files and folders quiet for days are not watched (watch.ts): only the 2-minute safety poll sees them change.
	it('finds an append to a quiet file, a new file in a quiet session folder and a removal, matching a cold run after each', async () => {
		const past = new Date(Date.now() - 7 * 24 * 3_600_000);
		const age = async (dir: string) => {
			for (const entry of await readdir(dir, {withFileTypes: true})) if (entry.isDirectory()) await age(path.join(dir, entry.name));
			for (const entry of await readdir(dir)) await utimes(path.join(dir, entry), past, past);
			await utimes(dir, past, past);
		};

		await age(path.join(claudeDir, 'projects'));
		const usage = await open();
		const {source, usage: live} = usage.live!;
		const entries = () => live.view(nowMs).blocks.reduce((sum, block) => sum + block.entryCount, 0);
		const watcher = watchSource(source, usage.discovery, {claudeDirs: [claudeDir], isPolling: false, safetyPollMs: 250});
		try {
			await watcher.ready;
			const before = entries();
			const quietFile = path.join(project('-home-dev-web-app'), 'sonnet45-reserialized.jsonl');
			await appendFile(quietFile, line('quiet-append'));
			await waitFor(() => entries() === before + 1, 10_000, 'the append to a quiet file');
			expect(totals(usage)).toEqual(await cold());

			await writeFile(path.join(project('-home-dev-web-app'), 'opus46-1h-cache', 'subagents', 'agent-late.jsonl'), line('quiet-subagent'));
			await waitFor(() => entries() === before + 2, 10_000, 'the new file in a quiet session folder');
			expect(totals(usage)).toEqual(await cold());

			await unlink(path.join(project('-home-dev-api-server'), 'bbb-original.jsonl'));
			await waitFor(() => !live.hasFile(path.join(project('-home-dev-api-server'), 'bbb-original.jsonl')), 10_000, 'the removal');
			expect(totals(usage)).toEqual(await cold());
		} finally {
			await watcher.close();
		}
	});
});

describe('live: the safety poll keeps what the watcher found', () => {
	const past = new Date(Date.now() - 7 * 24 * 3_600_000);
	const age = async (dir: string) => {
		for (const entry of await readdir(dir, {withFileTypes: true})) if (entry.isDirectory()) await age(path.join(dir, entry.name));
		for (const entry of await readdir(dir)) await utimes(path.join(dir, entry), past, past);
		await utimes(dir, past, past);
	};

	// A project folder has no turn: a new session's file is on the poll's list from the first poll on.
	it('a new session in a project folder quiet for days stays counted poll after poll', async () => {
		await age(path.join(claudeDir, 'projects'));
		const usage = await open();
		const {source, usage: live} = usage.live!;
		const watcher = watchSource(source, usage.discovery, {claudeDirs: [claudeDir], isPolling: false, safetyPollMs: 100});
		try {
			await watcher.ready;
			const fresh = path.join(project('-home-dev-api-server'), 'ccc-new-session.jsonl');
			await writeFile(fresh, line('new-in-quiet-folder'));
			await waitFor(() => live.hasFile(fresh), 10_000, 'the new session');
			for (let poll = 0; poll < 10; poll++) {
				await new Promise(resolve => setTimeout(resolve, 100));
				expect(live.hasFile(fresh)).toBe(true);
			}

			expect(totals(usage)).toEqual(await cold());
		} finally {
			await watcher.close();
		}
	});

	// A live session whose subagents' folder dates from days ago: the watcher follows a new subagent at once,
	// while the poll looks in that folder only on the session's turn. Polls off the turn that find other news
	// (a new session each time here) must not forget the subagent.
	it("a new subagent in a live session's quiet folder stays counted on polls off its turn", async () => {
		await age(path.join(claudeDir, 'projects'));
		const session = path.join(project('-home-dev-web-app'), 'opus46-1h-cache');
		await appendFile(`${session}.jsonl`, line('live-session'));
		const usage = await open();
		const {source, usage: live} = usage.live!;
		const watcher = watchSource(source, usage.discovery, {claudeDirs: [claudeDir], isPolling: false, safetyPollMs: 100});
		try {
			await watcher.ready;
			const agent = path.join(session, 'subagents', 'agent-new.jsonl');
			await writeFile(agent, line('new-subagent'));
			await waitFor(() => live.hasFile(agent), 10_000, 'the new subagent');
			for (let poll = 0; poll < 12; poll++) {
				await writeFile(path.join(project('-home-dev-api-server'), `news-${poll}.jsonl`), line(`news-${poll}`));
				await new Promise(resolve => setTimeout(resolve, 100));
				expect(live.hasFile(agent)).toBe(true);
			}

			await waitFor(async () => JSON.stringify(totals(usage)) === JSON.stringify(await cold()), 10_000, 'a cold read');
		} finally {
			await watcher.close();
		}
	});
});

describe('live: a poll with turns', () => {
	it('stats a file quiet for days only on its turn, and every one over a round of turns', async () => {
		const usage = await open({isCacheEnabled: false});
		const {source, usage: live} = usage.live!;
		const entries = () => live.view(nowMs).blocks.reduce((sum, block) => sum + block.entryCount, 0);
		const before = entries();
		const files = ['aaa-resumed.jsonl', 'bbb-original.jsonl'].map(name => path.join(project('-home-dev-api-server'), name));
		for (const file of files) await appendFile(file, line(`turn-${path.basename(file)}`));
		// Every file counts as quiet (last changed before quietBeforeMs); 16 turns, so some turn is neither file's.
		const turn = (slice: number) => ({quietBeforeMs: Date.now() + 60_000, slices: 16, slice, roots: [path.join(claudeDir, 'projects')]});
		const idle = Array.from({length: 16}, (_, slice) => slice).find(slice => files.every(file => !isDueOn(turn(slice), 0, file)))!;
		await source.pollAll(undefined, {statFirst: true, turn: turn(idle)});
		expect(entries()).toBe(before);
		for (let slice = 0; slice < 16; slice++) await source.pollAll(undefined, {statFirst: true, turn: turn(slice)});
		expect(entries()).toBe(before + 2);
		expect(totals(usage)).toEqual(await cold());
	});
});

describe('index encoding', () => {
	it('round-trips a file without keyed entries (an empty key table)', async () => {
		const {encodeIndex, decodeIndexBytes} = await import('../../../source/ingest/index/usage-index.js');
		const {makeEntry} = await import('../../helpers/entries.js');
		const cursor = {dev: 1, ino: 2, size: 3, mtimeMs: 4, ctimeMs: 5, offset: 3, check: 6};
		for (const isWinner of [undefined, () => true]) {
			const bytes = encodeIndex([], [{path: '/a.jsonl', projectSlug: 'a', cursor, keyed: [], unkeyed: [makeEntry()], events: [], lines: 1, usageLines: 1, invalidLines: 0}], undefined, isWinner);
			const decoded = decodeIndexBytes(bytes);
			if ('error' in decoded) throw new Error(decoded.error);
			const files = await decoded.entries();
			if ('error' in files) throw new Error(files.error);
			expect(files[0]?.unkeyed[0]).toEqual(makeEntry());
		}
	});
});
