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
	/**
	 * The totals of each run of {@link partEntries} entries, in order, when the
	 * block holds its entries. The block's totals are these folded in order, so a
	 * block that grows at its end recomputes only its last part (see
	 * {@link extendBlocks}) and still sums its costs in exactly the order a cold
	 * read does: the same floating-point result, not merely a close one.
	 */
	parts?: readonly BlockPart[];
};

/** The totals of one run of a block's entries. */
export type BlockPart = {tokens: TokenCounts; costUsd: number; perModel: Map<string, ModelTotals>};

/** Entries per {@link BlockPart}: small enough to redo per append, few enough parts to fold per update. */
export const partEntries = 1024;

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

/** Whether `block` is inactive at `nowMs` and at every later time: what a report kept for later may show (report-cache.ts). */
export const isFinishedFrom = (block: Pick<Block, 'endMs' | 'actualEndMs' | 'isGap'>, nowMs: number, sessionLengthMs: number): boolean =>
	block.isGap || block.actualEndMs === undefined || nowMs >= block.endMs || nowMs - block.actualEndMs >= sessionLengthMs;

/**
 * Spelled out, not `{...emptyTokenCounts(), ...}`: objects made by a spread got
 * a shape that made every sum into them slow (grouping 118,745 requests: ~90 ms
 * warm, ~20 ms with this literal).
 */
const emptyModelTotals = (): ModelTotals => ({inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0, entries: 0, isPriced: true});

/** The totals of `entries[from, to)`, summed in order. */
const partOf = (entries: readonly PricedEntry[], from: number, to: number): BlockPart => {
	const tokens = emptyTokenCounts();
	const perModel = new Map<string, ModelTotals>();
	let costUsd = 0;
	for (let index = from; index < to; index++) {
		const entry = entries[index]!;
		addTokenCounts(tokens, entry.tokens);
		costUsd += entry.costUsd ?? 0;
		let model = perModel.get(entry.model);
		if (model === undefined) {
			model = emptyModelTotals();
			perModel.set(entry.model, model);
		}

		addTokenCounts(model, entry.tokens);
		model.costUsd += entry.costUsd ?? 0;
		model.entries++;
		model.isPriced &&= entry.costUsd !== undefined;
	}

	return {tokens, costUsd, perModel};
};

/** The parts of `entries`, reusing `previous` ones before part `from` (their entries did not change). */
const partsOf = (entries: readonly PricedEntry[], previous: readonly BlockPart[] = [], from = 0): BlockPart[] => {
	const parts = previous.slice(0, from);
	for (let start = from * partEntries; start < entries.length; start += partEntries) parts.push(partOf(entries, start, Math.min(entries.length, start + partEntries)));
	return parts;
};

/** A block's totals: its parts folded in order (models in order of first appearance). */
const foldParts = (parts: readonly BlockPart[]): BlockPart => {
	const tokens = emptyTokenCounts();
	const perModel = new Map<string, ModelTotals>();
	let costUsd = 0;
	for (const part of parts) {
		addTokenCounts(tokens, part.tokens);
		costUsd += part.costUsd;
		for (const [name, totals] of part.perModel) {
			let model = perModel.get(name);
			if (model === undefined) {
				model = emptyModelTotals();
				perModel.set(name, model);
			}

			addTokenCounts(model, totals);
			model.costUsd += totals.costUsd;
			model.entries += totals.entries;
			model.isPriced &&= totals.isPriced;
		}
	}

	return {tokens, costUsd, perModel};
};

const blockFrom = (startMs: number, entries: PricedEntry[], parts: BlockPart[], sessionLengthMs: number, nowMs: number): Block => {
	const endMs = startMs + sessionLengthMs;
	const actualEndMs = entries.at(-1)?.timestampMs ?? startMs;
	const {tokens, costUsd, perModel} = foldParts(parts);
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
		parts,
	};
};

