// Benchmarks, on generated corpora, in one run:
//   cold     cctop report --json --no-cache  vs  ccusage@20.0.24 blocks --json --offline (same corpus, alternating)
//   first    cctop's first run, which also writes the persistent index
//   warm     index present, nothing new
//   append   index present, 1 MB of new lines appended since it was written
//   live     report --json --watch: append → NDJSON latency over 200 appends, idle CPU, peak RSS
//   status   `cctop status`, `status --format json`, `statusline` (a sample hook payload on stdin),
//            `session --latest` and `session --list`, warm, 21 runs each
//   dashboard  `cctop` under a pseudo-terminal: idle CPU, CPU while a session appends 2 lines/s,
//            append → frame latency (until the new line shows on screen), RSS
//
//   npm run bench                               # 100 MB and 1 GB, 5 runs, 60 s idle probe
//   npm run bench -- --sizes 100 --runs 3 --idle-seconds 10
//   npm run bench -- --no-ccusage               # skip the peer (no registry access)
//   npm run bench -- --only dashboard --sizes 100   # just the dashboard probe
//   npm run bench -- --only status                  # just status, statusline and session
//   npm run bench -- --only soak                    # 300 lines/s for 5 min into a 100k-request block (bench/soak.mjs)
//   npm run bench -- --only spool                   # readers of a 500 MiB, 30-day spool (bench/spool.mjs)
//   npm run bench -- --only heavy                   # heavy users: many files, 4 GB, one giant session (bench/heavy.mjs)
//
// Corpora, the index and ccusage live in $CCTOP_BENCH_DIR (default <tmp>/cctop-bench) and are reused.
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {performance} from 'node:perf_hooks';
import {dashboardProbe} from './dashboard-probe.mjs';
import {freshLines, generateCorpus, probeLine} from './generate-corpus.mjs';
import {benchEnv, ccusageCommand, ccusageVersion, median, newestFile, quantile, sameTotals, timed as timedRun, totals, withRestore} from './measure.mjs';

const {values} = parseArgs({
	options: {
		sizes: {type: 'string', default: '100,1024'},
		runs: {type: 'string', default: '5'},
		appends: {type: 'string', default: '200'},
		'idle-seconds': {type: 'string', default: '60'},
		'no-ccusage': {type: 'boolean', default: false},
		only: {type: 'string'},
		'dashboard-idle-seconds': {type: 'string', default: '60'},
		'dashboard-append-seconds': {type: 'string', default: '60'},
	},
});

const root = process.env.CCTOP_BENCH_DIR ?? path.join(os.tmpdir(), 'cctop-bench');
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const runs = Number(values.runs);
mkdirSync(root, {recursive: true});
const log = message => process.stderr.write(`${message}\n`);

const corpus = async megabytes => {
	const dir = path.join(root, `corpus-${megabytes}mb`);
	const marker = path.join(dir, 'corpus.json');
	if (existsSync(marker)) return {dir, ...JSON.parse(readFileSync(marker, 'utf8'))};
	rmSync(dir, {recursive: true, force: true});
	log(`generating ${megabytes} MB corpus in ${dir} …`);
	const result = await generateCorpus(dir, megabytes * 1024 * 1024);
	writeFileSync(marker, JSON.stringify(result));
	return {dir, ...result};
};

const timed = (command, env) => timedRun(command, env, root);

const summary = samples => ({
	median: median(samples.map(s => s.wallS)),
	min: Math.min(...samples.map(s => s.wallS)),
	max: Math.max(...samples.map(s => s.wallS)),
	rss: median(samples.map(s => s.rssMiB)),
});

