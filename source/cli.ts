#!/usr/bin/env node
import {parseArgs} from 'node:util';
import {parseOptions, UsageError} from './options.js';

const helpText = 	`
  Usage
    $ cctop [command] [options]

  Commands
    (none)            The live dashboard: block progress, burn rate, per-model cost,
                      sessions. Keys: q quit, tab/1-4 views, ↑↓ enter sessions, p limit, ? help.
                      When stdout is not a terminal it prints one snapshot and exits.
    report            5-hour usage blocks: tokens, cost, models
    status            One line about the active block, for tmux's status bar
    statusline        Claude Code's statusLine command: reads its JSON on stdin, prints a line,
                      and records the official 5h/7d usage for the other views
    session [ID]      One session: span, cost, models, tools, subagents, timeline, costliest
                      requests, limit hits. ID or a unique prefix; the latest by default
    run -- CMD…       Run Claude Code (claude -p "…") with its telemetry on: the answer passes
                      through, the telemetry goes to the spool that report reads
    trace [ID]        One interaction's spans as a waterfall (tracing on: README), the latest by
                      default; --session ID for that session's latest, --json
    serve             The OTLP/HTTP receiver (metrics, logs; JSON or protobuf) on 127.0.0.1:4318,
                      feeding the same spool. --otlp-port P, --otlp-host H, --otlp-token T,
                      --otlp-forward URL (send every request on to your collector too).
                      A host other than loopback needs --otlp-token (or --insecure-no-token)

  Dashboard options
    --demo                A simulated workday, appended live in a temp dir: try cctop at once
    --refresh SECONDS     Redraw at most this often (default: on change, up to 10/s)
    --no-bell             No terminal bell when the limit's 80%, 90% or 100% is crossed
    --otlp [PORT]         Run the OTLP/HTTP receiver of 'cctop serve' beside the dashboard
                          (port 4318 by default; --otlp-host, --otlp-token, --otlp-forward)

  Status options
    --format plain|tmux|json   tmux wraps the line in #[fg=…] colours (green, yellow from 80%
                          of the limit, red past it); json prints the contract in the README
    --template T          The line, with placeholders such as {block_pct} {cost} {projected_cost}
                          {tokens} {limit} {projected_pct} {burn} {reset} {today_cost} (README)
    --watch               Print the line again every --refresh seconds (default 5), in place

  Session options
    --latest              The most recently active session (the default without an ID)
    --project NAME        Only sessions of this project (the folder name shown)
    --list                Recent sessions, newest first (--limit N, default 20, 0 for all)
    --json                The session (or the list) as JSON (see README for the contract)

  Options
    --claude-dir DIR      Claude config dir to read (repeatable; overrides CLAUDE_CONFIG_DIR,
                          ~/.config/claude and ~/.claude). A dir without projects/ is searched itself.
    --json                Print the report as JSON (see README for the contract)
    --watch               With --json: stay running and print one JSON snapshot per change (NDJSON)
    --poll                Watch by polling (network or WSL mounts where file events are lost)
    --since YYYY-MM-DD    Only blocks starting on or after this local date
    --until YYYY-MM-DD    Only blocks starting on or before this local date
    --breakdown           Add per-model rows under each block
    --weekly              The last 7 days, a row per day, against Claude Code's official 7-day usage
    --otel-log FILE       OpenTelemetry console-exporter output to add (repeatable; - for stdin):
                          the report gains an "otel" section (README); the dashboard follows it
    --now ISO             Fix the clock (reproducible output), e.g. 2026-11-26T15:00:00Z
    --session-length H    Block length in hours (default 5)
    --token-limit N|max|p90   Token limit for the active block: a number, the largest past
                          block, or the 90th percentile of past blocks
    --plan pro|max5|max20|custom   Plan preset limit (a local estimate; custom = p90)
    --pricing FILE        JSON prices that override the embedded table ({"models":[…]})
    --mode auto|calculate|display  auto: logged costUSD when present, else calculated;
                          calculate: always from tokens; display: logged costUSD only
    --no-cache            Neither read nor write the persistent index ($CCTOP_CACHE_DIR, default
                          ~/.cache/cctop): read every transcript from the start
    --quiet               No progress or summary lines on stderr
    --help                Show this help
    --version             Show the version

  Exit codes: 0 ok, 1 runtime error, 2 usage error.

  Examples
    $ cctop
    $ cctop --demo
    $ cctop --plan max5
    $ cctop report
    $ cctop report --json --since 2026-11-01
    $ cctop report --breakdown --plan max5
    $ cctop session --latest
    $ cctop session --list --project api-server
`;

