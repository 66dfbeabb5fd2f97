import path from 'node:path';
import chokidar from 'chokidar';

export type WatchOptions = {
	/** `projects/` roots to watch, recursively (new project folders and subagent files included). */
	roots: readonly string[];
	/** `--poll`: stat-polling for network and WSL mounts, where change events are lost. */
	isPolling: boolean;
	/** The safety poll: a full re-discovery this often, for filesystems that drop events. */
	safetyPollMs: number;
	onChange: (file: string) => void;
	onRemove: (file: string) => void;
	onSafetyPoll: () => void;
};

export type Watcher = {
	/** Resolves once the initial scan is done and events will be delivered. */
	ready: Promise<void>;
	close: () => Promise<void>;
};

const isTranscript = (file: string): boolean => file.endsWith('.jsonl');

/**
 * chokidar is only a trigger: it says which file moved and the tailer reads the
 * bytes. No `awaitWriteFinish` (it adds ~2 s); a half-written line simply waits
 * in the file for its newline.
 */
export const watchTranscripts = (options: WatchOptions): Watcher => {
	const watcher = chokidar.watch([...options.roots], {
		ignoreInitial: true,
		persistent: true,
		usePolling: options.isPolling,
		interval: 1000,
		ignored: (file, stats) => stats?.isFile() === true && !isTranscript(file),
	});
	watcher.on('add', file => isTranscript(file) && options.onChange(path.resolve(file)));
	watcher.on('change', file => isTranscript(file) && options.onChange(path.resolve(file)));
	watcher.on('unlink', file => isTranscript(file) && options.onRemove(path.resolve(file)));
	const timer = setInterval(options.onSafetyPoll, options.safetyPollMs);
	const ready = new Promise<void>(resolve => watcher.once('ready', () => resolve()));
	return {
		ready,
		close: async () => {
			clearInterval(timer);
			await watcher.close();
		},
	};
};
