// A team receiver's spool after a month: 500 MiB of real-shaped records over 30
// days. How long do the readers take, and how much memory, now that the spool
// is streamed and time ranges are found by binary search?
//
//   node bench/spool.mjs [--mib 500] [--days 30] [--runs 3]
//
// Records are the ones real Claude Code 2.1.112 and 2.1.332 runs sent (fixtures/otlp*),
// replayed through the receiver once, then copied with fresh ids and times.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

const {values} = parseArgs({options: {mib: {type: 'string', default: '500'}, days: {type: 'string', default: '30'}, runs: {type: 'string', default: '3'}}});
const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'cli.js');
// Chained and in day segments, written through the receiver's own append (spool-chain.ts, spool-segments.ts).
const root = path.join(process.env.CCTOP_BENCH_DIR ?? path.join(os.tmpdir(), 'cctop-bench'), `spool-${values.mib}mib-segments`);
const dataDir = path.join(root, 'data');
const spool = path.join(dataDir, 'otel-spool.ndjson');
const log = message => process.stderr.write(`${message}\n`);

/** The records one replay of the captures gives, as spool lines (from the receiver itself). */
const templates = async () => {
	const {startReceiver} = await import(path.join(here, '..', 'dist', 'ingest', 'otel', 'otlp-receiver.js'));
	const {appendToSpool} = await import(path.join(here, '..', 'dist', 'ingest', 'otel', 'otel-spool.js'));
	const file = path.join(root, 'templates.ndjson');
	const receiver = await startReceiver({host: '127.0.0.1', port: 0, store: async records => appendToSpool(records, {file})});
	for (const folder of ['fixtures/otlp/cc-2.1.112_http-protobuf', 'fixtures/otlp-traces/cc-2.1.332_http-protobuf']) {
		const full = path.join(here, '..', folder);
		for (const name of readdirSync(full).filter(name => name.endsWith('.bin')).sort()) {
			const signal = /_(logs|metrics|traces)\./.exec(name)?.[1];
			if (signal === undefined) continue;
			await globalThis.fetch(`${receiver.url}/v1/${signal}`, {method: 'POST', body: readFileSync(path.join(full, name)), headers: {'content-type': 'application/x-protobuf'}});
		}
	}

	await receiver.close();
	return readFileSync(file, 'utf8').trim().split('\n').map(line => JSON.parse(line).record);
};

const generate = async () => {
	const marker = path.join(root, 'spool.json');
	if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8'));
	mkdirSync(dataDir, {recursive: true});
	const records = await templates();
	const baseMs = Math.min(...records.map(record => record.timestampMs ?? record.startMs ?? record.points?.[0]?.startTimeMs ?? Number.POSITIVE_INFINITY));
	const target = Number(values.mib) * 1024 * 1024;
	const days = Number(values.days);
	const endMs = Date.now();
	const startMs = endMs - days * 86_400_000;
	const {appendToSpool} = await import(path.join(here, '..', 'dist', 'ingest', 'otel', 'otel-spool.js'));
	let bytes = 0;
	let copy = 0;
	const perCopy = records.reduce((sum, record) => sum + JSON.stringify(record).length + 110, 0);
	const copies = Math.ceil(target / perCopy);
	log(`writing ${values.mib} MiB (${copies} replays of ${records.length} records) over ${days} days into ${spool}, chained, a segment a day …`);
	while (bytes < target) {
		// Fresh ids per replay: sessions, requests, traces and spans stay distinct.
		const tag = copy.toString(36);
		const atMs = startMs + Math.floor(((endMs - startMs) * copy) / copies);
		const batch = records.map(record => {
			const text = JSON.stringify(record)
				.replaceAll(/"(session\.id|request_id|prompt\.id|traceId|spanId|parentSpanId)":"([^"]*)"/g, (_, key, value) => `"${key}":"${value ? `${value.slice(0, -tag.length)}${tag}` : ''}"`)
				// Record times move with the receive time, as a live sender's do.
				.replaceAll(/"(timestampMs|startMs|startTimeMs|endTimeMs)":(\d+(?:\.\d+)?)/g, (_, key, value) => `"${key}":${Number(value) - baseMs + atMs}`);
			bytes += text.length + 110;
			return {record: JSON.parse(text), isIncomplete: false};
		});
		await appendToSpool(batch, {file: spool, receivedAtMs: atMs, rotation: {maxBytes: 256 * 1024 * 1024}});
		copy++;
	}

	const result = {bytes, records: copy * records.length, days, startMs, endMs};
	writeFileSync(marker, JSON.stringify(result));
	return result;
};