/** Wall time of a short command, spawned directly (no shell), 21 runs after one untimed: median and range in ms. `before` runs untimed before each. */
const quick = (args, env, input, before) => {
	const times = [];
	for (let run = 0; run <= 21; run++) {
		before?.(run);
		const started = performance.now();
		const result = spawnSync(process.execPath, args, {env: benchEnv(env), input, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe']});
		if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
		if (run > 0) times.push(performance.now() - started);
	}

	return {median: median(times), min: Math.min(...times), max: Math.max(...times)};
};

/** The live probe: append one line at a time and time until the next NDJSON snapshot shows it. */
const live = async (dir, env, file, afterMs) => {
	const child = spawn(process.execPath, [cli, 'report', '--json', '--watch', '--quiet', '--claude-dir', dir], {env: benchEnv(env), stdio: ['ignore', 'pipe', 'inherit']});
	let buffered = '';
	let waiter;
	let lines = 0;
	child.stdout.on('data', chunk => {
		buffered += chunk.toString('utf8');
		let at;
		while ((at = buffered.indexOf('\n')) !== -1) {
			buffered = buffered.slice(at + 1);
			lines++;
			waiter?.();
		}
	});
	const nextLine = (seen, timeoutMs = 10_000) =>
		new Promise((resolve, reject) => {
			if (lines > seen) return resolve();
			const timer = setTimeout(() => reject(new Error('no snapshot within 10 s')), timeoutMs);
			waiter = () => {
				if (lines > seen) {
					clearTimeout(timer);
					waiter = undefined;
					resolve();
				}
			};
		});

	await nextLine(0, 120_000);
	const latencies = [];
	for (let index = 0; index < Number(values.appends); index++) {
		const seen = lines;
		const started = performance.now();
		// Stamped after the corpus's last entry, as a live session's lines are.
		appendFileSync(file, probeLine(index, afterMs + index * 1000));
		await nextLine(seen);
		latencies.push(performance.now() - started);
		await new Promise(resolve => setTimeout(resolve, 25));
	}

	const ticks = () => {
		const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return Number(fields[11]) + Number(fields[12]);
	};

	const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
	const idleSeconds = Number(values['idle-seconds']);
	const before = ticks();
	await new Promise(resolve => setTimeout(resolve, idleSeconds * 1000));
	const idleCpuPercent = ((ticks() - before) / clockTicks / idleSeconds) * 100;
	const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
	const peakRssMiB = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
	const steadyRssMiB = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
	child.kill('SIGINT');
	await new Promise(resolve => child.once('exit', resolve));
	return {latencies, idleCpuPercent, peakRssMiB, steadyRssMiB};
};

const f = value => value.toFixed(2);
const report = [];
/** The one-line commands a status bar or a quick look runs, on a warm index: 21 timed runs each. */
const oneLiners = async (dir, env, megabytes, file, cacheDir) => {
	// Claude Code 2.1.x's documented statusLine payload, cut to the fields cctop reads.
	const hookInput = JSON.stringify({model: {id: 'claude-opus-5', display_name: 'Opus'}, cost: {total_cost_usd: 0.012_34}, context_window: {context_window_size: 200_000, used_percentage: 8}, rate_limits: {five_hour: {used_percentage: 23.5, resets_at: 1_738_425_600}, seven_day: {used_percentage: 41.2, resets_at: 1_738_857_600}}});
	const dataDir = path.join(root, 'data');
	const oneLine = {
		status: quick([cli, 'status', '--claude-dir', dir], {...env, CCTOP_DATA_DIR: dataDir}),
		statusJson: quick([cli, 'status', '--format', 'json', '--claude-dir', dir], {...env, CCTOP_DATA_DIR: dataDir}),
		statusline: quick([cli, 'statusline', '--claude-dir', dir], {...env, CCTOP_DATA_DIR: dataDir}, hookInput),
		session: quick([cli, 'session', '--latest', '--claude-dir', dir], {...env, CCTOP_DATA_DIR: dataDir}),
		sessionList: quick([cli, 'session', '--list', '--claude-dir', dir], {...env, CCTOP_DATA_DIR: dataDir}),
	};
	// While Claude Code works, its transcript grows between two status-bar refreshes:
	// before every run, ~4 KB (a request or two) is appended, stamped after the last line.
	const report = JSON.parse(timed([process.execPath, cli, 'report', '--json', '--quiet', '--claude-dir', dir], env).output);
	let clockMs = Date.parse(report.blocks.at(-1).actualEndTime ?? report.blocks.at(-1).startTime) + 60_000;
	let seed = 100;
	const appendSome = () => {
		// A new seed each time: a reused one would write the same request ids again, which the index must sort out.
		const lines = freshLines(4 * 1024, seed++, clockMs);
		appendFileSync(file, lines);
		// The next append starts after this one's last line, as a live session's do.
		for (const line of lines.split('\n')) if (line.includes('"timestamp"')) clockMs = Math.max(clockMs, Date.parse(JSON.parse(line).timestamp) + 30_000);
	};

	await withRestore(file, cacheDir, async () => {
		oneLine.statusAppended = quick([cli, 'status', '--claude-dir', dir], {...env, CCTOP_DATA_DIR: dataDir}, undefined, appendSome);
		oneLine.statuslineAppended = quick([cli, 'statusline', '--claude-dir', dir], {...env, CCTOP_DATA_DIR: dataDir}, hookInput, appendSome);
	});
	log(`${megabytes} MB status ${oneLine.status.median.toFixed(0)} ms, json ${oneLine.statusJson.median.toFixed(0)} ms, statusline ${oneLine.statusline.median.toFixed(0)} ms, session --latest ${oneLine.session.median.toFixed(0)} ms, session --list ${oneLine.sessionList.median.toFixed(0)} ms; with ~4 KB appended before each run: status ${oneLine.statusAppended.median.toFixed(0)} ms, statusline ${oneLine.statuslineAppended.median.toFixed(0)} ms`);

	return oneLine;
};

// The sustained-append soak and the 500 MiB spool have their own scripts; `--only soak|spool` runs one, a full run both.
const script = (name, args) => {
	log(`bench/${name} ${args.join(' ')} …`);
	const result = spawnSync(process.execPath, [fileURLToPath(new URL(name, import.meta.url)), ...args], {stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8'});
	if (result.status !== 0) throw new Error(`bench/${name} failed`);
	return result.stdout;
};

const extraTables = [];
if (values.only === undefined || values.only === 'soak') {
	const soak = JSON.parse(script('soak.mjs', ['--seconds', values.only === 'soak' ? '300' : '120']).trim());
	extraTables.push(
		`\n| live soak | lines/s | seconds | block (requests) | append → snapshot p50 (ms) | p95 (ms) | max (ms) | caught up after stop (ms) | peak RSS (MiB) | RSS at end (MiB) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n` +
			`| report --json --watch, started on an index | ${soak.rateLinesPerS} | ${soak.seconds} | ${soak.block} | ${soak.p50Ms.toFixed(0)} | ${soak.p95Ms.toFixed(0)} | ${soak.maxMs.toFixed(0)} | ${soak.caughtUpMs.toFixed(0)} | ${soak.peakRssMiB.toFixed(0)} | ${soak.endRssMiB.toFixed(0)} |\n`,
	);
}

if (values.only === undefined || values.only === 'spool') extraTables.push(script('spool.mjs', ['--runs', String(Math.min(runs, 3))]));
// Heavy users' histories, with the issue-17 targets table (its own script: it takes ~20 minutes).
if (values.only === undefined || values.only === 'heavy') extraTables.push(script('heavy.mjs', ['--runs', String(runs), ...(values['no-ccusage'] ? ['--no-ccusage'] : [])]));
if (values.only === 'soak' || values.only === 'spool' || values.only === 'heavy') {
	for (const table of extraTables) process.stdout.write(table);
	process.exit(0);
}

const quickRows = [];
const dashboards = [];
const isOnlyDashboard = values.only === 'dashboard';
const ccusage = values['no-ccusage'] || isOnlyDashboard || values.only === 'status' ? undefined : ccusageCommand(root);
for (const megabytes of values.sizes.split(',').map(Number)) {
	const {dir, bytes, files} = await corpus(megabytes);
	const cacheDir = path.join(root, `cache-${megabytes}mb`);
	const env = {CLAUDE_CONFIG_DIR: dir, HOME: root, CCTOP_CACHE_DIR: cacheDir};
	const cctop = extra => [process.execPath, cli, 'report', '--json', '--quiet', '--claude-dir', dir, ...extra];
	const label = `${(bytes / 1024 / 1024).toFixed(0)} MB, ${files} files`;
	const file = newestFile(dir);

	// dashboard: on a warm index (written here if missing), restored afterwards.
	if (!existsSync(cacheDir) || readdirSync(cacheDir).length === 0) timed(cctop([]), env);
	if (values.only === 'status') {
		quickRows.push({label, oneLine: await oneLiners(dir, env, megabytes, file, cacheDir)});
		continue;
	}

	log(`${megabytes} MB dashboard probe (${values['dashboard-idle-seconds']} s idle, ${values['dashboard-append-seconds']} s appending 2 lines/s) …`);
	const dashboard = await withRestore(file, cacheDir, async () =>
		dashboardProbe({cli, dir, env, file, idleSeconds: Number(values['dashboard-idle-seconds']), appendSeconds: Number(values['dashboard-append-seconds'])}),
	);
	dashboards.push({label, ...dashboard});
	if (isOnlyDashboard) continue;

	// cold: both tools, alternating, after one untimed warm-up each (same page cache for both).
	const tools = [['cctop --no-cache', cctop(['--no-cache'])]];
	if (ccusage) tools.push([`ccusage ${ccusageVersion}`, [...ccusage, 'blocks', '--json', '--offline']]);
	for (const [, command] of tools) timed(command, env);
	const cold = new Map(tools.map(([name]) => [name, []]));
	for (let run = 0; run < runs; run++) {
		for (const [name, command] of tools) {
			cold.get(name).push(timed(command, env));
			log(`${megabytes} MB cold ${name} run ${run + 1}: ${cold.get(name).at(-1).wallS} s`);
		}
	}

	const reference = totals(cold.get('cctop --no-cache')[0].output);
	const peer = ccusage ? summary(cold.get(`ccusage ${ccusageVersion}`)) : undefined;
	const peerMatch = ccusage ? (sameTotals(reference, totals(cold.get(`ccusage ${ccusageVersion}`)[0].output)) ? 'same totals' : 'DIFFERENT totals') : '';

	// first: a cold run that also writes the index.
	const first = [];
	for (let run = 0; run < runs; run++) {
		rmSync(cacheDir, {recursive: true, force: true});
		first.push(timed(cctop([]), env));
		log(`${megabytes} MB first run ${run + 1}: ${first.at(-1).wallS} s`);
	}

	const warm = [];
	for (let run = 0; run < runs; run++) warm.push(timed(cctop([]), env));
	const warmMatch = sameTotals(reference, totals(warm[0].output)) ? 'same totals' : 'DIFFERENT totals';

	// append: 1 MB of new lines since the index was written, restored after each run.
	const lastMs = Date.parse(JSON.parse(warm[0].output).blocks.at(-1).actualEndTime ?? '2026-11-01T00:00:00Z');
	const append = [];
	let appendMatch = '';
	for (let run = 0; run < runs; run++) {
		await withRestore(file, cacheDir, async () => {
			appendFileSync(file, freshLines(1024 * 1024, 1000 + run, lastMs + 60_000));
			append.push(timed(cctop([]), env));
			if (run === 0) appendMatch = sameTotals(totals(timed(cctop(['--no-cache']), env).output), totals(append[0].output)) ? 'same totals as --no-cache' : 'DIFFERENT totals';
		});
		log(`${megabytes} MB warm+1MB run ${run + 1}: ${append.at(-1).wallS} s`);
	}

	const oneLine = await oneLiners(dir, env, megabytes, file, cacheDir);
	quickRows.push({label, oneLine});

	const probe = await withRestore(file, cacheDir, async () => live(dir, env, file, lastMs + 60_000));
	report.push({label, reference, peer, peerMatch, cold: summary(cold.get('cctop --no-cache')), first: summary(first), warm: summary(warm), warmMatch, append: summary(append), appendMatch, probe});
}

const ratio = (value, peer) => (peer ? `${f(value / peer.median)}×` : '—');
if (report.length > 0) process.stdout.write('\n| corpus | run | wall median (s) | min–max (s) | peak RSS (MiB) | ÷ ccusage median | check |\n|---|---|---:|---:|---:|---:|---|\n');
for (const row of report) {
	const line = (name, s, check = '') => process.stdout.write(`| ${row.label} | ${name} | ${f(s.median)} | ${f(s.min)}–${f(s.max)} | ${s.rss.toFixed(0)} | ${ratio(s.median, row.peer)} | ${check} |\n`);
	if (row.peer) line(`ccusage ${ccusageVersion} (cold)`, row.peer, row.peerMatch);
	line('cctop cold (--no-cache)', row.cold, `${row.reference.entries} requests, ${row.reference.blocks} blocks`);
	line('cctop first run (writes index)', row.first);
	line('cctop warm (nothing new)', row.warm, row.warmMatch);
	line('cctop warm + 1 MB appended', row.append, row.appendMatch);
}

if (quickRows.length > 0) process.stdout.write('\n| corpus | warm, 21 runs | median (ms) | min–max (ms) |\n|---|---|---:|---:|\n');
for (const row of quickRows) {
	for (const [name, timing] of [['cctop status', row.oneLine.status], ['cctop status --format json', row.oneLine.statusJson], ['cctop statusline (sample payload)', row.oneLine.statusline], ['cctop session --latest', row.oneLine.session], ['cctop session --list', row.oneLine.sessionList], ['cctop status, ~4 KB appended before each run', row.oneLine.statusAppended], ['cctop statusline, ~4 KB appended before each run', row.oneLine.statuslineAppended]]) {
		process.stdout.write(`| ${row.label} | ${name} | ${timing.median.toFixed(0)} | ${timing.min.toFixed(0)}–${timing.max.toFixed(0)} |\n`);
	}
}

if (report.length > 0) process.stdout.write('\n| corpus | append → snapshot p50 (ms) | p95 (ms) | max (ms) | appends | idle CPU (% of a core) | idle window (s) | live peak RSS (MiB) | RSS after idle (MiB) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n');
for (const row of report) {
	const {latencies, idleCpuPercent, peakRssMiB, steadyRssMiB} = row.probe;
	process.stdout.write(`| ${row.label} | ${quantile(latencies, 0.5).toFixed(0)} | ${quantile(latencies, 0.95).toFixed(0)} | ${Math.max(...latencies).toFixed(0)} | ${latencies.length} | ${idleCpuPercent.toFixed(2)} | ${values['idle-seconds']} | ${peakRssMiB.toFixed(0)} | ${steadyRssMiB.toFixed(0)} |\n`);
}

if (dashboards.length > 0) process.stdout.write('\n| corpus | dashboard idle CPU (% of a core) | CPU appending 2 lines/s | append → frame p50 (ms) | p95 (ms) | max (ms) | appends | peak RSS (MiB) | exit |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n');
for (const row of dashboards) {
	const {latencies} = row;
	process.stdout.write(`| ${row.label} | ${row.idleCpuPercent.toFixed(2)} | ${row.appendCpuPercent.toFixed(2)} | ${quantile(latencies, 0.5).toFixed(0)} | ${quantile(latencies, 0.95).toFixed(0)} | ${Math.max(...latencies).toFixed(0)} | ${latencies.length} | ${row.peakRssMiB.toFixed(0)} | ${row.exitCode} |\n`);
}

for (const table of extraTables) process.stdout.write(table);
process.stdout.write(`\nnode ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}\n`);
