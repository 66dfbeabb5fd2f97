import {execFile} from 'node:child_process';
import {appendFile, cp, mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const cliPath = path.resolve('dist/cli.js');
const s1 = '5e551011-6a1e-4c0d-9b1a-0d3c1f2e4a01';
const s2 = '5e552022-7b2f-4d1e-8c2b-1e4d2a3f5b02';
const s3 = 'b10a3033-8c3a-4e2f-9d3c-2f5e3b4a6c03';
const now = '2026-11-26T12:00:00Z';

let home: string;
let claudeDir: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-session-'));
	// A copy: one test appends to it.
	claudeDir = path.join(home, 'claude');
	await cp(path.resolve('fixtures/sessions'), claudeDir, {recursive: true});
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const run = async (args: string[], extraEnv: Record<string, string> = {}) => {
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, 'session', '--claude-dir', claudeDir, '--now', now, ...args], {
			env: {...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: '', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data'), TZ: 'UTC', ...extraEnv},
		});
		return {code: 0, stdout, stderr};
	} catch (error) {
		return error as {code: number; stdout: string; stderr: string};
	}
};

type SessionJson = {
	sessionId: string;
	project: string;
	startTime: string;
	endTime: string;
	entries: number;
	tokenCounts: Record<string, number>;
	costUSD: number;
	models: Record<string, {entries: number; costUSD: number}>;
	tools: Record<string, number>;
	sidechain: {entries: number; costUSD: number};
	timeline: Array<{start: string; costUSD: number; totalTokens: number}>;
	topRequests: Array<{requestId: string; costUSD: number}>;
	events: Array<{kind: string; message: string}>;
};

const sessionJson = async (args: string[]): Promise<SessionJson> => {
	const result = await run([...args, '--json']);
	expect(result.stderr).toBe('');
	expect(result.code).toBe(0);
	return JSON.parse(result.stdout) as SessionJson;
};

