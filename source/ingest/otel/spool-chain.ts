import {closeSync, openSync, readSync, fstatSync} from 'node:fs';
import {sha256} from '@noble/hashes/sha2.js';
import {bytesToHex} from '@noble/hashes/utils.js';

// Loaded when first hashed: requiring node:crypto costs ~3–4 ms, and the modules
// bundled with this one (status, report) mostly never hash.
const createHash = (algorithm: string) => process.getBuiltinModule('node:crypto').createHash(algorithm);

/** Hex SHA-256 of a text, in JavaScript: for a line or two, which `cctop guard` appends on every hook, it costs less than loading node:crypto. */
const utf8 = new TextEncoder();
const smallSha256 = (text: string): string => bytesToHex(sha256(utf8.encode(text)));
/** The same by node:crypto: ~6× faster once loaded, for the many lines `cctop audit verify` reads. */
const nativeSha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The spool's hash chain. Every line ends `,"p":<link>,"h":<hash>}`: `p` is the
 * previous line's `h`, and `h` = SHA-256 of `p` and the line without the two
 * (the first 32 hex digits). Editing, removing, reordering or inserting a line
 * breaks a link that `cctop audit verify` finds and names. Readers ignore the
 * two fields. Lines written before the chain existed are covered too: the first
 * chained line links to the SHA-256 of every byte before it.
 */
const hashLength = 32;
export const genesis = '0'.repeat(hashLength);
const suffix = /,"p":"([\da-f]{32})","h":"([\da-f]{32})"\}$/;

export const linkHash = (previous: string, body: string, sha256Hex: (text: string) => string = smallSha256): string => sha256Hex(`${previous}\n${body}`).slice(0, hashLength);

/** A line's parts: its body (without the chain fields) and its link and hash; undefined for a line with no chain fields. */
export const chainParts = (line: string): {body: string; previous: string; hash: string} | undefined => {
	const match = suffix.exec(line);
	if (match === null) return undefined;
	return {body: `${line.slice(0, match.index)}}`, previous: match[1]!, hash: match[2]!};
};

/** `bodies` (JSON objects as text, no newline) chained on from `previous`: the text to append, and the new head. */
export const chainLines = (bodies: readonly string[], previous: string): {text: string; head: string} => {
	let head = previous;
	let text = '';
	for (const body of bodies) {
		const hash = linkHash(head, body);
		text += `${body.slice(0, -1)},"p":"${head}","h":"${hash}"}\n`;
		head = hash;
	}

	return {text, head};
};

/** How far back a head is looked for: a line or two first (a guard hook reads it on every call, and its file grows), then 256 KiB. */
const tailSizes = [8 * 1024, 256 * 1024];

/** SHA-256 of a file's first `length` bytes, streamed: where a chain starts on a spool from before it. */
const prefixHash = (fd: number, length: number): string => {
	const hash = createHash('sha256');
	const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
	for (let position = 0; position < length; ) {
		const read = readSync(fd, chunk, 0, Math.min(chunk.length, length - position), position);
		if (read === 0) break;
		hash.update(chunk.subarray(0, read));
		position += read;
	}

	return hash.digest('hex').slice(0, hashLength);
};

/**
 * The chain's head in `file`: the `h` of its last chained line (found in its
 * last 256 KiB, past a torn tail); for an empty file the genesis link; for a
 * spool from before the chain, the hash of all of it (read once: the first
 * chained append upgrades it in place, and every later one finds a head).
 */
export const chainHead = (file: string): string => {
	let fd: number;
	try {
		fd = openSync(file, 'r');
	} catch {
		return genesis;
	}

	try {
		const {size} = fstatSync(fd);
		if (size === 0) return genesis;
		for (const tailSize of tailSizes) {
			const start = Math.max(0, size - tailSize);
			const buffer = Buffer.allocUnsafe(size - start);
			readSync(fd, buffer, 0, buffer.length, start);
			const lines = buffer.toString('utf8').split('\n');
			// The last line is whatever follows the last newline: empty, or a torn write. The first may be cut by the start.
			for (let index = lines.length - 2; index >= (start === 0 ? 0 : 1); index--) {
				const parts = chainParts(lines[index]!);
				if (parts !== undefined) return parts.hash;
			}

			if (start === 0) break;
		}

		return prefixHash(fd, size);
	} finally {
		closeSync(fd);
	}
};

/** What `cctop audit verify` found: how far the chain holds, and the first break. */
export type ChainReport = {
	lines: number;
	chained: number;
	/** Lines before the first chained one (a spool from before the chain), covered by its first link. */
	legacy: number;
	/** Torn writes the chain goes on around (a crash mid-append). */
	torn: number[];
	head: string;
	/** Heads of the segments retention removed, as recorded in this file's chain. */
	retired: string[];
	break?: {line: number; kind: 'edited' | 'removed' | 'reordered' | 'inserted' | 'unchained' | 'truncated'; detail: string};
};

