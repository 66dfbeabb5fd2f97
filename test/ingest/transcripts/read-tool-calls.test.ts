import {readFileSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readToolCalls} from '../../../source/ingest/transcripts/read-tool-calls.js';

const source = readFileSync('fixtures/claude/projects/-home-dev-api-server/bbb-original.jsonl', 'utf8').split('\n').filter(Boolean);
const withCalls = [source[4]!, source[5]!, source[10]!];

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-tools-'));
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

let fileNumber = 0;
const write = async (text: string): Promise<string> => {
	const file = path.join(dir, `t${fileNumber++}.jsonl`);
	await writeFile(file, text);
	return file;
};

/** JSON text of `value` with its own spacing, key order and `\u` escapes: still the same JSON. */
const respell = (value: unknown, {gap, turn, escapeEvery}: {gap: string; turn: number; escapeEvery: number}): string => {
	let counter = 0;
	const text = (raw: string): string =>
		`"${[...JSON.stringify(raw).slice(1, -1)]
			.map(char => (/[a-z_]/.test(char) && ++counter % escapeEvery === 0 ? `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}` : char))
			.join('')}"`;
	const walk = (item: unknown): string => {
		if (typeof item === 'string') return text(item);
		if (Array.isArray(item)) return `[${item.map(walk).join(`,${gap}`)}]`;
		if (item === null || typeof item !== 'object') return JSON.stringify(item);
		const entries = Object.entries(item);
		const at = entries.length === 0 ? 0 : turn % entries.length;
		return `{${[...entries.slice(at), ...entries.slice(0, at)].map(([key, inner]) => `${text(key)}:${gap}${walk(inner)}`).join(`,${gap}`)}}`;
	};

	return walk(value);
};

describe('readToolCalls', () => {
	it('reads every call of a real transcript and nothing from other lines', async () => {
		const {calls} = await readToolCalls([await write(`${source.join('\n')}\n`)]);
		expect(calls.map(call => call.name)).toEqual(['Read', 'Read', 'Task', 'Task', 'Task']);
	});

	it('leaves a half-written last line for later', async () => {
		const {calls} = await readToolCalls([await write(`${withCalls[0]}\n${withCalls[1]!.slice(0, 200)}`)]);
		expect(calls).toHaveLength(1);
	});

	it('skips lines that are not JSON and goes on', async () => {
		const {calls} = await readToolCalls([await write(`{"type":"tool_use" broken\n${withCalls[0]}\n`)]);
		expect(calls).toHaveLength(1);
	});

	it('reports a file it cannot read and reads the others', async () => {
		const good = await write(`${withCalls[0]}\n`);
		const {calls, unreadable} = await readToolCalls([path.join(dir, 'missing.jsonl'), good]);
		expect(calls).toHaveLength(1);
		expect(unreadable).toEqual([{path: path.join(dir, 'missing.jsonl'), reason: 'ENOENT'}]);
	});

	it('finds the same calls whatever the spacing, key order and \\u escapes (property)', async () => {
		const expected = (await readToolCalls([await write(`${withCalls.join('\n')}\n`)])).calls;
		await fc.assert(
			fc.asyncProperty(fc.constantFrom('', ' ', '  ', '\t'), fc.nat(20), fc.integer({min: 1, max: 40}), async (gap, turn, escapeEvery) => {
				const text = withCalls.map(line => respell(JSON.parse(line), {gap, turn, escapeEvery})).join('\n');
				const {calls} = await readToolCalls([await write(`${text}\n`)]);
				expect(calls).toEqual(expected);
			}),
			{numRuns: 60},
		);
	});
});