const info = await generate();
const claude = path.join(root, 'claude');
mkdirSync(path.join(claude, 'projects'), {recursive: true});
const env = {...process.env, HOME: root, CCTOP_DATA_DIR: dataDir, CCTOP_CACHE_DIR: path.join(root, 'cache'), COLUMNS: '120'};

/** Wall seconds, peak RSS (GNU time) and bytes read (read-bytes.mjs) of one run, failing loudly. */
const timed = args => {
	const extra = args[0] === 'audit' ? [] : ['--claude-dir', claude];
	const result = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, '--import', path.join(here, 'read-bytes.mjs'), cli, ...args, ...extra], {env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024});
	if (result.status !== 0 && !args.includes('trace')) throw new Error(`${args.join(' ')}: ${result.stderr}`);
	const lines = result.stderr.trim().split('\n');
	const [wallS, rssKb] = lines.at(-1).split(' ').map(Number);
	const readBytes = Number(/rchar (\d+)/.exec(result.stderr)?.[1] ?? Number.NaN);
	return {wallS, rssMiB: rssKb / 1024, readBytes, stdout: result.stdout};
};

const day = new Date(info.endMs - 10 * 86_400_000).toISOString().slice(0, 10);
const rows = [
	['report --json (whole spool)', ['report', '--json', '--quiet']],
	[`report --json --since ${day} --until ${day} (1 day)`, ['report', '--json', '--quiet', '--since', day, '--until', day]],
	['status --format json (today)', ['status', '--format', 'json']],
	['trace --latest', ['trace', '--latest', '--json']],
	['audit verify (every segment\'s chain)', ['audit', 'verify']],
	[`audit --since ${day} --until ${day} --json (1 day)`, ['audit', '--since', day, '--until', day, '--json', '--quiet']],
	['dashboard, first frame (not a TTY: one snapshot)', []],
];
const runs = Number(values.runs);
const median = list => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const spoolBytes = readdirSync(dataDir).filter(name => name.startsWith('otel-spool') && name.endsWith('.ndjson')).reduce((sum, name) => sum + statSync(path.join(dataDir, name)).size, 0);
const segments = readdirSync(dataDir).filter(name => name.startsWith('otel-spool') && name.endsWith('.ndjson')).length;
process.stdout.write(`\nspool: ${(spoolBytes / 1024 / 1024).toFixed(0)} MiB in ${segments} segments, ${info.records} records over ${info.days} days\n\n| reader | wall median (s) | min–max (s) | peak RSS (MiB) | bytes read (all files, MiB) | share of the spool | check |\n|---|---:|---:|---:|---:|---:|---|\n`);
for (const [label, args] of rows) {
	const samples = Array.from({length: runs}, () => timed(args));
	const walls = samples.map(sample => sample.wallS);
	let check = '';
	if (args[0] === 'report') {
		const otel = JSON.parse(samples[0].stdout).otel;
		check = `${otel?.diagnostics.records ?? 0} records, ${otel?.apiRequests.count ?? 0} API requests`;
	} else if (args[0] === 'audit' && args[1] === 'verify') {
		check = samples[0].stdout.trim().split('\n')[0].slice(0, 90);
	} else if (args[0] === 'audit') {
		check = `${samples[0].stdout.trim().split('\n').filter(Boolean).length} rows`;
	} else if (args[0] === 'trace') {
		check = samples[0].stdout.startsWith('{') ? `trace ${JSON.parse(samples[0].stdout).traceId.slice(0, 8)}…` : 'no trace';
	}

	const read = median(samples.map(sample => sample.readBytes));
	process.stdout.write(`| ${label} | ${median(walls).toFixed(2)} | ${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)} | ${median(samples.map(sample => sample.rssMiB)).toFixed(0)} | ${(read / 1048576).toFixed(1)} | ${((read / spoolBytes) * 100).toFixed(1)}% | ${check} |\n`);
}

process.stdout.write(`\nspool ${spoolBytes} bytes; node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}\n`);
