import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import fc from 'fast-check';
import {mkdtemp, readFile, rm, truncate, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {OtelRecord} from '../../../source/core/otel/console-records.js';
import {appendToSpool, spoolText, streamSpool} from '../../../source/ingest/otel/otel-spool.js';
import {chainHead, chainLines, chainParts, genesis, linkHash, verifyChain} from '../../../source/ingest/otel/spool-chain.js';

let dir: string;
let file: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-chain-'));
	file = path.join(dir, 'otel-spool.ndjson');
});
afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

const event = (index: number): OtelRecord => ({kind: 'log', name: 'claude_code.tool_decision', timestampMs: 1_764_000_000_000 + index, attributes: {'session.id': 's', tool_name: 'Bash', decision: index % 3 === 0 ? 'reject' : 'accept', n: String(index)}});

/** A spool of `count` records written in batches of 1–3, as a receiver writes them. */
const spool = async (count: number) => {
	for (let index = 0; index < count; ) {
		const batch = Array.from({length: Math.min(1 + (index % 3), count - index)}, (_, offset) => ({record: event(index + offset), isIncomplete: false}));
		await appendToSpool(batch, {file, receivedAtMs: 1_764_000_000_000 + index});
		index += batch.length;
	}
};

const lines = async () => (await readFile(file, 'utf8')).split('\n').slice(0, -1);
const rewrite = async (next: string[]) => writeFile(file, `${next.join('\n')}\n`);

