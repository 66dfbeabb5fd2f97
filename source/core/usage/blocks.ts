import {addTokenCounts, emptyTokenCounts, type TokenCounts, type UsageEntry} from './types.js';

/**
 * A usage entry with its cost; `costUsd` is undefined when the model has no price.
 * `sourcePath` is the transcript it was read from, where the ledger needs it.
 */
export type PricedEntry = UsageEntry & {costUsd: number | undefined; sourcePath?: string | undefined};

/**
 * An entry with its cost. Built field by field on purpose: an object spread of
 * this many fields lands in V8's slow dictionary mode, three times the memory
 * per entry, and a history holds hundreds of thousands of them.
 */
export const withCost = (entry: UsageEntry, costUsd: number | undefined, sourcePath?: string): PricedEntry => ({
	timestampMs: entry.timestampMs,
	sessionId: entry.sessionId,
	project: entry.project,
	model: entry.model,
	messageId: entry.messageId,
	requestId: entry.requestId,
	isSidechain: entry.isSidechain,
	tokens: entry.tokens,
	cacheCreation1hTokens: entry.cacheCreation1hTokens,
	webSearchRequests: entry.webSearchRequests,
	isFast: entry.isFast,
	loggedCostUsd: entry.loggedCostUsd,
	isNonBillable: entry.isNonBillable,
	costUsd,
	sourcePath,
});

export type ModelTotals = TokenCounts & {costUsd: number; entries: number; isPriced: boolean};

/** A 5-hour usage block (or a gap between two), ccusage-compatible. Times are epoch ms. */
export type Block = {
	id: string;
	startMs: number;
	endMs: number;
	/** Last entry's time; undefined for gap blocks. */
	actualEndMs: number | undefined;
	isActive: boolean;
	isGap: boolean;
	/** First entry's time; undefined for gap blocks. */
	firstEntryMs: number | undefined;
	entryCount: number;
	/** The entries themselves; empty when the block was restored from the index summary. */
	entries: PricedEntry[];
	tokens: TokenCounts;
	costUsd: number;
	models: string[];
	perModel: Map<string, ModelTotals>;
};

export const hourMs = 60 * 60 * 1000;

/** The same block with `isActive` re-evaluated at `nowMs` (the clock moves without new data). */
export const atTime = (block: Block, nowMs: number, sessionLengthMs: number): Block => {
	const isActive = isBlockActive(block, nowMs, sessionLengthMs);
	return isActive === block.isActive ? block : {...block, isActive};
};

/** Floors to the UTC hour: blocks always start on the hour. */
export const floorToHourMs = (ms: number): number => Math.floor(ms / hourMs) * hourMs;

/**
 * Active while `now` is inside the block and its last entry is under one session
 * length old. `startMs <= nowMs` keeps blocks after a fixed `--now` from reading as active.
 */
export const isBlockActive = (block: Pick<Block, 'startMs' | 'endMs' | 'actualEndMs' | 'isGap'>, nowMs: number, sessionLengthMs: number): boolean =>
	!block.isGap &&
	block.actualEndMs !== undefined &&
	block.startMs <= nowMs &&
	nowMs - block.actualEndMs < sessionLengthMs &&
	nowMs < block.endMs;

const createBlock = (startMs: number, entries: PricedEntry[], sessionLengthMs: number, nowMs: number): Block => {
	const endMs = startMs + sessionLengthMs;
	const actualEndMs = entries.at(-1)?.timestampMs ?? startMs;
	const tokens = emptyTokenCounts();
	const perModel = new Map<string, ModelTotals>();
	let costUsd = 0;
	for (const entry of entries) {
		addTokenCounts(tokens, entry.tokens);
		costUsd += entry.costUsd ?? 0;
		let model = perModel.get(entry.model);
		if (model === undefined) {
			model = {...emptyTokenCounts(), costUsd: 0, entries: 0, isPriced: true};
			perModel.set(entry.model, model);
		}

		addTokenCounts(model, entry.tokens);
		model.costUsd += entry.costUsd ?? 0;
		model.entries++;
		model.isPriced &&= entry.costUsd !== undefined;
	}

	return {
		id: new Date(startMs).toISOString(),
		startMs,
		endMs,
		actualEndMs,
		isActive: isBlockActive({startMs, endMs, actualEndMs, isGap: false}, nowMs, sessionLengthMs),
		isGap: false,
		firstEntryMs: entries[0]?.timestampMs,
		entryCount: entries.length,
		entries,
		tokens,
		costUsd,
		models: [...perModel.keys()].filter(model => model !== '<synthetic>' && model !== ''),
		perModel,
	};
};

