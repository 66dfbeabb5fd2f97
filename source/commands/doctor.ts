import {isGuardCommand} from '../core/config/guard-hooks.js';
import {readSegmentList} from '../ingest/otel/spool-segments.js';
import {readBudgets} from '../ingest/config/read-budgets.js';
import {guardFailuresPath, readFailures} from '../ingest/guard-log.js';
import {closeSync, openSync, readSync, statSync} from 'node:fs';
import {defaultEndpoint} from '../core/config/telemetry-settings.js';
import {precedenceFor, resolveTelemetry, telemetryVariables, type Resolution, type Source, type TelemetryVariable} from '../core/config/telemetry-precedence.js';
import {claudeConfigDir, readSettings, settingsPath, type SettingsRead} from '../ingest/claude-code/settings-file.js';
import {claudeVersion, probeEndpoint} from '../ingest/claude-code/probe.js';
import {cacheDir} from '../ingest/dirs.js';
import {indexPath, loadIndex} from '../ingest/index/usage-index.js';
import {spoolPath} from '../ingest/otel/otel-spool.js';
import {findRoots, walkRoots} from '../ingest/transcripts/discover.js';
import type {Options} from '../options.js';

type Check = {id: string; status: 'ok' | 'warn' | 'fail'; message: string};

/** The `cctop doctor --json` contract (README). */
export type DoctorJson = {
	claudeCode: {version: string | null; versionFrom: 'claude --version' | 'transcript' | null; configDir: string; rule: string};
	sources: Array<{source: Source; path: string | null; exists: boolean; error: string | null}>;
	telemetry: Record<TelemetryVariable, Resolution>;
	checks: Check[];
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A settings file's `env` block as strings (other types as JSON, as Claude Code would stringify them). */
const envOf = (read: SettingsRead): Record<string, string> => {
	if (!('value' in read) || !isRecord(read.value) || !isRecord(read.value['env'])) return {};
	return Object.fromEntries(Object.entries(read.value['env']).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
};

/** The `version` of the newest transcript line that has one: what ran last, when `claude` is not on the PATH. */
const newestTranscriptVersion = async (options: Options): Promise<string | undefined> => {
	const {files} = await walkRoots(await findRoots({claudeDirs: options.claudeDir}));
	const newest = files
		.map(file => ({file, mtimeMs: statSync(file.path, {throwIfNoEntry: false})?.mtimeMs ?? 0}))
		.sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
	if (newest === undefined) return undefined;
	const fd = openSync(newest.file.path, 'r');
	try {
		const size = statSync(newest.file.path).size;
		const buffer = Buffer.alloc(Math.min(size, 64 * 1024));
		readSync(fd, buffer, 0, buffer.length, size - buffer.length);
		return [...buffer.toString('utf8').matchAll(/"version"\s*:\s*"(\d+\.\d+\.\d+)"/g)].at(-1)?.[1];
	} finally {
		closeSync(fd);
	}
};

/** Everything doctor reads and checks, as its JSON. */
export const diagnose = async (options: Options, {env = process.env}: {env?: NodeJS.ProcessEnv} = {}): Promise<DoctorJson> => {
	const fromClaude = await claudeVersion();
	const version = fromClaude ?? (await newestTranscriptVersion(options));
	const precedence = precedenceFor(version);
	const files = (['managed', 'user', 'project', 'local'] as const).map(source => ({source, path: settingsPath(source, {env}), read: readSettings(settingsPath(source, {env}))}));
	const shell = Object.fromEntries(telemetryVariables.flatMap(variable => (env[variable] === undefined ? [] : [[variable, env[variable]!] as const])));
	const sources = new Map<Source, Record<string, string>>([...files.map(file => [file.source, envOf(file.read)] as const), ['shell', shell]]);
	const telemetry = resolveTelemetry(sources, precedence.order);
	const value = (variable: TelemetryVariable) => telemetry[variable].value;
	const checks: Check[] = [];
	const check = (id: string, status: Check['status'], message: string) => checks.push({id, status, message});

	for (const file of files) {
		if ('error' in file.read) check(`settings-${file.source}`, 'fail', `${file.read.error}: Claude Code cannot use it either; fix the JSON`);
	}

	const enabled = value('CLAUDE_CODE_ENABLE_TELEMETRY');
	if (enabled === '1' || enabled === 'true') check('telemetry-on', 'ok', `telemetry is on (${telemetry.CLAUDE_CODE_ENABLE_TELEMETRY.source})`);
	else check('telemetry-on', 'fail', 'telemetry is off: run `cctop setup` (or set CLAUDE_CODE_ENABLE_TELEMETRY=1)');

	const exporters = [value('OTEL_METRICS_EXPORTER'), value('OTEL_LOGS_EXPORTER')];
	if (exporters.some(exporter => exporter?.split(',').includes('otlp'))) check('exporter', 'ok', `exporters: metrics ${exporters[0] ?? 'none'}, logs ${exporters[1] ?? 'none'}`);
	else if (exporters.some(exporter => exporter?.includes('console'))) check('exporter', 'warn', 'console exporters print to stdout only in `claude -p`: use `cctop run -- claude -p …`, or `cctop setup` for OTLP');
	else check('exporter', 'fail', 'no exporter is set (OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER): run `cctop setup`');

	const protocol = value('OTEL_EXPORTER_OTLP_PROTOCOL');
	if (protocol === null) check('protocol', 'warn', 'OTEL_EXPORTER_OTLP_PROTOCOL is not set: 2.1.112 then sends nothing, 2.1.332 http/protobuf; `cctop setup` sets grpc');
	const effectiveProtocol = protocol ?? 'http/protobuf';
	const endpoint = value('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT') ?? value('OTEL_EXPORTER_OTLP_ENDPOINT') ?? defaultEndpoint(effectiveProtocol === 'grpc' ? 'grpc' : 'http/protobuf');
	if (exporters.some(exporter => exporter?.includes('otlp'))) {
		const probe = await probeEndpoint(endpoint, effectiveProtocol);
		const fix = effectiveProtocol === 'grpc' ? 'start `cctop serve` (gRPC on :4317)' : 'start `cctop serve` (HTTP on :4318)';
		if (probe.status === 'ok') check('endpoint', 'ok', `${endpoint} answers ${effectiveProtocol}: ${probe.detail}`);
		else if (probe.status === 'wrong-protocol') check('endpoint', 'fail', `${endpoint}: ${probe.detail}; set OTEL_EXPORTER_OTLP_PROTOCOL to what it speaks, or point the endpoint at the right port (gRPC 4317, HTTP 4318)`);
		else check('endpoint', 'fail', `${endpoint}: ${probe.detail}; ${fix}`);
	}

	for (const source of precedence.ignored) {
		const set = Object.keys(sources.get(source) ?? {}).filter(key => (telemetryVariables as readonly string[]).includes(key));
		if (set.length > 0) check(`ignored-${source}`, 'warn', `${source} settings set ${set.join(', ')}, which Claude Code ${version ?? '(version unknown)'} does not apply to its exporter: move them to ~/.claude/settings.json (\`cctop setup\`)`);
	}

	// The segment being written, else (just sealed at midnight) the newest sealed one.
	const lastWrittenMs = statSync(spoolPath(), {throwIfNoEntry: false})?.mtimeMs ?? readSegmentList(spoolPath()).segments.at(-1)?.lastMs;
	const nowMs = options.now ?? Date.now();
	if (lastWrittenMs === undefined) check('spool', 'warn', `no telemetry received yet (${spoolPath()} does not exist)`);
	else if (nowMs - lastWrittenMs > 24 * 3_600_000) check('spool', 'warn', `the spool was last written ${new Date(lastWrittenMs).toISOString()}: is \`cctop serve\` running?`);
	else check('spool', 'ok', `telemetry received, last at ${new Date(lastWrittenMs).toISOString()}`);

	const found = await findRoots({claudeDirs: options.claudeDir});
	const discovered = await walkRoots(found);
	if (discovered.files.length > 0) check('transcripts', 'ok', `${discovered.files.length} transcripts in ${found.roots.join(', ')}`);
	else check('transcripts', 'warn', `no transcripts in ${found.searched.map(dir => `${dir}/projects`).join(', ')}: set CLAUDE_CONFIG_DIR or pass --claude-dir`);

	if (found.roots.length > 0) {
		const index = await loadIndex(indexPath(cacheDir(), found.roots));
		if (index === undefined) check('index', 'warn', 'no index yet: the first `cctop` or `cctop report` builds it');
		else if ('problem' in index) check('index', 'warn', `the index will be rebuilt (${index.problem})`);
		else check('index', 'ok', `index with ${index.files.length} files`);
	}

	const statusLines = files.flatMap(file => ('value' in file.read && isRecord(file.read.value) && isRecord(file.read.value['statusLine']) ? [String(file.read.value['statusLine']['command'] ?? '')] : []));
	if (statusLines.some(command => command.includes('cctop'))) check('statusline', 'ok', 'Claude Code\'s statusLine runs cctop');
	else if (statusLines.length > 0) check('statusline', 'warn', `the statusLine runs ${statusLines[0]}, not cctop statusline (the official 5h/7d usage then stays unknown)`);
	else check('statusline', 'warn', 'no statusLine: add "statusLine": {"type": "command", "command": "cctop statusline"} to ~/.claude/settings.json');

	// The guard: hooked in, its budgets valid, and whether it failed open (each failure let a call through).
	const guardHooks = files.flatMap(file => ('value' in file.read && isRecord(file.read.value) && isRecord(file.read.value['hooks']) ? Object.entries(file.read.value['hooks']) : []))
		.filter(([, groups]) => Array.isArray(groups) && groups.some(group => isRecord(group) && Array.isArray(group['hooks']) && group['hooks'].some(hook => isRecord(hook) && isGuardCommand(hook['command']))))
		.map(([event]) => event);
	const failures = readFailures();
	let budgetsProblem: string | undefined;
	let budgetCount = 0;
	try {
		budgetCount = (await readBudgets(options.budgets)).budgets.filter(budget => budget.scope === 'local').length;
	} catch (error) {
		budgetsProblem = error instanceof Error ? error.message : String(error);
	}

	if (budgetsProblem !== undefined) check('budgets', 'fail', `${budgetsProblem}: the guard lets every call through until it is fixed`);
	else if (guardHooks.length > 0) check('guard', budgetCount > 0 ? 'ok' : 'warn', `cctop guard runs on ${guardHooks.join(' and ')}${budgetCount > 0 ? ` with ${budgetCount} local budget${budgetCount === 1 ? '' : 's'}` : '; no local budgets yet (README, Budgets)'}`);
	if (failures !== undefined) check('guard-failures', 'warn', `cctop guard failed open ${failures.count} time${failures.count === 1 ? '' : 's'} (${guardFailuresPath()}); latest: ${failures.latest}`);

	return {
		claudeCode: {version: version ?? null, versionFrom: fromClaude !== undefined ? 'claude --version' : version === undefined ? null : 'transcript', configDir: claudeConfigDir(env), rule: precedence.rule},
		sources: [...files.map(file => ({source: file.source, path: file.path, exists: file.read.exists, error: 'error' in file.read ? file.read.error : null})), {source: 'shell' as const, path: null, exists: true, error: null}],
		telemetry,
		checks,
	};
};

const mark = {ok: '✓', warn: '!', fail: '✗'} as const;

/** `cctop doctor [--json]`: the telemetry set-up as Claude Code will see it; exit 1 on any failed check. */
export const runDoctor = async (options: Options): Promise<number> => {
	const report = await diagnose(options);
	if (options.json) {
		process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
	} else {
		const {claudeCode} = report;
		const lines = [
			`Claude Code ${claudeCode.version ?? '(version unknown)'}${claudeCode.versionFrom === 'transcript' ? ' (from the newest transcript)' : ''} · config ${claudeCode.configDir}`,
			`settings that win: ${claudeCode.rule}`,
			'',
			'sources',
			...report.sources.map(source => `  ${source.source.padEnd(8)} ${source.path ?? '(environment)'}${source.error ? `  ✗ ${source.error}` : source.exists ? '' : '  (none)'}`),
			'',
			'telemetry settings',
			...telemetryVariables.flatMap(variable => {
				const {value, source, alsoSetIn} = report.telemetry[variable];
				if (value === null && alsoSetIn.length === 0) return [];
				const others = alsoSetIn.map(other => `${other.source}: ${other.value}`).join('; ');
				return [`  ${variable}=${value ?? '(unset)'}${source === null ? '' : `  ← ${source}`}${others ? `  (also ${others})` : ''}`];
			}),
			'',
			'checks',
			...report.checks.map(item => `  ${mark[item.status]} ${item.id}: ${item.message}`),
		];
		process.stdout.write(`${lines.join('\n')}\n`);
	}

	return report.checks.some(item => item.status === 'fail') ? 1 : 0;
};
