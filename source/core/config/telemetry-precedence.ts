/** Where Claude Code can take a setting from. */
export type Source = 'managed' | 'user' | 'project' | 'local' | 'shell';

/** The telemetry variables `cctop doctor` explains, in the order it lists them. */
export const telemetryVariables = [
	'CLAUDE_CODE_ENABLE_TELEMETRY',
	'OTEL_METRICS_EXPORTER',
	'OTEL_LOGS_EXPORTER',
	'OTEL_TRACES_EXPORTER',
	'OTEL_EXPORTER_OTLP_PROTOCOL',
	'OTEL_EXPORTER_OTLP_ENDPOINT',
	'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
	'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
	'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
	'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
	'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
	'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
	'OTEL_EXPORTER_OTLP_HEADERS',
	'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
	'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
	'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
	'OTEL_METRIC_EXPORT_INTERVAL',
	'OTEL_LOGS_EXPORT_INTERVAL',
	'OTEL_TRACES_EXPORT_INTERVAL',
	'OTEL_RESOURCE_ATTRIBUTES',
	'OTEL_LOG_USER_PROMPTS',
	'OTEL_LOG_TOOL_DETAILS',
	'CLAUDE_CODE_ENHANCED_TELEMETRY_BETA',
] as const;

export type TelemetryVariable = (typeof telemetryVariables)[number];

/** Headers carry tokens: doctor shows their keys, never their values. */
export const isSecret = (variable: string): boolean => variable.endsWith('_HEADERS');

/** `Authorization=Bearer s3cret,x-team=a` → `Authorization=<redacted>,x-team=<redacted>`. */
export const redact = (value: string): string =>
	value
		.split(',')
		.map(pair => `${pair.split('=')[0]!.trim()}=<redacted>`)
		.join(',');

/**
 * Which sources reach Claude Code's telemetry exporter, strongest first, for a
 * version. Measured with real builds (`../shared/realcc`, README "Which
 * settings win"): 2.1.332 sends where managed settings say, then the user's
 * settings.json, then the shell, and project and local `env` do not reach its
 * exporter; 2.1.112 follows the documented order (managed, local, project,
 * user, then the shell). Native builds start at 2.1.113, taken here as where
 * the behaviour changed; an unknown version gets the newer rule.
 */
export const precedenceFor = (version: string | undefined): {order: Source[]; ignored: Source[]; rule: string} => {
	const parts = version?.match(/(\d+)\.(\d+)\.(\d+)/)?.slice(1).map(Number);
	const isOld = parts !== undefined && (parts[0]! < 2 || (parts[0] === 2 && (parts[1]! < 1 || (parts[1] === 1 && parts[2]! <= 112))));
	return isOld
		? {order: ['managed', 'local', 'project', 'user', 'shell'], ignored: [], rule: 'up to 2.1.112: managed > local > project > user > shell'}
		: {order: ['managed', 'user', 'shell'], ignored: ['project', 'local'], rule: 'from 2.1.113: managed > user > shell; project and local env do not reach the exporter'};
};

export type Resolution = {value: string | null; source: Source | null; alsoSetIn: Array<{source: Source; value: string}>};

/** Each variable's winning value and source under `order`, and every other place that sets it. */
export const resolveTelemetry = (sources: ReadonlyMap<Source, Readonly<Record<string, string>>>, order: readonly Source[]): Record<TelemetryVariable, Resolution> => {
	const out = {} as Record<TelemetryVariable, Resolution>;
	for (const variable of telemetryVariables) {
		const show = (value: string) => (isSecret(variable) ? redact(value) : value);
		const winner = order.find(source => sources.get(source)?.[variable] !== undefined);
		const alsoSetIn: Resolution['alsoSetIn'] = [];
		for (const [source, env] of sources) {
			if (source !== winner && env[variable] !== undefined) alsoSetIn.push({source, value: show(env[variable])});
		}

		out[variable] = {value: winner === undefined ? null : show(sources.get(winner)![variable]!), source: winner ?? null, alsoSetIn};
	}

	return out;
};
