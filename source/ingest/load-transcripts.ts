import {addToDedupe, createDedupeState, type DedupeState} from '../core/dedupe.js';
import type {UsageEvent} from '../core/types.js';
import type {Discovery} from './discover.js';
import {createReadCounters, readTranscriptFile, type ReadCounters} from './read-transcripts.js';

export type LoadedUsage = {dedupe: DedupeState; events: UsageEvent[]; counters: ReadCounters};

/** Read every discovered file once, in order, into one dedupe state. */
export const loadTranscripts = async (discovery: Discovery): Promise<LoadedUsage> => {
	const dedupe = createDedupeState();
	const events: UsageEvent[] = [];
	const counters = createReadCounters();
	counters.unreadablePaths.push(...discovery.unreadablePaths);
	for (const file of discovery.files) {
		await readTranscriptFile(file.path, file.projectSlug, counters, result => {
			if (result.kind === 'usage') {
				addToDedupe(dedupe, result.entry);
			} else if (result.kind === 'event') {
				events.push(result.event);
			}
		});
	}

	return {dedupe, events, counters};
};
