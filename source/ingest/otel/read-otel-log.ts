import {createReadStream} from 'node:fs';
import {StringDecoder} from 'node:string_decoder';
import type {Readable} from 'node:stream';
import {ConsoleRecordReader} from '../../core/otel/console-records.js';
import {OtelSummary} from '../../core/otel/otel-summary.js';

/** A stream's console-exporter records into `summary`, decoded across chunk edges (a character or a record may be split); how many it held. */
const readOtelStream = async (stream: Readable, summary: OtelSummary): Promise<number> => {
	const decoder = new StringDecoder('utf8');
	let records = 0;
	const reader = new ConsoleRecordReader(piece => {
		if (piece.kind === 'record') {
			records++;
			summary.add(piece.record, piece.isIncomplete);
		} else if (piece.kind === 'bad') {
			summary.addBad();
		}
	});
	for await (const chunk of stream) reader.push(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
	reader.push(decoder.end());
	reader.end();
	return records;
};

/**
 * `--otel-log FILE` (repeatable; `-` is stdin): the records of each, summed
 * into one summary. A file that cannot be read is reported, not thrown.
 */
export const readOtelLogs = async (
	paths: readonly string[],
	{summary = new OtelSummary(), stdin = process.stdin}: {summary?: OtelSummary; stdin?: Readable} = {},
): Promise<{summary: OtelSummary; unreadable: Array<{path: string; reason: string}>}> => {
	const unreadable: Array<{path: string; reason: string}> = [];
	for (const path of paths) {
		try {
			// Read, but nothing in it: worth a warning (is it Claude Code's console output?).
			if ((await readOtelStream(path === '-' ? stdin : createReadStream(path), summary)) === 0) unreadable.push({path, reason: 'no telemetry records in it'});
		} catch (error) {
			unreadable.push({path, reason: (error as NodeJS.ErrnoException).code ?? String(error)});
		}
	}

	return {summary, unreadable};
};
