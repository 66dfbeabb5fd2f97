import type {BurnLevel} from '../core/screens/dashboard.js';
import {limitStatusColor, type LimitStatus} from '../core/usage/limits.js';

/** Ink colour names. Model colours come from a model's place in the state's `modelOrder`, so every panel agrees. */
export type Color = 'green' | 'yellow' | 'red' | 'cyan' | 'magenta' | 'blue' | 'gray' | 'white';

const modelPalette = ['magenta', 'cyan', 'yellow', 'green', 'blue', 'red'] as const;

/** asciichart wants escape codes, in the same order as {@link modelPalette}. */
export const chartPalette = ['\u001B[35m', '\u001B[36m', '\u001B[33m', '\u001B[32m', '\u001B[34m', '\u001B[31m'] as const;

export const modelColorIndex = (model: string, order: readonly string[]): number => {
	const index = order.indexOf(model);
	return (index < 0 ? 0 : index) % modelPalette.length;
};

export const modelColor = (model: string, order: readonly string[]): Color => modelPalette[modelColorIndex(model, order)]!;

export const statusColor = (status: LimitStatus): Color => limitStatusColor(status);

export const levelColor = (level: BurnLevel): Color => {
	switch (level) {
		case 'normal': {
			return 'green';
		}

		case 'moderate': {
			return 'yellow';
		}

		case 'high': {
			return 'red';
		}
	}
};