/** Every flag, in meow's format: meow renders help and version from it, parseArgs parses with it. */
const flagSpec = {
	claudeDir: {type: 'string', isMultiple: true},
	json: {type: 'boolean'},
	watch: {type: 'boolean'},
	poll: {type: 'boolean'},
	since: {type: 'string'},
	until: {type: 'string'},
	breakdown: {type: 'boolean'},
	weekly: {type: 'boolean'},
	now: {type: 'string'},
	sessionLength: {type: 'number'},
	tokenLimit: {type: 'string'},
	plan: {type: 'string'},
	pricing: {type: 'string'},
	mode: {type: 'string'},
	cache: {type: 'boolean', default: true},
	quiet: {type: 'boolean'},
	demo: {type: 'boolean'},
	bell: {type: 'boolean', default: true},
	refresh: {type: 'string'},
	format: {type: 'string'},
	template: {type: 'string'},
	latest: {type: 'boolean'},
	list: {type: 'boolean'},
	project: {type: 'string'},
	limit: {type: 'string'},
	otelLog: {type: 'string', isMultiple: true},
	otlpPort: {type: 'string'},
	otlpHost: {type: 'string'},
	otlpToken: {type: 'string'},
	otlpForward: {type: 'string'},
	otlp: {type: 'string'},
	insecureNoToken: {type: 'boolean'},
	session: {type: 'string'},
} as const;

/** Flags that only some commands take; any other command names the right one instead of ignoring it. */
const flagOwners = {
	json: ['report', 'session', 'trace'],
	since: ['report'],
	until: ['report'],
	breakdown: ['report'],
	weekly: ['report'],
	watch: ['report', 'status'],
	demo: ['dashboard'],
	bell: ['dashboard'],
	refresh: ['dashboard', 'status'],
	format: ['status'],
	template: ['status'],
	latest: ['session', 'trace'],
	list: ['session'],
	project: ['session'],
	limit: ['session'],
	otelLog: ['report', 'dashboard', 'trace'],
	otlpPort: ['serve', 'dashboard'],
	otlpHost: ['serve', 'dashboard'],
	otlpToken: ['serve', 'dashboard'],
	otlpForward: ['serve', 'dashboard'],
	insecureNoToken: ['serve', 'dashboard'],
	otlp: ['dashboard'],
	session: ['trace'],
} as const;

const commandNames = {report: '`cctop report`', status: '`cctop status`', session: '`cctop session`', serve: '`cctop serve`', trace: '`cctop trace`', dashboard: 'the dashboard (`cctop` without a command)'} as const;

const kebab = (name: string): string => name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
const camel = (name: string): string => name.replaceAll(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * Parse argv with Node's own parser. meow is loaded only for --help and
 * --version: importing it costs ~20 ms, and `cctop status` answers tmux every
 * few seconds within a budget of ~80 ms.
 */
const parseArgv = (argv: string[]): {input: string[]; flags: Record<string, unknown>} => {
	const options: Record<string, {type: 'string' | 'boolean'; multiple?: boolean}> = {};
	for (const [name, spec] of Object.entries(flagSpec)) {
		options[kebab(name)] = {type: spec.type === 'boolean' ? 'boolean' : 'string', ...('isMultiple' in spec ? {multiple: true} : {})};
		if (spec.type === 'boolean' && 'default' in spec) options[`no-${kebab(name)}`] = {type: 'boolean'};
	}

	// `--otlp [PORT]`: the port is optional, which parseArgs cannot say; a bare --otlp gets an empty value.
	const args = argv.map((argument, index) => (argument === '--otlp' && !/^\d+$/.test(argv[index + 1] ?? '') ? '--otlp=' : argument));
	let parsed;
	try {
		parsed = parseArgs({args, options, allowPositionals: true, strict: true});
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
	}

	const flags: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(parsed.values)) {
		if (name.startsWith('no-')) flags[camel(name.slice(3))] = !value;
		else flags[camel(name)] = value;
	}

	return {input: parsed.positionals, flags};
};

