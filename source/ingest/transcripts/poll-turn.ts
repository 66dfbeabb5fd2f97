import path from 'node:path';
import {keyHash} from '../../core/util/hash.js';

/**
 * Which part of a history the live safety poll looks at this time. All that
 * changed since `quietBeforeMs` is looked at on every poll; of what is quiet
 * for days (Claude Code no longer writes there) one session in `slices`, in
 * turn, so each is still looked at once every `slices` polls.
 *
 * A turn belongs to a session, not to a file or a folder: its transcript, its
 * folder and everything below (subagents) share one, so a poll sees all of a
 * session's changes or none, and never a file gone from a folder it did not
 * read. Roots and project folders have no turn: they are few, and every new,
 * removed or renamed session changes one of them. The turn comes from a hash
 * of the session's path, not its place in a list: places move when sessions
 * come or go, and one moved past its turn would wait another round (a
 * property test found it).
 */
export type PollTurn = {quietBeforeMs: number; slices: number; slice: number; roots: readonly string[]};

/**
 * The session `file` (a transcript or a folder) belongs to under one of
 * `roots`: `<root>/<project>/<session>` for `<session>.jsonl`, the folder
 * `<session>` and all below it. Undefined for a root, a project folder and
 * anything outside the roots.
 */
export const sessionPathOf = (roots: readonly string[], file: string): string | undefined => {
	for (const root of roots) {
		if (!file.startsWith(root) || file[root.length] !== path.sep) continue;
		const projectEnd = file.indexOf(path.sep, root.length + 1);
		if (projectEnd === -1) return undefined;
		const sessionEnd = file.indexOf(path.sep, projectEnd + 1);
		const session = sessionEnd === -1 ? file : file.slice(0, sessionEnd);
		return session.endsWith('.jsonl') ? session.slice(0, -'.jsonl'.length) : session;
	}

	return undefined;
};

/**
 * What a file's or folder's turn is drawn from: its session's hash, or -1 for
 * what has no turn. A function of the path (and the roots, which a live
 * process keeps): a caller that asks every 2 minutes may keep it.
 */
export const turnSlot = (roots: readonly string[], file: string): number => {
	const session = sessionPathOf(roots, file);
	return session === undefined ? -1 : keyHash(session)[0];
};

/**
 * Whether the file or folder at `file`, last changed at `mtimeMs`, is looked at
 * on this turn (everything is without one). `slot` is its {@link turnSlot}, if kept.
 */
export const isDueOn = (turn: PollTurn | undefined, mtimeMs: number, file: string, slot?: number): boolean => {
	if (turn === undefined || mtimeMs >= turn.quietBeforeMs) return true;
	const drawn = slot ?? turnSlot(turn.roots, file);
	return drawn === -1 || drawn % turn.slices === turn.slice;
};
