/**
 * A usage error: the CLI prints the message and exits with code 2. Told apart
 * by its name: the cli and the commands Ink draws are built apart (one is
 * CommonJS, see rolldown.config.mjs), each with its own copy of this class.
 */
export class UsageError extends Error {
	override name = 'UsageError';
}

export type LocalDate = {year: number; month: number; day: number};

/** Flags shared by every command, validated. */
export type Options = {
	claudeDir: string[];
	now: number | undefined;
	plan: 'pro' | 'max5' | 'max20' | 'custom' | undefined;
	tokenLimit: number | 'max' | 'p90' | undefined;
	sessionLength: number;
	pricing: string | undefined;
	mode: 'auto' | 'calculate' | 'display';
	cache: boolean;
	quiet: boolean;
	json: boolean;
	watch: boolean;
	poll: boolean;
	breakdown: boolean;
	/** report: the last 7 local days instead of blocks. */
	weekly: boolean;
	since: LocalDate | undefined;
	until: LocalDate | undefined;
	/** Dashboard: a simulated workday in a temp dir instead of the user's transcripts. */
	demo: boolean;
	/** Dashboard: ring the terminal bell when the limit's 80/90/100% is crossed. */
	bell: boolean;
	/** Dashboard: the least time between redraws, ms (0: event-driven, at most 10/s). */
	refreshMs: number;
	/** status: the line's format. */
	format: 'plain' | 'tmux' | 'json';
	/** status: a line with {placeholders}. */
	template: string | undefined;
	/** session: the most recent session (the default without an id). */
	latest: boolean;
	/** session: list recent sessions instead of one. */
	list: boolean;
	/** session: only sessions of this project (its folder name, as shown). */
	project: string | undefined;
	/** session --list: how many sessions (0: all). */
	limit: number;
	/** OpenTelemetry console-exporter output to read (`-` is stdin). */
	otelLog: string[];
	/** serve: where the OTLP/HTTP receiver listens, and the bearer token it asks for. */
	otlpHost: string;
	/** OTLP/HTTP and OTLP/gRPC ports; undefined turns one off (`0` on the command line). */
	otlpPort: number | undefined;
	otlpGrpcPort: number | undefined;
	otlpToken: string | undefined;
	/** serve: a collector that gets every accepted request too. */
	otlpForward: string | undefined;
	/** Dashboard: run the OTLP receiver beside it. */
	otlp: boolean;
	/** serve: allow a network bind without a token (anyone who can reach it may write). */
	insecureNoToken: boolean;
	/** trace: the latest trace of this session (an id or a prefix). */
	traceSession: string | undefined;
	/** daily, weekly, monthly: oldest first, or newest first. */
	order: 'asc' | 'desc';
	/** report, daily, weekly, monthly: only the most recent N rows (`--recent` is 10). */
	last: number | undefined;
	/** daily, weekly, monthly: the IANA zone days and months are counted in (undefined: this machine's). */
	timezone: string | undefined;
	/** setup: what to write, and where. */
	setup: {protocol: 'grpc' | 'http/protobuf' | 'http/json'; endpoint: string | undefined; scope: 'user' | 'project' | 'local'; isTraces: boolean; resourceAttributes: string | undefined; isDryRun: boolean; isUndo: boolean; isGuard: boolean};
	/** From the config file: the dashboard's first view, its colours, ASCII glyphs, the budgets file. */
	defaultView: 'dashboard' | 'sessions' | 'models' | 'tools';
	theme: 'dark' | 'light' | 'colorblind';
	ascii: boolean;
	budgets: string | undefined;
	/** audit: filters (the session is `traceSession`, from --session). */
	user: string | undefined;
	events: string[] | undefined;
	tool: string | undefined;
	csv: boolean;
	/** team: where from, grouped how, over what. */
	prometheus: string | undefined;
	by: string;
	period: 'day' | 'week' | 'month';
	/** serve: /metrics on its own listener (undefined: only on the OTLP/HTTP port), and labels to leave out. */
	metricsHost: string;
	metricsPort: number | undefined;
	metricsDropLabels: string[];
	/** serve: when the spool's segment is sealed, and how long sealed ones are kept. */
	spoolMaxMb: number;
	retainDays: number | undefined;
	/** audit: the spool to read or verify. */
	spool: string | undefined;
	/** guard (and setup --guard): block at this percent of Claude Code's own 5-hour or 7-day usage. */
	maxOfficial: number | undefined;
};

