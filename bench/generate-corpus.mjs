// Generates a realistic Claude Code transcript corpus of a given size, deterministically.
// Shape follows the real samples in fixtures/: ~2 KB lines on average; user prompts,
// assistant lines written once per content block (earlier ones with placeholder
// output_tokens), tool results; 12 projects; subagent (sidechain) files under
// <session>/subagents/; resumed sessions that copy earlier history into a new file.
import {createWriteStream, readdirSync, statSync, utimesSync} from 'node:fs';
import {mkdir} from 'node:fs/promises';
import path from 'node:path';

const models = [
	['claude-opus-4-5-20251101', 0.45],
	['claude-sonnet-4-5-20250929', 0.3],
	['claude-haiku-4-5-20251001', 0.15],
	['claude-opus-4-6', 0.1],
];
const projects = ['api-server', 'web-app', 'infra', 'mobile', 'data-pipeline', 'docs-site', 'auth-service', 'billing', 'search', 'ml-lab', 'cli-tools', 'design-system'];

/** Mulberry32: a small seeded PRNG, so every run builds the same corpus. */
const rng = seed => () => {
	seed |= 0;
	seed = (seed + 0x6d2b79f5) | 0;
	let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
	t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
	return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

const words = 'the function returns a promise that resolves when the file has been written and the cursor moves to the next offset so that every byte is read once'.split(' ');
const text = (random, bytes) => {
	let out = '';
	while (out.length < bytes) out += `${words[Math.floor(random() * words.length)]} `;
	return out.slice(0, bytes);
};

const hex = (random, length) => Array.from({length}, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = random => `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`;
const pickModel = random => {
	let roll = random();
	for (const [model, share] of models) {
		roll -= share;
		if (roll <= 0) return model;
	}

	return models[0][0];
};

/**
 * One session as an array of lines. Returns the lines and the request count.
 */
const sessionLines = (random, {sessionId, project, startMs, requests, isSidechain}) => {
	const lines = [];
	const cwd = `/home/dev/${project}`;
	const base = {isSidechain, userType: 'external', cwd, sessionId, version: '2.0.76', gitBranch: 'main'};
	let clock = startMs;
	let parent = null;
	const model = pickModel(random);
	for (let request = 0; request < requests; request++) {
		clock += Math.floor(5_000 + random() * 90_000);
		const userUuid = uuid(random);
		lines.push(JSON.stringify({...base, parentUuid: parent, type: 'user', message: {role: 'user', content: text(random, 200 + Math.floor(random() * 600))}, uuid: userUuid, timestamp: new Date(clock).toISOString()}));
		parent = userUuid;
		const messageId = `msg_01${hex(random, 22)}`;
		const requestId = `req_011C${hex(random, 20)}`;
		const input = 3 + Math.floor(random() * 20);
		const cacheRead = Math.floor(random() * 150_000);
		const cacheWrite = Math.floor(random() * 12_000);
		const isOneHour = random() < 0.8;
		const output = 50 + Math.floor(random() * 2500);
		const usage = outputTokens => ({
			input_tokens: input,
			cache_creation_input_tokens: cacheWrite,
			cache_read_input_tokens: cacheRead,
			cache_creation: {ephemeral_5m_input_tokens: isOneHour ? 0 : cacheWrite, ephemeral_1h_input_tokens: isOneHour ? cacheWrite : 0},
			output_tokens: outputTokens,
			service_tier: 'standard',
		});
		// One line per content block: thinking and text carry placeholder output, the last the final count.
		const blocks = [
			{type: 'thinking', thinking: text(random, 900 + Math.floor(random() * 1200)), signature: hex(random, 300)},
			{type: 'text', text: text(random, 300 + Math.floor(random() * 900))},
			{type: 'tool_use', id: `toolu_01${hex(random, 22)}`, name: 'Read', input: {file_path: `${cwd}/source/${hex(random, 6)}.ts`}},
		];
		blocks.forEach((block, index) => {
			clock += Math.floor(200 + random() * 3000);
			const lineUuid = uuid(random);
			lines.push(JSON.stringify({...base, parentUuid: parent, message: {model, id: messageId, type: 'message', role: 'assistant', content: [block], stop_reason: index === blocks.length - 1 ? 'tool_use' : null, stop_sequence: null, usage: usage(index === blocks.length - 1 ? output : 1 + Math.floor(random() * 6))}, requestId, type: 'assistant', uuid: lineUuid, timestamp: new Date(clock).toISOString()}));
			parent = lineUuid;
		});
		clock += Math.floor(100 + random() * 2000);
		const resultUuid = uuid(random);
		const content = text(random, 1200 + Math.floor(random() * 2400));
		lines.push(JSON.stringify({...base, parentUuid: parent, type: 'user', message: {role: 'user', content: [{tool_use_id: blocks[2].id, type: 'tool_result', content}]}, uuid: resultUuid, timestamp: new Date(clock).toISOString(), toolUseResult: {type: 'text', file: {filePath: blocks[2].input.file_path, numLines: 120, startLine: 1, totalLines: 120}}}));
		parent = resultUuid;
	}

	return {lines, endMs: clock};
};

/**
 * Heavy users' shapes (issue 17): `default` is the long-session corpus the bench
 * always had; `many-files` keeps sessions short (5–45 requests) so 1 GB is about
 * 5,000 files; `giant-session` is one transcript, as long as it takes.
 * `days` spreads the sessions so the last one ends about now.
 */
export const corpusShapes = {
	default: {minRequests: 20, maxRequests: 220, days: undefined, isOneSession: false},
	'many-files': {minRequests: 5, maxRequests: 45, days: 180, isOneSession: false},
	'year-of-files': {minRequests: 5, maxRequests: 45, days: 365, isOneSession: false},
	'giant-session': {minRequests: 0, maxRequests: 0, days: 30, isOneSession: true},
};

/** Give every folder below `dir` the mtime of its newest entry, as in a real history; returns `dir`'s. */
export const dateFolders = dir => {
	let newest = 0;
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? dateFolders(full) : statSync(full).mtimeMs);
	}

	if (newest > 0) utimesSync(dir, new Date(newest), new Date(newest));
	return newest;
};

