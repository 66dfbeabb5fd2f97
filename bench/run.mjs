// Benchmark: cold `cctop report --json` against `ccusage@20.0.24 blocks --json --offline`
// on the same generated corpora, in the same run. Prints a markdown table for the README.
//
//   npm run bench                      # 100 MB and 1 GB, 5 runs each
//   npm run bench -- --sizes 100 --runs 3
//   npm run bench -- --no-ccusage      # cctop only (no registry access)
//
// Corpora and ccusage live in $CCTOP_BENCH_DIR (default: <tmp>/cctop-bench) and are reused.
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {generateCorpus} from './generate-corpus.mjs';

const {values} = parseArgs({
	options: {
		sizes: {type: 'string', default: '100,1024'},
		runs: {type: 'string', default: '5'},
		'no-ccusage': {type: 'boolean', default: false},
	},
});

const root = process.env.CCTOP_BENCH_DIR ?? path.join(os.tmpdir(), 'cctop-bench');
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ccusageVersion = '20.0.24';
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

/** The native ccusage binary (skipping its Node launcher), installed once into the bench dir. */
const ccusageCommand = () => {
	const dir = path.join(root, `ccusage-${ccusageVersion}`);
	const launcher = path.join(dir, 'node_modules', 'ccusage', 'src', 'cli.js');
	if (!existsSync(launcher)) {
		log(`installing ccusage@${ccusageVersion} into ${dir} …`);
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

/** One timed run under /usr/bin/time: wall seconds, peak RSS in MiB, and stdout. */
const timed = (command, env) => {
	const out = path.join(root, 'last-output.json');
	const result = spawnSync('/usr/bin/time', ['-f', '%e %M', 'sh', '-c', '"$@" > "$OUT"', 'sh', ...command], {
		env: {...process.env, ...env, OUT: out},
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
	});
	if (result.status !== 0) throw new Error(`${command.join(' ')} failed: ${result.stderr}`);
	const [wall, rssKb] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
	return {wallS: wall, rssMiB: rssKb / 1024, output: readFileSync(out, 'utf8')};
};

const totals = output => {
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

const sameTotals = (a, b) =>
	Object.keys(a).every(key => (key === 'costUSD' ? Math.abs(a[key] - b[key]) <= 1e-6 * Math.max(1, a[key]) : a[key] === b[key]));

const median = values => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const stats = samples => ({
	wall: {median: median(samples.map(s => s.wallS)), min: Math.min(...samples.map(s => s.wallS)), max: Math.max(...samples.map(s => s.wallS))},
	rss: {median: median(samples.map(s => s.rssMiB)), max: Math.max(...samples.map(s => s.rssMiB))},
});

const rows = [];
const ccusage = values['no-ccusage'] ? undefined : ccusageCommand();
for (const megabytes of values.sizes.split(',').map(Number)) {
	const {dir, bytes, files} = await corpus(megabytes);
	const env = {CLAUDE_CONFIG_DIR: dir, HOME: root};
	const tools = [['cctop', [process.execPath, cli, 'report', '--json', '--no-cache', '--quiet', '--claude-dir', dir]]];
	if (ccusage) tools.push([`ccusage ${ccusageVersion}`, [...ccusage, 'blocks', '--json', '--offline']]);
	// One untimed run each, so both tools see the same warm page cache.
	for (const [, command] of tools) timed(command, env);
	const samples = new Map(tools.map(([name]) => [name, []]));
	for (let run = 0; run < runs; run++) {
		for (const [name, command] of tools) {
			samples.get(name).push(timed(command, env));
			log(`${megabytes} MB ${name} run ${run + 1}: ${samples.get(name).at(-1).wallS} s`);
		}
	}

	const reference = totals(samples.get('cctop')[0].output);
	const base = stats(samples.get('cctop'));
	for (const [name, list] of samples) {
		const s = stats(list);
		const match = name === 'cctop' ? '—' : sameTotals(reference, totals(list[0].output)) ? 'yes' : `NO: ${JSON.stringify(totals(list[0].output))}`;
		rows.push({corpus: `${(bytes / 1024 / 1024).toFixed(0)} MB, ${files} files, ${reference.entries} requests`, name, ...s, ratio: base.wall.median / s.wall.median, match});
	}
}

const f = value => value.toFixed(2);
process.stdout.write(`\n| corpus | tool | wall median (s) | wall min–max (s) | peak RSS median (MiB) | cctop ÷ tool | same totals |\n|---|---|---:|---:|---:|---:|---|\n`);
for (const row of rows) {
	process.stdout.write(`| ${row.corpus} | ${row.name} | ${f(row.wall.median)} | ${f(row.wall.min)}–${f(row.wall.max)} | ${row.rss.median.toFixed(0)} | ${row.name === 'cctop' ? '1.00' : f(row.ratio)} | ${row.match} |\n`);
}

process.stdout.write(`\nnode ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}\n`);