// Hand-written rather than zod: every command, `status` included, pays for option
// parsing, and importing zod alone costs ~37 ms of start-up. Transcript lines are
// checked by hand for the same reason (core/usage/transcript.ts); zod parses --pricing
// files, loaded only then.

const fail = (flag: string, message: string): never => {
	throw new UsageError(`--${flag}: ${message}`);
};

const oneOf = <T extends string>(flag: string, value: unknown, allowed: readonly T[]): T | undefined => {
	if (value === undefined) return undefined;
	return allowed.includes(value as T) ? (value as T) : fail(flag, `expected ${allowed.join(', ')}, got ${String(value)}`);
};

const localDate = (flag: string, value: unknown): LocalDate | undefined => {
	if (value === undefined) return undefined;
	const text = String(value);
	if (!/^\d{4}-?\d{2}-?\d{2}$/.test(text)) fail(flag, 'expected YYYY-MM-DD');
	const digits = text.replaceAll('-', '');
	const year = Number(digits.slice(0, 4));
	const month = Number(digits.slice(4, 6));
	const day = Number(digits.slice(6, 8));
	const check = new Date(year, month - 1, day);
	if (check.getFullYear() !== year || check.getMonth() !== month - 1 || check.getDate() !== day) fail(flag, `${text} is not a calendar date`);
	return {year, month, day};
};

const isoTime = (flag: string, value: unknown): number | undefined => {
	if (value === undefined) return undefined;
	const ms = Date.parse(String(value));
	return Number.isFinite(ms) ? ms : fail(flag, `${String(value)} is not an ISO time`);
};

const tokenLimit = (value: unknown): Options['tokenLimit'] => {
	if (value === undefined) return undefined;
	if (value === 'max' || value === 'p90') return value;
	const number = Number(String(value).replaceAll('_', '').replaceAll(',', ''));
	return Number.isFinite(number) && number > 0 ? number : fail('token-limit', 'expected a positive number, max or p90');
};

const sessionLength = (value: unknown): number => {
	if (value === undefined) return 5;
	const hours = Number(value);
	return Number.isFinite(hours) && hours > 0 && hours <= 24 * 7 ? hours : fail('session-length', 'expected hours above 0, up to 168');
};

const refresh = (value: unknown): number => {
	if (value === undefined) return 0;
	const seconds = Number(value);
	return Number.isFinite(seconds) && seconds >= 0 && seconds <= 3600 ? Math.round(seconds * 1000) : fail('refresh', 'expected seconds between 0 and 3600, e.g. 2 or 0.5');
};

const limit = (value: unknown): number => {
	if (value === undefined) return 20;
	const count = Number(value);
	return Number.isInteger(count) && count >= 0 ? count : fail('limit', 'expected a whole number, 0 or more (0 lists all)');
};

const endpointUrl = (value: unknown): string | undefined => {
	if (value === undefined) return undefined;
	const text = String(value);
	return /^https?:\/\/[^/\s]+/.test(text) ? text.replace(/\/+$/, '') : fail('endpoint', `expected an http(s):// URL, e.g. http://localhost:4317, got ${text}`);
};

/** `key=value` pairs, comma-separated, as OTEL_RESOURCE_ATTRIBUTES takes them. */
const resourceAttributes = (value: unknown): string | undefined => {
	if (value === undefined) return undefined;
	const text = String(value);
	return text.split(',').every(pair => /^[^=\s,]+=[^,]*$/.test(pair)) ? text : fail('resource-attributes', `expected key=value pairs separated by commas, e.g. enduser.id=ana,team.id=platform, got ${text}`);
};

/** `--last N` (a whole number from 1), or 10 for `--recent`. */
const lastRows = (value: unknown, isRecent: boolean): number | undefined => {
	if (value === undefined) return isRecent ? 10 : undefined;
	const count = Number(value);
	return Number.isInteger(count) && count >= 1 ? count : fail('last', 'expected a whole number of rows, 1 or more');
};

const positiveNumber = (flag: string, value: unknown): number | undefined => {
	if (value === undefined) return undefined;
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fail(flag, `expected a number above 0, got ${String(value)}`);
};

const percent = (flag: string, value: unknown): number | undefined => {
	if (value === undefined) return undefined;
	const number = Number(value);
	return Number.isFinite(number) && number > 0 && number <= 100 ? number : fail(flag, `expected a percentage above 0 and up to 100, got ${String(value)}`);
};

