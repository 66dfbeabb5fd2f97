import {byLastActive, type RowState, type SessionSummary} from '../../core/usage/session-summaries.js';

/**
 * Every session's row without its requests from the recent window on
 * (`fromMs` − an hour, where the snapshot's entries start): sessions with none
 * there as final rows, the others as states to carry on (see continueRow).
 * With each recent request's session (the one it first appeared in, which the
 * entries keep), `session --list` is these carried on with the recent requests.
 */
export type SessionsPart = {finals: SessionSummary[]; states: RowState[]};

/**
 * The part as its side file holds it: the states on the first line, then the
 * final rows newest first (`byLastActive`), one a line. `session --list` shows
 * the newest 20 and parses only those: at 4 GB the part is ~3.5 MB of JSON for
 * ~5,000 sessions, and parsing all of it was most of a list's own time.
 */
export const encodeSessionsPart = (part: SessionsPart): Buffer =>
	Buffer.from(`${JSON.stringify({states: part.states})}\n${[...part.finals].sort(byLastActive).map(row => `${JSON.stringify(row)}\n`).join('')}`);

export type SessionsPartReader = {
	states: RowState[];
	/** Whether a session has a final row. */
	hasFinal: (sessionId: string) => boolean;
	/** The final rows, newest first, each parsed when reached. */
	finals: () => Generator<SessionSummary>;
};

const newline = 0x0a;

/** Reads a side file {@link encodeSessionsPart} wrote; throws on bytes that are not one. */
export const decodeSessionsPart = (bytes: Buffer): SessionsPartReader => {
	const statesEnd = bytes.indexOf(newline);
	if (statesEnd === -1) throw new Error('not a sessions part');
	const {states} = JSON.parse(bytes.toString('utf8', 0, statesEnd)) as {states: RowState[]};
	if (!Array.isArray(states)) throw new Error('not a sessions part');
	return {
		states,
		// A row holds its id as `"sessionId":"<id>"`, and a quote inside any string is escaped:
		// the text is there exactly when the row is, and parsing every row to look is what this saves.
		hasFinal: sessionId => bytes.indexOf(`"sessionId":${JSON.stringify(sessionId)}`, statesEnd) !== -1,
		*finals() {
			for (let start = statesEnd + 1; start < bytes.length; ) {
				const end = bytes.indexOf(newline, start);
				const lineEnd = end === -1 ? bytes.length : end;
				yield JSON.parse(bytes.toString('utf8', start, lineEnd)) as SessionSummary;
				start = lineEnd + 1;
			}
		},
	};
};
