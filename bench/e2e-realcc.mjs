// End-to-end check against real Claude Code builds (../shared/realcc): cctop follows a
// config dir live while `claude -p` runs against the loopback mock API, and its totals
// must equal what the mock really served. Heavy (installs Claude Code under /tmp), so it
// is `npm run e2e`, never part of `npm test`.
//
//   npm run e2e                                  # 2.1.112 (Node) and 2.1.332 (native)
//   npm run e2e -- --versions 2.1.112 --scenario ../shared/realcc/scenarios/default.json
import {execFile, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';
import {parseArgs, promisify} from 'node:util';

const {values} = parseArgs({
	options: {
		versions: {type: 'string', default: '2.1.112,2.1.332'},
		scenario: {type: 'string', default: '../shared/realcc/scenarios/model-mismatch-slow-blocks.json'},
		realcc: {type: 'string', default: '../shared/realcc/run-claude.mjs'},
	},
});

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const log = message => process.stderr.write(`${message}\n`);
const sum = (objects, key) => objects.reduce((total, object) => total + (object[key] ?? 0), 0);

const check = async version => {
	const out = mkdtempSync(path.join(os.tmpdir(), `cctop-e2e-${version}-`));
	const claudeDir = path.join(out, 'home', '.claude');
	mkdirSync(path.join(claudeDir, 'projects'), {recursive: true});
	const env = {...process.env, CCTOP_CACHE_DIR: path.join(out, 'cctop-cache')};
	// Follow the (still empty) config dir live, before Claude Code writes anything.
	const watcher = spawn(process.execPath, [cli, 'report', '--json', '--watch', '--quiet', '--claude-dir', claudeDir], {env, stdio: ['ignore', 'pipe', 'inherit']});
	let latest;
	let buffered = '';
	watcher.stdout.on('data', chunk => {
		buffered += chunk;
		const lines = buffered.split('\n');
		buffered = lines.pop();
		if (lines.length > 0) latest = JSON.parse(lines.at(-1));
	});
	const until = async (predicate, timeoutMs) => {
		const deadline = performance.now() + timeoutMs;
		while (!predicate()) {
			if (performance.now() > deadline) return false;
			await new Promise(resolve => setTimeout(resolve, 20));
		}

		return true;
	};

	await until(() => latest !== undefined, 30_000);
	log(`${version}: cctop is watching ${claudeDir}; running claude -p …`);
	const {stdout} = await promisify(execFile)(process.execPath, [values.realcc, '--version', version, '--scenario', values.scenario, '--out', out, '--config-dir', '.claude'], {maxBuffer: 64 * 1024 * 1024, timeout: 900_000});
	const result = JSON.parse(stdout);
	const exitedAt = performance.now();
	const served = result.groundTruth.requests.filter(request => !request.error);
	const expected = {
		entries: served.length,
		inputTokens: sum(served.map(request => request.usage), 'input_tokens'),
		outputTokens: sum(served.map(request => request.usage), 'output_tokens'),
		cacheCreationInputTokens: sum(served.map(request => request.usage), 'cache_creation_input_tokens'),
		cacheReadInputTokens: sum(served.map(request => request.usage), 'cache_read_input_tokens'),
	};
	const actual = report => ({entries: report.totals.entries, ...report.totals.tokenCounts});
	const matches = report => report !== undefined && JSON.stringify(actual(report)) === JSON.stringify(expected);
	const isLiveMatch = await until(() => matches(latest), 15_000);
	const liveMs = performance.now() - exitedAt;
	watcher.kill('SIGINT');
	const cold = JSON.parse((await promisify(execFile)(process.execPath, [cli, 'report', '--json', '--no-cache', '--quiet', '--claude-dir', claudeDir], {env, maxBuffer: 64 * 1024 * 1024})).stdout);
	const row = {
		version,
		kind: result.kind,
		served: expected.entries,
		live: isLiveMatch ? `matches ${liveMs.toFixed(0)} ms after claude exited` : `MISMATCH ${JSON.stringify(latest && actual(latest))}`,
		cold: matches(cold) ? 'matches' : `MISMATCH ${JSON.stringify(actual(cold))}`,
		expected,
	};
	rmSync(out, {recursive: true, force: true});
	return row;
};

const rows = [];
for (const version of values.versions.split(',')) rows.push(await check(version));
process.stdout.write('\n| Claude Code | build | requests served | `report --watch` (live) | `report --no-cache` (cold) | served tokens (in/out/cache write/cache read) |\n|---|---|---:|---|---|---|\n');
for (const row of rows) {
	const {inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens} = row.expected;
	process.stdout.write(`| ${row.version} | ${row.kind} | ${row.served} | ${row.live} | ${row.cold} | ${inputTokens}/${outputTokens}/${cacheCreationInputTokens}/${cacheReadInputTokens} |\n`);
}

process.exitCode = rows.every(row => row.live.startsWith('matches') && row.cold === 'matches') ? 0 : 1;
