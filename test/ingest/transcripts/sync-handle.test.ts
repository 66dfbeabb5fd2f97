import {chmod, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {openSyncHandle} from '../../../source/ingest/transcripts/sync-handle.js';
import {FileTailer, type TailUpdate} from '../../../source/ingest/transcripts/tail-file.js';
import {assistantLine} from '../../helpers/entries.js';

let temp: string;
beforeEach(async () => {
	temp = await mkdtemp(path.join(os.tmpdir(), 'cctop-sync-'));
});
afterEach(async () => {
	await rm(temp, {recursive: true, force: true});
});

/** Every update of one cold read, through fs/promises or through the synchronous handle of the scan workers. */
const coldRead = async (file: string, isSync: boolean): Promise<TailUpdate[]> => {
	const updates: TailUpdate[] = [];
	await new FileTailer(file, 'slug', undefined, update => updates.push(update), isSync ? openSyncHandle : undefined).poll();
	return updates;
};

describe('the scan workers\' synchronous file handle', () => {
	it('reads what fs/promises reads: lines, a half-written last line, the cursor and its check', async () => {
		const file = path.join(temp, 'a.jsonl');
		const line = `${JSON.stringify(assistantLine({}, {output_tokens: 42}))}\n`;
		// More than one 4 MiB chunk, and a last line still being written.
		await writeFile(file, `${line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))}not json\n${line.slice(0, 100)}`);
		const viaSync = await coldRead(file, true);
		expect(viaSync).toEqual(await coldRead(file, false));
		expect(viaSync[0]?.kind).toBe('lines');
	});

	it('fails the way fs/promises does: a missing file, and one that cannot be read', async () => {
		expect(await coldRead(path.join(temp, 'gone.jsonl'), true)).toEqual(await coldRead(path.join(temp, 'gone.jsonl'), false));
		const file = path.join(temp, 'locked.jsonl');
		await writeFile(file, '{}\n');
		await chmod(file, 0o000);
		// Root reads it anyway; either way both handles agree.
		expect(await coldRead(file, true)).toEqual(await coldRead(file, false));
		await expect(openSyncHandle(path.join(temp, 'gone.jsonl'))).rejects.toMatchObject({code: 'ENOENT'});
	});
});