const createGapBlock = (lastEntryMs: number, nextEntryMs: number, sessionLengthMs: number): Block => {
	const startMs = lastEntryMs + sessionLengthMs;
	return {
		id: `gap-${new Date(startMs).toISOString()}`,
		startMs,
		endMs: nextEntryMs,
		actualEndMs: undefined,
		isActive: false,
		isGap: true,
		firstEntryMs: undefined,
		entryCount: 0,
		entries: [],
		tokens: emptyTokenCounts(),
		costUsd: 0,
		models: [],
		perModel: new Map(),
	};
};

/**
 * Group time-sorted entries into blocks (SPEC §4). A block starts at its first
 * entry floored to the UTC hour; an entry more than `sessionLengthMs` after the
 * block start, or after the previous entry, opens a new block, and a gap block
 * fills a silence longer than the session length.
 */
export const identifyBlocks = (sortedEntries: readonly PricedEntry[], sessionLengthMs: number, nowMs: number): Block[] => {
	const blocks: Block[] = [];
	let blockStartMs: number | undefined;
	let current: PricedEntry[] = [];
	for (const entry of sortedEntries) {
		const previous = current.at(-1);
		if (blockStartMs === undefined || previous === undefined) {
			blockStartMs = floorToHourMs(entry.timestampMs);
			current = [entry];
			continue;
		}

		const sinceLastMs = entry.timestampMs - previous.timestampMs;
		if (entry.timestampMs - blockStartMs > sessionLengthMs || sinceLastMs > sessionLengthMs) {
			blocks.push(createBlock(blockStartMs, current, sessionLengthMs, nowMs));
			if (sinceLastMs > sessionLengthMs) {
				blocks.push(createGapBlock(previous.timestampMs, entry.timestampMs, sessionLengthMs));
			}

			blockStartMs = floorToHourMs(entry.timestampMs);
			current = [entry];
		} else {
			current.push(entry);
		}
	}

	if (blockStartMs !== undefined && current.length > 0) {
		blocks.push(createBlock(blockStartMs, current, sessionLengthMs, nowMs));
	}

	return blocks;
};

/**
 * Where regrouping may start after a change at or after `changedMs`: the index of
 * the non-gap block before the one holding `changedMs`, or -1 (regroup all).
 * A block starts at least one session length after the previous block's start,
 * so that block's first entry is strictly earlier than any change; it is also
 * required to start strictly after the block before it ends, so "every entry from
 * its first one on" is exactly its entries and the later ones. Grouping from
 * there gives the same blocks as a cold run.
 */
export const regroupAnchor = (blocks: readonly Block[], changedMs: number): number => {
	let holding = -1;
	for (let index = blocks.length - 1; index >= 0; index--) {
		if (!blocks[index]!.isGap && blocks[index]!.startMs <= changedMs) {
			holding = index;
			break;
		}
	}

	const previousNonGap = (from: number): number => {
		let index = from - 1;
		while (index >= 0 && blocks[index]!.isGap) index--;
		return index;
	};

	let anchor = previousNonGap(holding);
	while (anchor >= 0) {
		const before = previousNonGap(anchor);
		if (before < 0 || (blocks[before]!.actualEndMs ?? Number.NEGATIVE_INFINITY) < (blocks[anchor]!.firstEntryMs ?? Number.NEGATIVE_INFINITY)) {
			return anchor;
		}

		anchor = before;
	}

	return -1;
};
