import {chmod, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {chunkBytes, loadLineParser} from '../../../source/ingest/transcripts/read-transcripts.js';
import {readWholeFile} from '../../../source/ingest/transcripts/read-whole-file.js';
import {openSyncHandle} from '../../../source/ingest/transcripts/sync-handle.js';
import {FileTailer, type TailUpdate} from '../../../source/ingest/transcripts/tail-file.js';
import {assistantLine} from '../../helpers/entries.js';

let temp: string;
beforeEach(async () => {
	temp = await mkdtemp(path.join(os.tmpdir(), 'cctop-whole-'));
});
afterEach(async () => {
	await rm(temp, {recursive: true, force: true});
});

const parse = await loadLineParser();

/** Every update of a FileTailer's first read (fs/promises): what a scan worker's read must give. */
const tailerRead = async (file: string): Promise<TailUpdate[]> => {
	const updates: TailUpdate[] = [];
	await new FileTailer(file, 'slug', undefined, update => updates.push(update)).poll();
	return updates;
};

/** A reused read buffer, as in a worker, with bytes of an earlier file in it. */
const scratch = Buffer.alloc(chunkBytes, 0x7b);

describe('readWholeFile, a scan worker\'s synchronous read', () => {
	it('reads what a tailer reads: lines over more than one chunk, a bad line, a half-written last line, the cursor and its check', async () => {
		const file = path.join(temp, 'a.jsonl');
		const line = `${JSON.stringify(assistantLine({}, {output_tokens: 42}))}\n`;
		await writeFile(file, `${line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))}not json\n${line.slice(0, 100)}`);
		const whole = readWholeFile(file, 'slug', parse, scratch);
		expect(whole).toEqual(await tailerRead(file));
		expect(whole[0]?.kind).toBe('lines');
	});

	it('reads what a tailer reads for any file: lines of any length, blank ones, none, no last newline (property)', async () => {
		const piece = fc.oneof(
			fc.constant(JSON.stringify(assistantLine({}, {output_tokens: 7}))),
			fc.constant(JSON.stringify(assistantLine({requestId: 'r2'}, {output_tokens: 9}))),
			fc.constant(''),
			fc.constant('   '),
			fc.constant('{"broken": '),
			fc.string({maxLength: 40}),
			// Long enough that a few of them cross the 64 KiB fingerprint line.
			fc.nat(30_000).map(length => JSON.stringify({type: 'user', text: 'x'.repeat(length)})),
		);
		let round = 0;
		await fc.assert(
			fc.asyncProperty(fc.array(piece, {maxLength: 12}), fc.boolean(), async (lines, hasLastNewline) => {
				const file = path.join(temp, `p${round++}.jsonl`);
				await writeFile(file, lines.join('\n') + (hasLastNewline ? '\n' : ''));
				expect(readWholeFile(file, 'slug', parse, scratch)).toEqual(await tailerRead(file));
			}),
			{numRuns: 60},
		);
	});

	it('fails as a tailer does: a missing file, a folder, and one that cannot be read', async () => {
		const gone = path.join(temp, 'gone.jsonl');
		expect(readWholeFile(gone, 'slug', parse, scratch)).toEqual([]);
		expect(await tailerRead(gone)).toEqual([]);
		const folder = path.join(temp, 'folder.jsonl');
		await mkdir(folder);
		expect(readWholeFile(folder, 'slug', parse, scratch)).toEqual([{kind: 'error', path: folder, reason: 'EISDIR'}]);
		expect(await tailerRead(folder)).toEqual([{kind: 'error', path: folder, reason: 'EISDIR'}]);
		const file = path.join(temp, 'locked.jsonl');
		await writeFile(file, '{}\n');
		await chmod(file, 0o000);
		// Root reads it anyway; either way the two agree.
		expect(readWholeFile(file, 'slug', parse, scratch)).toEqual(await tailerRead(file));
		await expect(openSyncHandle(gone)).rejects.toMatchObject({code: 'ENOENT'});
	});
});
