import {fsp} from '../lazy-fs.js';
import type {ToolCall} from '../../core/usage/tool-calls.js';

const newline = 0x0a;
// A call is a content block `"type": "tool_use"`; any key or value may also be
// spelled with `\u` escapes, so lines holding either are decoded, whatever their spacing.
const needles = ['tool_use', '\\u'].map(text => Buffer.from(text));

/** Start offsets of the complete lines of `bytes` that hold a needle; a last line without its newline is still being written. */
const candidateLines = (bytes: Buffer): number[] => {
	const starts = new Set<number>();
	const complete = bytes.lastIndexOf(newline) + 1;
	for (const needle of needles) {
		for (let at = bytes.indexOf(needle); at !== -1 && at < complete; at = bytes.indexOf(needle, at + needle.length)) {
			const start = bytes.lastIndexOf(newline, at) + 1;
			starts.add(start);
			// Jump to the next line: one decode per line however many matches it holds.
			at = Math.max(at, bytes.indexOf(newline, at) - needle.length);
		}
	}

	return [...starts].sort((a, b) => a - b);
};

/**
 * The `tool_use` blocks in some transcript files (one session's), read whole:
 * a session is a few files, never the history. Lines that are not JSON are
 * skipped here; the usage reader has already counted them. Unreadable files
 * are reported, not thrown.
 */
export const readToolCalls = async (paths: Iterable<string>): Promise<{calls: ToolCall[]; unreadable: Array<{path: string; reason: string}>}> => {
	const {toolCallsOf} = await import('../../core/usage/tool-calls.js');
	const calls: ToolCall[] = [];
	const unreadable: Array<{path: string; reason: string}> = [];
	for (const path of paths) {
		let bytes: Buffer;
		try {
			bytes = await fsp().readFile(path);
		} catch (error) {
			unreadable.push({path, reason: (error as NodeJS.ErrnoException).code ?? String(error)});
			continue;
		}

		for (const start of candidateLines(bytes)) {
			const end = bytes.indexOf(newline, start);
			let value: unknown;
			try {
				value = JSON.parse(bytes.toString('utf8', start, end));
			} catch {
				continue;
			}

			calls.push(...toolCallsOf(value));
		}
	}

	return {calls, unreadable};
};
