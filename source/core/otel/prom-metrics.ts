import {attributeText, type OtelRecord} from './console-records.js';
import {promLabelName, promMetricName, type PromMetricType} from './prom-names.js';

type Series = {name: string; type: PromMetricType; labels: Array<[string, string]>; value: number};
type Input = {key: string; last: number};

/** What a record without its series (console, older spool lines) is: Claude Code's own shape. */
const claudeCodeSeries = {type: 'sum', temporality: 'delta', isMonotonic: true, scope: {name: 'com.anthropic.claude_code', version: ''}} as const;

const escapeValue = (value: string): string => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

/**
 * OTLP metric points as Prometheus series, as the Collector's `prometheus`
 * exporter keeps them: monotonic sums are counters (deltas added up, cumulative
 * points taken as they come, a drop read as a restart), everything else a gauge
 * holding its last value. Every point attribute is a label, plus
 * `otel_scope_name` and `otel_scope_version`; `dropLabels` (label names, e.g.
 * `session_id`) keeps the cardinality down, merging the series they told apart.
 */
export class PromSeries {
	private readonly series = new Map<string, Series>();
	/** Per input series (all its labels), the last cumulative value: what the next one adds. */
	private readonly inputs = new Map<string, Input>();

	constructor(private readonly dropLabels: ReadonlySet<string> = new Set()) {}

	add(record: OtelRecord): void {
		if (record.kind !== 'metric') return;
		const info = record.series ?? claudeCodeSeries;
		const type: PromMetricType = info.type === 'sum' && info.isMonotonic ? 'counter' : 'gauge';
		const name = promMetricName(record.name, record.unit, type);
		for (const point of record.points) {
			if (point.value === undefined || !Number.isFinite(point.value)) continue;
			const all = new Map<string, string>();
			for (const [key, value] of Object.entries(point.attributes)) {
				const text = attributeText(value);
				if (text !== undefined) all.set(promLabelName(key), text);
			}

			all.set('otel_scope_name', info.scope.name);
			all.set('otel_scope_version', info.scope.version);
			const labels = [...all].filter(([label, value]) => value !== '' && !this.dropLabels.has(label)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
			const key = `${name}\u0000${labels.map(([label, value]) => `${label}=${value}`).join('\u0000')}`;
			let series = this.series.get(key);
			if (series === undefined) {
				series = {name, type, labels, value: 0};
				this.series.set(key, series);
			}

			if (type === 'gauge') {
				series.value = point.value;
			} else if (info.temporality === 'cumulative') {
				const inputKey = `${name}\u0000${[...all].sort().join('\u0000')}\u0000${point.startTimeMs ?? ''}`;
				const input = this.inputs.get(inputKey) ?? {key, last: 0};
				series.value += point.value >= input.last ? point.value - input.last : point.value;
				this.inputs.set(inputKey, {key, last: point.value});
			} else {
				series.value += point.value;
			}
		}
	}

	/** Every series as a sample: its name, labels and value (what `cctop team` groups). */
	samples(): Array<{name: string; labels: Record<string, string>; value: number}> {
		return [...this.series.values()].map(series => ({name: series.name, labels: Object.fromEntries(series.labels), value: series.value}));
	}

	/** The Prometheus text exposition format (0.0.4): each name's TYPE once, its series sorted. */
	text(): string {
		const byName = new Map<string, Series[]>();
		for (const series of this.series.values()) {
			const list = byName.get(series.name);
			if (list === undefined) byName.set(series.name, [series]);
			else list.push(series);
		}
		const lines: string[] = [];
		for (const name of [...byName.keys()].sort()) {
			const list = byName.get(name)!;
			lines.push(`# TYPE ${name} ${list[0]!.type}`);
			for (const series of list) lines.push(`${name}${series.labels.length === 0 ? '' : `{${series.labels.map(([label, value]) => `${label}="${escapeValue(value)}"`).join(',')}}`} ${series.value}`);
		}

		return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
	}
}