/** An IANA zone this machine knows (`Europe/Berlin`, `UTC`). */
const timeZone = (value: unknown): string | undefined => {
	if (value === undefined) return undefined;
	const zone = String(value);
	try {
		new Intl.DateTimeFormat('en-US', {timeZone: zone});
		return zone;
	} catch {
		return fail('timezone', `${zone} is not a time zone this machine knows (e.g. UTC, Europe/Berlin, America/New_York)`);
	}
};

/** A receiver's port: `fallback` by default, `0` turns it off, `auto` picks a free one (reported at start). */
const port = (flag: string, value: unknown, fallback: number): number | undefined => {
	if (value === undefined || value === '') return fallback;
	if (value === 'auto') return 0;
	const number = Number(value);
	if (number === 0) return undefined;
	return Number.isInteger(number) && number > 0 && number <= 65_535 ? number : fail(flag, 'expected a port number 1–65535, 0 for off, or auto');
};

const forwardUrl = (value: unknown): string | undefined => {
	if (value === undefined) return undefined;
	const text = String(value);
	return /^https?:\/\/[^/\s]+/.test(text) ? text : fail('otlp-forward', `expected the collector's http(s):// base URL, got ${text}`);
};

/**
 * A receiver reachable from the network takes writes from anyone who can reach
 * it: that needs a token, or saying out loud that none is wanted.
 */
const checkBind = (options: Options): Options => {
	if (!isLoopbackHost(options.metricsHost) && options.otlpToken === undefined && !options.insecureNoToken) {
		fail('metrics-host', `${options.metricsHost} is reachable from the network: set --otlp-token TOKEN (Prometheus sends it as a bearer token: authorization.credentials in its scrape config), or --insecure-no-token to let anyone read the metrics`);
	}

	if (!isLoopbackHost(options.otlpHost) && options.otlpToken === undefined && !options.insecureNoToken) {
		fail('otlp-host', `${options.otlpHost} is reachable from the network: set --otlp-token TOKEN (senders add OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer TOKEN"), or --insecure-no-token to accept anyone's writes`);
	}

	return options;
};

/** Whether a host string names this machine only (127.0.0.0/8, ::1, localhost). */
export const isLoopbackHost = (host: string): boolean => {
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare) || bare === '::ffff:127.0.0.1';
};

