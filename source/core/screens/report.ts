import {atTime, type Block} from '../usage/blocks.js';
import {blockBurnRate, projectBlock} from '../usage/burn-rate.js';
import {limitStatus, tokensForLimit, type TokenLimit} from '../usage/limits.js';
import {addTokenCounts, emptyTokenCounts, totalTokens, type TokenCounts} from '../usage/types.js';

/** Counters the reader keeps; every skipped thing is counted somewhere here. */
export type Diagnostics = {
	files: number;
	lines: number;
	usageLines: number;
	duplicateLines: number;
	invalidLines: number;
	unknownModels: string[];
	limitHits: number;
	apiErrors: number;
	unreadablePaths: Array<{path: string; reason: string}>;
	/** Cache files that could not be written (a full disk, a read-only dir): the answer came from memory. */
	cacheErrors: Array<{path: string; reason: string}>;
};

/** What the report is built from: the ledger's blocks, the limit in force and the unpriced models. */
export type ReportInput = {blocks: readonly Block[]; unknownModels: string[]; limit: TokenLimit | undefined; sessionLengthMs: number};

type TokenCountsJson = {inputTokens: number; outputTokens: number; cacheCreationInputTokens: number; cacheReadInputTokens: number};

/** The `cctop report --json` contract (validated in tests by `report-schema.ts`). */
export type ReportJson = {
	blocks: Array<{
		id: string;
		startTime: string;
		endTime: string;
		actualEndTime: string | null;
		isActive: boolean;
		isGap: boolean;
		entries: number;
		tokenCounts: TokenCountsJson;
		totalTokens: number;
		costUSD: number;
		models: string[];
		burnRate: {tokensPerMinute: number; tokensPerMinuteForIndicator: number; costPerHour: number} | null;
		projection: {totalTokens: number; totalCost: number; remainingMinutes: number} | null;
		perModel: Record<string, TokenCountsJson & {costUSD: number; entries: number; priced: boolean}>;
		tokenLimitStatus?: {limit: number; used: number; projectedUsage: number | null; percentUsed: number; status: 'ok' | 'warning' | 'exceeds'};
	}>;
	totals: {entries: number; tokenCounts: TokenCountsJson; totalTokens: number; costUSD: number};
	limit: {tokens: number; source: string; label: string; measure: 'all' | 'inputOutput'} | null;
	diagnostics: Diagnostics;
};
type BlockJson = ReportJson['blocks'][number];

const iso = (ms: number): string => new Date(ms).toISOString();

const tokenLimitStatus = (block: Block, limit: TokenLimit, nowMs: number): BlockJson['tokenLimitStatus'] => {
	const used = tokensForLimit(block, limit);
	const rate = blockBurnRate(block);
	const remainingMinutes = Math.max(0, (block.endMs - nowMs) / 60_000);
	const perMinute = rate === null ? undefined : limit.measure === 'all' ? rate.tokensPerMinute : rate.tokensPerMinuteForIndicator;
	const projectedUsage = perMinute === undefined ? null : Math.round(used + perMinute * remainingMinutes);
	return {
		limit: limit.tokens,
		used,
		projectedUsage,
		percentUsed: (used / limit.tokens) * 100,
		status: limitStatus(projectedUsage ?? used, limit.tokens),
	};
};

export const blockToJson = (block: Block, limit: TokenLimit | undefined, nowMs: number): BlockJson => {
	const perModel: BlockJson['perModel'] = {};
	for (const [model, totals] of block.perModel) {
		perModel[model] = {
			inputTokens: totals.inputTokens,
			outputTokens: totals.outputTokens,
			cacheCreationInputTokens: totals.cacheCreationInputTokens,
			cacheReadInputTokens: totals.cacheReadInputTokens,
			costUSD: totals.costUsd,
			entries: totals.entries,
			priced: totals.isPriced,
		};
	}

	const json: BlockJson = {
		id: block.id,
		startTime: iso(block.startMs),
		endTime: iso(block.endMs),
		actualEndTime: block.actualEndMs === undefined ? null : iso(block.actualEndMs),
		isActive: block.isActive,
		isGap: block.isGap,
		entries: block.entryCount,
		tokenCounts: {...block.tokens},
		totalTokens: totalTokens(block.tokens),
		costUSD: block.costUsd,
		models: block.models,
		burnRate: block.isActive ? blockBurnRate(block) : null,
		projection: projectBlock(block, nowMs),
		perModel,
	};
	if (block.isActive && limit !== undefined) {
		json.tokenLimitStatus = tokenLimitStatus(block, limit, nowMs);
	}

	return json;
};

/** Blocks starting inside the requested window. */
export const filterBlocks = (blocks: readonly Block[], sinceMs: number | undefined, untilMs: number | undefined): Block[] =>
	blocks.filter(block => (sinceMs === undefined || block.startMs >= sinceMs) && (untilMs === undefined || block.startMs < untilMs));

