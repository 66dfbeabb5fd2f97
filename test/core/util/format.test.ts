import {describe, expect, it} from 'vitest';
import {formatDuration, formatTokens, formatUsd, shortModelName, truncate, wrapText} from '../../../source/core/util/format.js';

describe('format', () => {
	it.each([
		[950, '950'],
		[1234, '1.23k'],
		[21_100, '21.1k'],
		[3_400_000, '3.40M'],
		[1_200_000_000, '1.20B'],
	])('formatTokens(%d) = %s', (tokens, text) => {
		expect(formatTokens(tokens)).toBe(text);
	});

	it.each([
		[0, '$0.00'],
		[0.000_551, '$0.001'],
		[1136.569, '$1,136.57'],
	])('formatUsd(%d) = %s', (usd, text) => {
		expect(formatUsd(usd)).toBe(text);
	});

	it.each([
		['claude-opus-4-5-20251101', 'opus-4-5'],
		['claude-sonnet-4-5', 'sonnet-4-5'],
		['us.anthropic.claude-opus-4-5-20251101-v1:0', 'opus-4-5'],
		['claude-3-5-haiku-20241022', '3-5-haiku'],
		['<synthetic>', '<synthetic>'],
	])('shortModelName(%s) = %s', (model, short) => {
		expect(shortModelName(model)).toBe(short);
	});

	it.each([
		[30_000, '30s'],
		[45 * 60_000, '45m'],
		[(2 * 60 + 13) * 60_000, '2h13m'],
		[76 * 3_600_000, '3d04h'],
	])('formatDuration(%d) = %s', (ms, text) => {
		expect(formatDuration(ms)).toBe(text);
	});

	it('truncates with an ellipsis and wraps at word boundaries', () => {
		expect(truncate('sonnet-4-5, opus-4-5', 12)).toBe('sonnet-4-5,…');
		expect(wrapText('Active block: $10.00 so far → $16.65 projected', 20)).toEqual(['Active block: $10.00', '  so far → $16.65', '  projected']);
	});
});
