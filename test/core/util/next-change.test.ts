import fc from 'fast-check';
import {expect, it} from 'vitest';
import {formatDuration} from '../../../source/core/util/format.js';
import {nextMinuteChangeMs} from '../../../source/core/util/next-change.js';

const shown = (atMs: number, anchorsMs: readonly number[]) => anchorsMs.map(anchorMs => formatDuration(Math.abs(atMs - anchorMs)));

it('no duration on screen reads differently before the moment it gives, and one does at it (property)', () => {
	const nowMs = Date.UTC(2026, 11, 3, 12, 0, 0);
	const anchor = fc.integer({min: -3 * 86_400_000, max: 3 * 86_400_000}).map(offset => nowMs + offset);
	fc.assert(
		fc.property(fc.array(anchor, {minLength: 1, maxLength: 6}), fc.array(fc.double({min: 0, max: 1, noNaN: true}), {minLength: 1, maxLength: 20}), (anchorsMs, fractions) => {
			const next = nextMinuteChangeMs(nowMs, anchorsMs);
			if (next === undefined) {
				// Only when one is shown in seconds.
				expect(anchorsMs.some(anchorMs => Math.abs(nowMs - anchorMs) < 60_000)).toBe(true);
				return;
			}

			expect(next).toBeGreaterThan(nowMs);
			expect(next - nowMs).toBeLessThanOrEqual(60_001);
			const before = shown(nowMs, anchorsMs);
			for (const fraction of fractions) expect(shown(nowMs + Math.floor(fraction * (next - nowMs - 1)), anchorsMs)).toEqual(before);
			// Not sooner than needed while all are shown in hours and minutes: something reads differently then.
			if (anchorsMs.every(anchorMs => Math.abs(nowMs - anchorMs) < 47 * 3_600_000)) expect(shown(next, anchorsMs)).not.toEqual(before);
		}),
		{numRuns: 2000},
	);
});

it('keeps the caller pace while a duration is shown in seconds, or without any', () => {
	expect(nextMinuteChangeMs(1_000_000, [1_000_000 - 30_000, 0])).toBeUndefined();
	expect(nextMinuteChangeMs(1_000_000, [])).toBeUndefined();
	// An age of 10m15s turns 11m 45 s later; a countdown of 2h00m20s turns 1h59m just past 20 s.
	expect(nextMinuteChangeMs(10 * 60_000 + 15_000, [0])).toBe(11 * 60_000);
	expect(nextMinuteChangeMs(0, [2 * 3_600_000 + 20_000])).toBe(20_001);
});
