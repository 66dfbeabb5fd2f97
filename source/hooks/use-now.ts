import {useEffect, useState} from 'react';

/**
 * The one app-wide clock. It reads `clock` when `resetKey` (the data's version)
 * changes and then every `tickMs` after the last change, so countdowns move
 * without new data while a burst of updates is not followed by a tick render of
 * its own. The clock is injected so tests and `--now` get fixed time.
 */
export const useNow = (clock: () => number, tickMs: number, resetKey?: unknown): number => {
	const [now, setNow] = useState(() => ({nowMs: clock(), key: resetKey}));
	// New data: read the clock in this same render (React's "adjust state while
	// rendering" pattern), not in an effect that would cost a second render.
	if (now.key !== resetKey) setNow({nowMs: clock(), key: resetKey});
	useEffect(() => {
		const timer = setInterval(() => setNow({nowMs: clock(), key: resetKey}), tickMs);
		return () => clearInterval(timer);
	}, [clock, tickMs, resetKey]);
	return now.key === resetKey ? now.nowMs : clock();
};
