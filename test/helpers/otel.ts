import {readFileSync} from 'node:fs';
import {ConsoleRecordReader, type OtelRecord} from '../../source/core/otel/console-records.js';
import type {SpanRecord} from '../../source/core/otel/traces.js';

/** The native 2.1.332 run with traces, metrics and logs (fixtures/otel-console). */
export const nativeRunLog = 'fixtures/otel-console/cc-2.1.332-native-bun_p-mode_console-traces+metrics+logs_tool-turns.stdout.txt';

/** Every record of a console-exporter file. */
export const consoleRecords = (file: string): Array<{record: OtelRecord; isIncomplete: boolean}> => {
	const records: Array<{record: OtelRecord; isIncomplete: boolean}> = [];
	const reader = new ConsoleRecordReader(piece => {
		if (piece.kind === 'record') records.push({record: piece.record, isIncomplete: piece.isIncomplete});
	});
	reader.push(readFileSync(file, 'utf8'));
	reader.end();
	return records;
};

/** The native run's spans. */
export const nativeRunSpans = (): SpanRecord[] => consoleRecords(nativeRunLog).flatMap(({record}) => (record.kind === 'span' ? [record] : []));
