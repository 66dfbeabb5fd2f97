import {clockOf, pad2} from '../core/util/format.js';

/** Fixed-width text helpers: every dashboard row is laid out to an exact width, so nothing wraps. */

/** Pad or cut `text` to exactly `width` columns (cut with an ellipsis). */
export const fit = (text: string, width: number, align: 'left' | 'right' = 'left'): string => {
	if (width <= 0) return '';
	if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
	return align === 'left' ? text.padEnd(width) : text.padStart(width);
};

/** A bar `width` cells wide, `share` (0–1, clamped) of it filled, in the theme's glyphs. */
export const bar = (share: number, width: number, glyphs: {full: string; empty: string} = {full: '█', empty: '░'}): {filled: string; empty: string} => {
	const cells = Math.max(0, width);
	const filled = Math.round(Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0)) * cells);
	return {filled: glyphs.full.repeat(filled), empty: glyphs.empty.repeat(cells - filled)};
};

export const percent = (share: number): string => `${Math.round(share * 100)}%`;

/**
 * The first of `candidates` (most to least detailed) that fits `width`, so a
 * narrow pane drops words before anything is cut; the last one is cut only when
 * even it does not fit. Write candidates so that numbers survive in every one.
 */
export const firstFit = (width: number, ...candidates: string[]): string => candidates.find(candidate => candidate.length <= width) ?? fit(candidates.at(-1) ?? '', width).trimEnd();

/** A right-aligned cell that never touches the one before it: one space always separates them. */
export const cell = (text: string, width: number): string => ` ${fit(text, width - 1, 'right')}`;

/**
 * A line wrapped to `width`, for text a user reads whole or copies (help, the
 * settings to export): continuation lines keep its indent plus two, and a word
 * longer than a line is split rather than cut, so nothing is lost.
 */
export const wrapIndented = (line: string, width: number): string[] => {
	if (line.length <= width) return [line];
	const indent = /^ */.exec(line)![0];
	const next = `${indent}  `;
	const lines: string[] = [];
	let current = indent;
	for (let word of line.slice(indent.length).split(' ')) {
		const lead = current.trim() === '' ? current : `${current} `;
		if (lead.length + word.length <= width) {
			current = `${lead}${word}`;
			continue;
		}

		if (current.trim() !== '') lines.push(current);
		current = lines.length === 0 ? indent : next;
		// Longer than a whole line: split it where the line ends.
		while (current.length + word.length > width && width > current.length) {
			lines.push(`${current}${word.slice(0, width - current.length)}`);
			word = word.slice(width - current.length);
			current = next;
		}

		current = `${current}${word}`;
	}

	if (current.trim() !== '') lines.push(current);
	return lines;
};

/** Local wall-clock `14:05`: users read local time, cctop computes in UTC. */
export const clockTime = (ms: number): string => clockOf(new Date(ms));

/** A local span `14:05–16:30`, with dates (`11-25 22:10–11-26 01:30`) when it crosses midnight. */
export const clockSpan = (startMs: number, endMs: number): string => {
	const start = new Date(startMs);
	const end = new Date(endMs);
	if (start.toDateString() === end.toDateString()) return `${clockOf(start)}–${clockOf(end)}`;
	const day = (date: Date) => `${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${clockOf(date)}`;
	return `${day(start)}–${day(end)}`;
};

/** `5m ago` style age of a moment. */
export const age = (ms: number, nowMs: number, format: (ms: number) => string): string => (nowMs - ms < 1000 ? 'now' : `${format(nowMs - ms)} ago`);

/** A bucket width in words: `5 min`, `1 h`. */
export const bucketLabel = (bucketMs: number): string => (bucketMs % 3_600_000 === 0 ? `${bucketMs / 3_600_000} h` : `${Math.round(bucketMs / 60_000)} min`);
