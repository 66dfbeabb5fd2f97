const minuteMs = 60_000;

/**
 * When a duration shown at minute resolution ({@link formatDuration}: `5m`,
 * `2h13m`, `3d04h`) between now and one of `anchorsMs` next reads differently:
 * an age (`last activity 5m ago`, anchor past) turns over a minute after its
 * anchor's minute mark, a countdown (`resets in 2h13m`, anchor ahead) as its
 * remainder crosses one. Undefined when one is within a minute of now (it is
 * shown in seconds) or there is none: the caller keeps its own pace then.
 * Conservative: hours and days change less often than this says, never more.
 */
export const nextMinuteChangeMs = (nowMs: number, anchorsMs: readonly number[]): number | undefined => {
	let next = Number.POSITIVE_INFINITY;
	for (const anchorMs of anchorsMs) {
		const sinceMs = nowMs - anchorMs;
		if (Math.abs(sinceMs) < minuteMs) return undefined;
		// An age shows its minutes floored, so it turns at the mark; a countdown too, so it turns just past one.
		next = Math.min(next, sinceMs > 0 ? anchorMs + (Math.floor(sinceMs / minuteMs) + 1) * minuteMs : nowMs + (-sinceMs % minuteMs) + 1);
	}

	return Number.isFinite(next) ? next : undefined;
};