/** Validate raw flags as meow hands them over; throws a UsageError that names the flag. */
export const parseOptions = (flags: Record<string, unknown>): Options => checkBind({
	claudeDir: (flags['claudeDir'] as string[] | undefined) ?? [],
	now: isoTime('now', flags['now']),
	plan: oneOf('plan', flags['plan'], ['pro', 'max5', 'max20', 'custom'] as const),
	tokenLimit: tokenLimit(flags['tokenLimit']),
	sessionLength: sessionLength(flags['sessionLength']),
	pricing: flags['pricing'] as string | undefined,
	mode: oneOf('mode', flags['mode'], ['auto', 'calculate', 'display'] as const) ?? 'auto',
	cache: flags['cache'] !== false,
	quiet: flags['quiet'] === true,
	json: flags['json'] === true,
	watch: flags['watch'] === true,
	poll: flags['poll'] === true,
	breakdown: flags['breakdown'] === true,
	weekly: flags['weekly'] === true,
	since: localDate('since', flags['since']),
	until: localDate('until', flags['until']),
	demo: flags['demo'] === true,
	bell: flags['bell'] !== false,
	refreshMs: refresh(flags['refresh']),
	format: oneOf('format', flags['format'], ['plain', 'tmux', 'json'] as const) ?? 'plain',
	template: flags['template'] as string | undefined,
	latest: flags['latest'] === true,
	list: flags['list'] === true,
	project: flags['project'] as string | undefined,
	limit: limit(flags['limit']),
	otelLog: (flags['otelLog'] as string[] | undefined) ?? [],
	otlpHost: (flags['otlpHost'] as string | undefined) ?? '127.0.0.1',
	// `--otlp PORT` and `--otlp-port PORT` say the same; --otlp's wins.
	otlpPort: port('otlp-port', flags['otlp'] === undefined || flags['otlp'] === '' ? flags['otlpPort'] : flags['otlp'], 4318),
	otlpGrpcPort: port('otlp-grpc-port', flags['otlpGrpcPort'], 4317),
	otlpToken: flags['otlpToken'] as string | undefined,
	otlpForward: forwardUrl(flags['otlpForward']),
	otlp: flags['otlp'] !== undefined,
	insecureNoToken: flags['insecureNoToken'] === true,
	traceSession: flags['session'] as string | undefined,
	order: oneOf('order', flags['order'], ['asc', 'desc'] as const) ?? 'asc',
	last: lastRows(flags['last'], flags['recent'] === true),
	timezone: timeZone(flags['timezone']),
	setup: {
		protocol: oneOf('protocol', flags['protocol'], ['grpc', 'http/protobuf', 'http/json'] as const) ?? 'grpc',
		endpoint: endpointUrl(flags['endpoint']),
		scope: oneOf('scope', flags['scope'], ['user', 'project', 'local'] as const) ?? 'user',
		isTraces: flags['traces'] === true,
		resourceAttributes: resourceAttributes(flags['resourceAttributes']),
		isDryRun: flags['dryRun'] === true,
		isUndo: flags['undo'] === true,
		isGuard: flags['guard'] === true,
	},
	defaultView: (flags['defaultView'] as Options['defaultView'] | undefined) ?? 'dashboard',
	theme: (flags['theme'] as Options['theme'] | undefined) ?? 'dark',
	ascii: flags['ascii'] === true,
	budgets: flags['budgets'] as string | undefined,
	maxOfficial: percent('max-official', flags['maxOfficial']),
	user: flags['user'] as string | undefined,
	events: flags['event'] === undefined ? undefined : String(flags['event']).split(',').map(name => name.trim().replace(/^claude_code\./, '')).filter(Boolean),
	tool: flags['tool'] as string | undefined,
	csv: flags['csv'] === true,
	spool: flags['spool'] as string | undefined,
	spoolMaxMb: positiveNumber('spool-max-mb', flags['spoolMaxMb']) ?? 256,
	prometheus: flags['prometheus'] === undefined ? undefined : /^https?:\/\/\S+$/.test(String(flags['prometheus'])) ? String(flags['prometheus']) : fail('prometheus', `expected the Prometheus HTTP API's base URL, e.g. http://localhost:9090, got ${String(flags['prometheus'])}`),
	by: (flags['by'] as string | undefined) ?? 'user',
	period: oneOf('period', flags['period'], ['day', 'week', 'month'] as const) ?? 'day',
	metricsHost: (flags['metricsHost'] as string | undefined) ?? '127.0.0.1',
	metricsPort: flags['metricsPort'] === undefined ? undefined : port('metrics-port', flags['metricsPort'], 8889),
	metricsDropLabels: String(flags['metricsDropLabels'] ?? '').split(',').map(label => label.trim()).filter(Boolean),
	retainDays: positiveNumber('retain-days', flags['retainDays']),
});

/** Local midnight of a calendar date, epoch ms. */
export const localMidnightMs = ({year, month, day}: LocalDate, addDays = 0): number => new Date(year, month - 1, day + addDays).getTime();

/** Local midnight before `nowMs`: where "today" starts. */
export const localDayStartMs = (nowMs: number): number => lastDayStarts(nowMs, 1)[0]!;

/** Where today started and where it ends (local midnights; a DST day is 23 or 25 hours). */
export const dayBounds = (nowMs: number): {dayStartMs: number; midnightMs: number} => {
	const dayStartMs = lastDayStarts(nowMs, 1)[0]!;
	const next = new Date(dayStartMs);
	next.setDate(next.getDate() + 1);
	return {dayStartMs, midnightMs: next.getTime()};
};

/** The period's local bounds: today, the last 7 days (today and the six before), or the calendar month. */
export const periodBounds = (name: 'day' | 'week' | 'month', nowMs: number): {name: 'day' | 'week' | 'month'; startMs: number; endMs: number} => {
	const {dayStartMs, midnightMs} = dayBounds(nowMs);
	if (name === 'day') return {name, startMs: dayStartMs, endMs: midnightMs};
	if (name === 'week') return {name, startMs: lastDayStarts(nowMs)[0]!, endMs: midnightMs};
	const date = new Date(nowMs);
	return {name, startMs: new Date(date.getFullYear(), date.getMonth(), 1).getTime(), endMs: new Date(date.getFullYear(), date.getMonth() + 1, 1).getTime()};
};

/** The local midnights of the last `count` days, oldest first (today's last). */
export const lastDayStarts = (nowMs: number, count = 7): number[] =>
	Array.from({length: count}, (_, index) => {
		const date = new Date(nowMs);
		// setDate, not a 24 h step: a day across a DST change is 23 or 25 hours.
		date.setHours(0, 0, 0, 0);
		date.setDate(date.getDate() - (count - 1 - index));
		return date.getTime();
	});
