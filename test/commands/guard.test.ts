import {execFile} from 'node:child_process';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {assistantLine} from '../helpers/entries.js';

const cliPath = path.resolve('dist/cli.js');
const now = '2026-11-26T15:00:00Z';

let home: string;
let claude: string;

/** One request with a logged cost (mode auto takes it as is), and 1,000 tokens. */
const request = (sessionId: string, timestamp: string, costUSD: number, id: string) =>
	JSON.stringify(
		assistantLine(
			{sessionId, timestamp, costUSD, requestId: `req_${id}`, uuid: `uuid-${id}`},
			{input_tokens: 400, output_tokens: 600, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: {ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0}},
		),
	).replace('"msg_013YZ68naDuds27CD9ZGNVDE"', `"msg_${id}"`);

// Today (UTC): $2 at 01:00 in `old`, then `sess-a` spends $1.50 at 13:10 and $1 at
// 14:40 (the 13:00–18:00 block holds $2.50). `early` spent $10 on 3 November.
// Day $4.50 (3,000 tokens), block $2.50 (2,000), week $4.50, month $14.50, sess-a $2.50.
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-guard-'));
	claude = path.join(home, 'claude');
	const project = path.join(claude, 'projects', '-home-dev-api-server');
	await mkdir(project, {recursive: true});
	await writeFile(path.join(project, 'early.jsonl'), `${request('early', '2026-11-03T09:00:00.000Z', 10, 'e1')}\n`);
	await writeFile(path.join(project, 'old.jsonl'), `${request('old', '2026-11-26T01:00:00.000Z', 2, 'o1')}\n`);
	await writeFile(path.join(project, 'sess-a.jsonl'), `${request('sess-a', '2026-11-26T13:10:00.000Z', 1.5, 'a1')}\n${request('sess-a', '2026-11-26T14:40:00.000Z', 1, 'a2')}\n`);
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

type Run = {code: number; stdout: string; stderr: string};

let runs = 0;
/** The guard as Claude Code runs it: hook JSON on stdin, a fresh data dir unless given. */
const guard = async (budgets: unknown, {hook = {hook_event_name: 'UserPromptSubmit', session_id: 'sess-a', prompt: 'go on'} as unknown, args = [] as string[], data = path.join(home, `data-${++runs}`), cache = path.join(home, 'cache'), claudeDir = claude} = {}): Promise<Run & {data: string}> => {
	const file = path.join(home, `budgets-${runs}-${Math.random().toString(36).slice(2)}.json`);
	await writeFile(file, typeof budgets === 'string' ? budgets : JSON.stringify({budgets}));
	return new Promise(resolve => {
		const child = execFile(
			process.execPath,
			[cliPath, 'guard', '--claude-dir', claudeDir, '--now', now, '--budgets', file, ...args],
			{env: {...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: path.join(home, 'config'), CCTOP_CACHE_DIR: cache, CCTOP_DATA_DIR: data, TZ: 'UTC'}},
			(error, stdout, stderr) => resolve({code: error === null ? 0 : Number(error.code), stdout, stderr, data}),
		);
		child.stdin!.end(typeof hook === 'string' ? hook : JSON.stringify(hook));
	});
};

/** The recorded decisions, each checked to carry its hash-chain link (the chain itself is tested in spool-chain.test.ts). */
const decisions = async (data: string) =>
	(await readFile(path.join(data, 'guard-decisions.jsonl'), 'utf8'))
		.trim()
		.split('\n')
		.map(line => {
			const {p, h, ...record} = JSON.parse(line) as Record<string, unknown>;
			expect([p, h]).toEqual([expect.stringMatching(/^[\da-f]{32}$/), expect.stringMatching(/^[\da-f]{32}$/)]);
			return record;
		});

