import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {compactResults} from '../../../source/core/usage/ledger.js';
import {ScanPool} from '../../../source/ingest/transcripts/scan-pool.js';
import {FileTailer, type TailUpdate} from '../../../source/ingest/transcripts/tail-file.js';
import {assistantLine} from '../../helpers/entries.js';

// Workers run compiled JavaScript: `npm test` builds dist/ first.
const workerUrl = pathToFileURL(path.resolve('dist/scan-worker.js'));

let temp: string;
beforeEach(async () => {
	temp = await mkdtemp(path.join(os.tmpdir(), 'cctop-pool-'));
});
afterEach(async () => {
	await rm(temp, {recursive: true, force: true});
});

/** A transcript of `requests` assistant lines with ids unique to `name`. */
const transcript = async (name: string, requests: number, textBytes = 0): Promise<string> => {
	const file = path.join(temp, `${name}.jsonl`);
	const lines = Array.from({length: requests}, (_, index) => {
		const line = assistantLine({requestId: `req_${name}_${index}`});
		const text = textBytes > 0 ? {content: [{type: 'text', text: `${name} ${index} `.padEnd(textBytes, 'x')}]} : {};
		return JSON.stringify({...line, message: {...(line['message'] as object), id: `msg_${name}_${index}`, ...text}});
	});
	await writeFile(file, `${lines.join('\n')}\n`);
	return file;
};

describe('ScanPool', () => {
	it('reads small files several to a job and gives each file its own result, failures included', async () => {
		const files = await Promise.all(Array.from({length: 12}, async (_, index) => transcript(`small-${index}`, index + 1)));
		// Gone before it was read (nothing to report), and unreadable (a folder).
		const missing = path.join(temp, 'gone.jsonl');
		const unreadable = path.join(temp, 'folder.jsonl');
		await mkdir(unreadable);
		const pool = new ScanPool(2, workerUrl);
		try {
			const asked = [...files.slice(0, 4), missing, ...files.slice(4, 8), unreadable, ...files.slice(8)];
			const results = await Promise.all(asked.map(async file => pool.scan(file, 'p', 1000)));
			for (const [position, result] of results.entries()) {
				if (asked[position] === missing) {
					expect(result).toEqual({updates: []});
					continue;
				}

				if (asked[position] === unreadable) {
					expect(result).toEqual({updates: [expect.objectContaining({kind: 'error', path: unreadable})]});
					continue;
				}

				if (!('file' in result)) throw new Error(`no usage for ${asked[position]}`);
				expect(result.file.path).toBe(asked[position]);
				// Request n of small-k: file k holds k + 1 requests, each its own.
				expect(result.file.keyed.map(entry => entry.requestId)).toEqual(Array.from({length: Number(/small-(\d+)/.exec(asked[position]!)![1]) + 1}, (_, index) => expect.stringContaining(`_${index}`)));
			}

			expect(pool.jobsSent).toBeLessThan(asked.length);
		} finally {
			await pool.close();
		}
	});

	// A worker reads every file into one buffer: a file read after a bigger one
	// must not see the bigger one's bytes, and each cursor's fingerprint (taken
	// from the last read's bytes) must be the one a read on the main thread takes.
	it('reads files of every size, in any order, as the main thread does: same entries, same cursor', async () => {
		const files = [
			await transcript('multi-read', 110, 50_000), // ~5.5 MB: more than one 4 MiB read
			await transcript('one', 1),
			await transcript('over-64k', 40, 3000), // fingerprinted by its ends
			await transcript('under-64k', 5, 2000), // fingerprinted whole
			await transcript('again-big', 90, 50_000),
			await transcript('last', 2),
		];
		const onMainThread = async (file: string) => {
			const updates: TailUpdate[] = [];
			await new FileTailer(file, 'p', undefined, update => updates.push(update)).poll();
			const [update] = updates;
			if (update?.kind !== 'lines') throw new Error(`no lines from ${file}`);
			return {cursor: update.cursor, keyed: compactResults(update.results).keyed};
		};

		const pool = new ScanPool(1, workerUrl);
		try {
			const results = await Promise.all(files.map(async file => pool.scan(file, 'p', 1000)));
			for (const [position, result] of results.entries()) {
				if (!('file' in result)) throw new Error(`no usage for ${files[position]}`);
				const expected = await onMainThread(files[position]!);
				expect(result.file.cursor).toEqual(expected.cursor);
				expect(result.file.keyed.map(entry => [entry.requestId, entry.tokens])).toEqual(expected.keyed.map(entry => [entry.requestId, entry.tokens]));
			}
		} finally {
			await pool.close();
		}
	});

	it('sends a file bigger than a job on its own', async () => {
		const [big, small] = [await transcript('big', 3), await transcript('small', 2)];
		const pool = new ScanPool(2, workerUrl);
		try {
			await Promise.all([pool.scan(big, 'p', 3 * 1024 * 1024), pool.scan(small, 'p', 1000)]);
			expect(pool.jobsSent).toBe(2);
		} finally {
			await pool.close();
		}
	});
});
