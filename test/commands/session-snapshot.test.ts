import {appendFile, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {captureOutput} from '../../source/commands/write-out.js';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ledgerSettings} from '../../source/commands/ledger-settings.js';
import {runSession, snapshotSessionRows} from '../../source/commands/session.js';
import {statusFor} from '../../source/commands/status.js';
import {parseOptions} from '../../source/options.js';
import {assistantLine} from '../helpers/entries.js';

// `session --list` from the status snapshot's rows part plus the appended
// bytes, against a cold read: after appends, streamed and larger copies, a
// resumed session's copies, new sessions, and status lines in between.
let root: string;
let run = 0;
beforeAll(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'cctop-session-snapshot-'));
});
afterAll(async () => {
	await rm(root, {recursive: true, force: true});
});

const nowMs = Date.parse('2026-11-26T12:00:00Z');
const sessions = ['aaaa0000-0000-4000-8000-000000000001', 'bbbb0000-0000-4000-8000-000000000002', 'cccc0000-0000-4000-8000-000000000003', 'dddd0000-0000-4000-8000-000000000004'];
type Line = {session: number; request: number; output: number; minutesAgo: number; model: number};
const models = ['claude-opus-4-5-20251101', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001'];
const text = ({session, request, output, minutesAgo, model}: Line): string =>
	`${JSON.stringify(
		assistantLine(
			{sessionId: sessions[session], timestamp: new Date(nowMs - minutesAgo * 60_000).toISOString(), requestId: `req_${request}`},
			{output_tokens: output},
		),
	)
		.replace('"msg_013YZ68naDuds27CD9ZGNVDE"', `"msg_${request}"`)
		.replace(/"model":"[^"]*"/, `"model":"${models[model]}"`)
		.replace(/"cwd":"[^"]*"/, `"cwd":"/home/dev/${session % 2 === 0 ? 'shop' : 'blog'}"`)}\n`;

/** Captures what a command writes to stdout. */
const captured = async (action: () => Promise<unknown>): Promise<string> => {
	let out = '';
	captureOutput(text => {
		out += text;
	});
	try {
		await action();
	} finally {
		captureOutput(undefined);
	}

	return out;
};

type Shown = {limit?: number; project?: string};

const history = (dir: string) => {
	const options = (cache: boolean, {limit = 0, project}: Shown = {}) => {
		process.env['CCTOP_CACHE_DIR'] = path.join(dir, 'cache');
		process.env['CCTOP_DATA_DIR'] = path.join(dir, 'data');
		return parseOptions({claudeDir: [dir], now: new Date(nowMs).toISOString(), quiet: true, cache, list: true, json: true, limit, ...(project === undefined ? {} : {project})});
	};

	const file = (session: number) => path.join(dir, 'projects', session % 2 === 0 ? '-home-dev-shop' : '-home-dev-blog', `${sessions[session]}.jsonl`);
	return {
		file,
		/** Sessions 0 to `count` − 1 as empty transcripts. */
		start: async (count: number) => {
			for (let session = 0; session < count; session++) {
				await mkdir(path.dirname(file(session)), {recursive: true});
				await writeFile(file(session), '');
			}
		},
		list: async (cache: boolean, shown?: Shown) => captured(async () => runSession(options(cache, shown), undefined)),
		fast: async (shown?: Shown) => {
			const rows = await snapshotSessionRows(options(true, shown), await ledgerSettings(options(true, shown)));
			return rows === undefined ? undefined : JSON.stringify(rows);
		},
		cold: async (shown?: Shown) => captured(async () => runSession(options(false, shown), undefined)),
		status: async () => statusFor(options(true), {needsPeriods: false, isSweep: false}),
		append: async (lines: readonly Line[]) => {
			for (const line of lines) {
				await mkdir(path.dirname(file(line.session)), {recursive: true});
				await appendFile(file(line.session), text(line));
			}
		},
	};
};

/** Requests 0–14 are shared (copies: streamed, larger, or a resumed session's); `isNew` draws mostly fresh ids, as a live session does. */
const lineArb = (maxSession: number, maxMinutesAgo: number, isNew = false) =>
	fc.record({
		session: fc.integer({min: 0, max: maxSession}),
		request: isNew ? fc.oneof({weight: 3, arbitrary: fc.integer({min: 100, max: 1_000_000})}, {weight: 1, arbitrary: fc.integer({min: 0, max: 14})}) : fc.integer({min: 0, max: 14}),
		output: fc.integer({min: 1, max: 5000}),
		minutesAgo: fc.integer({min: isNew ? 1 : 60, max: maxMinutesAgo}),
		model: fc.integer({min: 0, max: 2}),
	});

/** The snapshot's rows as `session --list --json` prints them: of `project` when given, and `limit` of them (0: all). */
const asPrinted = async (fast: string, {limit = 0, project}: {limit?: number; project?: string | undefined} = {}): Promise<string> => {
	const {sessionSummaryJson} = await import('../../source/core/screens/session-detail.js');
	const rows = (JSON.parse(fast) as Array<Parameters<typeof sessionSummaryJson>[0]>).filter(row => project === undefined || row.project === project);
	return JSON.stringify((limit === 0 ? rows : rows.slice(0, limit)).map(row => sessionSummaryJson(row)));
};

/** A history's lines before the list writes the snapshot's rows part. */
const earlierLines = fc.array(lineArb(2, 3000), {minLength: 1, maxLength: 16});

describe('session --list from the status snapshot', () => {
	it('gives a cold read\'s rows after any appends, status lines between or not (property)', async () => {
		let fastAnswers = 0;
		let calls = 0;
		await fc.assert(
			fc.asyncProperty(
				earlierLines,
				// Mostly new requests just now (a live session), some copies, some lines older than the snapshot's window.
				fc.array(fc.record({lines: fc.array(fc.oneof({weight: 6, arbitrary: lineArb(3, 10, true)}, {weight: 1, arbitrary: lineArb(3, 3000)}), {minLength: 1, maxLength: 4}), withStatus: fc.boolean()}), {minLength: 1, maxLength: 4}),
				async (before, batches) => {
					const h = history(path.join(root, `h${run++}`));
					await h.start(3);

					await h.append(before);
					// The index path writes the snapshot with its rows part.
					expect(await h.list(true)).toBe(await h.cold());
					for (const {lines, withStatus} of batches) {
						await h.append(lines);
						if (withStatus) await h.status();
						const cold = JSON.stringify((JSON.parse(await h.cold()) as {sessions: unknown[]}).sessions);
						const fast = await h.fast();
						calls++;
						if (fast !== undefined) {
							fastAnswers++;
							expect(await asPrinted(fast)).toBe(cold);
						}

						// Whichever path answers, the command prints a cold read's rows.
						expect(await h.list(true)).toBe(await h.cold());
					}
				},
			),
			{numRuns: 40},
		);
		// Copies of old requests and lines older than the window go to the index; the rest do not.
		expect(fastAnswers).toBeGreaterThan(0);
		expect(fastAnswers).toBeLessThan(calls);
	});

	// The list parses the part's final rows only as far as it shows them (sessions-part.ts): the newest
	// `--limit` rows, of one project or of all, must be a cold read's.
	it("gives a cold read's newest rows for any --limit and --project (property)", async () => {
		let fastAnswers = 0;
		let filtered = 0;
		await fc.assert(
			fc.asyncProperty(
				earlierLines,
				// Mostly a new session's requests just now, which the snapshot answers (the test above covers what sends the list to the index).
				fc.array(fc.oneof({weight: 3, arbitrary: lineArb(3, 10, true).map(line => ({...line, session: 3}))}, {weight: 1, arbitrary: lineArb(3, 10, true)}), {minLength: 1, maxLength: 4}),
				fc.integer({min: 0, max: 4}),
				fc.constantFrom(undefined, 0, 1),
				async (before, after, limit, projectIndex) => {
					const h = history(path.join(root, `h${run++}`));
					await h.start(4);

					await h.append(before);
					await h.list(true);
					await h.append(after);
					// One of the projects the list holds (or all of them).
					const projects = [...new Set((JSON.parse(await h.cold()) as {sessions: Array<{project: string}>}).sessions.map(row => row.project))].sort();
					const project = projectIndex === undefined ? undefined : projects[projectIndex % projects.length];
					const shown = {limit, ...(project === undefined ? {} : {project})};
					// The rows the snapshot gives, shown as the command shows them, are a cold read's.
					const cold = JSON.stringify((JSON.parse(await h.cold(shown)) as {sessions: unknown[]}).sessions);
					const fast = await h.fast(shown);
					if (fast !== undefined) {
						fastAnswers++;
						expect(await asPrinted(fast, {limit, project})).toBe(cold);
					}

					expect(await h.list(true, shown)).toBe(await h.cold(shown));
					if (project !== undefined) filtered++;
				},
			),
			{numRuns: 40},
		);
		expect([fastAnswers > 0, filtered > 0]).toEqual([true, true]);
	});

	it('answers a live session\'s new requests, a new session\'s and a streamed copy\'s without the index', async () => {
		const h = history(path.join(root, `h${run++}`));
		await h.append([
			{session: 0, request: 1, output: 10, minutesAgo: 2000, model: 0},
			{session: 1, request: 2, output: 20, minutesAgo: 900, model: 1},
			{session: 0, request: 3, output: 30, minutesAgo: 120, model: 0},
			{session: 2, request: 4, output: 40, minutesAgo: 100, model: 2},
		]);
		expect(await h.list(true)).toBe(await h.cold());
		const rounds: Line[][] = [
			[{session: 0, request: 10, output: 5, minutesAgo: 30, model: 1}],
			// A streamed request: its second line is larger and counts instead.
			[{session: 0, request: 11, output: 5, minutesAgo: 20, model: 0}, {session: 0, request: 11, output: 900, minutesAgo: 19, model: 0}],
			[{session: 3, request: 12, output: 7, minutesAgo: 10, model: 2}],
			[{session: 2, request: 13, output: 8, minutesAgo: 5, model: 1}, {session: 0, request: 14, output: 9, minutesAgo: 4, model: 2}],
		];
		for (const [index, lines] of rounds.entries()) {
			await h.append(lines);
			if (index % 2 === 1) await h.status();
			const fast = await h.fast();
			expect(fast).toBeDefined();
			expect(await h.list(true)).toBe(await h.cold());
		}

		// A copy in another session moves which session a request counts for: the index answers, and is right.
		await h.append([{session: 1, request: 14, output: 9, minutesAgo: 4, model: 2}]);
		expect(await h.fast()).toBeUndefined();
		expect(await h.list(true)).toBe(await h.cold());
		// Now sessions 0 and 1 share a request with one timestamp: a new line of either can move it (the
		// tie goes to the session last seen first), so the snapshot leaves their lines to the index.
		await h.append([{session: 0, request: 15, output: 3, minutesAgo: 1, model: 0}]);
		expect(await h.fast()).toBeUndefined();
		expect(await h.list(true)).toBe(await h.cold());
		// Other sessions' new requests are still the snapshot's.
		await h.append([{session: 2, request: 16, output: 3, minutesAgo: 1, model: 0}]);
		expect(await h.fast()).toBeDefined();
		expect(await h.list(true)).toBe(await h.cold());
	});

	it('gives a cold read after a copy in another session and then a line of the first (a case the property test found)', async () => {
		const h = history(path.join(root, `h${run++}`));
		await h.append([{session: 1, request: 10, output: 1, minutesAgo: 60, model: 0}]);
		expect(await h.list(true)).toBe(await h.cold());
		for (const line of [{session: 0, request: 10, output: 1, minutesAgo: 60, model: 0}, {session: 1, request: 0, output: 1, minutesAgo: 1, model: 0}, {session: 0, request: 100, output: 1, minutesAgo: 1, model: 0}]) {
			await h.append([line]);
			const fast = await h.fast();
			const cold = JSON.stringify((JSON.parse(await h.cold()) as {sessions: unknown[]}).sessions);
			if (fast !== undefined) {
				const {sessionSummaryJson} = await import('../../source/core/screens/session-detail.js');
				expect(JSON.stringify((JSON.parse(fast) as Array<Parameters<typeof sessionSummaryJson>[0]>).map(row => sessionSummaryJson(row)))).toBe(cold);
			}

			expect(await h.list(true)).toBe(await h.cold());
		}
	});

});
