import {fstatSync, readSync, statSync} from 'node:fs';
import {sleepSync} from './sleep-sync.js';

/**
 * All of stdin, or '' when it is a terminal (run by hand) or sends nothing
 * within `timeoutMs`. A status line or hook's JSON is taken as soon as it is
 * whole, so a writer that keeps stdin open does not hold the answer back.
 *
 * Claude Code hands a hook and its status line stdin as a socket (2.1.112 and
 * 2.1.332 both). `process.stdin` on one builds a `net.Socket` and loads ~25
 * modules, ~5 ms of a 45 ms status line; so a pipe or socket is read with
 * `readSync` instead, once it is made non-blocking (as libuv makes it for
 * `process.stdin`; Node puts the flag back at exit) so that a writer who sends
 * nothing cannot hang the read past `timeoutMs`.
 */
export const readStdin = async (timeoutMs = 1000): Promise<string> => {
	let kind: 'file' | 'stream' | 'null' | 'other';
	try {
		const found = fstatSync(0);
		kind = found.isFile() ? 'file' : found.isFIFO() || found.isSocket() ? 'stream' : found.isCharacterDevice() && found.rdev === statSync('/dev/null').rdev ? 'null' : 'other';
	} catch {
		return ''; // No stdin at all (closed).
	}

	if (kind === 'null') return '';
	if (kind === 'file') return readToEnd();
	if (kind === 'stream' && makeNonBlocking()) {
		const read = readNonBlocking(Date.now() + timeoutMs);
		if (read !== undefined) return read;
	}

	return readStream(timeoutMs);
};

const readToEnd = (): string => {
	const chunks: Buffer[] = [];
	for (;;) {
		const chunk = Buffer.allocUnsafe(64 * 1024);
		const length = readSync(0, chunk, 0, chunk.length, null);
		if (length === 0) return Buffer.concat(chunks).toString('utf8');
		chunks.push(chunk.subarray(0, length));
	}
};

/** What was read up to the end of stdin, a whole JSON value, or the deadline; undefined when fd 0 cannot be read so. */
const readNonBlocking = (deadlineMs: number): string | undefined => {
	const chunks: Buffer[] = [];
	const text = () => Buffer.concat(chunks).toString('utf8');
	for (;;) {
		const chunk = Buffer.allocUnsafe(64 * 1024);
		let length: number;
		try {
			length = readSync(0, chunk, 0, chunk.length, null);
		} catch (error) {
			const {code} = error as NodeJS.ErrnoException;
			if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
				if (Date.now() >= deadlineMs) return text();
				// Between reads without the event loop: this runs before anything else is going on.
				sleepSync(2);
				continue;
			}

			// Nothing read yet: the stream may read what readSync cannot.
			return chunks.length === 0 ? undefined : text();
		}

		if (length === 0) return text();
		chunks.push(chunk.subarray(0, length));
		if (chunk.toString('utf8', 0, length).trimEnd().endsWith('}') && isJson(text())) return text();
	}
};

const isJson = (text: string): boolean => {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
};

/**
 * Makes fd 0 non-blocking through libuv, as `process.stdin` would, without the
 * stream. `process.binding('pipe_wrap')` is on Node's list of bindings kept for
 * packages; where it is gone, the stream is used.
 */
const makeNonBlocking = (): boolean => {
	// That flag makes Node warn about process.binding, a line on stderr the stream does not cost.
	if ([...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some(flag => flag.includes('--pending-deprecation'))) return false;
	try {
		const {Pipe, constants} = (process as unknown as {binding: (name: string) => PipeWrap}).binding('pipe_wrap');
		const handle = new Pipe(constants.SOCKET);
		handles.push(handle);
		return handle.open(0) === 0;
	} catch {
		return false;
	}
};

type PipeWrap = {Pipe: new (type: number) => {open: (fd: number) => number}; constants: {SOCKET: number}};
// Held to the end, so that nothing ever closes the handle (and fd 0 with it).
const handles: unknown[] = [];

const readStream = async (timeoutMs: number): Promise<string> => {
	if (process.stdin.isTTY) return '';
	const chunks: Buffer[] = [];
	return new Promise(resolve => {
		const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
		const timer = setTimeout(done, timeoutMs);
		process.stdin.on('data', chunk => chunks.push(chunk as Buffer));
		process.stdin.once('end', () => {
			clearTimeout(timer);
			done();
		});
		process.stdin.once('error', () => {
			clearTimeout(timer);
			done();
		});
	});
};
