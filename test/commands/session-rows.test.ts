import {appendFile, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {sessionRows} from '../../source/commands/session.js';
import {hourMs} from '../../source/core/usage/blocks.js';
import {createPriceLookup, defaultPricing} from '../../source/core/usage/pricing.js';
import {openUsage} from '../../source/ingest/index/open-usage.js';
import {assistantLine} from '../helpers/entries.js';

let root: string;
let run = 0;
beforeAll(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'cctop-rows-'));
});
afterAll(async () => {
	await rm(root, {recursive: true, force: true});
});

const nowMs = Date.parse('2026-11-26T12:00:00Z');
const sessions = ['aaaa0000-0000-4000-8000-000000000001', 'bbbb0000-0000-4000-8000-000000000002', 'cccc0000-0000-4000-8000-000000000003', 'dddd0000-0000-4000-8000-000000000004'];
type Line = {session: number; request: number; output: number; minutesAgo: number};
const text = ({session, request, output, minutesAgo}: Line): string =>
	`${JSON.stringify(
		assistantLine(
			{sessionId: sessions[session], timestamp: new Date(nowMs - minutesAgo * 60_000).toISOString(), requestId: `req_${request}`},
			{output_tokens: output},
		),
	).replace('"msg_013YZ68naDuds27CD9ZGNVDE"', `"msg_${request}"`)}\n`;

const open = async (dir: string, isCacheEnabled: boolean) => {
	process.env['CCTOP_CACHE_DIR'] = path.join(dir, 'cache');
	return openUsage({
		claudeDirs: [dir],
		ledger: {lookup: createPriceLookup(defaultPricing), mode: 'auto', sessionLengthMs: 5 * hourMs},
		fingerprint: 'test',
		isCacheEnabled,
		isSummaryEnough: false,
		clock: () => nowMs,
	});
};

// Sessions 0–2 exist when the index (and its rows) is written; 3 appears later. A
// line of one session may repeat another's request (a resumed session's copy),
// larger or smaller, earlier or later: which session a request counts for moves.
const lineArb = (maxSession: number) =>
	fc.record({session: fc.integer({min: 0, max: maxSession}), request: fc.integer({min: 0, max: 12}), output: fc.integer({min: 1, max: 5000}), minutesAgo: fc.integer({min: 1, max: 3000})});

describe('session --list rows saved with the index', () => {
	it('equal the rows of a cold read after any appends, recomputing only the sessions they touch (property)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(lineArb(2), {minLength: 1, maxLength: 20}), fc.array(fc.array(lineArb(3), {minLength: 1, maxLength: 5}), {minLength: 1, maxLength: 3}), async (before, batches) => {
				const dir = path.join(root, `h${run++}`);
				const file = (session: number) => path.join(dir, 'projects', session % 2 === 0 ? '-home-dev-shop' : '-home-dev-blog', `${sessions[session]}.jsonl`);
				for (const session of [0, 1, 2]) {
					await mkdir(path.dirname(file(session)), {recursive: true});
					await writeFile(file(session), before.filter(line => line.session === session).map(line => text(line)).join(''));
				}

				await (await open(dir, true)).save();
				for (const batch of batches) {
					for (const line of batch) await appendFile(file(line.session), text(line));
					const cached = await open(dir, true);
					// Frozen on the index, with its saved rows: the fast way is the one under test.
					expect(cached.savedSessionRows?.()).toBeDefined();
					expect(sessionRows(cached)).toEqual(sessionRows(await open(dir, false)));
				}
			}),
			{numRuns: 60},
		);
	});
});