/** Write a corpus of about `targetBytes` under `root/projects`. */
export const generateCorpus = async (root, targetBytes, seed = 42, startMs = Date.parse('2026-09-01T08:00:00Z'), shape = corpusShapes.default) => {
	const random = rng(seed);
	let written = 0;
	let files = 0;
	// Spread over `days` ending now: ~9 KB per request, (min+max)/2 requests a session, 30% with a subagent file.
	const sessions = targetBytes / (9 * 1024 * ((shape.minRequests + shape.maxRequests) / 2) * 1.15);
	const gapMs = shape.days === undefined ? undefined : (shape.days * 86_400_000) / Math.max(1, sessions);
	if (shape.days !== undefined) startMs = Date.now() - shape.days * 86_400_000;
	let clock = startMs;
	if (shape.isOneSession) {
		const dir = path.join(root, 'projects', '-home-dev-monorepo');
		await mkdir(dir, {recursive: true});
		const file = path.join(dir, `${uuid(random)}.jsonl`);
		const stream = createWriteStream(file);
		const sessionId = path.basename(file, '.jsonl');
		// Requests ~30 s apart for as long as it takes: one session that never ended.
		const perRequestMs = (shape.days * 86_400_000) / (targetBytes / (9 * 1024));
		while (written < targetBytes) {
			const {lines, endMs} = sessionLines(random, {sessionId, project: 'monorepo', startMs: clock, requests: 50, isSidechain: false});
			clock = Math.max(endMs, clock + 50 * perRequestMs);
			for (const line of lines) {
				if (!stream.write(`${line}\n`)) await new Promise(resolve => stream.once('drain', resolve));
				written += Buffer.byteLength(line) + 1;
			}
		}

		await new Promise(resolve => stream.end(resolve));
		return {bytes: written, files: 1};
	}

	const recent = [];
	while (written < targetBytes) {
		const project = projects[Math.floor(random() * projects.length)];
		const dir = path.join(root, 'projects', `-home-dev-${project}`);
		await mkdir(dir, {recursive: true});
		const sessionId = uuid(random);
		clock += gapMs === undefined ? Math.floor(random() * 3 * 3_600_000) : Math.floor(random() * 2 * gapMs);
		const {lines, endMs} = sessionLines(random, {sessionId, project, startMs: clock, requests: shape.minRequests + Math.floor(random() * (shape.maxRequests - shape.minRequests)), isSidechain: false});
		// Spread over `days`, sessions start `gapMs` apart on average and may overlap (several terminals), so the last ends about now.
		if (gapMs === undefined) clock = endMs;
		// Now and then a session is resumed: its new file starts with a copy of an earlier session's history.
		const resumed = recent.length > 0 && random() < 0.1 ? recent[Math.floor(random() * recent.length)] : [];
		const all = [...resumed, ...lines];
		const subagent = random() < 0.3 ? sessionLines(random, {sessionId, project, startMs: clock - 600_000, requests: 5 + Math.floor(random() * 30), isSidechain: true}).lines : [];
		for (const [file, content] of [[path.join(dir, `${sessionId}.jsonl`), all], [path.join(dir, sessionId, 'subagents', `agent-${hex(random, 8)}.jsonl`), subagent]]) {
			if (content.length === 0) continue;
			await mkdir(path.dirname(file), {recursive: true});
			const stream = createWriteStream(file);
			for (const line of content) {
				if (!stream.write(`${line}\n`)) await new Promise(resolve => stream.once('drain', resolve));
				written += Buffer.byteLength(line) + 1;
			}

			await new Promise(resolve => stream.end(resolve));
			// A real history's files were last written when their session ended.
			const lastWrite = new Date(Math.min(Date.now(), Date.parse(JSON.parse(content.at(-1)).timestamp)));
			utimesSync(file, lastWrite, lastWrite);
			files++;
		}

		recent.push(lines.slice(0, 40));
		if (recent.length > 20) recent.shift();
	}

	// Folders too were last written when their newest entry was made (the `default` shape keeps its old behaviour).
	if (gapMs !== undefined) dateFolders(path.join(root, 'projects'));
	return {bytes: written, files};
};

