import {spawn} from 'node:child_process';
import {constants} from 'node:os';
import {StringDecoder} from 'node:string_decoder';
import {ConsoleRecordReader, type OtelRecord} from '../core/otel/console-records.js';
import {appendToSpool, spoolPath} from '../ingest/otel/otel-spool.js';
import {defaultRotation} from '../ingest/otel/spool-segments.js';
import {UsageError, type Options} from '../options.js';

/** What `cctop run` sets so Claude Code prints its telemetry; the user's own non-empty settings win. */
export const telemetryEnv = {
	CLAUDE_CODE_ENABLE_TELEMETRY: '1',
	OTEL_METRICS_EXPORTER: 'console',
	OTEL_LOGS_EXPORTER: 'console',
} as const;

/**
 * `cctop run -- claude -p "…"`: runs the command with console telemetry on,
 * passes its output through with the telemetry records taken out, keeps the
 * records in the spool (so `report`, `status` and the dashboard see them) and
 * exits with the command's code. Console text is only printed in `-p` text mode,
 * so that is where this helps; see README for the OTLP route.
 */
export const runWithTelemetry = async (_options: Options, command: readonly string[]): Promise<number> => {
	if (command.length === 0) throw new UsageError('give the command to run after --, e.g. cctop run -- claude -p "hello"');
	const env = {...process.env};
	for (const [name, value] of Object.entries(telemetryEnv)) if (!env[name]) env[name] = value;
	const child = spawn(command[0]!, command.slice(1), {env, stdio: ['inherit', 'pipe', 'inherit']});
	const decoder = new StringDecoder('utf8');
	let pending: Array<{record: OtelRecord; isIncomplete: boolean}> = [];
	let writes = Promise.resolve();
	let records = 0;
	let bad = 0;
	const flush = () => {
		const batch = pending;
		pending = [];
		writes = writes.then(async () => appendToSpool(batch, {rotation: defaultRotation})).catch((error: unknown) => {
			process.stderr.write(`cctop: could not write ${spoolPath()}: ${error instanceof Error ? error.message : String(error)}\n`);
		});
	};

	const reader = new ConsoleRecordReader(piece => {
		if (piece.kind === 'text') {
			process.stdout.write(piece.text);
		} else if (piece.kind === 'record') {
			records++;
			pending.push({record: piece.record, isIncomplete: piece.isIncomplete});
		} else {
			bad++;
		}
	});
	child.stdout.on('data', (chunk: Buffer) => {
		reader.push(decoder.write(chunk));
		if (pending.length > 0) flush();
	});
	// Ctrl+C reaches the command too (same process group); cctop waits for it to finish and flush.
	const ignore = () => undefined;
	process.on('SIGINT', ignore);
	const forward = () => child.kill('SIGTERM');
	process.on('SIGTERM', forward);
	try {
		const exit = await new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve, reject) => {
			child.once('error', reject);
			child.once('close', (code, signal) => resolve({code, signal}));
		}).catch((error: unknown) => {
			// As a shell says it: 127 for a command that is not there, 126 for one that cannot run.
			const code = (error as NodeJS.ErrnoException).code;
			process.stderr.write(`cctop: cannot run ${command[0]}: ${code === 'ENOENT' ? 'command not found' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error)}\n`);
			return {code: code === 'ENOENT' ? 127 : 126, signal: null};
		});
		reader.push(decoder.end());
		reader.end();
		flush();
		await writes;
		if (bad > 0) process.stderr.write(`cctop: ${bad} telemetry record${bad === 1 ? '' : 's'} could not be read (passed through as text)\n`);
		if (records === 0 && exit.code === 0) process.stderr.write('cctop: the command printed no telemetry (is it `claude -p` in text mode?)\n');
		return exit.code ?? 128 + (exit.signal === null ? 15 : constants.signals[exit.signal]);
	} finally {
		process.off('SIGINT', ignore);
		process.off('SIGTERM', forward);
	}
};
