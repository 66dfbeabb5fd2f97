import {execFile} from 'node:child_process';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {OtelRecord} from '../../source/core/otel/console-records.js';
import {appendToSpool} from '../../source/ingest/otel/otel-spool.js';

const cliPath = path.resolve('dist/cli.js');
const now = '2026-11-26T15:00:00Z';
let home: string;
let budgetsFile: string;

const series = {type: 'sum', temporality: 'delta', isMonotonic: true, scope: {name: 'com.anthropic.claude_code', version: '2.1.332'}} as const;
const cost = (email: string, team: string, usd: number): OtelRecord => ({
	kind: 'metric',
	name: 'claude_code.cost.usage',
	unit: 'USD',
	series,
	points: [{attributes: {'user.email': email, 'team.id': team, model: 'claude-opus-4-5', 'session.id': `s-${email}`}, startTimeMs: Date.parse(now) - 120_000, endTimeMs: Date.parse(now) - 60_000, value: usd}],
});

beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-budgets-'));
	await mkdir(path.join(home, 'claude', 'projects'), {recursive: true});
	await appendToSpool([cost('ana@example.com', 'platform', 120), cost('bo@example.com', 'platform', 30), cost('cy@example.com', 'web', 5)].map(record => ({record, isIncomplete: false})), {file: path.join(home, 'data', 'otel-spool.ndjson'), receivedAtMs: Date.parse(now) - 30_000});
	budgetsFile = path.join(home, 'budgets.json');
	await writeFile(
		budgetsFile,
		JSON.stringify({
			budgets: [
				{name: 'my day', scope: 'local', period: 'day', usd: 40, enforce: 'block'},
				{name: 'each engineer', scope: 'team', match: {user: '*'}, period: 'week', usd: 100},
				{name: 'platform', scope: 'team', match: {'team.id': 'platform'}, period: 'month', usd: 2000},
				{name: 'web tokens', scope: 'team', match: {'team.id': 'web'}, period: 'day', tokens: 5_000_000},
				{name: 'per session', scope: 'team', match: {user: '*'}, period: 'session', usd: 10},
			],
		}),
	);
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const run = async (command: string, args: string[]) =>
	new Promise<{code: number; stdout: string; stderr: string}>(resolve => {
		execFile(command, args, {env: {...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', CCTOP_DATA_DIR: path.join(home, 'data'), CCTOP_CACHE_DIR: path.join(home, 'cache'), TZ: 'UTC'}}, (error, stdout, stderr) => resolve({code: error === null ? 0 : Number(error.code), stdout, stderr}));
	});
const cctop = async (args: string[]) => run(process.execPath, [cliPath, ...args, '--budgets', budgetsFile]);

describe('cctop budgets', () => {
	it('check: every budget, local and per user or label; exit 1 when one is over', async () => {
		const result = await cctop(['budgets', 'check', '--now', now, '--claude-dir', path.join(home, 'claude')]);
		expect(result.code).toBe(1);
		expect(result.stdout.split('\n')).toEqual([
			'✓ my day (local, day): $0.00 of $40.00 · ok',
			'✗ each engineer (team, week, ana@example.com): $120.00 of $100.00, $126.79 projected · over',
			'✓ each engineer (team, week, bo@example.com): $30.00 of $100.00, $31.70 projected · ok',
			'✓ each engineer (team, week, cy@example.com): $5.00 of $100.00, $5.28 projected · ok',
			'✓ platform (team, month, platform): $150.00 of $2,000.00, $175.61 projected · ok',
			'✓ web tokens (team, day, web): 0 tokens of 5.00M tokens · ok',
			'- per session: a team session budget has no period cctop team counts (day, week, month)',
			'',
		]);
		const json = JSON.parse((await cctop(['budgets', 'check', '--json', '--now', now, '--claude-dir', path.join(home, 'claude')])).stdout) as {budgets: Array<{status: string}>};
		expect(json.budgets.map(item => item.status)).toEqual(['ok', 'over', 'ok', 'ok', 'ok', 'ok']);
	});

	it('rules: Prometheus alerting rules that promtool accepts', async () => {
		const rules = await cctop(['budgets', 'rules']);
		expect(rules.code).toBe(0);
		expect(rules.stdout).toContain('expr: sum by (user_email, user_account_uuid, enduser_id, user_id) (increase(claude_code_cost_usage_USD_total[7d])) >= 100');
		expect(rules.stdout).toContain('expr: sum (increase(claude_code_cost_usage_USD_total{team_id="platform"}[30d])) >= 2000');
		expect(rules.stdout).toContain('expr: sum (increase(claude_code_token_usage_tokens_total{team_id="web"}[1d])) >= 4000000');
		expect(rules.stdout).toContain('# Left out (no Prometheus window for a session): per session');
		const file = path.join(home, 'rules.yml');
		await writeFile(file, rules.stdout);
		const checked = await run('promtool', ['check', 'rules', file]);
		expect(checked.stdout + checked.stderr).toContain('SUCCESS: 9 rules found');
		expect(checked.code).toBe(0);
	});

	it('a malformed budgets file names the file, the field and the reason, exit 2', async () => {
		const bad = path.join(home, 'bad.json');
		await writeFile(bad, JSON.stringify({budgets: [{name: 'x', scope: 'team', period: 'week'}]}));
		const result = await run(process.execPath, [cliPath, 'budgets', 'check', '--budgets', bad]);
		expect(result.code).toBe(2);
		expect(result.stderr).toBe(`cctop: ${bad}: budgets.0: give exactly one of usd or tokens\n`);
	});
});
