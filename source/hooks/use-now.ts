import {useEffect, useState} from 'react';

/** After this long without new data the clock ticks at its idle pace (see {@link useNow}). */
export const activeForMs = 10_000;

/** The slowest idle pace: a minute, whatever the screen says. */
const maxIdleTickMs = 60_000;

/** When what is on screen next changes with time alone (see nextMinuteChangeMs), or undefined: the idle pace then. */
export type IdleUntil = {current: ((nowMs: number) => number | undefined) | undefined};

/**
 * The one app-wide clock. It reads `clock` when `resetKey` (the data's version)
 * changes and then every `tickMs` after the last change, so countdowns move
 * without new data while a burst of updates is not followed by a tick render of
 * its own. Ten seconds after the last change it ticks every `idleTickMs` instead:
 * with nothing new, what moves on screen moves by minutes (a countdown's last
 * minute by 5 s steps), and each frame costs Ink ~20 ms; an idle side pane
 * then costs a fifth of the CPU. When `idleUntil` says when the screen next
 * changes, an idle clock wakes only then (at most a minute on): each frame also
 * feeds V8's JIT and young generation, which kept an idle 4 GB dashboard near
 * 1%. The clock is injected so tests and `--now` get fixed time.
 */
export const useNow = (
	clock: () => number,
	tickMs: number,
	resetKey?: unknown,
	{idleTickMs = tickMs, activeMs = activeForMs, idleUntil}: {idleTickMs?: number; activeMs?: number; idleUntil?: IdleUntil} = {},
): number => {
	const [now, setNow] = useState(() => ({nowMs: clock(), key: resetKey}));
	// New data: read the clock in this same render (React's "adjust state while
	// rendering" pattern), not in an effect that would cost a second render.
	if (now.key !== resetKey) setNow({nowMs: clock(), key: resetKey});
	useEffect(() => {
		const changedAt = performance.now();
		let timer: NodeJS.Timeout;
		const delay = (): number => {
			if (performance.now() - changedAt < activeMs) return tickMs;
			const until = idleUntil?.current;
			if (until === undefined) return idleTickMs;
			const nowMs = clock();
			const untilMs = until(nowMs);
			// Idle and told when the screen next changes: wake then (a few ms past, so the clock has crossed), not every idleTickMs.
			return untilMs === undefined ? idleTickMs : Math.min(maxIdleTickMs, Math.max(idleTickMs, untilMs - nowMs + 5));
		};

		const schedule = () => {
			timer = setTimeout(() => {
				setNow({nowMs: clock(), key: resetKey});
				schedule();
			}, delay());
		};

		schedule();
		return () => clearTimeout(timer);
	}, [clock, tickMs, resetKey, idleTickMs, activeMs, idleUntil]);
	return now.key === resetKey ? now.nowMs : clock();
};