describe('the spool\'s hash chain', () => {
	it('verifies an untouched spool, and readers see the same records as before', async () => {
		await spool(20);
		const report = verifyChain(file);
		expect(report).toMatchObject({lines: 20, chained: 20, legacy: 0, torn: []});
		expect(report.break).toBeUndefined();
		const read: OtelRecord[] = [];
		streamSpool({file}, ({record}) => read.push(record));
		expect(read).toEqual(Array.from({length: 20}, (_, index) => event(index)));
	});

	it('keeps one chain when appends race, in one process', async () => {
		await Promise.all(Array.from({length: 30}, async (_, index) => appendToSpool([{record: event(index), isIncomplete: false}], {file})));
		expect(verifyChain(file)).toMatchObject({chained: 30});
		expect(verifyChain(file).break).toBeUndefined();
	});

	it('names an edited byte in a middle record', async () => {
		await spool(20);
		const all = await lines();
		all[9] = all[9]!.replace('"n":"9"', '"n":"8"');
		await rewrite(all);
		expect(verifyChain(file).break).toMatchObject({line: 10, kind: 'edited'});
	});

	it('names a removed record', async () => {
		await spool(20);
		const all = await lines();
		all.splice(9, 1);
		await rewrite(all);
		expect(verifyChain(file).break).toMatchObject({line: 10, kind: 'removed'});
	});

	it('names two swapped records', async () => {
		await spool(20);
		const all = await lines();
		[all[9], all[10]] = [all[10]!, all[9]!];
		await rewrite(all);
		expect(verifyChain(file).break).toMatchObject({line: 10, kind: 'reordered', detail: 'lines 10 and 11 are in the wrong order'});
	});

	it('names an inserted record, even one with a valid hash of its own', async () => {
		await spool(20);
		const all = await lines();
		const forged = chainLines([JSON.stringify({v: 1, t: 1_764_000_000_009, record: event(99)})], chainParts(all[8]!)!.hash.replace(/^./, c => (c === 'a' ? 'b' : 'a'))).text.trimEnd();
		all.splice(9, 0, forged);
		await rewrite(all);
		expect(verifyChain(file).break).toMatchObject({line: 10, kind: 'inserted'});
		const copy = await lines();
		copy.splice(9, 1);
		copy.splice(12, 0, copy[4]!);
		await rewrite(copy);
		expect(verifyChain(file).break).toMatchObject({line: 13, kind: 'inserted'});
	});

	it('names a truncated tail', async () => {
		await spool(20);
		const bytes = (await readFile(file)).length;
		await truncate(file, bytes - 40);
		expect(verifyChain(file).break).toMatchObject({line: 20, kind: 'truncated'});
	});

	it('goes on around a torn write that a later append started a fresh line after', async () => {
		await spool(5);
		await writeFile(file, `${await readFile(file, 'utf8')}{"v":1,"t":17640000`);
		await spool(3);
		const report = verifyChain(file);
		expect(report.break).toBeUndefined();
		expect(report.torn).toEqual([6]);
		expect(report.chained).toBe(8);
	});

	it('upgrades a spool from before the chain in place: its old lines are covered by the first link', async () => {
		await writeFile(file, spoolText([0, 1, 2].map(index => ({record: event(index), isIncomplete: false})), 1_764_000_000_000));
		await spool(4);
		expect(verifyChain(file)).toMatchObject({lines: 7, legacy: 3, chained: 4});
		expect(verifyChain(file).break).toBeUndefined();
		const all = await lines();
		all[1] = all[1]!.replace('"n":"1"', '"n":"7"');
		await rewrite(all);
		expect(verifyChain(file).break).toMatchObject({kind: 'edited', detail: expect.stringContaining('the 3 lines before the chain were changed')});
	});

	it('cctop audit verify: exit 0 and the head when intact, exit 1 naming the file, line and kind on a break', async () => {
		await spool(6);
		const verify = async () =>
			new Promise<{code: number; stdout: string}>(resolve => {
				execFile(process.execPath, [path.resolve('dist/cli.js'), 'audit', 'verify'], {env: {...process.env, CCTOP_DATA_DIR: dir}}, (error, stdout) => resolve({code: error === null ? 0 : Number(error.code), stdout}));
			});
		const intact = await verify();
		expect(intact.code).toBe(0);
		expect(intact.stdout).toMatch(new RegExp(`^✓ spool ${file.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 6 lines, 6 chained; head [\\da-f]{32}\\n$`));
		const all = await lines();
		all.splice(2, 1);
		await rewrite(all);
		const broken = await verify();
		expect(broken.code).toBe(1);
		expect(broken.stdout).toMatch(/^✗ spool .+: line 3 removed: a record is missing before line 3/);
	});

	// Appends hash in JavaScript (@noble/hashes: no node:crypto to load in a hook), verify by node:crypto: one chain either way.
	it('links by the same SHA-256 as node:crypto, for any text (old chains verify, new ones too)', () => {
		const text = fc.oneof(fc.string({unit: 'grapheme'}), fc.string({unit: 'binary'}), fc.string({unit: 'binary', minLength: 60, maxLength: 300}));
		fc.assert(
			fc.property(text, text, (previous, body) => {
				expect(linkHash(previous, body)).toBe(createHash('sha256').update(previous).update('\n').update(body).digest('hex').slice(0, 32));
			}),
			{numRuns: 2000},
		);
	});

	it('verifies what is appended with non-ASCII text, and finds an edit in it', async () => {
		const {text} = chainLines(['{"a":"é ✓ 🎉"}', '{"b":"\\ud800 lone"}', '{"c":3}'], '0'.repeat(32));
		await writeFile(file, text);
		expect(verifyChain(file)).toMatchObject({lines: 3, chained: 3});
		expect(verifyChain(file).break).toBeUndefined();
		await writeFile(file, text.replace('"c":3', '"c":4'));
		expect(verifyChain(file).break).toMatchObject({line: 3, kind: 'edited'});
	});

	// chainHead looks at the last 8 KiB first, then 256 KiB: the head is still the last whole chained line's, whatever the line lengths.
	it('finds the last whole chained line\'s hash, for lines short and long, a torn tail, and lines from before the chain', async () => {
		/** The whole file read: the `h` of its last chained line before the last newline; else the hash of every byte. */
		const oracle = (text: string): string => {
			const all = text.split('\n');
			for (let index = all.length - 2; index >= 0; index--) {
				const parts = chainParts(all[index]!);
				if (parts !== undefined) return parts.hash;
			}

			return text === '' ? genesis : createHash('sha256').update(text).digest('hex').slice(0, 32);
		};

		const body = fc.tuple(fc.nat(20_000), fc.string({unit: 'grapheme-ascii', maxLength: 5})).map(([length, tail]) => JSON.stringify({x: 'y'.repeat(length) + tail}));
		const torn = fc.string({minLength: 1, maxLength: 9000}).map(text => `{"torn":"${text.replaceAll(/["\\\n]/g, '')}`);
		await fc.assert(
			fc.asyncProperty(fc.array(body, {maxLength: 40}), fc.array(body, {maxLength: 3}), fc.option(torn), async (bodies, legacy, tail) => {
				const text = legacy.map(line => `${line}\n`).join('') + chainLines(bodies, genesis).text + (tail ?? '');
				await writeFile(file, text);
				expect(chainHead(file)).toBe(oracle(text));
			}),
			{numRuns: 150},
		);
	});
});
