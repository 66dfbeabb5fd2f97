// How the benchmarks time a command: wall time, CPU time (user+sys) and peak
// RSS of one run, and short commands interleaved with a bare `node -e 0` so a
// ratio compares runs made at the same moment on the same machine.
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';

/**
 * The environment of every timed command: this one with `extra`, without
 * NODE_EXTRA_CA_CERTS. Where that is set (this machine sets it for its proxy),
 * every Node process reads the CA bundle it names as it starts: ~36 ms here, on
 * top of a ~29 ms bare start, before any code of its own runs. Then `node -e 0`
 * is no bare start, and a ratio to it flatters every command (and a native
 * ccusage pays none of it). $CCTOP_BENCH_KEEP_ENV=1 keeps the variable.
 */
export const benchEnv = (extra = {}) => {
	const env = {...process.env, ...extra};
	if (!process.env.CCTOP_BENCH_KEEP_ENV) delete env.NODE_EXTRA_CA_CERTS;
	return env;
};

export const median = values => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const quantile = (values, q) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};

/** Median and range of `key` over samples. */
export const spread = (samples, key) => {
	const values = samples.map(sample => sample[key]);
	return {median: median(values), min: Math.min(...values), max: Math.max(...values)};
};

/**
 * One run under GNU time: wall and CPU seconds, peak RSS in MiB, and stdout
 * (kept in a file: a 4 GB report's JSON is not held in a pipe buffer). The wall
 * time is taken here, to the microsecond (GNU time's has two decimals: 0.17 s
 * or 0.18 s is all it could say of a warm report); it includes starting time and
 * sh, ~2 ms, for every tool alike.
 */
export const timed = (command, env, scratchDir = os.tmpdir()) => {
	const out = path.join(scratchDir, `bench-output-${process.pid}.json`);
	const startedNs = process.hrtime.bigint();
	const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'sh', '-c', '"$@" > "$OUT"', 'sh', ...command], {
		env: benchEnv({...env, OUT: out}),
		encoding: 'utf8',
	});
	if (result.status !== 0) throw new Error(`${command.join(' ')} failed: ${result.stderr}`);
	const wall = Number(process.hrtime.bigint() - startedNs) / 1e9;
	const [, user, system, rssKb] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
	return {wallS: wall, cpuS: user + system, rssMiB: rssKb / 1024, output: readFileSync(out, 'utf8')};
};

/**
 * One short run: wall time from here (ms) and CPU time (ms, user+sys, from
 * bash's `times`, to the millisecond), every command through the same bash so
 * the ratio to `node -e 0` carries the same overhead on both sides.
 */
const shortRun = (command, env, input) => {
	const started = performance.now();
	const result = spawnSync('bash', ['-c', '"$@" > /dev/null; times', 'bash', ...command], {env: benchEnv(env), input, encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']});
	const wallMs = performance.now() - started;
	if (result.status !== 0) throw new Error(`${command.join(' ')} failed: ${result.stderr}`);
	// `times` prints the shell's own user/sys, then its children's: "0m0.052s 0m0.011s".
	const children = result.stdout.trim().split('\n').at(-1);
	const [user, system] = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(([, minutes, seconds]) => Number(minutes) * 60 + Number(seconds));
	return {wallMs, cpuMs: (user + system) * 1000};
};

/**
 * `runs` rounds of every command, interleaved (one untimed round first), each
 * command's `before` run untimed before it: wall and CPU median and range in ms.
 */
export const interleaved = (commands, {runs = 21, env = {}} = {}) => {
	const samples = commands.map(() => []);
	for (let round = 0; round <= runs; round++) {
		for (const [index, {command, input, before}] of commands.entries()) {
			before?.(round);
			const sample = shortRun(command, env, input);
			if (round > 0) samples[index].push(sample);
		}
	}

	return samples.map(list => ({wall: spread(list, 'wallMs'), cpu: spread(list, 'cpuMs')}));
};

/** The peer: ccusage, pinned. */
export const ccusageVersion = '20.0.24';

/** The native ccusage binary (skipping its Node launcher), installed once into the bench dir. */
export const ccusageCommand = root => {
	const dir = path.join(root, `ccusage-${ccusageVersion}`);
	const launcher = path.join(dir, 'node_modules', 'ccusage', 'src', 'cli.js');
	if (!existsSync(launcher)) {
		process.stderr.write(`installing ccusage@${ccusageVersion} into ${dir} …\n`);
		mkdirSync(dir, {recursive: true});
		execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `ccusage@${ccusageVersion}`], {stdio: 'inherit'});
	}

	const native = path.join(dir, 'node_modules', '@ccusage', `ccusage-${process.platform}-${process.arch}`, 'bin', 'ccusage');
	if (existsSync(native)) {
		chmodSync(native, 0o755);
		return [native];
	}

	return [process.execPath, launcher];
};

export const totals = output => {
	const {blocks} = JSON.parse(output);
	const sum = {blocks: 0, entries: 0, inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUSD: 0};
	for (const block of blocks) {
		if (block.isGap) continue;
		sum.blocks++;
		sum.entries += block.entries;
		for (const key of ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens']) sum[key] += block.tokenCounts[key];
		sum.costUSD += block.costUSD;
	}

	return sum;
};

export const sameTotals = (a, b) => Object.keys(a).every(key => (key === 'costUSD' ? Math.abs(a[key] - b[key]) <= 1e-6 * Math.max(1, a[key]) : a[key] === b[key]));

/** The newest transcript file, where appends go. */
export const newestFile = dir => {
	const files = [];
	const walk = folder => {
		for (const entry of readdirSync(folder, {withFileTypes: true})) {
			const full = path.join(folder, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.name.endsWith('.jsonl')) files.push(full);
		}
	};

	walk(path.join(dir, 'projects'));
	return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
};

/** Run `body`, then put `file` and the index back exactly as they were (size, times, index bytes). */
export const withRestore = async (file, cacheDir, body) => {
	const before = statSync(file);
	// Every file under it: the code cache keeps a folder per Node version and command.
	const files = readdirSync(cacheDir, {recursive: true, withFileTypes: true}).filter(entry => entry.isFile());
	const backups = files.map(entry => [path.join(entry.parentPath ?? entry.path, entry.name), readFileSync(path.join(entry.parentPath ?? entry.path, entry.name))]);
	try {
		return await body();
	} finally {
		truncateSync(file, before.size);
		utimesSync(file, before.atime, before.mtime);
		for (const name of readdirSync(cacheDir)) rmSync(path.join(cacheDir, name), {recursive: true, force: true});
		for (const [name, bytes] of backups) {
			mkdirSync(path.dirname(name), {recursive: true});
			writeFileSync(name, bytes);
		}
	}
};