const main = async (): Promise<number> => {
	const argv = process.argv.slice(2);
	if (argv.some(argument => argument === '--help' || argument === '-h' || argument === '--version')) {
		const {default: meow} = await import('meow');
		// meow prints the help or the version and exits.
		meow(helpText, {importMeta: import.meta, flags: flagSpec, allowUnknownFlags: false});
		return 0;
	}

	// `cctop run [options] -- command…`: everything after `--` is the command's own.
	if (argv[0] === 'run') {
		const separator = argv.indexOf('--');
		const own = separator === -1 ? [] : argv.slice(1, separator);
		const command = separator === -1 ? argv.slice(1) : argv.slice(separator + 1);
		const options = parseOptions(parseArgv(own).flags);
		const {runWithTelemetry} = await import('./commands/run.js');
		return runWithTelemetry(options, command);
	}

	const cli = parseArgv(argv);
	const [command = 'dashboard', ...rest] = cli.input;
	// Only `session` and `trace` take an argument: an id, or a unique prefix of one.
	const sessionId = command === 'session' || command === 'trace' ? rest.shift() : undefined;
	if (rest.length > 0) {
		throw new UsageError(`unexpected argument: ${rest.join(' ')}`);
	}

	for (const flag of Object.keys(cli.flags)) {
		const owners = flagOwners[flag as keyof typeof flagOwners] as readonly string[] | undefined;
		if (owners !== undefined && !owners.includes(command)) {
			throw new UsageError(`--${flag === 'bell' ? 'no-bell' : kebab(flag)} belongs to ${owners.map(owner => commandNames[owner as keyof typeof commandNames]).join(' or ')}`);
		}
	}

	const options = parseOptions(cli.flags);
	if (options.watch && !options.json && command === 'report') {
		throw new UsageError('--watch needs --json (for the live dashboard, run `cctop` without a command)');
	}

	switch (command) {
		case 'dashboard': {
			// React's development build checks every render and keeps far more
			// objects: several times the CPU and memory of a monitor that runs all day.
			process.env['NODE_ENV'] ??= 'production';
			// Ink reads CI at import and then prints only the last frame, at exit:
			// a blank screen in a real terminal of a CI box or a shell that sets CI.
			// A terminal on stdout is interactive whatever CI says.
			if (process.stdout.isTTY) {
				delete process.env['CI'];
				delete process.env['CONTINUOUS_INTEGRATION'];
			}

			const {runDashboard} = await import('./commands/dashboard.js');
			return runDashboard(options);
		}

		case 'statusline': {
			const {runStatusline} = await import('./commands/statusline.js');
			return runStatusline(options);
		}

		case 'trace': {
			const {runTrace} = await import('./commands/trace.js');
			return runTrace(options, sessionId);
		}

		case 'serve': {
			const {runServe} = await import('./commands/serve.js');
			return runServe(options);
		}

		case 'session': {
			const {runSession} = await import('./commands/session.js');
			return runSession(options, sessionId);
		}

		case 'status': {
			const {runStatus} = await import('./commands/status.js');
			return runStatus(options);
		}

		case 'report': {
			const {runReport} = await import('./commands/report.js');
			return runReport(options);
		}

		default: {
			throw new UsageError(`unknown command: ${command} (see cctop --help)`);
		}
	}
};

try {
	process.exitCode = await main();
} catch (error) {
	if (error instanceof UsageError) {
		process.stderr.write(`cctop: ${error.message}\n`);
		process.exitCode = 2;
	} else {
		process.stderr.write(`cctop: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exitCode = 1;
	}
}
