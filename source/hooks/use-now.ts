import {useEffect, useState} from 'react';

/**
 * The one app-wide clock: re-renders every `tickMs` so countdowns move without
 * new data. The clock is injected so tests and `--now` get fixed time.
 */
export const useNow = (clock: () => number, tickMs: number): number => {
	const [nowMs, setNowMs] = useState(clock);
	useEffect(() => {
		const timer = setInterval(() => setNowMs(clock()), tickMs);
		return () => clearInterval(timer);
	}, [clock, tickMs]);
	return nowMs;
};