if (import.meta.url === `file://${process.argv[1]}`) {
	const [root, megabytes = '100', seed = '42', shape = 'default'] = process.argv.slice(2);
	if (!root || corpusShapes[shape] === undefined) {
		process.stderr.write(`usage: node bench/generate-corpus.mjs DIR [MEGABYTES] [SEED] [${Object.keys(corpusShapes).join('|')}]\n`);
		process.exit(2);
	}

	const result = await generateCorpus(root, Number(megabytes) * 1024 * 1024, Number(seed), undefined, corpusShapes[shape]);
	process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** About `targetBytes` of fresh session lines (new ids, from `startMs` on), as one string, for append benchmarks. */
export const freshLines = (targetBytes, seed, startMs) => {
	const random = rng(seed);
	const out = [];
	let bytes = 0;
	let clock = startMs;
	while (bytes < targetBytes) {
		const {lines, endMs} = sessionLines(random, {sessionId: uuid(random), project: 'api-server', startMs: clock, requests: 10, isSidechain: false});
		clock = endMs;
		for (const line of lines) {
			out.push(line);
			bytes += Buffer.byteLength(line) + 1;
		}
	}

	return `${out.join('\n')}\n`;
};

/** One fresh assistant line with usage, stamped `atMs`, for latency probes. */
export const probeLine = (index, atMs) =>
	`${JSON.stringify({type: 'assistant', timestamp: new Date(atMs).toISOString(), sessionId: 'bench-probe', cwd: '/home/dev/api-server', requestId: `req_bench_${index}_${atMs}`, message: {id: `msg_bench_${index}_${atMs}`, model: 'claude-opus-4-5-20251101', role: 'assistant', usage: {input_tokens: 10, output_tokens: 100, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0}}})}\n`;
