import {totalTokens} from './types.js';
import type {Block, PricedEntry} from './blocks.js';

/** Tokens per minute over all four kinds, input+output only (for the indicator), and USD per hour. */
export type BurnRate = {tokensPerMinute: number; tokensPerMinuteForIndicator: number; costPerHour: number};

export type Projection = {totalTokens: number; totalCost: number; remainingMinutes: number};

const minuteMs = 60_000;

/**
 * The block's average rate from its first to its last entry, ccusage-compatible.
 * Null for gap blocks and blocks whose entries span no time.
 */
export const blockBurnRate = (block: Block): BurnRate | null => {
	if (block.isGap || block.firstEntryMs === undefined || block.actualEndMs === undefined) {
		return null;
	}

	const minutes = (block.actualEndMs - block.firstEntryMs) / minuteMs;
	if (minutes <= 0) {
		return null;
	}

	return {
		tokensPerMinute: totalTokens(block.tokens) / minutes,
		tokensPerMinuteForIndicator: (block.tokens.inputTokens + block.tokens.outputTokens) / minutes,
		costPerHour: (block.costUsd / minutes) * 60,
	};
};

/** Where an active block ends up if the average rate holds until `endMs`. Null when not active. */
export const projectBlock = (block: Block, nowMs: number): Projection | null => {
	if (!block.isActive || block.isGap) {
		return null;
	}

	const rate = blockBurnRate(block);
	if (rate === null) {
		return null;
	}

	const remainingMinutes = Math.max(0, (block.endMs - nowMs) / minuteMs);
	return {
		totalTokens: Math.round(totalTokens(block.tokens) + rate.tokensPerMinute * remainingMinutes),
		totalCost: Math.round((block.costUsd + (rate.costPerHour / 60) * remainingMinutes) * 100) / 100,
		remainingMinutes: Math.round(remainingMinutes),
	};
};

/**
 * The rate the user feels now: entries in the last `windowMs` (default 10 min)
 * divided by the window. Shown apart from the block average.
 */
export const recentBurnRate = (entries: readonly PricedEntry[], nowMs: number, windowMs = 10 * minuteMs): BurnRate => {
	let tokens = 0;
	let indicatorTokens = 0;
	let costUsd = 0;
	for (let index = entries.length - 1; index >= 0; index--) {
		const entry = entries[index]!;
		if (entry.timestampMs <= nowMs - windowMs) {
			break;
		}

		if (entry.timestampMs > nowMs) {
			continue;
		}

		tokens += totalTokens(entry.tokens);
		indicatorTokens += entry.tokens.inputTokens + entry.tokens.outputTokens;
		costUsd += entry.costUsd ?? 0;
	}

	const minutes = windowMs / minuteMs;
	return {tokensPerMinute: tokens / minutes, tokensPerMinuteForIndicator: indicatorTokens / minutes, costPerHour: (costUsd / minutes) * 60};
};

/**
 * Below this span from a block's first request to its last, the block average
 * is timing noise: two requests a second apart "burn" a million tokens a minute
 * and project hundreds of times the limit. The live views wait for it (the
 * report's fields stay ccusage's).
 */
export const settledSpanMs = 5 * minuteMs;

const isSettled = (block: Block): boolean => block.firstEntryMs !== undefined && block.actualEndMs !== undefined && block.actualEndMs - block.firstEntryMs >= settledSpanMs;

/** {@link blockBurnRate}, once the block has run for {@link settledSpanMs}. */
export const settledBurnRate = (block: Block): BurnRate | null => (isSettled(block) ? blockBurnRate(block) : null);

/** {@link projectBlock}, once the block has run for {@link settledSpanMs}. */
export const settledProjection = (block: Block, nowMs: number): Projection | null => (isSettled(block) ? projectBlock(block, nowMs) : null);
