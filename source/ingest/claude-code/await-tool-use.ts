import {closeSync, fstatSync, openSync, readdirSync, readSync, statSync} from 'node:fs';
import path from 'node:path';

/** Searched from the end of a transcript in steps of this many bytes, at most `tailLimit` of them. */
const step = 256 * 1024;
const tailLimit = 16 * 1024 * 1024;

/** Whether `file`'s last `tailLimit` bytes hold `needle` (a missing or unreadable file does not). */
const tailHolds = (file: string, needle: Buffer): boolean => {
	let fd;
	try {
		fd = openSync(file, 'r');
	} catch {
		return false;
	}

	try {
		const size = fstatSync(fd).size;
		const buffer = Buffer.allocUnsafe(step + needle.length);
		// From the end back: the call is the newest line but one or two, unless its input is large.
		for (let end = size; end > 0 && size - end < tailLimit; end -= step) {
			const start = Math.max(0, end - step);
			// Overlap the next step by the needle's length, so a needle across the boundary is found.
			const length = Math.min(end + needle.length, size) - start;
			const read = readSync(fd, buffer, 0, length, start);
			if (buffer.subarray(0, read).includes(needle)) return true;
		}

		return false;
	} catch {
		return false;
	} finally {
		closeSync(fd);
	}
};

/** The session's transcript and its subagents' (`<session>/subagents/*.jsonl`): a subagent's tool call is in its own. */
const transcriptsOf = (transcriptPath: string): string[] => {
	const subagents = path.join(path.dirname(transcriptPath), path.basename(transcriptPath, '.jsonl'), 'subagents');
	let names: string[] = [];
	try {
		names = readdirSync(subagents).filter(name => name.endsWith('.jsonl'));
	} catch {
		// No subagents (yet).
	}

	return [transcriptPath, ...names.map(name => path.join(subagents, name))];
};

/**
 * Wait until the transcript holds the tool call a PreToolUse hook is asked
 * about. Claude Code 2.1.332 runs the hook before its queued transcript writes
 * land: under load the guard read the session before the request that asked
 * for the tool (the e2e test saw the file end just before it, 1 run in 4 with
 * both cores busy), and let a call through that the budget refuses. Returns
 * whether the call was found; after `timeoutMs` the guard goes on with what is
 * there. A transcript that does not exist is not waited for.
 */
export const awaitToolUse = async (transcriptPath: string, toolUseId: string, {timeoutMs = 2000, pollMs = 20} = {}): Promise<boolean> => {
	const needle = Buffer.from(JSON.stringify(toolUseId));
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const files = transcriptsOf(transcriptPath);
		if (files.some(file => tailHolds(file, needle))) return true;
		if (Date.now() >= deadline || statSync(transcriptPath, {throwIfNoEntry: false})?.isFile() !== true) return false;
		await new Promise(resolve => setTimeout(resolve, pollMs));
	}
};
