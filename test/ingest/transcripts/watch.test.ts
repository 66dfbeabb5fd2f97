import {mkdir, mkdtemp, rm, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {isQuietSessionFolder, watchTranscripts} from '../../../source/ingest/transcripts/watch.js';
import {waitFor} from '../../helpers/wait-for.js';

let temp: string;
let root: string;
beforeEach(async () => {
	temp = await mkdtemp(path.join(os.tmpdir(), 'cctop-watch-'));
	root = path.join(temp, 'projects');
});
afterEach(async () => {
	await rm(temp, {recursive: true, force: true});
});

const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000);

/** A file (and its folders) under the root, with every part stamped `at`. */
const put = async (relative: string, at: Date) => {
	const file = path.join(root, relative);
	await mkdir(path.dirname(file), {recursive: true});
	await writeFile(file, '{}\n');
	for (let part = file; part.startsWith(root) && part !== root; part = path.dirname(part)) await utimes(part, at, at);
};

/** A quiet session `old` and a live one, `live`, whose folder is old but whose transcript was written today. */
const putTwoSessions = async () => {
	await put('p/old.jsonl', daysAgo(4));
	await put('p/old/subagents/agent-1.jsonl', daysAgo(4));
	await put('p/live/subagents/agent-1.jsonl', daysAgo(4));
	await put('p/live.jsonl', daysAgo(0));
};

describe('isQuietSessionFolder', () => {
	it("goes by the session's transcript beside the folder, else by the folder; only a session's folder", async () => {
		await putTwoSessions();
		await put('p/orphan/subagents/agent-1.jsonl', daysAgo(4));
		await put('p/fresh/subagents/agent-1.jsonl', daysAgo(0));
		const quiet = (relative: string, mtime: Date) => isQuietSessionFolder([root], path.join(root, relative), mtime.getTime(), Date.now());
		expect(quiet('p/old', daysAgo(4))).toBe(true);
		// The folder is old, but the session wrote to its transcript today.
		expect(quiet('p/live', daysAgo(4))).toBe(false);
		expect(quiet('p/orphan', daysAgo(4))).toBe(true);
		expect(quiet('p/fresh', daysAgo(0))).toBe(false);
		// Projects, deeper folders and folders outside the roots are always watched.
		expect(quiet('p', daysAgo(4))).toBe(false);
		expect(quiet('p/old/subagents', daysAgo(4))).toBe(false);
		expect(isQuietSessionFolder([root], path.join(temp, 'elsewhere/p/s'), daysAgo(4).getTime(), Date.now())).toBe(false);
	});
});

describe('watchTranscripts', () => {
	it("reports a live session's subagents and a new session's, and leaves a quiet session's folder to the safety poll", async () => {
		await putTwoSessions();
		const changed: string[] = [];
		const watcher = watchTranscripts({roots: [root], isPolling: false, safetyPollMs: 600_000, onChange: file => changed.push(file), onRemove: () => undefined, onSafetyPoll: () => undefined});
		try {
			await watcher.ready;
			const liveAgent = path.join(root, 'p/live/subagents/agent-2.jsonl');
			await writeFile(liveAgent, '{}\n');
			await waitFor(() => changed.includes(liveAgent), 10_000, "the live session's new subagent");

			const newSession = path.join(root, 'p/new');
			await writeFile(`${newSession}.jsonl`, '{}\n');
			await mkdir(path.join(newSession, 'subagents'), {recursive: true});
			const newAgent = path.join(newSession, 'subagents/agent-1.jsonl');
			await writeFile(newAgent, '{}\n');
			await waitFor(() => changed.includes(newAgent), 10_000, "a new session's subagent");

			const quietAgent = path.join(root, 'p/old/subagents/agent-2.jsonl');
			await writeFile(quietAgent, '{}\n');
			await new Promise(resolve => setTimeout(resolve, 500));
			expect(changed).not.toContain(quietAgent);
		} finally {
			await watcher.close();
		}
	});
});
