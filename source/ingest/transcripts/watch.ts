import {statSync} from 'node:fs';
import path from 'node:path';
import chokidar from 'chokidar';
import {rediscover, transcriptFileFor, type Discovery} from './discover.js';
import type {TranscriptSource} from './transcript-source.js';

export type WatchOptions = {
	/** `projects/` roots to watch, recursively (new project folders and subagent files included). */
	roots: readonly string[];
	/** `--poll`: stat-polling for network and WSL mounts, where change events are lost. */
	isPolling: boolean;
	/** The safety poll: a full re-discovery this often, for filesystems that drop events. */
	safetyPollMs: number;
	onChange: (file: string) => void;
	onRemove: (file: string) => void;
	onSafetyPoll: () => void | Promise<void>;
};

export type Watcher = {
	/** Resolves once the initial scan is done and events will be delivered. */
	ready: Promise<void>;
	close: () => Promise<void>;
};

const isTranscript = (file: string): boolean => file.endsWith('.jsonl');

/** Files untouched this long are not watched individually; the safety poll still reads them. */
const quietFileMs = 3 * 24 * 60 * 60 * 1000;
/**
 * The safety poll looks at such files and folders, which Claude Code no longer
 * writes to, one session in 5 at a time (see PollTurn): each every 10 minutes
 * (with the poll every 2), as the status line's sweep does.
 */
const quietTurns = 5;

/**
 * A session's folder (`projects/<project>/<session>/`, where its subagents'
 * transcripts go) whose session is quiet: its transcript beside the folder, or
 * the folder itself when there is none, untouched for days. Claude Code writes
 * there only while the session runs, and chokidar costs ~4 KB of heap per
 * folder it watches: at a year of history that is ~9,500 folders and ~40 MB. A
 * new session's folder is new, so it is watched; the safety poll covers the rest.
 */
export const isQuietSessionFolder = (roots: readonly string[], folder: string, mtimeMs: number, nowMs: number): boolean => {
	const root = roots.find(root => folder.startsWith(`${root}${path.sep}`));
	if (root === undefined || path.relative(root, folder).split(path.sep).length !== 2) return false;
	const transcript = statSync(`${folder}.jsonl`, {throwIfNoEntry: false});
	return (transcript?.mtimeMs ?? mtimeMs) < nowMs - quietFileMs;
};

/** Just past chokidar's 50 ms per-file throttle on 'change' events. */
const trailingReadMs = 60;

/**
 * chokidar is only a trigger: it says which file moved and the tailer reads the
 * bytes. No `awaitWriteFinish` (it adds ~2 s); a half-written line simply waits
 * in the file for its newline.
 */
export const watchTranscripts = (options: WatchOptions): Watcher => {
	const roots = options.roots.map(root => path.resolve(root));
	const watcher = chokidar.watch([...options.roots], {
		ignoreInitial: true,
		persistent: true,
		usePolling: options.isPolling,
		interval: 1000,
		// chokidar holds one native watcher per file. Claude Code appends only to live
		// sessions (a resumed session gets a new file), so files quiet for days are left
		// to the safety poll: at 1 GB of history that is ~1,800 watchers fewer. So are
		// quiet sessions' folders (see isQuietSessionFolder).
		ignored: (file, stats) =>
			stats?.isFile() === true
				? !isTranscript(file) || stats.mtimeMs < Date.now() - quietFileMs
				: stats?.isDirectory() === true && isQuietSessionFolder(roots, path.resolve(file), stats.mtimeMs, Date.now()),
	});
	// chokidar drops a file's 'change' events that come within 50 ms of the previous
	// one, and emits nothing for them later: a burst of writes could leave its last
	// lines unseen until the next write. So every event also schedules one trailing
	// read just past that window; if nothing changed, the tailer's stat check makes it cheap.
	const trailing = new Map<string, NodeJS.Timeout>();
	const changed = (file: string) => {
		if (!isTranscript(file)) return;
		const resolved = path.resolve(file);
		options.onChange(resolved);
		clearTimeout(trailing.get(resolved));
		trailing.set(
			resolved,
			setTimeout(() => {
				trailing.delete(resolved);
				options.onChange(resolved);
			}, trailingReadMs),
		);
	};

	watcher.on('add', changed);
	watcher.on('change', changed);
	watcher.on('unlink', file => isTranscript(file) && options.onRemove(path.resolve(file)));
	const timer = setInterval(() => void options.onSafetyPoll(), options.safetyPollMs);
	const ready = new Promise<void>(resolve => watcher.once('ready', () => resolve()));
	return {
		ready,
		close: async () => {
			clearInterval(timer);
			for (const pending of trailing.values()) clearTimeout(pending);
			await watcher.close();
		},
	};
};

/**
 * Keep a transcript source current: watcher events read the file that moved (or
 * start following a new one), removals take a file out, and the safety poll
 * re-discovers everything under the same config dirs.
 */
export const watchSource = (
	source: TranscriptSource,
	discovery: Discovery,
	options: {claudeDirs: readonly string[]; isPolling: boolean; safetyPollMs?: number},
): Watcher => {
	let current = discovery;
	let polls = 0;
	return watchTranscripts({
		roots: discovery.roots.length > 0 ? discovery.roots : discovery.searched,
		isPolling: options.isPolling,
		safetyPollMs: options.safetyPollMs ?? 120_000,
		onChange: file => {
			const transcript = transcriptFileFor(discovery.roots, file);
			if (transcript === undefined) return;
			source.follow(transcript);
			void source.poll(file);
		},
		onRemove: file => source.forget(file),
		// Stats, no reads of what did not change, and what is quiet for days on its turn: at 4 GB ~1 s of
		// CPU every 2 minutes with a readdir of every folder and a stat promise per file, ~250 ms with every
		// folder and file stat'ed in a loop, less with the turns (see rediscover, pollAll).
		onSafetyPoll: async () => {
			const turn = {quietBeforeMs: Date.now() - quietFileMs, slices: quietTurns, slice: polls++ % quietTurns, roots: current.roots};
			const next = await rediscover(current, {claudeDirs: options.claudeDirs}, turn);
			// The same list: nothing was added or removed where the poll looked.
			if (next.files !== current.files) source.track(next.files, undefined, file => next.carried?.has(path.dirname(file)) === true);
			current = next;
			await source.pollAll(undefined, {statFirst: true, turn});
		},
	});
};
