import type {LineResult} from '../../core/usage/transcript.js';

export type LineParser = (text: string, folderProject: string) => LineResult;

/** What reading needs of an open file: a fs/promises FileHandle, or a synchronous one (see sync-handle.ts). */
export type ReadHandle = {
	read: (buffer: Buffer, offset: number, length: number, position: number) => Promise<{bytesRead: number}>;
};

let parserModule: Promise<LineParser> | undefined;

/**
 * The transcript line parser, loaded on first need: a run that finds nothing
 * new never parses a line.
 */
export const loadLineParser = async (): Promise<LineParser> => {
	parserModule ??= import('../../core/usage/transcript.js').then(module => module.parseTranscriptLine);
	return parserModule;
};

/** Line counters for one read; the report's diagnostics are summed from them. */
export type ReadCounters = {lines: number; usageLines: number; invalidLines: number};

export const createReadCounters = (): ReadCounters => ({lines: 0, usageLines: 0, invalidLines: 0});

const newline = 0x0a;
export const chunkBytes = 4 * 1024 * 1024;
/** A line longer than this is dropped and counted, so one runaway line cannot exhaust memory. */
export const maxLineBytes = 64 * 1024 * 1024;

/**
 * A line is parsed only if it holds one of these, each a part of what makes a
 * line matter to `parseTranscriptValue`: the `usage` key; a `\u` escape (any key
 * or value may be spelled with one); and for the events, which have no usage,
 * `isApiErrorMessage` (every API error and limit-hit line Claude Code writes),
 * `"error": "rate_limit"` and the `<synthetic>` model (older limit lines, whose
 * text may be "usage limit reached" and match `usage` anyway). Each needle is
 * one more pass over the bytes (~0.07 s per GB for `usage`); the others are
 * looked for only when a line lacks `usage`, each from there to where it next
 * occurs, which is remembered for the lines after. A property test holds the
 * classifier to a full parse of every line.
 *
 * A search stops at every byte equal to the needle's first (Node's indexOf
 * looks for that byte, then compares), so a needle starts with a rare one, a
 * part of the word where need be: `ApiErrorMessage` goes through 300 MB of
 * transcripts in 11 ms where `isApiErrorMessage` took 94 (an `i` is common in
 * text, an `A` is not), `_limit` in 25 where `rate_limit` took 137. A line a
 * part matches without the rest is parsed and found to matter or not. And
 * `usage` is looked for by its `g` (see indexOfUsage).
 */
const usageLength = 5;

/**
 * Where `usage` next occurs in `buffer` from `from` on, or -1: found by its
 * `g`, then checked around it. A `u` is common (~2% of a transcript's bytes),
 * a `g` is not (0.3–0.7%), and indexOf by the `u` was ~0.3 s of CPU per GB; by
 * the `g`, ~0.07.
 */
export const indexOfUsage = (buffer: Buffer, from: number): number => {
	for (let at = buffer.indexOf(0x67, from + 3); at !== -1; at = buffer.indexOf(0x67, at + 1)) {
		if (buffer[at + 1] === 0x65 && buffer[at - 1] === 0x61 && buffer[at - 2] === 0x73 && buffer[at - 3] === 0x75) return at - 3;
	}

	return -1;
};
const otherNeedles = ['\\u', 'ApiErrorMessage', '_limit', '<synthetic>'].map(text => Buffer.from(text));

const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;

/**
 * Reads complete lines from a byte buffer and classifies them.
 *
 * Prefilter: a line can carry usage only if it contains the key `usage`, either
 * literally or spelled with a `\u` escape, and it can be an event only if it
 * holds `isApiErrorMessage`; only lines holding one
 * of those get a full JSON parse, so spacing and key order never matter. A line
 * that does not even look like a JSON object is parsed too, so garbage is still
 * counted as invalid.
 */
export class LineClassifier {
	// Where each needle next occurs in the current buffer, so the prefilter scans
	// each byte once per buffer instead of once per line: a search per line was
	// a native call per needle for every line without `usage` (~0.25 s of CPU per GB).
	private buffer: Buffer | undefined;
	/** -1: none left in the buffer. */
	private nextUsageAt = -1;
	/** A typed array: a plain one's shape changed under the JIT (a deopt and a recompile in every worker). */
	private readonly nextOtherAt = new Int32Array(otherNeedles.length).fill(-2);

