// Sustained appends into a big active block: is live still live?
//
// A transcript whose active block already holds --block requests (100k by
// default, ~3.5 h of them), then `cctop report --json --watch` while a writer
// appends --rate lines a second for --seconds, the way Claude Code writes: one
// line per content block, the early ones with placeholder output tokens, the
// last with the real count (a copy that replaces the earlier one). For every
// append, the time until a snapshot whose totals include it; and the watcher's
// peak RSS. Target (issue 12): p95 ≤ 250 ms at 300 lines/s for 5 minutes on a
// block of 100k requests, RSS under 150 MiB.
//
//   node bench/soak.mjs [--block 100000] [--rate 300] [--seconds 300] [--cold]
//   (--cold: no index before the watcher starts; by default one run writes it first)
import {spawn, spawnSync} from 'node:child_process';
import {appendFileSync, createWriteStream, mkdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {performance} from 'node:perf_hooks';

const {values} = parseArgs({options: {block: {type: 'string', default: '100000'}, rate: {type: 'string', default: '300'}, seconds: {type: 'string', default: '300'}, cold: {type: 'boolean', default: false}}});
const blockRequests = Number(values.block);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = path.join(process.env.CCTOP_BENCH_DIR ?? path.join(os.tmpdir(), 'cctop-bench'), 'soak');
rmSync(root, {recursive: true, force: true});
const projects = path.join(root, 'claude', 'projects', '-home-dev-soak');
mkdirSync(projects, {recursive: true});
const file = path.join(projects, 'soak-session.jsonl');

const line = (id, atMs, outputTokens) =>
	JSON.stringify({
		parentUuid: null,
		isSidechain: false,
		userType: 'external',
		cwd: '/home/dev/soak',
		sessionId: 'soak-session',
		version: '2.1.332',
		type: 'assistant',
		message: {model: 'claude-sonnet-4-5-20250929', id: `msg_${id}`, type: 'message', role: 'assistant', content: [{type: 'text', text: 'ok'}], usage: {input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: outputTokens}},
		requestId: `req_${id}`,
		uuid: `u-${id}-${outputTokens}`,
		timestamp: new Date(atMs).toISOString(),
	});

// The block so far: requests spread over the last 3.5 hours (a block started on the hour before that).
const nowMs = Date.now();
const startMs = nowMs - 3.5 * 3_600_000;
const out = createWriteStream(file);
let total = 0;
for (let index = 0; index < blockRequests; index++) {
	const atMs = startMs + Math.floor(((nowMs - 60_000 - startMs) * index) / blockRequests);
	if (!out.write(`${line(`old${index}`, atMs, 1)}\n${line(`old${index}`, atMs, 50)}\n`)) await new Promise(resolve => out.once('drain', resolve));
	total += 10 + 100 + 1000 + 50;
}

await new Promise(resolve => out.end(resolve));
process.stderr.write(`block of ${blockRequests} requests written (${(readFileSync(file).length / 1024 / 1024).toFixed(0)} MB); watching …\n`);

const env = {...process.env, HOME: root, CCTOP_CACHE_DIR: path.join(root, 'cache'), CCTOP_DATA_DIR: path.join(root, 'data')};
// As a user has it: the index written by an earlier run, so the watcher starts frozen on it.
if (!values.cold) spawnSync(process.execPath, [cli, 'report', '--json', '--quiet', '--claude-dir', path.join(root, 'claude')], {env, stdio: 'ignore'});
const child = spawn(process.execPath, [...(process.env.SOAK_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SOAK_PROF] : []), cli, 'report', '--json', '--watch', '--quiet', '--claude-dir', path.join(root, 'claude')], {env, stdio: ['ignore', 'pipe', 'inherit']});
let buffered = '';
/** Totals seen in snapshots, with when they arrived. */
const snapshots = [];
child.stdout.on('data', chunk => {
	buffered += chunk.toString('utf8');
	let at;
	while ((at = buffered.indexOf('\n')) !== -1) {
		const text = buffered.slice(0, at);
		buffered = buffered.slice(at + 1);
		// The totals are the last object of the line: read just that, not the whole document.
		const tokens = Number(/"totals":\{"entries":\d+,"tokenCounts":\{[^}]*\},"totalTokens":(\d+)/.exec(text)?.[1]);
		snapshots.push({atMs: performance.now(), tokens});
	}
});

const waitFor = async (check, timeoutMs) => {
	const deadline = performance.now() + timeoutMs;
	while (!check()) {
		if (performance.now() > deadline) throw new Error('timed out');
		await new Promise(resolve => setTimeout(resolve, 20));
	}
};

await waitFor(() => snapshots.length > 0, 600_000);
if (snapshots[0].tokens !== total) throw new Error(`first snapshot ${snapshots[0].tokens} tokens, expected ${total}`);
process.stderr.write(`first snapshot after the cold read; appending ${rate} lines/s for ${seconds} s …\n`);

// Appends: each request is two lines (placeholder, then the final count), `rate` lines a second, in 10 ms batches.
const appends = [];
const started = performance.now();
let next = 0;
while (performance.now() - started < seconds * 1000) {
	const due = Math.floor(((performance.now() - started) / 1000) * rate);
	const batch = [];
	for (; next < due; next++) {
		const request = Math.floor(next / 2);
		const isFinal = next % 2 === 1;
		batch.push(line(`new${request}`, Date.now(), isFinal ? 50 : 1));
		// Totals after this line: a placeholder adds a request, the final copy replaces it.
		total += isFinal ? 49 : 10 + 100 + 1000 + 1;
	}

	if (batch.length > 0) {
		appendFileSync(file, `${batch.join('\n')}\n`);
		appends.push({atMs: performance.now(), total});
	}

	await new Promise(resolve => setTimeout(resolve, 10));
}

const writerStoppedMs = performance.now();
await waitFor(() => snapshots.at(-1).tokens === total, 60_000).catch(() => undefined);
const caughtUpMs = (snapshots.at(-1).tokens === total ? snapshots.at(-1).atMs : Number.NaN) - writerStoppedMs;
const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
const peakRssMiB = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
const endRssMiB = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
child.kill('SIGINT');
await new Promise(resolve => child.once('exit', resolve));

// Lag of each append: until the first snapshot at or after it whose totals reach it.
const lags = [];
let cursor = 0;
for (const append of appends) {
	while (cursor < snapshots.length && (snapshots[cursor].atMs < append.atMs || snapshots[cursor].tokens < append.total)) cursor++;
	if (cursor < snapshots.length) lags.push(snapshots[cursor].atMs - append.atMs);
}

lags.sort((a, b) => a - b);
const q = p => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))];
const result = {start: values.cold ? 'cold' : 'index', block: blockRequests, rateLinesPerS: rate, seconds, appends: appends.length, lines: next, p50Ms: q(0.5), p95Ms: q(0.95), maxMs: lags.at(-1), caughtUpMs, peakRssMiB, endRssMiB, snapshots: snapshots.length};
process.stdout.write(`${JSON.stringify(result)}\n`);
if (!process.env.SOAK_KEEP) rmSync(root, {recursive: true, force: true});
