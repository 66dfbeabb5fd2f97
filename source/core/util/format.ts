/** Compact token count: 950, 21.1k, 3.40M, 1.20B. */
export const formatTokens = (tokens: number): string => {
	const abs = Math.abs(tokens);
	if (abs < 1000) {
		return String(Math.round(tokens));
	}

	if (abs < 1_000_000) {
		return `${(tokens / 1000).toFixed(abs < 10_000 ? 2 : 1)}k`;
	}

	if (abs < 1_000_000_000) {
		return `${(tokens / 1_000_000).toFixed(2)}M`;
	}

	return `${(tokens / 1_000_000_000).toFixed(2)}B`;
};

/** Dollars with cents; sub-cent amounts keep three decimals so they do not read as zero. */
export const formatUsd = (usd: number): string => {
	if (usd > 0 && usd < 0.01) {
		return `$${usd.toFixed(3)}`;
	}

	// Not toLocaleString: Intl formatting costs ~20× more, and the dashboard formats every cost on every frame.
	const [whole = '0', cents = '00'] = Math.abs(usd).toFixed(2).split('.');
	return `${usd < 0 ? '-' : ''}$${whole.replaceAll(/\B(?=(\d{3})+$)/g, ',')}.${cents}`;
};

/** `claude-opus-4-5-20251101` → `opus-4-5`: the short name every view shows. */
export const shortModelName = (model: string): string =>
	model
		.replace(/^(?:[a-z]{2}\.)?(?:anthropic[./])?/, '')
		.replace(/^claude-/, '')
		.replace(/-\d{8}(?:-v\d+(?::\d+)?)?$/, '')
		.replace(/@\d{8}$/, '') || model;

/** Duration as `3d04h`, `2h13m`, `45m`, `30s`. */
export const formatDuration = (ms: number): string => {
	const totalMinutes = Math.floor(Math.max(0, ms) / 60_000);
	if (totalMinutes === 0) {
		return `${Math.floor(Math.max(0, ms) / 1000)}s`;
	}

	const hours = Math.floor(totalMinutes / 60);
	const minutes = totalMinutes % 60;
	if (hours >= 48) {
		return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
	}

	return hours > 0 ? `${hours}h${String(minutes).padStart(2, '0')}m` : `${minutes}m`;
};

/** Cut `text` to `width` columns with an ellipsis. */
export const truncate = (text: string, width: number): string => {
	if (width <= 0) {
		return '';
	}

	return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
};

/** Word-wrap `text` to `width` columns; continuation lines are indented by two spaces. */
export const wrapText = (text: string, width: number): string[] => {
	const lines: string[] = [];
	let current = '';
	for (const word of text.split(' ')) {
		const candidate = current === '' ? word : `${current} ${word}`;
		if (candidate.length > width && current.trim() !== '') {
			lines.push(current);
			current = `  ${word}`;
		} else {
			current = candidate;
		}
	}

	lines.push(current);
	return lines;
};

/** Two digits: `07`. */
export const pad2 = (value: number): string => String(value).padStart(2, '0');

/** Wall-clock `14:05` of a date already in the zone to show (views pass local time; cctop computes in UTC). */
export const clockOf = (date: Date): string => `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;

/** `1 request`, `3 requests`. */
export const counted = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * How long something took, in the one style every view uses: `37ms`, `1.5s`,
 * `3m05s`, then `1h02m`. (A moment's age, `5m ago`, is formatDuration's.)
 */
export const formatMs = (ms: number): string => {
	if (ms < 1000) return `${Math.round(ms)}ms`;
	if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
	const seconds = Math.round(ms / 1000);
	return seconds < 3600 ? `${Math.floor(seconds / 60)}m${pad2(seconds % 60)}s` : formatDuration(ms);
};
