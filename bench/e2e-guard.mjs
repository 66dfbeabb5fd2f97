// End to end with real Claude Code (../shared/realcc): `cctop setup --guard` installs the
// hooks, a budget sits below what the first prompt costs, and the second prompt must never
// reach the API. Heavy (installs Claude Code under /tmp): `npm run e2e:guard`, never npm test.
//
//   npm run e2e:guard                        # 2.1.332 (native) and 2.1.112 (Node)
//   npm run e2e:guard -- --versions 2.1.332
import {execFile} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs, promisify} from 'node:util';

const {values} = parseArgs({
	options: {
		versions: {type: 'string', default: '2.1.332,2.1.112'},
		realcc: {type: 'string', default: '../shared/realcc/run-claude.mjs'},
		keep: {type: 'boolean', default: false},
	},
});

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const log = message => process.stderr.write(`${message}\n`);

// Two plain prompts, two `claude -p` runs: the first costs ~$0.04 (Opus 4.5), the budget is $0.01.
const scenario = {
	name: 'guard: two prompts, a budget below the first',
	defaults: {args: [], usage: {input_tokens: 10, output_tokens: 3}, fallbackText: 'OK.'},
	runs: [
		{prompt: 'Say hello.', model: 'claude-opus-4-5-20251101', responses: [{text: 'Hello!', usage: {input_tokens: 2000, output_tokens: 7, cache_read_input_tokens: 0, cache_creation: {ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 4000}}}]},
		{prompt: 'Say hello again.', model: 'claude-opus-4-5-20251101', responses: [{text: 'Hello again!', usage: {input_tokens: 2100, output_tokens: 9}}]},
	],
};

const run = async (command, args, env) => promisify(execFile)(command, args, {env, maxBuffer: 64 * 1024 * 1024, timeout: 900_000}).then(
	({stdout, stderr}) => ({code: 0, stdout, stderr}),
	error => ({code: error.code, stdout: error.stdout ?? '', stderr: error.stderr ?? ''}),
);

const checks = [];
const check = (version, what, isOk, detail) => {
	checks.push({version, what, isOk, detail});
	log(`  ${isOk ? '✓' : '✗'} ${what}${detail ? `: ${detail}` : ''}`);
};