describe('cctop guard', () => {
	it('blocks a prompt over a blocking day budget: exit 2, one line naming the budget, used/limit and the reset', async () => {
		const result = await guard([{name: 'my day', scope: 'local', period: 'day', usd: 4, enforce: 'block'}]);
		expect(result.code).toBe(2);
		expect(result.stdout).toBe('');
		expect(result.stderr).toBe('cctop: budget "my day" (day) is over: $4.50 of $4.00 used; resets at 00:00 (in 9h00m)\n');
		expect(await decisions(result.data)).toEqual([
			{timestamp: '2026-11-26T15:00:00.000Z', event: 'guard', user: os.userInfo().username, sessionId: 'sess-a', tool: null, decision: 'block', source: 'UserPromptSubmit', detail: 'budget "my day" (day) is over: $4.50 of $4.00 used; resets at 00:00 (in 9h00m)'},
		]);
	});

	it('stops the next tool call mid-turn the same way (PreToolUse), naming the tool in the record', async () => {
		const result = await guard([{name: 'my day', period: 'day', usd: 4, enforce: 'block'}], {hook: {hook_event_name: 'PreToolUse', session_id: 'sess-a', tool_name: 'Bash', tool_input: {command: 'ls'}}});
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('budget "my day" (day) is over');
		expect(await decisions(result.data)).toMatchObject([{decision: 'block', tool: 'Bash', source: 'PreToolUse'}]);
	});

	// Claude Code 2.1.332 runs PreToolUse before its queued transcript writes land (see await-tool-use.ts).
	it('counts the request that asked for the tool even when Claude Code writes it after the hook started', async () => {
		const late = path.join(home, 'late');
		const project = path.join(late, 'projects', '-home-dev-api-server');
		await mkdir(project, {recursive: true});
		const transcript = path.join(project, 'sess-t.jsonl');
		// $2.50 in the 13:00–18:00 block so far; the call's request adds $1.
		await writeFile(transcript, `${request('sess-t', '2026-11-26T13:10:00.000Z', 2.5, 't1')}\n`);
		const call = JSON.parse(request('sess-t', '2026-11-26T14:50:00.000Z', 1, 't2')) as {message: {content: unknown[]}};
		call.message.content = [{type: 'tool_use', id: 'toolu_late_1', name: 'Bash', input: {command: 'ls'}}];
		setTimeout(() => void writeFile(transcript, `${JSON.stringify(call)}\n`, {flag: 'a'}), 400);
		const result = await guard([{name: 'my block', period: 'block', usd: 3, enforce: 'block'}], {
			hook: {hook_event_name: 'PreToolUse', session_id: 'sess-t', tool_name: 'Bash', tool_input: {command: 'ls'}, tool_use_id: 'toolu_late_1', transcript_path: transcript},
			claudeDir: late,
			cache: path.join(home, 'cache-late'),
		});
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('budget "my block" (5-hour block) is over: $3.50 of $3.00');
	});

	it('allows within every budget, silently, and records the allow', async () => {
		const result = await guard([{name: 'my day', period: 'day', usd: 40, enforce: 'block'}]);
		expect(result).toMatchObject({code: 0, stdout: '', stderr: ''});
		expect(await decisions(result.data)).toMatchObject([{decision: 'allow', detail: 'within every budget'}]);
	});

	it('only warns past a limit when the budget says warn, and tells the user once per step', async () => {
		const budgets = [{name: 'soft day', period: 'day', usd: 4}];
		const first = await guard(budgets);
		expect(first.code).toBe(0);
		expect(JSON.parse(first.stdout)).toEqual({systemMessage: 'cctop: budget "soft day" (day) is over: $4.50 of $4.00 used; resets at 00:00 (in 9h00m)'});
		const again = await guard(budgets, {data: first.data});
		expect(again).toMatchObject({code: 0, stdout: ''});
		expect((await decisions(first.data)).map(record => record.decision)).toEqual(['warn', 'warn']);
	});

	it('warns at a threshold before the limit, with the projection', async () => {
		// $4.50 of $5: 90%; 15 of 24 hours gone, so $7.20 projected.
		const result = await guard([{name: 'day', period: 'day', usd: 5, warnAt: [0.5, 0.8], enforce: 'block'}]);
		expect(result.code).toBe(0);
		expect(JSON.parse(result.stdout).systemMessage).toBe('cctop: budget "day" (day) is at 90%: $4.50 of $5.00 used, $7.20 projected; resets at 00:00 (in 9h00m)');
	});

	it('counts the 5-hour block in tokens', async () => {
		const over = await guard([{name: 'block tokens', period: 'block', tokens: 2000, enforce: 'block'}]);
		expect(over.code).toBe(2);
		expect(over.stderr).toBe('cctop: budget "block tokens" (5-hour block) is over: 2.00k tokens of 2.00k tokens used; resets at 18:00 (in 3h00m)\n');
		expect((await guard([{name: 'block tokens', period: 'block', tokens: 2001, warnAt: [0.999], enforce: 'block'}])).code).toBe(0);
	});

	it('counts the session the hook names, and a new session starts afresh', async () => {
		const budgets = [{name: 'per session', period: 'session', usd: 2.5, enforce: 'block'}];
		const over = await guard(budgets);
		expect(over.code).toBe(2);
		expect(over.stderr).toBe('cctop: budget "per session" (session) is over: $2.50 of $2.50 used; a new session starts afresh\n');
		expect((await guard(budgets, {hook: {hook_event_name: 'UserPromptSubmit', session_id: 'early'}})).code).toBe(2);
		expect(await guard(budgets, {hook: {hook_event_name: 'UserPromptSubmit', session_id: 'brand-new'}})).toMatchObject({code: 0, stdout: ''});
	});

	it('counts the calendar month and the last 7 days', async () => {
		const month = await guard([{name: 'month', period: 'month', usd: 14, enforce: 'block'}]);
		expect(month.stderr).toBe('cctop: budget "month" (month) is over: $14.50 of $14.00 used; resets at 2026-12-01 00:00 (in 4d09h)\n');
		expect((await guard([{name: 'month', period: 'month', usd: 14.5, enforce: 'block'}])).code).toBe(2);
		expect((await guard([{name: 'month', period: 'month', usd: 14.51, enforce: 'block'}])).code).toBe(0);
		const week = await guard([{name: 'week', period: 'week', usd: 4.5, enforce: 'block'}]);
		expect(week.stderr).toBe('cctop: budget "week" (7 days) is over: $4.50 of $4.50 used; the oldest day drops off at 00:00 (in 9h00m)\n');
	});

	it('blocks on the nearest of several budgets, and ignores team budgets', async () => {
		const result = await guard([
			{name: 'team week', scope: 'team', match: {user: '*'}, period: 'week', usd: 1, enforce: 'block'},
			{name: 'big month', period: 'month', usd: 1000, enforce: 'block'},
			{name: 'soft block', period: 'block', usd: 2, enforce: 'warn'},
			{name: 'hard day', period: 'day', usd: 4.4, enforce: 'block'},
		]);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('"hard day"');
	});

	it('--max-official blocks when Claude Code\'s own recorded usage reaches it', async () => {
		const data = path.join(home, 'official');
		await mkdir(data, {recursive: true});
		const reading = (percent: number) => writeFile(path.join(data, 'rate-limits.json'), JSON.stringify({recordedAtMs: Date.parse(now) - 60_000, fiveHour: {usedPercentage: percent, resetsAtMs: Date.parse('2026-11-26T17:00:00Z')}, sevenDay: {usedPercentage: 40, resetsAtMs: Date.parse('2026-11-30T00:00:00Z')}}));
		await reading(92);
		const over = await guard([], {args: ['--max-official', '90'], data});
		expect(over.code).toBe(2);
		expect(over.stderr).toBe('cctop: Claude Code\'s own 5-hour usage is at 92% (cctop guard stops at 90%); resets at 17:00 (in 2h00m)\n');
		await reading(85);
		expect(await guard([], {args: ['--max-official', '90'], data})).toMatchObject({code: 0, stdout: ''});
	});

	it('keeps one chain when parallel tool calls run their hooks at once', async () => {
		const data = path.join(home, 'parallel');
		const budgets = [{name: 'my day', period: 'day', usd: 40, enforce: 'block'}];
		await Promise.all(Array.from({length: 8}, async (_, index) => guard(budgets, {data, hook: {hook_event_name: 'PreToolUse', session_id: 'sess-a', tool_name: `Tool${index}`}})));
		const {verifyChain} = await import('../../source/ingest/otel/spool-chain.js');
		const report = verifyChain(path.join(data, 'guard-decisions.jsonl'));
		expect(report.break).toBeUndefined();
		expect(report.chained).toBe(8);
	});

	it('fails open on a corrupt budgets file: the call goes ahead and the failure is logged for doctor', async () => {
		const result = await guard('{"budgets": [{"name": "x", "period": "fortnight", "usd": 1}]}');
		expect(result).toMatchObject({code: 0, stdout: '', stderr: ''});
		const log = await readFile(path.join(result.data, 'guard-failures.log'), 'utf8');
		expect(log).toMatch(/^\S+ UserPromptSubmit: \S+budgets-\S+\.json: budgets\.0\.period: .+\n$/);
		const notJson = await guard('{"budgets": [');
		expect(notJson).toMatchObject({code: 0, stdout: ''});
		expect(await readFile(path.join(notJson.data, 'guard-failures.log'), 'utf8')).toContain('not valid JSON');
	});

	it('fails open on hook input that is not JSON, and on a bad flag', async () => {
		const badInput = await guard([{name: 'my day', period: 'day', usd: 4, enforce: 'block'}], {hook: 'not json'});
		expect(badInput).toMatchObject({code: 0, stdout: ''});
		expect(await readFile(path.join(badInput.data, 'guard-failures.log'), 'utf8')).toContain('JSON');
		const badFlag = await guard([{name: 'my day', period: 'day', usd: 4, enforce: 'block'}], {args: ['--max-official', '150']});
		expect(badFlag).toMatchObject({code: 0, stdout: ''});
		expect(await readFile(path.join(badFlag.data, 'guard-failures.log'), 'utf8')).toContain('--max-official');
	});

	it('with an unreadable data dir it still decides, and never crashes', async () => {
		const data = path.join(home, 'not-a-dir');
		await writeFile(data, 'a file where the data dir should be');
		const over = await guard([{name: 'my day', period: 'day', usd: 4, enforce: 'block'}], {data});
		expect(over.code).toBe(2);
		expect(over.stderr).toBe('cctop: budget "my day" (day) is over: $4.50 of $4.00 used; resets at 00:00 (in 9h00m)\n');
		const within = await guard([{name: 'my day', period: 'day', usd: 40, enforce: 'block'}], {data});
		expect(within).toMatchObject({code: 0, stdout: '', stderr: ''});
	});

	it('still decides when the cache dir cannot be written (answered from memory)', async () => {
		const cache = path.join(home, 'cache-is-a-file');
		await writeFile(cache, 'a file where the cache dir should be');
		const over = await guard([{name: 'my day', period: 'day', usd: 4, enforce: 'block'}], {cache});
		expect(over.code).toBe(2);
		expect(over.stderr).toContain('budget "my day" (day) is over: $4.50 of $4.00 used');
		expect((await guard([{name: 'my day', period: 'day', usd: 40, enforce: 'block'}], {cache})).code).toBe(0);
	});
});

