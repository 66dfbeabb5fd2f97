import {open, stat} from 'node:fs/promises';
import {StringDecoder} from 'node:string_decoder';
import type {Readable} from 'node:stream';
import {ConsoleRecordReader, type OtelRecord} from '../../core/otel/console-records.js';

export type TailedRecords = {records: Array<{record: OtelRecord; isIncomplete: boolean}>; bad: number};

/**
 * Follows `--otel-log` inputs for a process that stays up: a file is polled and
 * only the bytes appended since are read (a record cut between two polls is read
 * once complete); a file that shrinks is read again from the start; `-` streams
 * stdin. Every record read so far is kept in `state`; `onChange` says when it grew.
 */
export class OtelLogTail {
	readonly state: TailedRecords = {records: [], bad: 0};
	private readonly timers: NodeJS.Timeout[] = [];

	constructor(
		paths: readonly string[],
		private readonly onChange: () => void,
		{stdin = process.stdin, pollMs = 1000}: {stdin?: Readable; pollMs?: number} = {},
	) {
		for (const path of paths) {
			if (path === '-') this.follow(stdin);
			else this.poll(path, pollMs);
		}
	}

	private reader(): ConsoleRecordReader {
		return new ConsoleRecordReader(piece => {
			if (piece.kind === 'record') this.state.records.push({record: piece.record, isIncomplete: piece.isIncomplete});
			else if (piece.kind === 'bad') this.state.bad++;
		});
	}

	private follow(stream: Readable): void {
		const decoder = new StringDecoder('utf8');
		const reader = this.reader();
		stream.on('data', (chunk: Buffer | string) => {
			const before = this.state.records.length;
			reader.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
			if (this.state.records.length !== before) this.onChange();
		});
		stream.on('end', () => {
			reader.push(decoder.end());
			reader.end();
			this.onChange();
		});
	}

	private poll(path: string, pollMs: number): void {
		let offset = 0;
		let decoder = new StringDecoder('utf8');
		let reader = this.reader();
		let isBusy = false;
		const read = async () => {
			if (isBusy) return;
			isBusy = true;
			try {
				const {size} = await stat(path);
				if (size < offset) {
					// Truncated or replaced: start over (events already counted stay counted once).
					offset = 0;
					decoder = new StringDecoder('utf8');
					reader = this.reader();
				}

				if (size === offset) return;
				const handle = await open(path, 'r');
				try {
					const buffer = Buffer.alloc(size - offset);
					const {bytesRead} = await handle.read(buffer, 0, buffer.length, offset);
					offset += bytesRead;
					const before = this.state.records.length;
					reader.push(decoder.write(buffer.subarray(0, bytesRead)));
					if (this.state.records.length !== before) this.onChange();
				} finally {
					await handle.close();
				}
			} catch {
				// Not there yet, or gone for a moment: the next poll tries again.
			} finally {
				isBusy = false;
			}
		};

		void read();
		const timer = setInterval(() => void read(), pollMs);
		timer.unref();
		this.timers.push(timer);
	}

	close(): void {
		for (const timer of this.timers) clearInterval(timer);
	}
}
