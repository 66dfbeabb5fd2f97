import {useEffect, useState} from 'react';

/** After this long without new data the clock ticks at its idle pace (see {@link useNow}). */
export const activeForMs = 10_000;

/**
 * The one app-wide clock. It reads `clock` when `resetKey` (the data's version)
 * changes and then every `tickMs` after the last change, so countdowns move
 * without new data while a burst of updates is not followed by a tick render of
 * its own. Ten seconds after the last change it ticks every `idleTickMs` instead:
 * with nothing new, what moves on screen moves by minutes (a countdown's last
 * minute by 5 s steps), and each frame costs Ink ~20 ms; an idle side pane
 * then costs a fifth of the CPU. The clock is injected so tests and `--now` get
 * fixed time.
 */
export const useNow = (clock: () => number, tickMs: number, resetKey?: unknown, {idleTickMs = tickMs, activeMs = activeForMs}: {idleTickMs?: number; activeMs?: number} = {}): number => {
	const [now, setNow] = useState(() => ({nowMs: clock(), key: resetKey}));
	// New data: read the clock in this same render (React's "adjust state while
	// rendering" pattern), not in an effect that would cost a second render.
	if (now.key !== resetKey) setNow({nowMs: clock(), key: resetKey});
	useEffect(() => {
		const changedAt = performance.now();
		let timer: NodeJS.Timeout;
		const schedule = () => {
			timer = setTimeout(
				() => {
					setNow({nowMs: clock(), key: resetKey});
					schedule();
				},
				performance.now() - changedAt < activeMs ? tickMs : idleTickMs,
			);
		};

		schedule();
		return () => clearTimeout(timer);
	}, [clock, tickMs, resetKey, idleTickMs, activeMs]);
	return now.key === resetKey ? now.nowMs : clock();
};
