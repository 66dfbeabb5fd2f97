/**
 * OTLP metric and attribute names as the OpenTelemetry Collector's `prometheus`
 * exporter writes them (prometheus/otlptranslator, with suffixes, UTF-8 off),
 * so dashboards written for the Collector work unchanged on cctop's /metrics:
 * `claude_code.cost.usage` in `USD` → `claude_code_cost_usage_USD_total`.
 */

// OTLP units (UCUM) that have a Prometheus name; any other unit is appended as it is.
const units: Record<string, string> = {
	d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
	By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes', KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
	m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams', Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent',
};
const perUnits: Record<string, string> = {s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year'};

const isNameChar = (char: string) => /[a-zA-Z0-9:]/.test(char);
/** Split on every character a metric name cannot hold (runs of them too: no `__`). */
const tokens = (text: string): string[] => text.split(/[^a-zA-Z0-9:]+/).filter(token => token !== '');
/** A unit as name characters: invalid ones become `_`, runs of `_` one, no leading `_`. */
const cleanUnit = (unit: string): string => [...unit].map(char => (isNameChar(char) ? char : '_')).join('').replaceAll(/__+/g, '_').replace(/^_/, '');

/** The main and per-unit suffixes of an OTLP unit (`By/s` → `bytes`, `per_second`); `{…}` annotations give none. */
const unitSuffixes = (unit: string): [string, string] => {
	const [main = '', per] = unit.split(/\/(.*)/s);
	const mainUnit = main.trim();
	const mainSuffix = mainUnit !== '' && !/[{}]/.test(mainUnit) ? (units[mainUnit] ?? mainUnit) : '';
	const perUnit = per?.trim() ?? '';
	const perSuffix = perUnit !== '' && !/[{}]/.test(perUnit) ? `per_${perUnits[perUnit] ?? perUnit}` : '';
	return [mainSuffix, perSuffix];
};

export type PromMetricType = 'counter' | 'gauge';

/** The Prometheus name of an OTLP metric: tokens joined by `_`, the unit added unless already there, `_total` last for counters. */
export const promMetricName = (name: string, unit: string, type: PromMetricType): string => {
	let nameTokens = tokens(name);
	const [rawMain, rawPer] = unitSuffixes(unit);
	let main = cleanUnit(rawMain);
	let per = cleanUnit(rawPer);
	if (nameTokens.includes(main)) main = '';
	if (per === 'per_') per = '';
	else {
		per = per.replace(/_$/, '');
		if (nameTokens.includes(per)) per = '';
	}

	if (per !== '') main = main.replace(/_$/, '');
	if (main !== '') nameTokens.push(main);
	if (per !== '') nameTokens.push(per);
	if (type === 'counter') nameTokens = [...nameTokens.filter(token => token !== 'total'), 'total'];
	const joined = nameTokens.join('_');
	return /^\d/.test(joined) ? `_${joined}` : joined;
};

/** An attribute key as a label name: `user.email` → `user_email`; one starting with a digit gets `key_`, with one `_` gets `key`. */
export const promLabelName = (key: string): string => {
	if (key === '') return key;
	const label = key.replaceAll(/[^a-zA-Z0-9_]/g, '_');
	if (/^\d/.test(label)) return `key_${label}`;
	return label.startsWith('_') && !label.startsWith('__') ? `key${label}` : label;
};