/** `--last N`: the most recent N blocks with the gaps between them (the totals are theirs). */
export const lastBlocks = (blocks: readonly Block[], last: number | undefined): readonly Block[] => {
	if (last === undefined) return blocks;
	let seen = 0;
	for (let index = blocks.length - 1; index >= 0; index--) {
		if (!blocks[index]!.isGap && ++seen === last) return blocks.slice(index);
	}

	return blocks;
};

type ReportOptions = {nowMs: number; sinceMs?: number | undefined; untilMs?: number | undefined; last?: number | undefined};

/** Everything of the report but the block objects: the blocks in range (as of `nowMs`) and the rest. */
const reportParts = (input: ReportInput, diagnostics: Omit<Diagnostics, 'unknownModels'>, options: ReportOptions) => {
	const blocks = lastBlocks(filterBlocks(input.blocks, options.sinceMs, options.untilMs), options.last).map(block => atTime(block, options.nowMs, input.sessionLengthMs));
	const tokenCounts: TokenCounts = emptyTokenCounts();
	let entries = 0;
	let costUsd = 0;
	for (const block of blocks) {
		addTokenCounts(tokenCounts, block.tokens);
		entries += block.entryCount;
		costUsd += block.costUsd;
	}

	return {
		blocks,
		rest: {
			totals: {entries, tokenCounts, totalTokens: totalTokens(tokenCounts), costUSD: costUsd},
			limit: input.limit ?? null,
			diagnostics: {...diagnostics, unknownModels: input.unknownModels},
		},
	};
};

/** Build the `report --json` document from engine output and reader counters. */
export const buildReportJson = (input: ReportInput, diagnostics: Omit<Diagnostics, 'unknownModels'>, options: ReportOptions): ReportJson => {
	const {blocks, rest} = reportParts(input, diagnostics, options);
	return {blocks: blocks.map(block => blockToJson(block, input.limit, options.nowMs)), ...rest};
};

/** A block as `report --json` prints it: at its depth in the document (inside `blocks`, four spaces). */
export const blockJsonText = (block: Block, limit: TokenLimit | undefined, nowMs: number): string =>
	JSON.stringify(blockToJson(block, limit, nowMs), null, 2).replaceAll('\n', '\n    ');

/**
 * The document, plus `extra` keys after it, exactly as `JSON.stringify(document,
 * null, 2)` prints it, in pieces. A block that is not active as of `nowMs`
 * cannot change, and its text is taken from `texts` when there (a warm run has
 * them from the index): a long history is printed without building or
 * stringifying a single old block. Stored texts are UTF-8 bytes, and stay
 * bytes in the pieces: they are written out as read, never decoded.
 */
export const reportJsonPretty = (
	input: ReportInput,
	diagnostics: Omit<Diagnostics, 'unknownModels'>,
	options: ReportOptions,
	texts: ReadonlyMap<Block, Uint8Array> | undefined,
	extra: Record<string, unknown> = {},
): Array<string | Uint8Array> => {
	const {blocks, rest} = reportParts(input, diagnostics, options);
	const pieces: Array<string | Uint8Array> = ['{\n  "blocks": ['];
	for (const [index, block] of blocks.entries()) {
		pieces.push(index === 0 ? '\n    ' : ',\n    ', (block.isActive ? undefined : texts?.get(block)) ?? blockJsonText(block, input.limit, options.nowMs));
	}

	// `{\n  "totals": …}` without its opening brace continues the document.
	pieces.push(blocks.length === 0 ? '],\n' : '\n  ],\n', JSON.stringify({...rest, ...extra}, null, 2).slice(2));
	return pieces;
};

/**
 * The same document as one compact JSON line, for `--watch`, in pieces: a block
 * that is not active cannot change any more, so its text is kept in `cache` and
 * reused, and a snapshot costs the active blocks plus the totals instead of the
 * whole history. The pieces are written as they are (a corked writev), never
 * joined: a joined line would be a fresh large string per snapshot.
 */
export const reportJsonLine = (
	input: ReportInput,
	diagnostics: Omit<Diagnostics, 'unknownModels'>,
	options: ReportOptions,
	cache: WeakMap<Block, string>,
): string[] => {
	const {blocks, rest} = reportParts(input, diagnostics, options);
	const texts = blocks.map(block => {
		let text = block.isActive ? undefined : cache.get(block);
		if (text === undefined) {
			text = JSON.stringify(blockToJson(block, input.limit, options.nowMs));
			if (!block.isActive) cache.set(block, text);
		}

		return text;
	});
	return ['{"blocks":[', ...texts.flatMap((text, index) => (index === 0 ? [text] : [',', text])), '],', JSON.stringify(rest).slice(1)];
};
