/** Every sample of a Prometheus text exposition: its name, labels and value (comments skipped). */
export const promSamples = (text: string): Array<{name: string; labels: Record<string, string>; value: number}> =>
	text
		.split('\n')
		.filter(line => line !== '' && !line.startsWith('#'))
		.map(line => {
			const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
			return {name: match[1]!, labels: Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value])), value: Number(match[3])};
		});