	constructor(
		private readonly onResult: (result: LineResult) => void,
		private readonly counters: ReadCounters,
		private readonly folderProject: string,
		private readonly parse: LineParser,
	) {}

	/** Classify `buffer[start, end)`, one line without its newline. */
	line(buffer: Buffer, start: number, end: number): void {
		let first = start;
		let last = end - 1;
		while (first <= last && isSpace(buffer[first])) first++;
		while (last >= first && isSpace(buffer[last])) last--;
		if (first > last) {
			return;
		}

		this.counters.lines++;
		const looksLikeObject = buffer[first] === 0x7b && buffer[last] === 0x7d;
		// `usage` first: most lines that match have it, and the rarer needles are then
		// searched only within the lines without it, not across every byte.
		const mayMatter = this.hasUsage(buffer, first, last) || this.hasOther(buffer, first, last);

		if (looksLikeObject && !mayMatter) {
			return;
		}

		const result = this.parse(buffer.toString('utf8', first, last + 1), this.folderProject);
		this.handle(result);
	}

	/** Whether `usage` is in `buffer[first, last)`. */
	private hasUsage(buffer: Buffer, first: number, last: number): boolean {
		if (buffer !== this.buffer) {
			this.buffer = buffer;
			this.nextUsageAt = indexOfUsage(buffer, first);
			this.nextOtherAt.fill(-2);
		} else if (this.nextUsageAt !== -1 && this.nextUsageAt < first) {
			this.nextUsageAt = indexOfUsage(buffer, first);
		}

		return this.nextUsageAt !== -1 && this.nextUsageAt + usageLength <= last;
	}

	/** Whether one of the other needles is in `buffer[first, last)` (after {@link hasUsage} saw the same buffer). */
	private hasOther(buffer: Buffer, first: number, last: number): boolean {
		for (let index = 0; index < otherNeedles.length; index++) {
			const needle = otherNeedles[index]!;
			let at = this.nextOtherAt[index]!;
			// -2: not searched in this buffer yet.
			if (at === -2 || (at !== -1 && at < first)) {
				at = buffer.indexOf(needle, first);
				this.nextOtherAt[index] = at;
			}

			if (at !== -1 && at + needle.length <= last) return true;
		}

		return false;
	}

	/** Count a line that was too long to keep. */
	oversized(): void {
		this.counters.lines++;
		this.handle({kind: 'invalid', reason: 'line longer than 64 MiB'});
	}

	private handle(result: LineResult): void {
		if (result.kind === 'invalid') {
			this.counters.invalidLines++;
		} else if (result.kind === 'usage') {
			this.counters.usageLines++;
		}

		this.onResult(result);
	}
}

/** A classifier for one read that keeps what matters (not the plain lines), with its counters. */
export const collectingClassifier = (projectSlug: string, parse: LineParser): {classifier: LineClassifier; results: LineResult[]; counters: ReadCounters} => {
	const counters = createReadCounters();
	const results: LineResult[] = [];
	const classifier = new LineClassifier(
		result => {
			if (result.kind !== 'other') results.push(result);
		},
		counters,
		projectSlug,
		parse,
	);
	return {classifier, results, counters};
};

/** Bytes from `fromOffset` up to the last complete line, as read by {@link readCompleteLines}. */
export type ReadOutcome = {
	/** Offset just past the last newline read: where the next read starts. */
	offset: number;
	/** Bytes after that offset that await their newline. */
	pendingBytes: number;
	/** The last read's bytes and where they sit in the file: a caller can fingerprint what it read from them (read-check.ts). */
	lastRead?: {position: number; bytes: Uint8Array};
};

/** Reads with synchronous calls: `readSync`'s arguments for one open file. */
export type ReadSync = (buffer: Buffer, offset: number, length: number, position: number) => number;

/**
 * What {@link readCompleteLines} keeps from read to read: the lines of each
 * read go to the classifier, and a line cut by a read's end waits for the next.
 * One class for the async reads (a live tailer) and the synchronous ones (a
 * scan worker, see readCompleteLinesSync).
 */
