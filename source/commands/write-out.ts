import {fstatSync, statSync, writeSync} from 'node:fs';

/**
 * Output of the one-shot commands a status bar or a hook runs every few
 * seconds, written to fd 1 directly. `process.stdout` on a pipe (tmux, Claude
 * Code's status line, `| jq`) builds a stream and loads ~20 modules: ~3 ms of a
 * status line's start-up, for one line of text.
 */
let stream: NodeJS.WriteStream | undefined;
let sink: ((text: string) => void) | undefined;

/** Send the output to `capture` instead, for a command run in-process (tests); undefined sends it to stdout again. */
export const captureOutput = (capture: ((text: string) => void) | undefined): void => {
	sink = capture;
};

/**
 * Write all of `text` (or its pieces, never joined into one more string) to
 * stdout, in order with what was written before. A piece may be UTF-8 bytes
 * (texts stored with the index), written as they are.
 */
export const writeOut = (text: string | ReadonlyArray<string | Uint8Array>): void => {
	if (sink !== undefined) {
		sink(typeof text === 'string' ? text : text.map(piece => (typeof piece === 'string' ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength).toString('utf8'))).join(''));
		return;
	}

	if (stream !== undefined) {
		for (const piece of typeof text === 'string' ? [text] : text) stream.write(piece);
		return;
	}

	const bytes = typeof text === 'string' ? Buffer.from(text) : encodePieces(text);
	for (let done = 0; done < bytes.length; ) {
		try {
			done += writeSync(1, bytes, done);
		} catch (error) {
			const {code} = error as NodeJS.ErrnoException;
			// The reader went away (`cctop report --json | head -1`): end quietly.
			if (code === 'EPIPE') process.exit(0);
			if (code !== 'EAGAIN') throw error;
			// A non-blocking pipe that is full: from here on the stream waits for the reader.
			stream = process.stdout;
			stream.on('error', (streamError: NodeJS.ErrnoException) => {
				if (streamError.code === 'EPIPE') process.exit(0);
				process.exitCode = 1;
			});
			stream.write(bytes.subarray(done));
			return;
		}
	}
};

const encodePieces = (pieces: ReadonlyArray<string | Uint8Array>): Buffer => {
	let length = 0;
	for (const piece of pieces) length += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
	const bytes = Buffer.allocUnsafe(length);
	let offset = 0;
	for (const piece of pieces) {
		if (typeof piece === 'string') {
			offset += bytes.write(piece, offset);
		} else {
			bytes.set(piece, offset);
			offset += piece.byteLength;
		}
	}

	return bytes;
};

/**
 * The terminal's width when `fd` is one, without building a stream for what is
 * not: a pipe has no columns, nor has /dev/null, the character device a status
 * bar or a benchmark sends output to (asking process.stderr builds a socket and
 * loads node:net, ~3 ms).
 */
const columnsOf = (fd: 1 | 2): number | undefined => {
	try {
		const found = fstatSync(fd);
		if (!found.isCharacterDevice() || found.rdev === statSync('/dev/null').rdev) return undefined;
		return fd === 1 ? process.stdout.columns : process.stderr.columns;
	} catch {
		return undefined;
	}
};

/** The width to lay a one-shot table out to: stdout's terminal, else stderr's (`cctop report | less`), else $COLUMNS, else 100. */
export const outColumns = (): number => columnsOf(1) ?? columnsOf(2) ?? (Number(process.env['COLUMNS']) || 100);
