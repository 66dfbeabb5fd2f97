import {appendFileSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {awaitToolUse} from '../../../source/ingest/claude-code/await-tool-use.js';

// Real files, written while the wait runs, as Claude Code's queued transcript writes land.
let dir: string;
let transcript: string;
const callLine = (id: string, inputBytes = 10): string =>
	`${JSON.stringify({type: 'assistant', message: {content: [{type: 'tool_use', id, name: 'Write', input: {content: 'x'.repeat(inputBytes)}}]}})}\n`;

beforeEach(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-await-tool-'));
	transcript = path.join(dir, 'sess.jsonl');
	await writeFile(transcript, '{"type":"user"}\n');
});
afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

describe('awaitToolUse', () => {
	it('returns at once when the transcript already holds the call', async () => {
		appendFileSync(transcript, callLine('toolu_1'));
		const startedMs = Date.now();
		expect(await awaitToolUse(transcript, 'toolu_1', {timeoutMs: 5000})).toBe(true);
		expect(Date.now() - startedMs).toBeLessThan(1000);
	});

	it('waits for the line that is written later', async () => {
		setTimeout(() => appendFileSync(transcript, callLine('toolu_2')), 150);
		const startedMs = Date.now();
		expect(await awaitToolUse(transcript, 'toolu_2', {timeoutMs: 5000})).toBe(true);
		expect(Date.now() - startedMs).toBeGreaterThanOrEqual(140);
	});

	it('finds a call far from the end (a large tool input) and one across a read boundary', async () => {
		appendFileSync(transcript, callLine('toolu_big', 3 * 1024 * 1024));
		expect(await awaitToolUse(transcript, 'toolu_big', {timeoutMs: 0})).toBe(true);
		// Put the id across the boundary of the 256 KiB steps the tail is read in (counted from the end), at every offset.
		for (let shift = 0; shift < 24; shift++) {
			const file = path.join(dir, `shift-${shift}.jsonl`);
			const id = `toolu_shift_${shift}`;
			const line = callLine(id);
			const needleAt = line.indexOf(id) - 1;
			// The needle ("id" with its quotes) starts `shift` bytes before the first step's start.
			const suffix = 256 * 1024 + shift + needleAt - line.length - 1;
			await writeFile(file, `${'y'.repeat(100_000)}\n${line}${'z'.repeat(suffix)}\n`);
			expect(await awaitToolUse(file, id, {timeoutMs: 0})).toBe(true);
		}
	});

	it('finds a subagent\'s call in its own transcript', async () => {
		const subagents = path.join(dir, 'sess', 'subagents');
		await mkdir(subagents, {recursive: true});
		await writeFile(path.join(subagents, 'agent-a.jsonl'), callLine('toolu_sub'));
		expect(await awaitToolUse(transcript, 'toolu_sub', {timeoutMs: 0})).toBe(true);
	});

	it('gives up after the timeout, never matches a longer id, and does not wait for a transcript that does not exist', async () => {
		appendFileSync(transcript, callLine('toolu_10'));
		const startedMs = Date.now();
		expect(await awaitToolUse(transcript, 'toolu_1', {timeoutMs: 200})).toBe(false);
		expect(Date.now() - startedMs).toBeGreaterThanOrEqual(190);
		const missingStartedMs = Date.now();
		expect(await awaitToolUse(path.join(dir, 'missing.jsonl'), 'toolu_1', {timeoutMs: 5000})).toBe(false);
		expect(Date.now() - missingStartedMs).toBeLessThan(1000);
	});
});
