import {totalTokens} from './types.js';
import type {Block} from './blocks.js';
import {percentile} from '../util/percentile.js';

export type Plan = 'pro' | 'max5' | 'max20' | 'custom';

/** What `--token-limit` asked for: a number, or a value learnt from past blocks. */
export type TokenLimitOption = number | 'max' | 'p90';

/**
 * Which tokens a limit counts. Limits learnt from blocks count all four kinds
 * (ccusage's `totalTokens`); plan presets count input+output, as the plan
 * estimates they come from do.
 */
export type LimitMeasure = 'all' | 'inputOutput';

export type TokenLimit = {tokens: number; source: 'flag' | 'max' | 'p90' | 'plan'; label: string; measure: LimitMeasure};

/** Local estimates of the 5-hour token allowance per plan (not official figures). */
export const planTokenLimits: Record<Exclude<Plan, 'custom'>, number> = {pro: 19_000, max5: 88_000, max20: 220_000};

const finishedBlockTotals = (blocks: readonly Block[]): number[] =>
	blocks.filter(block => !block.isGap && !block.isActive).map(block => totalTokens(block.tokens));

/**
 * A limit learnt from finished blocks: `blocks`, plus `earlierTotals`, the totals
 * of finished blocks before them that a caller kept without their detail.
 */
const learnt = (blocks: readonly Block[], how: 'max' | 'p90', earlierTotals: readonly number[] = []): TokenLimit | undefined => {
	const totals = [...earlierTotals, ...finishedBlockTotals(blocks)];
	const tokens = how === 'max' ? (totals.length > 0 ? Math.max(...totals) : undefined) : percentile(totals, 90);
	if (tokens === undefined || tokens <= 0) {
		return undefined;
	}

	return {tokens, source: how, label: how === 'max' ? 'max of past blocks' : 'p90 of past blocks', measure: 'all'};
};

/**
 * Resolve the limit in force. `--token-limit` wins over `--plan`; `custom`
 * learns p90 from past blocks. Undefined when nothing can be known yet.
 */
export const resolveTokenLimit = (
	blocks: readonly Block[],
	option: TokenLimitOption | undefined,
	plan: Plan | undefined,
	earlierTotals: readonly number[] = [],
): TokenLimit | undefined => {
	if (typeof option === 'number') {
		return {tokens: option, source: 'flag', label: `--token-limit ${option}`, measure: 'all'};
	}

	if (option !== undefined) {
		return learnt(blocks, option, earlierTotals);
	}

	if (plan === undefined) {
		return undefined;
	}

	if (plan === 'custom') {
		return learnt(blocks, 'p90', earlierTotals);
	}

	return {tokens: planTokenLimits[plan], source: 'plan', label: `plan ${plan} (estimate)`, measure: 'inputOutput'};
};

/** The block's tokens as the limit counts them. */
export const tokensForLimit = (block: Block, limit: TokenLimit): number =>
	limit.measure === 'all' ? totalTokens(block.tokens) : block.tokens.inputTokens + block.tokens.outputTokens;

export type LimitStatus = 'ok' | 'warning' | 'exceeds';

/** The colour every view gives a limit status: green below 80%, yellow to 100%, red past it. */
export const limitStatusColor = (status: LimitStatus): 'green' | 'yellow' | 'red' => {
	switch (status) {
		case 'ok': {
			return 'green';
		}

		case 'warning': {
			return 'yellow';
		}

		case 'exceeds': {
			return 'red';
		}
	}
};

/** ok below 80%, warning from 80%, exceeds past 100% (SPEC §4: warn at 80% projected). */
export const limitStatus = (usedTokens: number, limitTokens: number): LimitStatus => {
	const share = usedTokens / limitTokens;
	if (share > 1) {
		return 'exceeds';
	}

	return share >= 0.8 ? 'warning' : 'ok';
};

/**
 * The limits the dashboard's `p` key cycles through: the one asked for (or, with
 * nothing asked, p90 of past blocks) first, then the others that can be known.
 */
export const limitChoices = (blocks: readonly Block[], option: TokenLimitOption | undefined, plan: Plan | undefined, earlierTotals: readonly number[] = []): TokenLimit[] => {
	const first = resolveTokenLimit(blocks, option, plan, earlierTotals);
	const candidates = [
		first,
		learnt(blocks, 'p90', earlierTotals),
		learnt(blocks, 'max', earlierTotals),
		...(['pro', 'max5', 'max20'] as const).map(preset => resolveTokenLimit(blocks, undefined, preset)),
	];
	const seen = new Set<string>();
	return candidates.filter((limit): limit is TokenLimit => {
		if (limit === undefined || seen.has(limit.label)) return false;
		seen.add(limit.label);
		return true;
	});
};

/**
 * What `p` cycles through, the one in force first. With nothing asked and no
 * finished block to learn from, that is no limit at all: a plan preset is a
 * guess, and measuring a Max user against Pro's would ring the bell for nothing.
 * The presets follow, one `p` away.
 */
export const limitCycle = (blocks: readonly Block[], option: TokenLimitOption | undefined, plan: Plan | undefined, earlierTotals: readonly number[] = []): Array<TokenLimit | undefined> => {
	const choices = limitChoices(blocks, option, plan, earlierTotals);
	const isOnlyGuesses = option === undefined && plan === undefined && choices.every(limit => limit.source === 'plan');
	return isOnlyGuesses ? [undefined, ...choices] : choices;
};

/**
 * The limit in force: {@link limitCycle}'s first, without learning the limits
 * that come after it. A status line needs only this one, every few seconds.
 */
export const limitInForce = (blocks: readonly Block[], option: TokenLimitOption | undefined, plan: Plan | undefined, earlierTotals: readonly number[] = []): TokenLimit | undefined => {
	const asked = resolveTokenLimit(blocks, option, plan, earlierTotals);
	if (asked !== undefined) return asked;
	const learntLimit = learnt(blocks, 'p90', earlierTotals) ?? learnt(blocks, 'max', earlierTotals);
	if (learntLimit !== undefined) return learntLimit;
	// Only the presets are left: a guess, in force only when something was asked for.
	return option === undefined && plan === undefined ? undefined : resolveTokenLimit(blocks, undefined, 'pro');
};
