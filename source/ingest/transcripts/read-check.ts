import {hashBytes} from '../../core/util/hash.js';
import {emptyCheck} from './file-cursor.js';
import {readCompleteLines, readCompleteLinesSync, type LineClassifier, type ReadHandle, type ReadSync} from './read-transcripts.js';

/**
 * Telling an append from a rewrite. A file that kept its inode and did not
 * shrink may still have been rewritten in place (an editor, a sync tool, a
 * restore), and reading on from the old offset would keep the old lines and cut
 * a new one in half. So a cursor carries a fingerprint of the bytes before its
 * offset, and before reading on they are read and hashed again; a mismatch means
 * "read from byte 0". Up to {@link wholeBytes} every byte counts; past that the
 * first and last {@link endBytes}, so following a 700 MB session costs two small
 * reads per append, not a re-read. A rewrite that keeps both ends of a large
 * file byte for byte is not seen: Claude Code's lines carry ids and timestamps,
 * so that is a rewrite that kept the lines there.
 */
export const wholeBytes = 64 * 1024;
export const endBytes = 4096;

/** What the fingerprint of `[0, offset)` covers: the head and the tail (empty when the head is all of it). */
export type ReadEnds = {head: Uint8Array; tail: Uint8Array};

/** The fingerprint of `[0, offset)` from its ends. */
export const checkOf = ({head, tail}: ReadEnds): number => hashBytes(tail, hashBytes(head));

const endRanges = (offset: number): [[number, number], [number, number]] =>
	offset <= wholeBytes
		? [
				[0, offset],
				[offset, offset],
			]
		: [
				[0, endBytes],
				[offset - endBytes, offset],
			];

const readExactly = async (handle: ReadHandle, start: number, end: number): Promise<Uint8Array | undefined> => {
	const buffer = Buffer.allocUnsafe(end - start);
	let done = 0;
	while (done < buffer.length) {
		const {bytesRead} = await handle.read(buffer, done, buffer.length - done, start + done);
		if (bytesRead === 0) return undefined;
		done += bytesRead;
	}

	return buffer;
};

type Known = {position: number; bytes: Uint8Array} | undefined;

/** `[start, end)` from bytes already in memory, when `known` holds all of it. */
const fromKnown = (start: number, end: number, known: Known): Uint8Array | undefined =>
	known !== undefined && start >= known.position && end <= known.position + known.bytes.length ? known.bytes.subarray(start - known.position, end - known.position) : undefined;

/** `[start, end)` from bytes already in memory, or from the file. */
const range = async (handle: ReadHandle, start: number, end: number, known: Known): Promise<Uint8Array | undefined> => fromKnown(start, end, known) ?? readExactly(handle, start, end);

/** The ends of `[0, offset)` as the file holds them now (from `known` bytes where they cover them); undefined when it no longer reaches `offset`. */
export const readEnds = async (handle: ReadHandle, offset: number, known?: Known): Promise<ReadEnds | undefined> => {
	const [[headStart, headEnd], [tailStart, tailEnd]] = endRanges(offset);
	const head = await range(handle, headStart, headEnd, known);
	const tail = await range(handle, tailStart, tailEnd, known);
	return head === undefined || tail === undefined ? undefined : {head, tail};
};

/** Where a read stopped and the fingerprint of everything before it. */
export type ReadMark = {offset: number; check: number};

/**
 * Read the complete lines of `[from.offset, size)` into `classifier`, after
 * checking that the bytes before `from.offset` are still the ones read before.
 * Returns the new mark, or undefined when they are not (rewritten in place: the
 * caller reads from byte 0 instead; nothing was classified).
 */
export const readPast = async (handle: ReadHandle, from: ReadMark, size: number, classifier: LineClassifier): Promise<ReadMark | undefined> => {
	if (from.offset > 0) {
		const before = await readEnds(handle, from.offset);
		if (before === undefined || checkOf(before) !== from.check) return undefined;
	}

	const outcome = await readCompleteLines(handle, from.offset, size, classifier);
	if (outcome.offset === from.offset) return from;
	const after = await readEnds(handle, outcome.offset, outcome.lastRead);
	// Cut short under the read: a check that never matches, so the next read starts over.
	return {offset: outcome.offset, check: after === undefined ? -1 : checkOf(after)};
};

const readExactlySync = (read: ReadSync, start: number, end: number): Uint8Array | undefined => {
	const buffer = Buffer.allocUnsafe(end - start);
	for (let done = 0; done < buffer.length; ) {
		const bytesRead = read(buffer, done, buffer.length - done, start + done);
		if (bytesRead === 0) return undefined;
		done += bytesRead;
	}

	return buffer;
};

/** {@link readEnds} with synchronous reads. */
const readEndsSync = (read: ReadSync, offset: number, known: Known): ReadEnds | undefined => {
	const inMemory = (start: number, end: number) => fromKnown(start, end, known) ?? readExactlySync(read, start, end);
	const [[headStart, headEnd], [tailStart, tailEnd]] = endRanges(offset);
	const head = inMemory(headStart, headEnd);
	const tail = inMemory(tailStart, tailEnd);
	return head === undefined || tail === undefined ? undefined : {head, tail};
};

/**
 * {@link readPast} from byte 0, with synchronous reads: a scan worker's read
 * of a file it has not read before (read-whole-file.ts).
 */
export const readFromStartSync = (read: ReadSync, size: number, classifier: LineClassifier, scratch?: Buffer): ReadMark => {
	const outcome = readCompleteLinesSync(read, 0, size, classifier, scratch);
	// `lastRead` may lie in `scratch`: hashed here, before anyone reads into it again.
	if (outcome.offset === 0) return {offset: 0, check: emptyCheck};
	const after = readEndsSync(read, outcome.offset, outcome.lastRead);
	return {offset: outcome.offset, check: after === undefined ? -1 : checkOf(after)};
};
