import {mkdtemp, rm, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {readOfficial, recordOfficial, type OfficialReading} from '../../../source/ingest/claude-code/official-limits.js';

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-official-'));
});
afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

const reading = (recordedAtMs: number, fiveHourUsed: number, sevenDay?: number): OfficialReading => ({
	recordedAtMs,
	fiveHour: {usedPercentage: fiveHourUsed, resetsAtMs: 1_764_000_000_000},
	sevenDay: sevenDay === undefined ? undefined : {usedPercentage: sevenDay, resetsAtMs: 1_764_500_000_000},
});

/** The file's inode: a rename puts a new one in place. */
const fileId = async () => (await stat(path.join(dir, 'rate-limits.json'))).ino;

describe('the official rate-limit reading', () => {
	it('keeps the newest reading, and never lets an older one replace it', () => {
		recordOfficial(reading(1000, 10), dir);
		recordOfficial(reading(3000, 30), dir);
		recordOfficial(reading(2000, 20), dir);
		expect(readOfficial(dir)).toEqual(reading(3000, 30));
	});

	it('writes nothing when the numbers are the same as recorded, and writes any change', async () => {
		recordOfficial(reading(1000, 10, 5), dir);
		const first = await fileId();
		recordOfficial(reading(2000, 10, 5), dir);
		expect(await fileId()).toBe(first);
		expect(readOfficial(dir)).toEqual(reading(1000, 10, 5));
		recordOfficial(reading(3000, 10), dir);
		expect(readOfficial(dir)).toEqual(reading(3000, 10));
		expect(await fileId()).not.toBe(first);
		recordOfficial(reading(4000, 11), dir);
		expect(readOfficial(dir)).toEqual(reading(4000, 11));
	});
});