describe('budgets in status and statusline', () => {
	const withBudgets = async (command: string[], stdin = '') => {
		const file = path.join(home, 'status-budgets.json');
		await writeFile(file, JSON.stringify({budgets: [{name: 'my day', period: 'day', usd: 4, enforce: 'block'}, {name: 'month', period: 'month', usd: 1}]}));
		return new Promise<Run>(resolve => {
			const child = execFile(
				process.execPath,
				[cliPath, ...command, '--claude-dir', claude, '--now', now, '--budgets', file],
				{env: {...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: path.join(home, 'config'), CCTOP_CACHE_DIR: path.join(home, 'status-cache'), CCTOP_DATA_DIR: path.join(home, 'status-data'), TZ: 'UTC'}},
				(error, stdout, stderr) => resolve({code: error === null ? 0 : Number(error.code), stdout, stderr}),
			);
			child.stdin!.end(stdin);
		});
	};

	it('status shows the nearest block, day or week budget beside the block (month is the guard\'s)', async () => {
		const json = JSON.parse((await withBudgets(['status', '--format', 'json'])).stdout) as {budget: unknown};
		expect(json.budget).toEqual({name: 'my day', period: 'day', unit: 'usd', used: 4.5, limit: 4, projected: 7.2, percent: 112.5, level: 'over', enforce: 'block', resetsAt: '2026-11-27T00:00:00.000Z'});
		expect((await withBudgets(['status'])).stdout).toMatch(/ · my day \$4\.50\/\$4\.00 112% → \$7\.20\n$/);
	});

	it('statusline says OVER with the budget\'s name', async () => {
		const result = await withBudgets(['statusline'], JSON.stringify({model: {display_name: 'Opus'}}));
		expect(result.stdout).toMatch(/ · OVER my day 112%\n$/);
	});
});
