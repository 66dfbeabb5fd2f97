import {chmod, cp, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {LineResult} from '../../source/core/transcript.js';
import {discoverTranscripts} from '../../source/ingest/discover.js';
import {loadTranscripts} from '../../source/ingest/load-transcripts.js';
import {createReadCounters, readTranscriptFile} from '../../source/ingest/read-transcripts.js';
import {assistantLine} from '../helpers/entries.js';

let temp: string;
beforeEach(async () => {
	temp = await mkdtemp(path.join(os.tmpdir(), 'cctop-read-'));
});
afterEach(async () => {
	await chmod(temp, 0o755).catch(() => undefined);
	await rm(temp, {recursive: true, force: true});
});

const read = async (content: string | Buffer) => {
	const file = path.join(temp, 'session.jsonl');
	await writeFile(file, content);
	const counters = createReadCounters();
	const results: LineResult[] = [];
	await readTranscriptFile(file, 'slug', counters, result => results.push(result));
	return {counters, results, usage: results.flatMap(result => (result.kind === 'usage' ? [result.entry] : []))};
};

const line = (overrides: Record<string, unknown> = {}, usage: Record<string, unknown> = {}) => `${JSON.stringify(assistantLine(overrides, usage))}\n`;

describe('readTranscriptFile', () => {
	it('counts garbage and truncated JSON, and the next good line still counts', async () => {
		const good = line();
		const {counters, usage} = await read(`not json at all\n${good.slice(0, 150)}\n${good}{"broken": \n${good}`);
		expect(usage).toHaveLength(2);
		expect(counters).toMatchObject({files: 1, lines: 5, usageLines: 2, invalidLines: 3});
	});

	it('skips lines that cannot carry usage without counting them as usage', async () => {
		const user = `${JSON.stringify({type: 'user', timestamp: '2026-03-11T15:52:12.033Z', message: {role: 'user', content: 'hi'}})}\n`;
		const {counters, usage} = await read(user + line() + user);
		expect(usage).toHaveLength(1);
		expect(counters).toMatchObject({lines: 3, usageLines: 1, invalidLines: 0});
	});

	it('still finds usage whose key is written with a \\u escape', async () => {
		const escaped = line().replace('"usage"', '"\\u0075sage"');
		expect(escaped).not.toContain('"usage"');
		const {usage} = await read(escaped);
		expect(usage).toHaveLength(1);
	});

	it('reads a 10 MB line that carries usage', async () => {
		const big = line({padding: 'x'.repeat(10 * 1024 * 1024)});
		const {usage, counters} = await read(big + line({requestId: 'other'}));
		expect(usage).toHaveLength(2);
		expect(counters.invalidLines).toBe(0);
	});

	it('keeps a multi-byte character that straddles a read chunk intact', async () => {
		const chunk = 4 * 1024 * 1024;
		const head = '{"cwd":"/home/';
		// Size the first line so the second line's emoji starts one byte before the chunk edge.
		const baseBytes = Buffer.byteLength(line({padding: ''}));
		const first = line({padding: 'a'.repeat(chunk - 1 - Buffer.byteLength(head) - baseBytes)});
		const rest = JSON.stringify({...assistantLine({requestId: 'r2'}), cwd: undefined}).slice(1);
		const second = `${head}😀x",${rest}\n`;
		expect(Buffer.byteLength(first) + Buffer.byteLength(head)).toBe(chunk - 1);
		const {usage, counters} = await read(first + second);
		expect(counters.invalidLines).toBe(0);
		expect(usage.map(entry => entry.project)).toEqual(['api-server', '😀x']);
	});

	it('reads CRLF lines and an unterminated last line', async () => {
		const {usage} = await read(line().replace('\n', '\r\n') + line({requestId: 'r2'}).trimEnd());
		expect(usage).toHaveLength(2);
	});

	it('counts a binary file as invalid lines without crashing', async () => {
		const bytes = Buffer.alloc(64 * 1024);
		for (let index = 0; index < bytes.length; index++) bytes[index] = (index * 7919) % 256;
		const {counters, usage} = await read(bytes);
		expect(usage).toHaveLength(0);
		expect(counters.invalidLines).toBeGreaterThan(0);
		expect(counters.invalidLines).toBe(counters.lines);
	});

	it('reads an empty file as nothing', async () => {
		const {counters, results} = await read('');
		expect(results).toHaveLength(0);
		expect(counters).toMatchObject({files: 1, lines: 0, invalidLines: 0});
	});

	it('records a file that cannot be opened', async () => {
		const counters = createReadCounters();
		await readTranscriptFile(path.join(temp, 'missing.jsonl'), 'slug', counters, () => undefined);
		expect(counters.unreadablePaths).toEqual([{path: path.join(temp, 'missing.jsonl'), reason: 'ENOENT'}]);
	});
});

describe('loadTranscripts with bad input beside good files', () => {
	const fixture = path.resolve('fixtures/claude');

	const totals = async (claudeDir: string) => {
		const loaded = await loadTranscripts(await discoverTranscripts({claudeDirs: [claudeDir]}));
		const entries = [...loaded.dedupe.byKey.values(), ...loaded.dedupe.unkeyed];
		return {
			entries: entries.length,
			output: entries.reduce((sum, entry) => sum + entry.tokens.outputTokens, 0),
			counters: loaded.counters,
		};
	};

	it('leaves the good lines\' totals unchanged and counts every bad thing', async () => {
		const clean = await totals(fixture);
		const dir = path.join(temp, 'claude');
		await cp(fixture, dir, {recursive: true});
		const bad = path.join(dir, 'projects', '-home-dev-bad');
		await mkdir(bad, {recursive: true});
		await writeFile(path.join(bad, 'garbage.jsonl'), 'garbage\n{"truncated": tr\n');
		await writeFile(path.join(bad, 'empty.jsonl'), '');
		await writeFile(path.join(bad, 'binary.jsonl'), Buffer.from([0, 1, 2, 255, 10, 254, 0, 10]));
		await writeFile(path.join(bad, 'huge.jsonl'), `{"type":"user","pad":"${'y'.repeat(10 * 1024 * 1024)}"}\n`);
		const dirty = await totals(dir);
		expect({entries: dirty.entries, output: dirty.output}).toEqual({entries: clean.entries, output: clean.output});
		expect(dirty.counters.invalidLines).toBe(4);
		expect(dirty.counters.files).toBe(clean.counters.files + 4);
	});

	it.runIf(process.getuid?.() !== 0)('reports a directory without permission and reads the rest', async () => {
		const dir = path.join(temp, 'claude');
		await cp(fixture, dir, {recursive: true});
		const locked = path.join(dir, 'projects', '-home-dev-locked');
		await mkdir(locked);
		await writeFile(path.join(locked, 's.jsonl'), line());
		await chmod(locked, 0o000);
		const result = await totals(dir);
		await chmod(locked, 0o755);
		expect(result.entries).toBe(9);
		expect(result.counters.unreadablePaths.map(entry => entry.reason)).toEqual(['EACCES']);
	});
});
