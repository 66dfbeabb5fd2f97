import type {ScanProgress} from '../core/usage/usage-view.js';

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);

/**
 * `cctop: indexing 412/1224 files · 340/1025 MB · ETA 2s`, from progress and the
 * time spent so far, in at most `width` columns: a line that wraps is no longer
 * redrawn in place (`\r` goes back to its last row only), so a narrow pane gets
 * the short form, `412/1224 files · 340/1025 MB · 2s`, and then only as much as fits.
 */
export const formatProgress = (progress: ScanProgress, elapsedMs: number, width = Number.POSITIVE_INFINITY): string => {
	const rate = elapsedMs > 0 ? progress.bytesDone / elapsedMs : 0;
	const etaSeconds = rate > 0 ? Math.ceil((progress.bytes - progress.bytesDone) / rate / 1000) : undefined;
	const counts = `${progress.filesDone}/${progress.files} files · ${mib(progress.bytesDone)}/${mib(progress.bytes)} MB`;
	const full = `cctop: indexing ${counts}${etaSeconds === undefined ? '' : ` · ETA ${etaSeconds}s`}`;
	if (full.length <= width) return full;
	const short = `${counts}${etaSeconds === undefined ? '' : ` · ${etaSeconds}s`}`;
	return short.length <= width ? short : short.slice(0, Math.max(0, width));
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
			// One column to spare: a line that fills the last column wraps on some terminals.
			const {columns} = stream();
			stream().write(`\r\u001B[2K${formatProgress(progress, nowMs - startedMs, columns > 0 ? columns - 1 : undefined)}`);
		},
		done: () => {
			if (isDrawn) stream().write('\r\u001B[2K');
		},
	};
};
