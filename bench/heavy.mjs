// Heavy users' histories (issue 17), every row measured against ccusage native
// and a bare `node -e 0` in the same run, as wall time and CPU time (user+sys):
//   many files         1 GB in ~5,000 transcripts over 180 days
//   4 GB               ~20,000 transcripts over 365 days
//   one giant session  a single 700 MB transcript
//
//   node bench/heavy.mjs [--corpora many-files,4gb,giant] [--runs 5] [--quick-runs 21] [--idle-seconds 30] [--steady-seconds 120] [--no-ccusage]
//
// Prints one Markdown table per corpus, then the targets table. Corpora live in
// $CCTOP_BENCH_DIR (default <tmp>/cctop-bench) and are generated once.
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {dashboardProbe} from './dashboard-probe.mjs';
import {corpusShapes, freshLines, generateCorpus} from './generate-corpus.mjs';
import {ccusageCommand, ccusageVersion, interleaved, newestFile, quantile, sameTotals, spread, timed, totals, withRestore} from './measure.mjs';

const {values} = parseArgs({
	options: {
		corpora: {type: 'string', default: 'many-files,4gb,giant'},
		runs: {type: 'string', default: '5'},
		'quick-runs': {type: 'string', default: '21'},
		'idle-seconds': {type: 'string', default: '30'},
		'steady-seconds': {type: 'string', default: '120'},
		'append-seconds': {type: 'string', default: '30'},
		'no-ccusage': {type: 'boolean', default: false},
	},
});

const corpora = {
	'many-files': {name: 'corpus-many-1024', megabytes: 1024, shape: 'many-files', label: 'many files, 1 GB'},
	'4gb': {name: 'corpus-year-4096', megabytes: 4096, shape: 'year-of-files', label: '4 GB'},
	giant: {name: 'corpus-giant-700', megabytes: 700, shape: 'giant-session', label: 'one giant session, 700 MB'},
};

const root = process.env.CCTOP_BENCH_DIR ?? path.join(os.tmpdir(), 'cctop-bench');
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const runs = Number(values.runs);
const quickRuns = Number(values['quick-runs']);
const log = message => process.stderr.write(`${message}\n`);
mkdirSync(root, {recursive: true});

const corpus = async ({name, megabytes, shape}) => {
	const dir = path.join(root, name);
	const marker = path.join(dir, 'corpus.json');
	if (existsSync(marker)) return {dir, ...JSON.parse(readFileSync(marker, 'utf8'))};
	rmSync(dir, {recursive: true, force: true});
	log(`generating ${name} (${shape}, ${megabytes} MB) …`);
	const result = await generateCorpus(dir, megabytes * 1024 * 1024, 42, undefined, corpusShapes[shape]);
	writeFileSync(marker, JSON.stringify(result));
	return {dir, ...result};
};

const ccusage = values['no-ccusage'] ? undefined : ccusageCommand(root);
const s = value => value.toFixed(2);
const s3 = value => value.toFixed(3);
const ms = value => value.toFixed(0);
// Small ratios get a third digit: 0.052× must not print as the 0.05× target.
/** The one-shot row of a report after appends: what an active user's report reads (the index plus what changed). */
const appendedReport = 'report --json, ~4 KB appended before each run';
const x = value => `${value.toFixed(value < 0.1 ? 3 : 2)}×`;
const results = [];

