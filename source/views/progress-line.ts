import type {ScanProgress} from '../core/usage/usage-view.js';

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);

/** `indexing 412/1,224 files · 340/1,025 MB · ETA 2s`, from progress and the time spent so far. */
export const formatProgress = (progress: ScanProgress, elapsedMs: number): string => {
	const rate = elapsedMs > 0 ? progress.bytesDone / elapsedMs : 0;
	const etaSeconds = rate > 0 ? Math.ceil((progress.bytes - progress.bytesDone) / rate / 1000) : undefined;
	return `cctop: indexing ${progress.filesDone}/${progress.files} files · ${mib(progress.bytesDone)}/${mib(progress.bytes)} MB${etaSeconds === undefined ? '' : ` · ETA ${etaSeconds}s`}`;
};

/**
 * A progress reporter for the first indexing, redrawn in place on a TTY stderr at
 * most 10×/s, only for reads big enough to notice (over 64 MB), and erased when done.
 * `stream` is asked for only then: a warm run never builds process.stderr's stream.
 */
export const progressReporter = (stream: () => NodeJS.WriteStream, clock: () => number = Date.now) => {
	const startedMs = clock();
	let lastDrawMs = 0;
	let isDrawn = false;
	return {
		onProgress: (progress: ScanProgress) => {
			if (progress.bytes < 64 * 1024 * 1024 || !stream().isTTY) return;
			const nowMs = clock();
			if (nowMs - lastDrawMs < 100 && progress.filesDone < progress.files) return;
			lastDrawMs = nowMs;
			isDrawn = true;
			stream().write(`\r\u001B[2K${formatProgress(progress, nowMs - startedMs)}`);
		},
		done: () => {
			if (isDrawn) stream().write('\r\u001B[2K');
		},
	};
};