/**
 * Walk the spool's chain line by line, streaming (memory stays O(one line plus
 * a lookahead of one)), and name the first break: a line whose own hash does
 * not match its content (edited), a link to a line that is not there (removed),
 * two lines that link to each other the wrong way round (reordered), or a line
 * the next one skips (inserted). A truncated tail leaves a valid chain: compare
 * the printed head with one kept elsewhere.
 */
export const verifyChain = (file: string, {startHead = genesis}: {startHead?: string} = {}): ChainReport => {
	const fd = openSync(file, 'r');
	const report: ChainReport = {lines: 0, chained: 0, legacy: 0, torn: [], head: startHead, retired: []};
	try {
		const {size} = fstatSync(fd);
		const prefix = createHash('sha256');
		let isChained = false;
		let head = startHead;
		let beforeHead: string | undefined;
		// The line waiting for the next one to tell an insertion from a removal.
		let pending: {line: number; previous: string; hash: string} | undefined;
		const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
		let rest: Buffer[] = [];
		let position = 0;
		let lineNumber = 0;
		const fail = (line: number, kind: NonNullable<ChainReport['break']>['kind'], detail: string) => {
			report.break ??= {line, kind, detail};
		};

		const onLine = (bytes: Buffer): boolean => {
			lineNumber++;
			report.lines++;
			const text = bytes.toString('utf8');
			const parts = chainParts(text);
			if (pending !== undefined) {
				const skipped = pending;
				pending = undefined;
				if (parts !== undefined && skipped.previous === parts.hash) {
					fail(skipped.line, 'reordered', `lines ${skipped.line} and ${lineNumber} are in the wrong order`);
				} else if (parts?.previous === beforeHead) {
					fail(skipped.line, 'inserted', `line ${skipped.line} is not part of the chain: line ${lineNumber} links past it`);
				} else {
					fail(skipped.line, 'removed', `a record is missing before line ${skipped.line}: it links to ${skipped.previous}, the line before it is ${beforeHead ?? genesis}`);
				}

				return false;
			}

			if (parts === undefined) {
				if (!isChained) {
					report.legacy++;
					prefix.update(bytes);
					prefix.update('\n');
					return true;
				}

				// A torn write (no newline before the next append) is a piece of JSON that does not parse.
				let isJson = true;
				try {
					JSON.parse(text);
				} catch {
					isJson = false;
				}

				if (!isJson && !text.includes('"h":"')) {
					report.torn.push(lineNumber);
					return true;
				}

				fail(lineNumber, 'unchained', `line ${lineNumber} has no chain link: it was edited or inserted`);
				return false;
			}

			if (!isChained) {
				isChained = true;
				if (report.legacy > 0) head = prefix.digest('hex').slice(0, hashLength);
				if (report.legacy > 0 && parts.previous !== head) {
					fail(1, 'edited', `the ${report.legacy} lines before the chain were changed: their hash does not match line ${lineNumber}'s link`);
					return false;
				}
			}

			report.chained++;
			const retired = text.includes('"cctop.spool.retired_head"') ? /"cctop\.spool\.retired_head":"([\da-f]{32})"/.exec(text)?.[1] : undefined;
			if (retired !== undefined) report.retired.push(retired);
			if (linkHash(parts.previous, parts.body, nativeSha256) !== parts.hash) {
				fail(lineNumber, 'edited', `line ${lineNumber} does not match its hash: its content was changed`);
				return false;
			}

			if (parts.previous !== head) {
				pending = {line: lineNumber, previous: parts.previous, hash: parts.hash};
				beforeHead = head;
				head = parts.hash;
				return true;
			}

			beforeHead = head;
			head = parts.hash;
			return true;
		};

		reading: while (position < size) {
			const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - position), position);
			if (read === 0) break;
			let start = 0;
			for (let at = chunk.indexOf(0x0a, 0); at !== -1 && at < read; at = chunk.indexOf(0x0a, start)) {
				const bytes = rest.length === 0 ? chunk.subarray(start, at) : Buffer.concat([...rest, chunk.subarray(start, at)]);
				rest = [];
				start = at + 1;
				if (!onLine(bytes)) break reading;
			}

			if (start < read) rest.push(Buffer.from(chunk.subarray(start, read)));
			position += read;
		}

		if (pending !== undefined) fail(pending.line, 'removed', `a record is missing before line ${pending.line} (or that last line was inserted)`);
		// A cut-short last line: a crash mid-write, or a file truncated by hand. Either way the record is not whole.
		if (rest.length > 0) fail(lineNumber + 1, 'truncated', `the last line (${lineNumber + 1}) is cut short: the file was truncated, or a write never finished`);
		// A file of lines from before the chain only: its head is the hash of them all (what the next link points to).
		report.head = !isChained && report.legacy > 0 ? prefix.digest('hex').slice(0, hashLength) : head;
		return report;
	} finally {
		closeSync(fd);
	}
};