for (const key of values.corpora.split(',')) {
	const spec = corpora[key];
	if (spec === undefined) throw new Error(`unknown corpus ${key}; one of ${Object.keys(corpora).join(', ')}`);
	const {dir, bytes, files} = await corpus(spec);
	// The newest transcript is the live session the one-shot rows and the dashboard
	// append to: written a moment ago, as a live one is. The generated times are
	// the generating day's, days back by now, and a transcript quiet for hours is
	// neither stat'ed by a status line nor watched by the dashboard: without this
	// the status rows measured lines that never saw the appends (2026-12-03 20:55).
	const file = newestFile(dir);
	utimesSync(file, new Date(), new Date());
	const cacheDir = path.join(root, `cache-${spec.name}`);
	const env = {CLAUDE_CONFIG_DIR: dir, HOME: root, CCTOP_CACHE_DIR: cacheDir, CCTOP_DATA_DIR: path.join(root, 'data')};
	const report = extra => [process.execPath, cli, 'report', '--json', '--quiet', '--claude-dir', dir, ...extra];
	const row = {key, label: `${spec.label} (${(bytes / 1024 / 1024).toFixed(0)} MiB, ${files} files)`, files, bytes};
	log(`${row.label}`);

	// Cold: both tools, alternating, after one untimed run each (the same page cache for both).
	const tools = [['cctop', report(['--no-cache'])]];
	if (ccusage) tools.push(['ccusage', [...ccusage, 'blocks', '--json', '--offline']]);
	// A peer that fails (ccusage on one giant transcript) is reported as failed, not retried.
	const failures = new Map();
	const attempt = (name, command) => {
		if (failures.has(name)) return undefined;
		try {
			return timed(command, env, root);
		} catch (error) {
			failures.set(name, String(error.message).split('\n').find(line => line.trim() !== '' && !line.includes('failed:'))?.trim().slice(0, 160) ?? 'failed');
			log(`  ${name} failed: ${failures.get(name)}`);
			return undefined;
		}
	};

	// Warm: the index written once (the "first run" row), then nothing new. Its runs
	// go between the cold pairs, right after ccusage's, so the 0.05× ratio compares
	// runs in the same moments of a machine whose speed moves by a third within an hour.
	// After the untimed cold runs, like the timed ones: the first to touch the corpus reads it from disk.
	for (const [name, command] of tools) attempt(name, command);
	rmSync(cacheDir, {recursive: true, force: true});
	const first = timed(report([]), env, root);
	log(`  first run (writes the index): ${s(first.wallS)} s, ${first.rssMiB.toFixed(0)} MiB`);
	// At least 11 in all: a warm run is ~0.2 s, and its median is what the target is about.
	const warmPerRound = Math.ceil(Math.max(runs, 11) / runs);
	const warm = [];
	// The report's quiet check (source/ingest/index/quiet-check.ts): for ten minutes
	// after a full look found the quiet files as indexed, a report stats only the hot
	// ones. One run per round without it (it writes it again), so both costs are seen.
	const fullLook = [];
	// A warm report that finds nothing changed prints the last one's kept output
	// (report-cache.ts); one run per round has it removed, in a row of its own.
	const made = [];
	const dropKept = () => {
		for (const name of readdirSync(cacheDir)) if (name.startsWith('report-')) rmSync(path.join(cacheDir, name), {force: true});
	};

	const dropQuietCheck = () => {
		for (const name of readdirSync(cacheDir)) if (name.startsWith('quiet-')) rmSync(path.join(cacheDir, name), {force: true});
	};

	const cold = new Map(tools.map(([name]) => [name, []]));
	for (let run = 0; run < runs; run++) {
		for (const [name, command] of tools) {
			const result = attempt(name, command);
			if (result === undefined) continue;
			cold.get(name).push(result);
			log(`  cold ${name} run ${run + 1}: ${s(result.wallS)} s wall, ${s(result.cpuS)} s CPU, ${result.rssMiB.toFixed(0)} MiB`);
		}

		dropQuietCheck();
		fullLook.push(timed(report([]), env, root));
		for (let round = 0; round < warmPerRound; round++) warm.push(timed(report([]), env, root));
		// The kept report (report-cache.ts) removed: the report made as it was before it, under the quiet check.
		dropKept();
		made.push(timed(report([]), env, root));
	}

	if (failures.has('cctop')) throw new Error(`cctop failed on ${row.label}: ${failures.get('cctop')}`);

	const reference = totals(cold.get('cctop')[0].output);
	row.requests = reference.entries;
	row.cold = {wall: spread(cold.get('cctop'), 'wallS'), cpu: spread(cold.get('cctop'), 'cpuS'), rss: spread(cold.get('cctop'), 'rssMiB')};
	if (ccusage && failures.has('ccusage')) row.peerFailure = failures.get('ccusage');
	else if (ccusage) {
		row.ccusage = {wall: spread(cold.get('ccusage'), 'wallS'), cpu: spread(cold.get('ccusage'), 'cpuS'), rss: spread(cold.get('ccusage'), 'rssMiB')};
		row.peerCheck = sameTotals(reference, totals(cold.get('ccusage')[0].output)) ? 'same totals' : 'DIFFERENT totals';
	}

	row.first = first;
	row.warm = {wall: spread(warm, 'wallS'), cpu: spread(warm, 'cpuS'), rss: spread(warm, 'rssMiB')};
	row.fullLook = {wall: spread(fullLook, 'wallS'), cpu: spread(fullLook, 'cpuS'), rss: spread(fullLook, 'rssMiB')};
	row.made = {wall: spread(made, 'wallS'), cpu: spread(made, 'cpuS'), rss: spread(made, 'rssMiB')};
	row.warmCheck = [warm[0], fullLook[0], made[0]].every(run => sameTotals(reference, totals(run.output))) ? 'same totals' : 'DIFFERENT totals';

	// The one-shot commands, interleaved with node -e 0. Between two status-bar
	// refreshes a live session grows: before each `…appended` run ~4 KB is appended, stamped after the last line.
	const hookInput = JSON.stringify({model: {id: 'claude-opus-5', display_name: 'Opus'}, cost: {total_cost_usd: 0.012_34}, rate_limits: {five_hour: {used_percentage: 23.5, resets_at: 1_738_425_600}}});
	const lastMs = Date.parse(JSON.parse(warm[0].output).blocks.at(-1)?.actualEndTime ?? '2026-11-01T00:00:00Z');
	let clockMs = Math.max(lastMs, Date.now() - 3_600_000);
	let seed = 500;
	const appendSome = () => {
		const lines = freshLines(4 * 1024, seed++, clockMs);
		writeFileSync(file, lines, {flag: 'a'});
		for (const line of lines.split('\n')) if (line.includes('"timestamp"')) clockMs = Math.max(clockMs, Date.parse(JSON.parse(line).timestamp) + 1000);
	};

	const command = args => [process.execPath, cli, ...args, '--claude-dir', dir];
	const budgetsFile = path.join(root, 'bench-budgets.json');
	writeFileSync(budgetsFile, JSON.stringify({budgets: [{name: 'day', period: 'day', usd: 1e9, enforce: 'block'}, {name: 'block', period: 'block', tokens: 1e15, enforce: 'block'}]}));
	const guardInput = JSON.stringify({hook_event_name: 'UserPromptSubmit', session_id: 'bench', prompt: 'go on'});
	const quick = await withRestore(file, cacheDir, async () => {
		// One status line first, so the snapshot exists, as it does for a status bar that has been running.
		timed(command(['status']), env, root);
		const names = ['node -e 0', 'status', 'statusline', 'guard', 'status --format json', 'session --latest', 'session --list', 'status, ~4 KB appended before each run'];
		const measured = interleaved(
			[
				{command: [process.execPath, '-e', '0']},
				{command: command(['status'])},
				{command: command(['statusline']), input: hookInput},
				// The guard as a UserPromptSubmit hook with a day and a block budget (the status fast path), far from their limits.
				{command: command(['guard', '--budgets', budgetsFile]), input: guardInput},
				{command: command(['status', '--format', 'json'])},
				{command: command(['session', '--latest'])},
				{command: command(['session', '--list'])},
				{command: command(['status']), before: appendSome},
			],
			{runs: quickRuns, env},
		);
		// Rounds of their own (a report is heavier than the status lines, and would
		// change the moments they are measured in): the index is as the first run
		// wrote it, and each report reads it plus what was appended since (~4 KB more each round).
		const [, report] = interleaved([{command: [process.execPath, '-e', '0']}, {command: command(['report', '--json', '--quiet']), before: appendSome}], {runs: quickRuns, env});
		return {...Object.fromEntries(names.map((name, index) => [name, measured[index]])), [appendedReport]: report};
	});
	row.quick = quick;
	log(`  status ${ms(quick.status.wall.median)} ms (node -e 0 ${ms(quick['node -e 0'].wall.median)} ms), status --format json ${ms(quick['status --format json'].wall.median)} ms, session --list ${ms(quick['session --list'].wall.median)} ms`);

	// The live dashboard on the warm index: idle CPU and RSS, and append → frame latency.
	row.dashboard = await withRestore(file, cacheDir, async () =>
		dashboardProbe({cli, dir, env, file, idleSeconds: Number(values['idle-seconds']), steadySeconds: Number(values['steady-seconds']), appendSeconds: Number(values['append-seconds'])}),
	);
	log(`  dashboard idle ${row.dashboard.idleCpuPercent.toFixed(2)}% CPU (first minute ${row.dashboard.firstMinuteCpuPercent.toFixed(2)}%), peak ${row.dashboard.peakRssMiB.toFixed(0)} MiB, append → frame p95 ${ms(quantile(row.dashboard.latencies, 0.95))} ms`);
	results.push(row);
}