for (const version of values.versions.split(',')) {
	log(`Claude Code ${version}`);
	const out = mkdtempSync(path.join(os.tmpdir(), `cctop-e2e-guard-${version}-`));
	const home = path.join(out, 'home');
	mkdirSync(path.join(home, '.claude'), {recursive: true});
	const scenarioFile = path.join(out, 'scenario.json');
	writeFileSync(scenarioFile, JSON.stringify(scenario));
	// Claude Code's HOME is <out>/home: cctop's defaults (budgets, data and cache dirs) follow it.
	const budgetsFile = path.join(home, '.config', 'cctop', 'budgets.json');
	mkdirSync(path.dirname(budgetsFile), {recursive: true});
	writeFileSync(budgetsFile, JSON.stringify({budgets: [{name: 'e2e day', scope: 'local', period: 'day', usd: 0.01, enforce: 'block'}]}));
	const cctopEnv = {PATH: process.env.PATH, HOME: home, TZ: process.env.TZ ?? 'UTC'};
	const setup = await run(process.execPath, [cli, 'setup', '--guard'], cctopEnv);
	check(version, 'cctop setup --guard', setup.code === 0, setup.stdout.split('\n').filter(line => line.includes('hooks.')).join(' | '));
	log(`  settings: ${readFileSync(path.join(home, '.claude', 'settings.json'), 'utf8').replaceAll(/\s+/g, ' ')}`);

	const realcc = await run(process.execPath, [values.realcc, '--version', version, '--scenario', scenarioFile, '--out', out], {PATH: process.env.PATH, HOME: process.env.HOME, REALCC_ID_TAG: `guard${version.replaceAll('.', '')}`});
	const result = JSON.parse(realcc.stdout);
	const served = result.groundTruth.requests.filter(request => request.fallback !== true || request.run !== undefined);
	const byRun = run => result.groundTruth.requests.filter(request => request.run === run && !String(request.model ?? '').includes('haiku'));
	log(`  runs: ${result.runs.map(item => `#${item.index} exit ${item.exitCode} in ${item.ms} ms, stderr ${JSON.stringify(readFileSync(item.stderrFile, 'utf8').trim().slice(0, 200))}, stdout ${JSON.stringify(readFileSync(item.stdoutFile, 'utf8').trim().slice(0, 120))}`).join('; ')}`);
	log(`  mock: ${served.map(request => `run ${request.run} ${request.model} ${request.usage?.input_tokens ?? '-'}in/${request.usage?.output_tokens ?? '-'}out`).join(', ')}`);
	check(version, 'the first prompt reached the mock', byRun(0).length > 0, `${byRun(0).length} request(s)`);
	check(version, 'the second prompt did not reach the mock', byRun(1).length === 0, `${byRun(1).length} request(s) in run 1`);

	const report = JSON.parse((await run(process.execPath, [cli, 'report', '--json', '--quiet', '--claude-dir', result.claudeConfigDir], cctopEnv)).stdout);
	const counted = report.totals;
	const first = byRun(0).reduce((sum, request) => sum + request.usage.input_tokens + request.usage.output_tokens, 0);
	check(version, "the first prompt's usage is counted", counted.tokenCounts.inputTokens + counted.tokenCounts.outputTokens === first, `cctop ${counted.tokenCounts.inputTokens}+${counted.tokenCounts.outputTokens} tokens, $${counted.costUSD.toFixed(4)}; mock ${first} tokens`);

	const decisions = readFileSync(path.join(home, '.local', 'share', 'cctop', 'guard-decisions.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line));
	log(`  guard decisions: ${decisions.map(record => `${record.source} ${record.decision}`).join(', ')}`);
	const block = decisions.find(record => record.decision === 'block');
	check(version, 'the guard allowed the first prompt and blocked the second', decisions[0]?.decision === 'allow' && block?.source === 'UserPromptSubmit', block?.detail);
	const audit = await run(process.execPath, [cli, 'audit', '--event', 'guard', '--json'], cctopEnv);
	const audited = audit.stdout.trim().split('\n').filter(Boolean).map(line => JSON.parse(line));
	check(version, 'the block shows in cctop audit', audited.some(record => record.event === 'guard' && record.decision === 'block'), audit.code === 0 ? `${audited.length} guard rows` : audit.stderr.trim());
	if (!values.keep) rmSync(out, {recursive: true, force: true});
	else log(`  kept ${out}`);

	// Mid-turn: a Write tool turn whose first answer already costs more than the budget. The
	// PreToolUse hook must refuse the Write (the file is never created), and Claude hears why.
	const turn = mkdtempSync(path.join(os.tmpdir(), `cctop-e2e-guard-pretool-${version}-`));
	const turnHome = path.join(turn, 'home');
	mkdirSync(path.join(turnHome, '.claude'), {recursive: true});
	const turnBudgets = path.join(turnHome, '.config', 'cctop', 'budgets.json');
	mkdirSync(path.dirname(turnBudgets), {recursive: true});
	writeFileSync(turnBudgets, JSON.stringify({budgets: [{name: 'e2e block', scope: 'local', period: 'block', usd: 0.001, enforce: 'block'}]}));
	await run(process.execPath, [cli, 'setup', '--guard'], {...cctopEnv, HOME: turnHome});
	const turnResult = JSON.parse((await run(process.execPath, [values.realcc, '--version', version, '--runs', '1', '--out', turn], {PATH: process.env.PATH, HOME: process.env.HOME, REALCC_ID_TAG: `pretool${version.replaceAll('.', '')}`})).stdout);
	const written = path.join(turnResult.workDir, 'hello-0.txt');
	const turnDecisions = readFileSync(path.join(turnHome, '.local', 'share', 'cctop', 'guard-decisions.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line));
	log(`  mid-turn: guard decisions ${turnDecisions.map(record => `${record.source}${record.tool ? `(${record.tool})` : ''} ${record.decision}`).join(', ')}; mock served ${turnResult.groundTruth.requests.length} request(s)`);
	const refused = turnDecisions.find(record => record.source === 'PreToolUse' && record.decision === 'block');
	check(version, 'PreToolUse refused the Write mid-turn, and the file was never written', refused?.tool === 'Write' && !existsSync(written), refused?.detail);
	if (!values.keep) rmSync(turn, {recursive: true, force: true});
}

const failed = checks.filter(item => !item.isOk);
log(failed.length === 0 ? `all ${checks.length} checks passed` : `${failed.length} of ${checks.length} checks failed`);
process.exitCode = failed.length === 0 ? 0 : 1;
