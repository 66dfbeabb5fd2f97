import {addToDedupe, createDedupeState, type DedupeState} from '../core/dedupe.js';
import type {LineResult} from '../core/transcript.js';
import type {UsageEvent} from '../core/types.js';
import type {Discovery, TranscriptFile} from './discover.js';
import {createReadCounters, readTranscriptFile, type ReadCounters} from './read-transcripts.js';

export type LoadedUsage = {dedupe: DedupeState; events: UsageEvent[]; counters: ReadCounters};

type FileResult = {results: LineResult[]; counters: ReadCounters};

/** Files read ahead while earlier ones are parsed, so disk waits overlap with parsing. */
const readAhead = 4;

const readFile = async (file: TranscriptFile): Promise<FileResult> => {
	const counters = createReadCounters();
	const results: LineResult[] = [];
	await readTranscriptFile(file.path, file.projectSlug, counters, result => {
		if (result.kind !== 'other') {
			results.push(result);
		}
	});
	return {results, counters};
};

const mergeCounters = (target: ReadCounters, add: ReadCounters): void => {
	target.files += add.files;
	target.lines += add.lines;
	target.usageLines += add.usageLines;
	target.invalidLines += add.invalidLines;
	target.unreadablePaths.push(...add.unreadablePaths);
};

/**
 * Read every discovered file once into one dedupe state. Files are read a few at
 * a time but applied strictly in discovery order, so dedupe ties resolve the same
 * way on every run.
 */
export const loadTranscripts = async (discovery: Discovery): Promise<LoadedUsage> => {
	const dedupe = createDedupeState();
	const events: UsageEvent[] = [];
	const counters = createReadCounters();
	counters.unreadablePaths.push(...discovery.unreadablePaths);
	const {files} = discovery;
	const inFlight: Array<Promise<FileResult> | undefined> = [];
	let launched = 0;
	for (let index = 0; index < files.length; index++) {
		while (launched < files.length && launched - index < readAhead) {
			inFlight[launched] = readFile(files[launched]!);
			launched++;
		}

		const file = await inFlight[index]!;
		inFlight[index] = undefined;
		mergeCounters(counters, file.counters);
		for (const result of file.results) {
			if (result.kind === 'usage') {
				addToDedupe(dedupe, result.entry);
			} else if (result.kind === 'event') {
				events.push(result.event);
			}
		}
	}

	return {dedupe, events, counters};
};
