import {useCallback, useLayoutEffect, useRef} from 'react';
import {useInput} from 'ink';

type KeyHandler = Parameters<typeof useInput>[0];

/**
 * Ink's `useInput`, whose handler always sees the latest render. `useInput`
 * swaps handlers in a passive effect, which runs some time after the frame is
 * written: a key typed in between (the moment the first rows are drawn, or
 * right after a new snapshot) went to the previous render's handler and acted
 * on its rows, e.g. ⏎ opened nothing because that render had no rows yet. The
 * handler is kept in a ref set in a layout effect, which runs in the same
 * commit as the frame, so no key can arrive between the two; and one stable
 * listener stays subscribed instead of one per render.
 */
export const useKeys = (handler: KeyHandler, options: {isActive: boolean}): void => {
	const latest = useRef(handler);
	useLayoutEffect(() => {
		latest.current = handler;
	});
	const stable = useCallback<KeyHandler>((input, key) => {
		latest.current(input, key);
	}, []);
	useInput(stable, options);
};