// One table per corpus: every row with median, min–max and the ratios.
const range = (value, format) => `${format(value.median)} (${format(value.min)}–${format(value.max)})`;
for (const row of results) {
	const node = row.quick['node -e 0'];
	const peer = row.ccusage;
	process.stdout.write(`\n### ${row.label}, ${row.requests} requests\n\n| command | wall | CPU (user+sys) | peak RSS (MiB) | wall ÷ ccusage | CPU ÷ ccusage | wall ÷ node -e 0 | CPU ÷ node -e 0 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n`);
	if (peer) process.stdout.write(`| ccusage ${ccusageVersion} native, cold (s) | ${range(peer.wall, s)} | ${range(peer.cpu, s)} | ${peer.rss.median.toFixed(0)} | | | | |\n`);
	const vsPeer = (value, of) => (peer ? x(value.median / peer[of].median) : '—');
	process.stdout.write(`| cctop cold \`report --json --no-cache\` (s) | ${range(row.cold.wall, s)} | ${range(row.cold.cpu, s)} | ${row.cold.rss.median.toFixed(0)} | ${vsPeer(row.cold.wall, 'wall')} | ${vsPeer(row.cold.cpu, 'cpu')} | | |\n`);
	process.stdout.write(`| cctop first run, writes the index (s) | ${s(row.first.wallS)} | ${s(row.first.cpuS)} | ${row.first.rssMiB.toFixed(0)} | | | | |\n`);
	process.stdout.write(`| cctop warm \`report --json\`: nothing changed, the kept report (s) | ${range(row.warm.wall, s3)} | ${range(row.warm.cpu, s3)} | ${row.warm.rss.median.toFixed(0)} | ${vsPeer(row.warm.wall, 'wall')} | ${vsPeer(row.warm.cpu, 'cpu')} | | |\n`);
	process.stdout.write(`| cctop warm \`report --json\`, a full look: no quiet check, every file and folder stat'ed (s) | ${range(row.fullLook.wall, s3)} | ${range(row.fullLook.cpu, s3)} | ${row.fullLook.rss.median.toFixed(0)} | ${vsPeer(row.fullLook.wall, 'wall')} | ${vsPeer(row.fullLook.cpu, 'cpu')} | | |\n`);
	process.stdout.write(`| cctop warm \`report --json\`, made, no kept report: under the quiet check (s) | ${range(row.made.wall, s3)} | ${range(row.made.cpu, s3)} | ${row.made.rss.median.toFixed(0)} | ${vsPeer(row.made.wall, 'wall')} | ${vsPeer(row.made.cpu, 'cpu')} | | |\n`);
	for (const [name, timing] of Object.entries(row.quick)) {
		const ratios = name === 'node -e 0' ? '| | |' : `| ${x(timing.wall.median / node.wall.median)} | ${x(timing.cpu.median / node.cpu.median)} |`;
		const peerRatios = name === appendedReport && peer ? `${x(timing.wall.median / 1000 / peer.wall.median)} | ${x(timing.cpu.median / 1000 / peer.cpu.median)}` : ' | ';
		process.stdout.write(`| ${name === 'node -e 0' ? 'bare `node -e 0`' : `cctop ${name}`} (ms) | ${range(timing.wall, ms)} | ${range(timing.cpu, ms)} | | ${peerRatios} ${ratios}\n`);
	}

	const {dashboard} = row;
	process.stdout.write(`| live \`cctop\` dashboard: idle CPU ${dashboard.idleCpuPercent.toFixed(2)}% of a core over ${values['steady-seconds']} s, one safety poll's period (${dashboard.firstMinuteCpuPercent.toFixed(2)}% in its first minute, V8 still compiling the render path), ${dashboard.appendCpuPercent.toFixed(2)}% appending 2 lines/s; append → frame p50 ${ms(quantile(dashboard.latencies, 0.5))} ms, p95 ${ms(quantile(dashboard.latencies, 0.95))} ms, max ${ms(Math.max(...dashboard.latencies))} ms over ${dashboard.latencies.length} appends | | | ${dashboard.peakRssMiB.toFixed(0)} | | | | |\n`);
	process.stdout.write(`\nChecks: cold vs ccusage ${row.peerFailure ? `not compared: ccusage failed (${row.peerFailure})` : (row.peerCheck ?? 'not run')}; warm vs cold ${row.warmCheck}.\n`);
}

