import {appendFile, mkdtemp, open, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {emptyCheck} from '../../../source/ingest/transcripts/file-cursor.js';
import {checkOf, endBytes, readEnds, readPast, wholeBytes, type ReadMark} from '../../../source/ingest/transcripts/read-check.js';
import {createReadCounters, LineClassifier} from '../../../source/ingest/transcripts/read-transcripts.js';

let temp: string;
beforeAll(async () => {
	temp = await mkdtemp(path.join(os.tmpdir(), 'cctop-check-'));
});
afterAll(async () => {
	await rm(temp, {recursive: true, force: true});
});

const classifier = () => new LineClassifier(() => undefined, createReadCounters(), 'slug', () => ({kind: 'other'}));

/** Read `file` on from `mark` as a tailer would. */
const readOn = async (file: string, mark: ReadMark): Promise<ReadMark | undefined> => {
	const handle = await open(file, 'r');
	try {
		return await readPast(handle, mark, (await handle.stat()).size, classifier());
	} finally {
		await handle.close();
	}
};

/** The mark a cold read of `[0, offset)` gives. */
const coldCheck = async (file: string, offset: number): Promise<number> => {
	const handle = await open(file, 'r');
	try {
		return checkOf((await readEnds(handle, offset))!);
	} finally {
		await handle.close();
	}
};

const lines = (count: number, width: number, seed: number) => Array.from({length: count}, (_, index) => `{"n":${seed + index},"pad":"${'x'.repeat(width)}"}\n`).join('');

describe('read-check', () => {
	it('gives nothing read the empty check', () => {
		expect(checkOf({head: new Uint8Array(0), tail: new Uint8Array(0)})).toBe(emptyCheck);
	});

	it('ends at the same mark and check however the appends were split (small and large files)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(fc.integer({min: 0, max: 40}), fc.integer({min: 0, max: 3000})), {minLength: 1, maxLength: 8}), fc.boolean(), async (writes, hasPartialLine) => {
				const file = path.join(temp, 'split.jsonl');
				await writeFile(file, '');
				let mark: ReadMark | undefined = {offset: 0, check: emptyCheck};
				let seed = 0;
				for (const [count, width] of writes) {
					await appendFile(file, lines(count, width, seed));
					seed += count;
					mark = await readOn(file, mark!);
					expect(mark).toBeDefined();
				}

				if (hasPartialLine) await appendFile(file, '{"half":');
				const final = (await readOn(file, mark!))!;
				expect(final.offset).toBe(mark!.offset);
				expect(final.check).toBe(await coldCheck(file, final.offset));
				// And a cold read from byte 0 lands on the same mark.
				expect(await readOn(file, {offset: 0, check: emptyCheck})).toEqual(final);
			}),
			{numRuns: 60},
		);
	});

	it('notices any changed byte before the offset of a file up to 64 KiB', async () => {
		const text = lines(200, 200, 0).slice(0, wholeBytes);
		const content = text.slice(0, text.lastIndexOf('\n') + 1);
		await fc.assert(
			fc.asyncProperty(fc.integer({min: 0, max: content.length - 2}), async at => {
				const file = path.join(temp, 'small.jsonl');
				await writeFile(file, content);
				const mark = (await readOn(file, {offset: 0, check: emptyCheck}))!;
				const bytes = Buffer.from(content);
				bytes[at] = bytes[at] === 0x79 ? 0x7a : 0x79;
				await writeFile(file, Buffer.concat([bytes, Buffer.from(lines(1, 10, 999))]));
				expect(await readOn(file, mark)).toBeUndefined();
			}),
			{numRuns: 40},
		);
	});

	it('notices a change in the first or last 4 KiB before the offset of a large file', async () => {
		const content = lines(400, 500, 0);
		expect(content.length).toBeGreaterThan(wholeBytes);
		const file = path.join(temp, 'large.jsonl');
		for (const at of [0, endBytes - 1, content.length - endBytes, content.length - 2]) {
			await writeFile(file, content);
			const mark = (await readOn(file, {offset: 0, check: emptyCheck}))!;
			const bytes = Buffer.from(content);
			bytes[at] = 0x21;
			await writeFile(file, bytes);
			expect(await readOn(file, mark), `byte ${at}`).toBeUndefined();
		}
	});

	it('says a file cut short of its offset is not the one read', async () => {
		const file = path.join(temp, 'short.jsonl');
		await writeFile(file, lines(3, 10, 0));
		const mark = (await readOn(file, {offset: 0, check: emptyCheck}))!;
		await writeFile(file, lines(1, 10, 0));
		expect(await readOn(file, mark)).toBeUndefined();
	});
});
