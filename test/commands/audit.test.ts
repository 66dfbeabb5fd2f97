import {execFile} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import {appendFile, mkdir, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {OtelRecord} from '../../source/core/otel/console-records.js';
import {logRecords} from '../../source/core/otel/otlp-records.js';
import {appendToSpool} from '../../source/ingest/otel/otel-spool.js';

const cliPath = path.resolve('dist/cli.js');
let home: string;
let data: string;

/** Every log record of a capture's `*logs.json` requests (real Claude Code OTLP/JSON). */
const captured = (dir: string): OtelRecord[] =>
	readdirSync(dir)
		.filter(name => name.endsWith('logs.json') && !name.includes('headers'))
		.sort()
		.flatMap(name => logRecords(JSON.parse(readFileSync(path.join(dir, name), 'utf8'))).records);

const event = (name: string, at: string, attributes: Record<string, string>): OtelRecord => ({
	kind: 'log',
	name: `claude_code.${name}`,
	timestampMs: Date.parse(at),
	attributes: {'session.id': 'cafe0001-aaaa', 'user.email': 'ana@example.com', 'event.name': name, ...attributes},
});

// What the docs list but the captures lack, written as the docs describe them, plus one name no doc knows.
const documented = [
	event('tool_decision', '2026-11-27T10:00:00Z', {tool_name: 'Bash', decision: 'reject', source: 'user_reject', tool_parameters: '{"bash_command":"rm","full_command":"rm -rf build"}'}),
	event('permission_mode_changed', '2026-11-27T10:01:00Z', {from_mode: 'default', to_mode: 'bypassPermissions', trigger: 'shift_tab'}),
	event('hook_execution_complete', '2026-11-27T10:02:00Z', {hook_event: 'PreToolUse', num_success: '1', num_blocking: '1', num_non_blocking_error: '0', total_duration_ms: '180'}),
	event('mcp_server_connection', '2026-11-27T10:03:00Z', {status: 'failed', transport_type: 'stdio', server_scope: 'project', server_name: 'github', error_code: 'ENOENT'}),
	event('auth', '2026-11-27T10:04:00Z', {action: 'login', success: 'false', auth_method: 'oauth', error_category: 'network'}),
	event('plugin_installed', '2026-11-27T10:05:00Z', {'plugin.name': 'formatter', 'marketplace.name': 'third-party'}),
	event('api_error', '2026-11-27T10:06:00Z', {model: 'claude-opus-4-5', error: 'Overloaded', status_code: '529', attempt: '3'}),
	event('tool_result', '2026-11-27T10:07:00Z', {tool_name: 'mcp__github__create_issue', success: 'true', duration_ms: '950', tool_parameters: '{"mcp_server_name":"github","mcp_tool_name":"create_issue"}'}),
	event('brand_new_thing', '2026-11-27T10:08:00Z', {widget: 'x'}),
];

// 2.1.112 capture: user_prompt 1, tool_decision 1, tool_result 1 (+ api_request 2, a usage event).
// 2.1.332 capture: plugin_loaded 9, managed_settings_resolved 3 (in no doc: unknown), user_prompt 3,
// tool_decision 2, tool_result 2 (+ api_request 5, assistant_response 4). See fixtures/README.md.
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-audit-'));
	data = path.join(home, 'data');
	const file = path.join(data, 'otel-spool.ndjson');
	for (const [dir, at] of [['fixtures/otlp/cc-2.1.112_http-json', '2026-11-26T23:00:00Z'], ['fixtures/otlp-traces/cc-2.1.332_http-json', '2026-11-26T23:42:00Z']] as const) {
		await appendToSpool(captured(dir).map(record => ({record, isIncomplete: false})), {file, receivedAtMs: Date.parse(at)});
	}

	await appendToSpool(documented.map(record => ({record, isIncomplete: false})), {file, receivedAtMs: Date.parse('2026-11-27T10:09:00Z')});
	await mkdir(data, {recursive: true});
	await appendFile(
		path.join(data, 'guard-decisions.jsonl'),
		`${JSON.stringify({timestamp: '2026-11-27T11:00:00.000Z', event: 'guard', user: 'ana', sessionId: 'cafe0001-aaaa', tool: null, decision: 'block', source: 'UserPromptSubmit', detail: 'budget "day" (day) is over: $41.00 of $40.00 used; resets at 00:00 (in 13h00m)'})}\n`,
	);
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const audit = async (args: string[], columns = 100) =>
	new Promise<{code: number; stdout: string; stderr: string}>(resolve => {
		execFile(process.execPath, [cliPath, 'audit', ...args], {env: {...process.env, HOME: home, CCTOP_DATA_DIR: data, TZ: 'UTC', COLUMNS: String(columns)}}, (error, stdout, stderr) => resolve({code: error === null ? 0 : Number(error.code), stdout, stderr}));
	});

const jsonRows = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map(line => JSON.parse(line) as Record<string, string | null>);
const countBy = (rows: Array<Record<string, string | null>>) => Object.fromEntries([...new Set(rows.map(row => row.event))].map(name => [name, rows.filter(row => row.event === name).length]));

describe('cctop audit', () => {
	it('lists every security event of real captures and the guard, usage events left out, unknown names kept', async () => {
		const rows = jsonRows((await audit(['--json'])).stdout);
		expect(countBy(rows)).toEqual({
			user_prompt: 4,
			tool_decision: 4,
			tool_result: 4,
			plugin_loaded: 9,
			managed_settings_resolved: 3,
			permission_mode_changed: 1,
			hook_execution_complete: 1,
			mcp_server_connection: 1,
			auth: 1,
			plugin_installed: 1,
			api_error: 1,
			brand_new_thing: 1,
			guard: 1,
		});
		expect(Object.keys(rows[0]!)).toEqual(['timestamp', 'event', 'user', 'sessionId', 'tool', 'decision', 'source', 'detail']);
		expect(rows.map(row => row.timestamp)).toEqual([...rows.map(row => row.timestamp)].sort());
	});

	it('describes each kind: who decided, what ran, what changed', async () => {
		const rows = jsonRows((await audit(['--json', '--since', '2026-11-27'])).stdout);
		const of = (name: string) => rows.find(row => row.event === name)!;
		expect(of('tool_decision')).toEqual({timestamp: '2026-11-27T10:00:00.000Z', event: 'tool_decision', user: 'ana@example.com', sessionId: 'cafe0001-aaaa', tool: 'Bash', decision: 'reject', source: 'user_reject', detail: 'rm -rf build'});
		expect(of('permission_mode_changed')).toMatchObject({source: 'shift_tab', detail: 'default → bypassPermissions'});
		expect(of('hook_execution_complete')).toMatchObject({decision: 'block', source: 'PreToolUse', detail: '1 ok · 1 blocking · 180 ms'});
		expect(of('mcp_server_connection')).toMatchObject({tool: 'github', decision: 'failed', detail: 'stdio · ENOENT'});
		expect(of('auth')).toMatchObject({decision: 'failure', source: 'oauth', detail: 'login · network'});
		expect(of('tool_result')).toMatchObject({tool: 'mcp__github__create_issue', decision: 'success', detail: '950 ms · github/create_issue'});
		expect(of('brand_new_thing')).toMatchObject({detail: 'widget=x'});
		expect(of('guard')).toMatchObject({decision: 'block', source: 'UserPromptSubmit'});
	});

	it('keeps prompts to their length unless the user opted in', async () => {
		const prompts = jsonRows((await audit(['--json', '--event', 'user_prompt'])).stdout);
		expect(prompts).toHaveLength(4);
		for (const row of prompts) expect(row.detail).toMatch(/^\d+ chars$/);
	});

	it('filters by event, tool, session prefix, user and date', async () => {
		expect(countBy(jsonRows((await audit(['--json', '--event', 'tool_decision,guard'])).stdout))).toEqual({tool_decision: 4, guard: 1});
		expect(jsonRows((await audit(['--json', '--tool', 'bash'])).stdout).map(row => `${row.event} ${row.decision}`)).toEqual(['tool_decision accept', 'tool_result success', 'tool_decision reject']);
		expect(jsonRows((await audit(['--json', '--session', 'cafe'])).stdout)).toHaveLength(10);
		expect(jsonRows((await audit(['--json', '--user', 'ANA@example.com'])).stdout)).toHaveLength(9);
		expect(jsonRows((await audit(['--json', '--until', '2026-11-26'])).stdout).every(row => row.timestamp!.startsWith('2026-11-26'))).toBe(true);
		expect(countBy(jsonRows((await audit(['--json', '--event', 'api_request'])).stdout))).toEqual({api_request: 7});
	});

	it('prints text with a summary per user and session, and the unknown names marked', async () => {
		const {stdout} = await audit(['--since', '2026-11-27'], 140);
		const lines = stdout.split('\n');
		expect(lines[0]).toMatch(/^time +event +user +session +tool +decision source · detail$/);
		expect(lines.find(line => line.includes('tool_decision'))).toBe('2026-11-27 10:00 tool_decision           ana@example.com    cafe0001 Bash         reject   user_reject · rm -rf build');
		expect(stdout).toContain('  ana@example.com                      9 events · 1 rejected · 2 MCP · 3 failures · 1 mode change · 1 blocked');
		expect(stdout).toContain('brand_new_thing (unknown) 1');
		for (const line of lines.filter(line => !line.startsWith('events:'))) expect(line.length).toBeLessThanOrEqual(140);
		// A side pane runs tool, decision, source and detail together after the event.
		const pane = await audit(['--since', '2026-11-27', '--event', 'tool_decision'], 50);
		expect(pane.stdout.split('\n')[1]).toBe('11-27 10:00 tool_decision  Bash · reject · user_r…');
		for (const columns of [60, 80, 100]) {
			const narrow = await audit(['--since', '2026-11-27'], columns);
			expect(narrow.stdout.split('\n')[0]).toMatch(columns < 80 ? /^time +event +tool · decision · source · detail$/ : /^time +event +tool +decision source · detail$/);
			for (const line of narrow.stdout.split('\n').filter(line => !line.startsWith('events:'))) expect(line.length).toBeLessThanOrEqual(columns);
		}
	});

	it('prints CSV with a header, quoting what needs it', async () => {
		const {stdout} = await audit(['--csv', '--event', 'guard']);
		expect(stdout).toBe('timestamp,event,user,sessionId,tool,decision,source,detail\n2026-11-27T11:00:00.000Z,guard,ana,cafe0001-aaaa,,block,UserPromptSubmit,"budget ""day"" (day) is over: $41.00 of $40.00 used; resets at 00:00 (in 13h00m)"\n');
	});

	it('says what it skipped: an unreadable spool line is counted on stderr', async () => {
		await appendFile(path.join(data, 'otel-spool.ndjson'), '{"v":1,"t":1764300000000,"record":\n');
		const result = await audit(['--json', '--event', 'guard']);
		expect(result.code).toBe(0);
		expect(result.stderr).toBe('cctop: skipped 1 unreadable line (a torn or edited record)\n');
	});
});

describe('cctop audit on a realcc run with OTEL_LOG_TOOL_DETAILS=1 (2.1.332: a Write turn, a Bash turn, a text turn)', () => {
	it('counts each kind as fixtures/README.md works out, and shows the file written and the command run', async () => {
		const details = path.join(home, 'details');
		await appendToSpool(captured('fixtures/otlp-tool-details/cc-2.1.332_http-json').map(record => ({record, isIncomplete: false})), {file: path.join(details, 'otel-spool.ndjson'), receivedAtMs: Date.parse('2026-12-02T20:12:00Z')});
		const run = async (args: string[]) =>
			new Promise<string>(resolve => {
				execFile(process.execPath, [cliPath, 'audit', ...args], {env: {...process.env, HOME: home, CCTOP_DATA_DIR: details, TZ: 'UTC'}}, (_error, stdout) => resolve(stdout));
			});
		const rows = jsonRows(await run(['--json']));
		expect(countBy(rows)).toEqual({managed_settings_resolved: 3, plugin_loaded: 9, user_prompt: 3, tool_decision: 2, tool_result: 2});
		expect(countBy(jsonRows(await run(['--json', '--event', 'api_request,assistant_response'])))).toEqual({api_request: 5, assistant_response: 4});
		const tools = rows.filter(row => row.event === 'tool_decision' || row.event === 'tool_result').map(row => [row.event, row.tool, row.decision, row.source, row.detail]);
		expect(tools).toEqual([
			['tool_decision', 'Write', 'accept', 'config', ''],
			['tool_result', 'Write', 'success', null, expect.stringMatching(/^\d+ ms · \/tmp\/realcc-2\.1\.332-\w+\/work\/hello-0\.txt$/)],
			['tool_decision', 'Bash', 'accept', 'config', 'echo realcc-ok'],
			['tool_result', 'Bash', 'success', null, expect.stringMatching(/^\d+ ms · echo realcc-ok$/)],
		]);
	});
});