const createBlock = (startMs: number, entries: PricedEntry[], sessionLengthMs: number, nowMs: number): Block => blockFrom(startMs, entries, partsOf(entries), sessionLengthMs, nowMs);

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
	// The current block is sortedEntries[first, index): cut once it ends, not an
	// array grown entry by entry (a cold read groups 100k+ entries once, in code
	// V8 has not optimized yet).
	let first = 0;
	let blockStartMs = 0;
	for (let index = 0; index < sortedEntries.length; index++) {
		const entry = sortedEntries[index]!;
		if (index === first) {
			blockStartMs = floorToHourMs(entry.timestampMs);
			continue;
		}

		const previous = sortedEntries[index - 1]!;
		const sinceLastMs = entry.timestampMs - previous.timestampMs;
		if (entry.timestampMs - blockStartMs > sessionLengthMs || sinceLastMs > sessionLengthMs) {
			blocks.push(createBlock(blockStartMs, sortedEntries.slice(first, index), sessionLengthMs, nowMs));
			if (sinceLastMs > sessionLengthMs) {
				blocks.push(createGapBlock(previous.timestampMs, entry.timestampMs, sessionLengthMs));
			}

			first = index;
			blockStartMs = floorToHourMs(entry.timestampMs);
		}
	}

	if (first < sortedEntries.length) {
		blocks.push(createBlock(blockStartMs, sortedEntries.slice(first), sessionLengthMs, nowMs));
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

/**
 * The blocks after `removed` left and `added` (sorted) joined, worked out from
 * `blocks` in time proportional to the change, not to the block: what a live
 * session does (new requests at the end, a request's final copy replacing its
 * placeholder). It applies when every removed entry is in the last block but is
 * not its first, and every added entry sorts strictly after what remains there;
 * the last block's entries array is then edited in place and only its changed
 * parts are summed again. Gives exactly what {@link identifyBlocks} over all
 * entries gives (a property test holds it to that); undefined when the change
 * is not of that shape, and the caller regroups.
 */
export const extendBlocks = (
	blocks: readonly Block[],
	removed: readonly PricedEntry[],
	added: readonly PricedEntry[],
	compare: (a: PricedEntry, b: PricedEntry) => number,
	sessionLengthMs: number,
	nowMs: number,
): Block[] | undefined => {
	const last = blocks.at(-1);
	if (last === undefined || last.isGap || last.parts === undefined || last.entries.length !== last.entryCount || last.entryCount === 0) return undefined;
	const {entries} = last;
	// Every check first: nothing is edited unless the whole change fits.
	const positions: number[] = [];
	for (const entry of removed) {
		const position = entries.lastIndexOf(entry);
		if (position <= 0 || positions.includes(position)) return undefined;
		positions.push(position);
	}

	positions.sort((a, b) => b - a);
	let remaining = entries.length - 1;
	for (const position of positions) if (position === remaining) remaining--;
	for (let index = 0; index < added.length; index++) {
		const before = index === 0 ? entries[remaining]! : added[index - 1]!;
		// Strictly after: entries that compare equal could sort either way in a cold read.
		if (compare(before, added[index]!) >= 0) return undefined;
	}

	for (const position of positions) entries.splice(position, 1);
	let firstChanged = positions.at(-1) ?? entries.length;
	let next = 0;
	for (; next < added.length; next++) {
		const entry = added[next]!;
		const previous = entries.at(-1)!;
		if (entry.timestampMs - last.startMs > sessionLengthMs || entry.timestampMs - previous.timestampMs > sessionLengthMs) break;
		firstChanged = Math.min(firstChanged, entries.length);
		entries.push(entry);
	}

	const grown = blockFrom(last.startMs, entries, partsOf(entries, last.parts, Math.floor(firstChanged / partEntries)), sessionLengthMs, nowMs);
	// Earlier blocks keep their entries; only whether they are active may have moved with the clock.
	const result = [...blocks.slice(0, -1).map(block => atTime(block, nowMs, sessionLengthMs)), grown];
	if (next < added.length) {
		const previous = entries.at(-1)!;
		if (added[next]!.timestampMs - previous.timestampMs > sessionLengthMs) result.push(createGapBlock(previous.timestampMs, added[next]!.timestampMs, sessionLengthMs));
		result.push(...identifyBlocks(added.slice(next), sessionLengthMs, nowMs));
	}

	return result;
};
