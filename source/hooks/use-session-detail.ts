import {useEffect, useRef, useState} from 'react';
import type {SessionDetail} from '../core/screens/session-detail.js';

/** How often an open session's detail is loaded again while its transcripts grow. */
const refreshMs = 2000;

/**
 * The full detail of the session on screen, from `load` (which decodes that
 * session and reads its tool calls): at once when it opens, then again after
 * changes (`version`), at most every 2 s. Undefined until the first load is in.
 */
export const useSessionDetail = (
	load: ((sessionId: string) => Promise<SessionDetail | undefined>) | undefined,
	sessionId: string | undefined,
	version: number,
): SessionDetail | undefined => {
	const [loaded, setLoaded] = useState<{sessionId: string; detail: SessionDetail | undefined}>();
	const last = useRef<{sessionId: string; atMs: number}>(undefined);
	useEffect(() => {
		if (load === undefined || sessionId === undefined) return;
		let isCancelled = false;
		const previous = last.current;
		const delayMs = previous?.sessionId === sessionId ? Math.max(0, previous.atMs + refreshMs - Date.now()) : 0;
		const timer = setTimeout(() => {
			last.current = {sessionId, atMs: Date.now()};
			load(sessionId).then(
				detail => {
					if (!isCancelled) setLoaded({sessionId, detail});
				},
				// The detail from today's entries stays on screen.
				() => undefined,
			);
		}, delayMs);
		return () => {
			isCancelled = true;
			clearTimeout(timer);
		};
	}, [load, sessionId, version]);
	return loaded !== undefined && loaded.sessionId === sessionId ? loaded.detail : undefined;
};