// The issue's targets, one column per corpus.
const target = (label, format) => `| ${label} | ${results.map(format).join(' | ')} |\n`;
process.stdout.write(`\n### Targets\n\n| measure | ${results.map(row => row.label).join(' | ')} |\n|---|${results.map(() => '---:').join('|')}|\n`);
process.stdout.write(target('cold wall ÷ ccusage', row => (row.ccusage ? x(row.cold.wall.median / row.ccusage.wall.median) : '—')));
process.stdout.write(target('cold CPU ÷ ccusage', row => (row.ccusage ? x(row.cold.cpu.median / row.ccusage.cpu.median) : '—')));
process.stdout.write(target('cold peak RSS (MiB)', row => row.cold.rss.median.toFixed(0)));
process.stdout.write(target('warm `report --json` ÷ ccusage', row => (row.ccusage ? x(row.warm.wall.median / row.ccusage.wall.median) : '—')));
process.stdout.write(target('warm `report --json`, a full look ÷ ccusage (no target)', row => (row.ccusage ? x(row.fullLook.wall.median / row.ccusage.wall.median) : '—')));
process.stdout.write(target('warm `report --json`, made, no kept report ÷ ccusage (no target)', row => (row.ccusage ? x(row.made.wall.median / row.ccusage.wall.median) : '—')));
process.stdout.write(target('warm `report --json` after appends ÷ ccusage (no target)', row => (row.ccusage ? x(row.quick[appendedReport].wall.median / 1000 / row.ccusage.wall.median) : '—')));
for (const name of ['status', 'statusline', 'guard']) {
	process.stdout.write(target(`\`${name}\` ÷ \`node -e 0\`, wall / CPU`, row => `${x(row.quick[name].wall.median / row.quick['node -e 0'].wall.median)} / ${x(row.quick[name].cpu.median / row.quick['node -e 0'].cpu.median)}`));
}

for (const name of ['status --format json', 'session --list', 'session --latest']) process.stdout.write(target(`\`${name}\` (ms)`, row => ms(row.quick[name].wall.median)));
process.stdout.write(target('live dashboard idle CPU / peak RSS', row => `${row.dashboard.idleCpuPercent.toFixed(2)}% / ${row.dashboard.peakRssMiB.toFixed(0)} MiB`));
process.stdout.write(target('live append → frame p95 (ms)', row => ms(quantile(row.dashboard.latencies, 0.95))));
process.stdout.write(`\nnode ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}; ${runs} cold runs, ${Math.ceil(Math.max(runs, 11) / runs) * runs} warm runs, ${runs} full looks and ${runs} reports made without the kept one (between the cold pairs) and ${quickRuns} one-shot rounds per corpus; ${process.env.CCTOP_BENCH_KEEP_ENV ? 'NODE_EXTRA_CA_CERTS as set' : 'NODE_EXTRA_CA_CERTS unset for every timed command (bench/measure.mjs benchEnv)'}\n`);
