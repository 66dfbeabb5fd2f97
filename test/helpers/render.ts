import {stripVTControlCharacters} from 'node:util';

/** A frame's rows without colour codes or trailing spaces. */
export const frameLines = (frame: string | undefined): string[] => stripVTControlCharacters(frame ?? '').split('\n').map(line => line.trimEnd());

/** The widest row of a frame, in columns (every dashboard character is one column wide). */
export const frameWidth = (frame: string | undefined): number => Math.max(0, ...frameLines(frame).map(line => [...line].length));
