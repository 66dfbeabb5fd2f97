/**
 * Where reading a file stopped. `offset` is just past the last complete line, so
 * a half-written line is read again, whole, once its newline arrives. `check`
 * fingerprints the bytes before it (read-check.ts): an in-place rewrite is read
 * again from byte 0. `ctimeMs` moves on chmod too, so a file that became
 * unreadable is opened again, and dropped, even though its size and mtime stayed.
 */
export type FileCursor = {dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number; offset: number; check: number};

/** Whether a stat still matches the cursor: same file, nothing written, no permission change. */
export const isUnchanged = (stats: {dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number}, cursor: FileCursor): boolean =>
	stats.ino === cursor.ino && stats.dev === cursor.dev && stats.size === cursor.size && stats.mtimeMs === cursor.mtimeMs && stats.ctimeMs === cursor.ctimeMs;

/** The fingerprint of nothing read yet: FNV-1a's offset basis, which `checkOf` gives for no bytes (read-check.ts; tested). */
export const emptyCheck = 0x81_1c_9d_c5;
