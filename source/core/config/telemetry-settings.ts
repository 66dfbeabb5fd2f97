/**
 * What `cctop setup` writes into a Claude Code settings file's `env` block: the
 * documented OTLP set-up (Monitoring quick start), for the receiver cctop runs.
 */
export type TelemetryChoice = {
	protocol: 'grpc' | 'http/protobuf' | 'http/json';
	endpoint: string;
	isTraces: boolean;
	/** `enduser.id=…,team.id=…`: how a team tells its people apart (cctop team). */
	resourceAttributes: string | undefined;
};

/** The receiver's default address for a protocol: gRPC on 4317, HTTP on 4318. */
export const defaultEndpoint = (protocol: TelemetryChoice['protocol']): string => (protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318');

/** The env values for a choice, in the order they are written. */
export const telemetryEnv = (choice: TelemetryChoice): Record<string, string> => ({
	CLAUDE_CODE_ENABLE_TELEMETRY: '1',
	OTEL_METRICS_EXPORTER: 'otlp',
	OTEL_LOGS_EXPORTER: 'otlp',
	OTEL_EXPORTER_OTLP_PROTOCOL: choice.protocol,
	OTEL_EXPORTER_OTLP_ENDPOINT: choice.endpoint,
	...(choice.isTraces ? {CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp'} : {}),
	...(choice.resourceAttributes === undefined ? {} : {OTEL_RESOURCE_ATTRIBUTES: choice.resourceAttributes}),
});

export type EnvChange = {key: string; from: string | undefined; to: string};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `settings` with `env` merged in: every other key, and every other env entry,
 * kept as it was (and in its place). Returns what changed; nothing when the file
 * already says all of it (setup is idempotent).
 */
export const mergeEnv = (settings: unknown, env: Record<string, string>): {settings: Record<string, unknown>; changes: EnvChange[]} => {
	const base = isRecord(settings) ? settings : {};
	const current = isRecord(base['env']) ? base['env'] : {};
	const changes: EnvChange[] = [];
	const merged: Record<string, unknown> = {...current};
	for (const [key, to] of Object.entries(env)) {
		const from = typeof current[key] === 'string' ? current[key] : current[key] === undefined ? undefined : JSON.stringify(current[key]);
		if (from !== to) changes.push({key, from, to});
		merged[key] = to;
	}

	return {settings: {...base, env: merged}, changes};
};
