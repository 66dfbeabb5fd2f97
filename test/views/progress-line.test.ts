import {describe, expect, it} from 'vitest';
import {formatProgress, progressReporter} from '../../source/views/progress-line.js';

const mb = 1024 * 1024;
const fakeStream = (isTTY: boolean) => {
	const writes: string[] = [];
	return {stream: {isTTY, write: (text: string) => writes.push(text)} as unknown as NodeJS.WriteStream, writes};
};

describe('progress line', () => {
	it('shows files, MB and an ETA from the rate so far', () => {
		expect(formatProgress({filesDone: 412, files: 1224, bytesDone: 340 * mb, bytes: 1025 * mb}, 1000)).toBe('cctop: indexing 412/1224 files · 340/1025 MB · ETA 3s');
	});

	it('fits a narrow pane: the short form, then as much as fits (a wrapped line is not redrawn in place)', () => {
		const progress = {filesDone: 412, files: 1224, bytesDone: 340 * mb, bytes: 1025 * mb};
		expect(formatProgress(progress, 1000, 53)).toBe('cctop: indexing 412/1224 files · 340/1025 MB · ETA 3s');
		expect(formatProgress(progress, 1000, 52)).toBe('412/1224 files · 340/1025 MB · 3s');
		expect(formatProgress(progress, 1000, 20)).toBe('412/1224 files · 340');
	});

	it('draws within the terminal\'s width, one column to spare', () => {
		const {stream, writes} = fakeStream(true);
		Object.assign(stream, {columns: 30});
		const reporter = progressReporter(() => stream, () => 500);
		reporter.onProgress({filesDone: 1, files: 2, bytesDone: 100 * mb, bytes: 200 * mb});
		expect(writes).toEqual(['\r\u001B[2K1/2 files · 100/200 MB']);
	});

	it('redraws in place on a TTY and erases itself when done', () => {
		let now = 0;
		const {stream, writes} = fakeStream(true);
		const reporter = progressReporter(() => stream, () => now);
		now = 500;
		reporter.onProgress({filesDone: 1, files: 2, bytesDone: 100 * mb, bytes: 200 * mb});
		now = 550;
		reporter.onProgress({filesDone: 1, files: 2, bytesDone: 150 * mb, bytes: 200 * mb});
		now = 600;
		reporter.onProgress({filesDone: 2, files: 2, bytesDone: 200 * mb, bytes: 200 * mb});
		reporter.done();
		expect(writes).toEqual([
			'\r\u001B[2Kcctop: indexing 1/2 files · 100/200 MB · ETA 1s',
			'\r\u001B[2Kcctop: indexing 2/2 files · 200/200 MB · ETA 0s',
			'\r\u001B[2K',
		]);
	});

	it('stays silent when stderr is not a TTY or the read is small', () => {
		for (const [isTTY, bytes] of [[false, 500 * mb], [true, 10 * mb]] as const) {
			const {stream, writes} = fakeStream(isTTY);
			const reporter = progressReporter(() => stream, () => 1000);
			reporter.onProgress({filesDone: 1, files: 1, bytesDone: bytes, bytes});
			reporter.done();
			expect(writes).toEqual([]);
		}
	});
});