class LineSplitter {
	/** Offset just past the last newline taken. */
	offset: number;
	private pending: Buffer[] = [];
	private pendingBytes = 0;
	private isOversized = false;
	private position: number;
	private lastBytes = 0;
	/** Where reads go: sized to what is new (a live append is a few hundred bytes, not a 64 KiB buffer per read). */
	readonly chunk: Buffer;

	constructor(
		private readonly classifier: LineClassifier,
		private readonly fromOffset: number,
		readonly size: number,
		scratch: Buffer | undefined,
	) {
		this.offset = fromOffset;
		this.position = fromOffset;
		const length = Math.max(1, Math.min(chunkBytes, size - fromOffset));
		this.chunk = scratch !== undefined && scratch.length >= length ? scratch.subarray(0, length) : Buffer.allocUnsafe(length);
	}

	/** How many bytes the next read asks for at {@link nextPosition}; 0 once all of `size` is read. */
	get nextLength(): number {
		return this.position < this.size ? Math.min(this.chunk.length, this.size - this.position) : 0;
	}

	get nextPosition(): number {
		return this.position;
	}

	/** Take a read of `bytesRead` bytes into {@link chunk}; false when it read nothing (the file is shorter now). */
	take(bytesRead: number): boolean {
		if (bytesRead === 0) return false;
		// A fresh view per read: the classifier's match cache is keyed on buffer identity.
		const view = this.chunk.subarray(0, bytesRead);
		let start = 0;
		for (;;) {
			const at = view.indexOf(newline, start);
			if (at === -1) break;
			if (this.isOversized) {
				this.classifier.oversized();
			} else if (this.pendingBytes > 0) {
				const line = Buffer.concat([...this.pending, view.subarray(start, at)]);
				this.classifier.line(line, 0, line.length);
			} else {
				this.classifier.line(view, start, at);
			}

			this.pending = [];
			this.pendingBytes = 0;
			this.isOversized = false;
			start = at + 1;
			this.offset = this.position + start;
		}

		if (start < bytesRead) {
			this.pendingBytes += bytesRead - start;
			if (this.pendingBytes > maxLineBytes) {
				this.pending = [];
				this.isOversized = true;
			} else if (!this.isOversized) {
				this.pending.push(Buffer.from(view.subarray(start)));
			}
		}

		this.position += bytesRead;
		this.lastBytes = bytesRead;
		return true;
	}

	outcome(): ReadOutcome {
		const {offset, pendingBytes, position, lastBytes, fromOffset, chunk} = this;
		return {offset, pendingBytes, ...(position > fromOffset ? {lastRead: {position: position - lastBytes, bytes: chunk.subarray(0, lastBytes)}} : {})};
	}
}

/**
 * Read `[fromOffset, size)` of an open file in capped chunks and classify every
 * complete line. Lines are split on the newline byte before decoding, so a
 * multi-byte character cut by a chunk edge stays intact. A last line without its
 * newline is left for the next read (it is still being written); a line over
 * 64 MiB is counted and skipped without being held in memory.
 */
export const readCompleteLines = async (
	handle: ReadHandle,
	fromOffset: number,
	size: number,
	classifier: LineClassifier,
): Promise<ReadOutcome> => {
	const splitter = new LineSplitter(classifier, fromOffset, size, undefined);
	for (let length = splitter.nextLength; length > 0; length = splitter.nextLength) {
		const {bytesRead} = await handle.read(splitter.chunk, 0, length, splitter.nextPosition);
		if (!splitter.take(bytesRead)) break;
	}

	return splitter.outcome();
};

/**
 * {@link readCompleteLines} with synchronous reads, for a scan worker: an
 * await per read was a promise and a microtask per file, and V8 compiled the
 * async functions of a file's read (this, the fingerprint's, the tailer's) in
 * ~35 ms each, in each worker.
 */
export const readCompleteLinesSync = (
	read: ReadSync,
	fromOffset: number,
	size: number,
	classifier: LineClassifier,
	/** A buffer to read into, reused from file to file by a caller that reads one file at a time. */
	scratch?: Buffer,
): ReadOutcome => {
	const splitter = new LineSplitter(classifier, fromOffset, size, scratch);
	for (let length = splitter.nextLength; length > 0; length = splitter.nextLength) {
		if (!splitter.take(read(splitter.chunk, 0, length, splitter.nextPosition))) break;
	}

	return splitter.outcome();
};
