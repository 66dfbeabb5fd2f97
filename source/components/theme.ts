import {createContext, useContext} from 'react';
import type {BurnLevel} from '../core/screens/dashboard.js';
import type {LimitStatus} from '../core/usage/limits.js';

/** An Ink colour: a name (`green`) or a hex code. */
export type Color = string;

/** What a block bar and a sparkline are drawn with. */
export type Glyphs = {full: string; empty: string; spark: string};

/**
 * How the dashboard looks: colours for limits, burn levels and models (each
 * model keeps its colour in every panel), and the glyphs of bars and sparklines.
 */
export type Theme = {
	name: 'dark' | 'light' | 'colorblind';
	status: Record<LimitStatus, Color>;
	level: Record<BurnLevel, Color>;
	models: readonly Color[];
	glyphs: Glyphs;
};

const blocks: Glyphs = {full: '█', empty: '░', spark: '▁▂▃▄▅▆▇█'};

/** For fonts or terminals without block characters (`"ascii": true` in the config). */
export const asciiGlyphs: Glyphs = {full: '#', empty: '-', spark: '.:-=+*#@'};

export const themes: Record<Theme['name'], Theme> = {
	dark: {name: 'dark', status: {ok: 'green', warning: 'yellow', exceeds: 'red'}, level: {normal: 'green', moderate: 'yellow', high: 'red'}, models: ['magenta', 'cyan', 'yellow', 'green', 'blue', 'red'], glyphs: blocks},
	// Yellow and cyan wash out on a white background: darker tones that read on both.
	light: {name: 'light', status: {ok: '#1a7f37', warning: '#9a6700', exceeds: '#cf222e'}, level: {normal: '#1a7f37', moderate: '#9a6700', high: '#cf222e'}, models: ['#8250df', '#0550ae', '#9a6700', '#1a7f37', '#bc4c00', '#cf222e'], glyphs: blocks},
	// Okabe–Ito: told apart with any of the common colour-vision deficiencies (no red/green pair).
	colorblind: {name: 'colorblind', status: {ok: '#0072B2', warning: '#E69F00', exceeds: '#D55E00'}, level: {normal: '#0072B2', moderate: '#E69F00', high: '#D55E00'}, models: ['#E69F00', '#56B4E9', '#009E73', '#CC79A7', '#0072B2', '#F0E442'], glyphs: blocks},
};

/** The theme a config asks for, with ASCII glyphs when it says so. */
export const themeFor = (name: Theme['name'], isAscii: boolean): Theme => (isAscii ? {...themes[name], glyphs: asciiGlyphs} : themes[name]);

export const ThemeContext = createContext<Theme>(themes.dark);

/** The theme the App was given (dark with block glyphs when none). */
export const useTheme = (): Theme => useContext(ThemeContext);

export const modelColorIndex = (model: string, order: readonly string[], theme: Theme = themes.dark): number => {
	const index = order.indexOf(model);
	return (index < 0 ? 0 : index) % theme.models.length;
};

/** A model's colour: from its place in the state's `modelOrder`, so every panel agrees. */
export const modelColor = (model: string, order: readonly string[], theme: Theme = themes.dark): Color => theme.models[modelColorIndex(model, order, theme)]!;

export const statusColor = (status: LimitStatus, theme: Theme = themes.dark): Color => theme.status[status];

export const levelColor = (level: BurnLevel, theme: Theme = themes.dark): Color => theme.level[level];

const named: Record<string, string> = {magenta: '35', cyan: '36', yellow: '33', green: '32', blue: '34', red: '31'};

/** asciichart wants escape codes: a colour name's, or a 24-bit one for a hex code. */
export const chartColor = (color: Color): string => {
	if (named[color] !== undefined) return `\u001B[${named[color]}m`;
	const [r, g, b] = [1, 3, 5].map(at => Number.parseInt(color.slice(at, at + 2), 16));
	return `\u001B[38;2;${r};${g};${b}m`;
};