// Every number below is worked out in fixtures/README.md ("sessions/").
describe('cctop session (fixtures/sessions)', () => {
	it('counts the original session with the largest copy of its request, not the resumed copies', async () => {
		const json = await sessionJson([s1]);
		expect(json).toMatchObject({sessionId: s1, project: 'shop', startTime: '2026-11-26T10:00:06.000Z', endTime: '2026-11-26T10:10:00.000Z', entries: 2});
		expect(json.tokenCounts).toEqual({inputTokens: 300, outputTokens: 800, cacheCreationInputTokens: 1000, cacheReadInputTokens: 2000});
		expect(json.costUSD).toBeCloseTo(0.02495, 12);
		expect(json.models['claude-opus-4-5-20251101']?.costUSD).toBeCloseTo(0.01925, 12);
		expect(json.models['claude-sonnet-4-5-20250929']?.costUSD).toBeCloseTo(0.0057, 12);
		expect(json.tools).toEqual({Bash: 1, Read: 1});
		expect(json.sidechain).toEqual({entries: 0, costUSD: 0});
		expect(json.events).toEqual([{kind: 'api_error', timestamp: '2026-11-26T10:20:00.000Z', message: '529 Overloaded'}]);
		expect(json.topRequests.map(request => request.requestId)).toEqual(['req_01R1', 'req_01R2']);
	});

	it('counts the resumed session\'s own work only: subagents, 1-hour cache writes, an escaped tool_use, the limit hit', async () => {
		const json = await sessionJson([s2]);
		expect(json).toMatchObject({sessionId: s2, startTime: '2026-11-26T11:00:06.000Z', endTime: '2026-11-26T11:20:00.000Z', entries: 4});
		expect(json.tokenCounts).toEqual({inputTokens: 1560, outputTokens: 1700, cacheCreationInputTokens: 2000, cacheReadInputTokens: 50_000});
		expect(json.costUSD).toBeCloseTo(0.0833, 12);
		expect(json.sidechain.entries).toBe(2);
		expect(json.sidechain.costUSD).toBeCloseTo(0.003, 12);
		expect(json.tools).toEqual({Read: 2, Glob: 1, Grep: 1});
		expect(json.events.map(event => event.kind)).toEqual(['rate_limit']);
		expect(json.timeline.reduce((sum, bucket) => sum + bucket.costUSD, 0)).toBeCloseTo(0.0833, 12);
		expect(json.timeline.reduce((sum, bucket) => sum + bucket.totalTokens, 0)).toBe(55_260);
	});

	it('takes the most recently active session by default and with --latest, and within --project', async () => {
		expect((await sessionJson([])).sessionId).toBe(s2);
		expect((await sessionJson(['--latest'])).sessionId).toBe(s2);
		const blog = await sessionJson(['--latest', '--project', 'blog']);
		expect(blog).toMatchObject({sessionId: s3, entries: 1, tools: {Write: 1}});
		expect(blog.costUSD).toBeCloseTo(0.018, 12);
	});

	it('accepts a unique prefix and says which sessions an ambiguous one matches (exit 2)', async () => {
		expect((await sessionJson(['5e551'])).sessionId).toBe(s1);
		const ambiguous = await run(['5e55']);
		expect(ambiguous.code).toBe(2);
		expect(ambiguous.stderr).toContain(`5e55 matches 2 sessions`);
		expect(ambiguous.stderr).toContain(s1);
	});

	it('says so, exit 1, for an unknown session or project', async () => {
		const missing = await run(['ffff']);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toContain('no session ffff');
		expect(missing.stderr).toContain('--list');
		const project = await run(['--project', 'nope']);
		expect(project.code).toBe(1);
		expect(project.stderr).toContain('no sessions in project nope; projects: blog, shop');
	});

	it('rejects an id together with --latest or --list (exit 2), and session flags on other commands', async () => {
		expect((await run([s1, '--latest'])).code).toBe(2);
		expect((await run([s1, '--list'])).code).toBe(2);
		const result = await promisify(execFile)(process.execPath, [cliPath, 'status', '--latest']).catch((error: unknown) => error as {code: number; stderr: string});
		expect(result).toMatchObject({code: 2, stderr: expect.stringContaining('--latest belongs to `cctop session`') as string});
	});

	it('lists sessions newest first, and their costs add up to the report\'s', async () => {
		const list = await run(['--list', '--json', '--limit', '0']);
		const {sessions} = JSON.parse(list.stdout) as {sessions: Array<{sessionId: string; costUSD: number; entries: number}>};
		expect(sessions.map(session => session.sessionId)).toEqual([s2, s1, s3]);
		expect(sessions.map(session => session.entries)).toEqual([4, 2, 1]);
		const report = await promisify(execFile)(process.execPath, [cliPath, 'report', '--json', '--claude-dir', claudeDir, '--now', now, '--no-cache']);
		const blocks = (JSON.parse(report.stdout) as {blocks: Array<{costUSD: number; entries: number}>}).blocks;
		expect(sessions.reduce((sum, session) => sum + session.costUSD, 0)).toBeCloseTo(blocks.reduce((sum, block) => sum + block.costUSD, 0), 12);
		expect(sessions.reduce((sum, session) => sum + session.entries, 0)).toBe(blocks.reduce((sum, block) => sum + block.entries, 0));
		expect(JSON.parse((await run(['--list', '--json', '--limit', '1'])).stdout)).toMatchObject({sessions: [{sessionId: s2}]});
	});

	it('prints the list as a table that fits the width', async () => {
		const {stdout} = await run(['--list'], {COLUMNS: '60'});
		const lines = stdout.trimEnd().split('\n');
		expect(lines[0]).toMatch(/^last active\s+session\s+project\s+span\s+requests\s+cost$/);
		expect(lines[1]).toMatch(/^11-26 11:20 +5e552022 +shop +19m +4 +\$0\.08$/);
		const wide = (await run(['--list'], {COLUMNS: '120'})).stdout.split('\n');
		expect(wide[1]).toMatch(/^2026-11-26 11:20 +5e552022 +shop +19m +4 +\$0\.08 {2}opus-4-5, haiku-4-5$/);
		expect(lines.every(line => line.length <= 60)).toBe(true);
	});

	it('prints a session as text: span, cost, subagents, models, tools, costliest requests, events', async () => {
		const {stdout, code} = await run([s2], {COLUMNS: '80'});
		expect(code).toBe(0);
		const lines = stdout.trimEnd().split('\n');
		expect(lines[0]).toBe(`session shop · ${s2}`);
		expect(lines[1]).toBe('  2026-11-26 11:00 → 11:20 · 19m · 4 requests');
		expect(lines[2]).toBe('  cost $0.08 · 55.3k tokens');
		expect(lines[3]).toBe('  subagents 4% of cost ($0.003, 2 requests)');
		expect(stdout).toMatch(/\n {2}opus-4-5 +2 +60 +1\.40k +2\.00k +50\.0k +\$0\.08\n/);
		expect(stdout).toContain('tools (4 calls)\n  Read 2 · Glob 1 · Grep 1\n');
		expect(stdout).toMatch(/\n {2}11:00 {2}opus-4-5 +\$0\.04 +22\.4k {2}req_01R3\n/);
		expect(stdout).toContain('  11:30  limit  You\'ve reached your usage limit.');
		expect(lines.every(line => line.length <= 80)).toBe(true);
	});

	it('answers the same from a warm index, and sees lines appended since', async () => {
		const cold = await sessionJson([s2]);
		const warm = await sessionJson([s2]);
		expect(warm).toEqual(cold);
		const file = path.join(claudeDir, 'projects/-home-dev-shop', `${s2}.jsonl`);
		const last = (await readFile(file, 'utf8')).trimEnd().split('\n').find(line => line.includes('msg_01R6'))!;
		const appended = JSON.parse(last) as {timestamp: string; requestId: string; message: {id: string; content: unknown[]}};
		appended.timestamp = '2026-11-26T11:40:00.000Z';
		appended.requestId = 'req_01R8';
		appended.message.id = 'msg_01R8';
		appended.message.content = [{type: 'tool_use', id: 'toolu_01S2Edit', name: 'Edit', input: {}}];
		await appendFile(file, `${JSON.stringify(appended)}\n`);
		const after = await sessionJson([s2]);
		expect(after.entries).toBe(5);
		expect(after.costUSD).toBeCloseTo(0.0833 + 0.04005, 12);
		expect(after.tools).toEqual({Read: 2, Edit: 1, Glob: 1, Grep: 1});
		expect(after.endTime).toBe('2026-11-26T11:40:00.000Z');
	});
});
