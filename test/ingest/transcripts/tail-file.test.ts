import {appendFile, chmod, mkdir, mkdtemp, rename, rm, truncate, unlink, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {UsageEntry} from '../../../source/core/usage/types.js';
import {FileTailer, type TailUpdate} from '../../../source/ingest/transcripts/tail-file.js';
import {assistantLine} from '../../helpers/entries.js';

let temp: string;
let file: string;
beforeEach(async () => {
	temp = await mkdtemp(path.join(os.tmpdir(), 'cctop-tail-'));
	file = path.join(temp, 'session.jsonl');
});
afterEach(async () => {
	await rm(temp, {recursive: true, force: true});
});

const line = (overrides: Record<string, unknown> = {}, usage: Record<string, unknown> = {}) => `${JSON.stringify(assistantLine(overrides, usage))}\n`;

/** A tailer that records every update, with helpers to read what it saw. */
const follow = () => {
	const updates: TailUpdate[] = [];
	const tailer = new FileTailer(file, 'slug', undefined, update => updates.push(update));
	const usage = (): UsageEntry[] => updates.flatMap(update => (update.kind === 'lines' ? update.results.flatMap(result => (result.kind === 'usage' ? [result.entry] : [])) : []));
	const counted = (key: 'lines' | 'invalidLines') => updates.reduce((sum, update) => sum + (update.kind === 'lines' ? update.counts[key] : 0), 0);
	return {tailer, updates, usage, counted, kinds: () => updates.map(update => update.kind)};
};

describe('FileTailer: reading', () => {
	it('counts garbage and truncated JSON, and the next good line still counts', async () => {
		const good = line();
		await writeFile(file, `not json at all\n${good.slice(0, 150)}\n${good}{"broken": \n${good}`);
		const {tailer, usage, counted} = follow();
		await tailer.poll();
		expect(usage()).toHaveLength(2);
		expect({lines: counted('lines'), invalid: counted('invalidLines')}).toEqual({lines: 5, invalid: 3});
	});

	it('skips lines that cannot carry usage without losing the ones that can', async () => {
		const user = `${JSON.stringify({type: 'user', timestamp: '2026-03-11T15:52:12.033Z', message: {role: 'user', content: 'hi'}})}\n`;
		await writeFile(file, user + line() + user);
		const {tailer, usage, counted} = follow();
		await tailer.poll();
		expect(usage()).toHaveLength(1);
		expect(counted('lines')).toBe(3);
	});

	it('keeps limit hits and API errors whose lines never mention usage', async () => {
		const base = {type: 'assistant', timestamp: '2026-07-15T17:40:12.594Z', sessionId: 's', cwd: '/home/dev/probe'};
		const apiError = {...base, isApiErrorMessage: true, apiErrorStatus: 529, message: {model: '<synthetic>', role: 'assistant', content: [{type: 'text', text: 'API Error: 529 Overloaded'}]}};
		// As 2.1.210 writes them (sample 07): the limit hit is an API error line too.
		const limitHit = {...base, error: 'rate_limit', apiErrorStatus: 429, isApiErrorMessage: true, message: {model: '<synthetic>', role: 'assistant', content: [{type: 'text', text: 'You have hit your limit · resets 7pm'}]}};
		const synthetic = {...base, isApiErrorMessage: true, message: {model: '<synthetic>', role: 'assistant', content: [{type: 'text', text: 'Claude AI limit reached'}]}};
		for (const event of [apiError, limitHit, synthetic]) expect(JSON.stringify(event)).not.toContain('usage');
		await writeFile(file, [apiError, limitHit, synthetic].map(event => `${JSON.stringify(event)}\n`).join(''));
		const {tailer, updates} = follow();
		await tailer.poll();
		const events = updates.flatMap(update => (update.kind === 'lines' ? update.results.flatMap(result => (result.kind === 'event' ? [result.event.kind] : [])) : []));
		expect(events).toEqual(['api_error', 'rate_limit', 'rate_limit']);
	});

	it('still finds usage whose key is written with a \\u escape', async () => {
		const escaped = line().replace('"usage"', '"\\u0075sage"');
		expect(escaped).not.toContain('"usage"');
		await writeFile(file, escaped);
		const {tailer, usage} = follow();
		await tailer.poll();
		expect(usage()).toHaveLength(1);
	});

	it('reads a 10 MB line that carries usage', async () => {
		await writeFile(file, line({padding: 'x'.repeat(10 * 1024 * 1024)}) + line({requestId: 'other'}));
		const {tailer, usage, counted} = follow();
		await tailer.poll();
		expect(usage()).toHaveLength(2);
		expect(counted('invalidLines')).toBe(0);
	});

	it('keeps a multi-byte character that straddles a read chunk intact', async () => {
		const chunk = 4 * 1024 * 1024;
		const head = '{"cwd":"/home/';
		// Size the first line so the second line's emoji starts one byte before the chunk edge.
		const baseBytes = Buffer.byteLength(line({padding: ''}));
		const first = line({padding: 'a'.repeat(chunk - 1 - Buffer.byteLength(head) - baseBytes)});
		const rest = JSON.stringify({...assistantLine({requestId: 'r2'}), cwd: undefined}).slice(1);
		expect(Buffer.byteLength(first) + Buffer.byteLength(head)).toBe(chunk - 1);
		await writeFile(file, `${first}${head}😀x",${rest}\n`);
		const {tailer, usage, counted} = follow();
		await tailer.poll();
		expect(counted('invalidLines')).toBe(0);
		expect(usage().map(entry => entry.project)).toEqual(['api-server', '😀x']);
	});

	it('reads CRLF lines', async () => {
		await writeFile(file, line().replace('\n', '\r\n') + line({requestId: 'r2'}).replace('\n', '\r\n'));
		const {tailer, usage} = follow();
		await tailer.poll();
		expect(usage()).toHaveLength(2);
	});

	it('counts a binary file as invalid lines without crashing', async () => {
		const bytes = Buffer.alloc(64 * 1024);
		for (let index = 0; index < bytes.length; index++) bytes[index] = (index * 7919) % 256;
		await writeFile(file, Buffer.concat([bytes, Buffer.from('\n')]));
		const {tailer, usage, counted} = follow();
		await tailer.poll();
		expect(usage()).toHaveLength(0);
		expect(counted('invalidLines')).toBeGreaterThan(0);
		expect(counted('invalidLines')).toBe(counted('lines'));
	});

	it('reads an empty file as nothing', async () => {
		await writeFile(file, '');
		const {tailer, usage, counted} = follow();
		await tailer.poll();
		expect(usage()).toHaveLength(0);
		expect(counted('lines')).toBe(0);
	});

	it('reports a path it cannot read as an error, not a crash', async () => {
		await mkdir(file);
		const {tailer, updates} = follow();
		await tailer.poll();
		expect(updates).toEqual([{kind: 'error', path: file, reason: 'EISDIR'}]);
	});
});

describe('FileTailer: following appends', () => {
	it('holds a half-written line until its rest arrives, then counts it once', async () => {
		const whole = line();
		await writeFile(file, whole.slice(0, 300));
		const {tailer, usage, counted} = follow();
		await tailer.poll();
		expect(usage()).toHaveLength(0);
		expect(tailer.cursor?.offset).toBe(0);
		await appendFile(file, whole.slice(300));
		await tailer.poll();
		expect(usage()).toHaveLength(1);
		expect(counted('invalidLines')).toBe(0);
		expect(tailer.cursor?.offset).toBe(Buffer.byteLength(whole));
	});

	it('joins a multi-byte UTF-8 character split across two writes', async () => {
		const bytes = Buffer.from(line({cwd: '/home/dev/naïve-😀'}));
		const cut = bytes.indexOf(Buffer.from('😀')) + 2;
		await writeFile(file, bytes.subarray(0, cut));
		const {tailer, usage} = follow();
		await tailer.poll();
		await appendFile(file, bytes.subarray(cut));
		await tailer.poll();
		expect(usage().map(entry => entry.project)).toEqual(['naïve-😀']);
	});

	it('starts again from byte 0 after a truncation, then reads appends', async () => {
		await writeFile(file, line({requestId: 'a'}) + line({requestId: 'b'}));
		const {tailer, usage, kinds} = follow();
		await tailer.poll();
		await truncate(file, 0);
		await appendFile(file, line({requestId: 'c'}));
		await tailer.poll();
		expect(kinds()).toEqual(['lines', 'reset', 'lines']);
		expect(usage().map(entry => entry.requestId)).toEqual(['a', 'b', 'c']);
	});

	it.each([
		['to a larger size', (old: string) => old.replace('"a"', '"x"') + line({requestId: 'y'})],
		['to the same size', (old: string) => old.replace('"a"', '"x"')],
		['with only the tail changed', (old: string) => old.slice(0, old.length - line({requestId: 'b'}).length) + line({requestId: 'z'})],
	])('reads a file rewritten in place %s (same inode) again from byte 0', async (_, rewrite) => {
		const old = line({requestId: 'a'}, {output_tokens: 805}) + line({requestId: 'b'});
		await writeFile(file, old);
		const {tailer, updates, usage} = follow();
		await tailer.poll();
		const inode = tailer.cursor!.ino;
		// writeFile truncates and writes the same inode: what an editor or a restore does.
		const rewritten = rewrite(old);
		await writeFile(file, rewritten);
		await utimes(file, new Date(), new Date(Date.now() + 5000));
		await tailer.poll();
		expect(tailer.cursor!.ino).toBe(inode);
		expect(updates.map(update => (update.kind === 'reset' ? update.reason : update.kind))).toEqual(['lines', 'rewritten', 'lines']);
		const fresh = follow();
		await fresh.tailer.poll();
		expect(usage().slice(2)).toEqual(fresh.usage());
		expect(tailer.cursor).toEqual(fresh.tailer.cursor);
	});

	it('reads on after a plain append without reading the old bytes again', async () => {
		await writeFile(file, line({requestId: 'a'}));
		const {tailer, kinds, usage} = follow();
		await tailer.poll();
		await appendFile(file, line({requestId: 'b'}));
		await tailer.poll();
		expect(kinds()).toEqual(['lines', 'lines']);
		expect(usage().map(entry => entry.requestId)).toEqual(['a', 'b']);
	});

	it('drops a file that became unreadable and reads it whole once it is readable again', async context => {
		if (process.getuid?.() === 0) context.skip('root reads through mode 000 (the CLI test runs this as nobody)');
		await writeFile(file, line({requestId: 'a'}));
		const {tailer, updates} = follow();
		await tailer.poll();
		await chmod(file, 0o000);
		await tailer.poll();
		expect(updates.at(-1)).toEqual({kind: 'error', path: file, reason: 'EACCES'});
		expect(tailer.cursor).toBeUndefined();
		await chmod(file, 0o644);
		await tailer.poll();
		expect(updates.at(-1)?.kind).toBe('lines');
	});

	it('notices a file renamed away and recreated (a new inode) and reads it from the start', async () => {
		await writeFile(file, line({requestId: 'old'}) + line({requestId: 'old2'}) + line({requestId: 'old3'}));
		const {tailer, updates, usage} = follow();
		await tailer.poll();
		await rename(file, `${file}.bak`);
		await writeFile(file, line({requestId: 'new'}));
		await tailer.poll();
		expect(updates.map(update => (update.kind === 'reset' ? update.reason : update.kind))).toEqual(['lines', 'replaced', 'lines']);
		expect(usage().map(entry => entry.requestId)).toEqual(['old', 'old2', 'old3', 'new']);
	});

	it('reports a deleted file once and forgets its cursor', async () => {
		await writeFile(file, line());
		const {tailer, kinds} = follow();
		await tailer.poll();
		await unlink(file);
		await tailer.poll();
		await tailer.poll();
		expect(kinds()).toEqual(['lines', 'deleted']);
		expect(tailer.cursor).toBeUndefined();
	});

	it('counts 1,000 rapid appends exactly once and in order, coalescing polls', async () => {
		await writeFile(file, '');
		const {tailer, usage, updates} = follow();
		const polls: Array<Promise<void>> = [];
		for (let index = 0; index < 1000; index++) {
			await appendFile(file, line({requestId: `r${index}`}));
			polls.push(tailer.poll());
		}

		await Promise.all(polls);
		await tailer.poll();
		expect(usage().map(entry => entry.requestId)).toEqual(Array.from({length: 1000}, (_, index) => `r${index}`));
		expect(updates.every(update => update.kind === 'lines')).toBe(true);
	});

	it('coalesces a burst of polls into at most one more read', async () => {
		await writeFile(file, line());
		const {tailer, updates} = follow();
		await Promise.all(Array.from({length: 50}, async () => tailer.poll()));
		expect(updates).toHaveLength(1);
	});

	it('does not read again when nothing changed', async () => {
		await writeFile(file, line());
		const {tailer, updates} = follow();
		await tailer.poll();
		await tailer.poll();
		expect(updates).toHaveLength(1);
	});
});
