/**
 * Every command and flag, as data: the parser, each command's help, the main
 * help, "did you mean" and shell completion all read this one table. Plain
 * objects only: `cctop status` loads it on every call.
 */

export type FlagSpec = {
	type: 'string' | 'boolean';
	/** One letter, as ccusage has them (`-j`, `-s`, `-u`, `-z`, `-b`). */
	short?: string;
	isMultiple?: boolean;
	/** A boolean that defaults to true: `--no-<name>` turns it off. */
	isNegatable?: boolean;
	/** What the value is, in help: `DIR`, `N`, `YYYY-MM-DD`. */
	value?: string;
	help: string;
};

export const flags = {
	claudeDir: {type: 'string', isMultiple: true, value: 'DIR', help: 'Claude config dir to read (repeatable; overrides CLAUDE_CONFIG_DIR, ~/.config/claude and ~/.claude)'},
	now: {type: 'string', value: 'ISO', help: 'Fix the clock (reproducible output), e.g. 2026-11-26T15:00:00Z'},
	plan: {type: 'string', value: 'pro|max5|max20|custom', help: 'Plan preset limit (a local estimate; custom = p90)'},
	tokenLimit: {type: 'string', value: 'N|max|p90', help: 'Token limit for the block: a number, the largest past block, or the 90th percentile'},
	sessionLength: {type: 'string', value: 'H', help: 'Block length in hours (default 5)'},
	pricing: {type: 'string', value: 'FILE', help: 'JSON prices that override the embedded table'},
	mode: {type: 'string', value: 'auto|calculate|display', help: 'auto: logged costUSD when present, else calculated; calculate: from tokens; display: logged only'},
	cache: {type: 'boolean', isNegatable: true, help: 'Neither read nor write the caches ($CCTOP_CACHE_DIR): read every transcript'},
	quiet: {type: 'boolean', help: 'No progress or summary lines on stderr'},
	json: {type: 'boolean', short: 'j', help: 'Print JSON (the contract is in the README)'},
	watch: {type: 'boolean', help: 'Stay running: report --json prints one snapshot per change (NDJSON); status reprints its line'},
	poll: {type: 'boolean', help: 'Watch by polling (network or WSL mounts where file events are lost)'},
	since: {type: 'string', short: 's', value: 'YYYY-MM-DD', help: 'From this local date on (YYYYMMDD works too)'},
	until: {type: 'string', short: 'u', value: 'YYYY-MM-DD', help: 'Up to and including this local date'},
	breakdown: {type: 'boolean', short: 'b', help: 'Add per-model rows'},
	weekly: {type: 'boolean', help: 'The last 7 days, a row per day, against the official 7-day usage'},
	order: {type: 'string', value: 'asc|desc', help: 'Oldest first (asc, the default) or newest first'},
	last: {type: 'string', value: 'N', help: 'Only the most recent N rows (blocks, days, weeks or months)'},
	recent: {type: 'boolean', help: 'Only the most recent 10 rows (--last 10)'},
	timezone: {type: 'string', short: 'z', value: 'ZONE', help: 'IANA time zone for days and months (default: this machine\'s)'},
	otelLog: {type: 'string', isMultiple: true, value: 'FILE', help: 'OpenTelemetry console output to add (repeatable; - for stdin)'},
	demo: {type: 'boolean', help: 'A simulated workday, appended live in a temp dir: try cctop at once'},
	refresh: {type: 'string', value: 'SECONDS', help: 'Redraw at most this often (dashboard; default: on change, up to 10/s); status --watch and team: every N s (default 5)'},
	bell: {type: 'boolean', isNegatable: true, help: 'No terminal bell when the limit\'s 80%, 90% or 100% is crossed'},
	otlp: {type: 'string', value: '[PORT]', help: 'Run the OTLP receiver of `cctop serve` beside the dashboard (gRPC 4317, HTTP 4318 by default)'},
	otlpPort: {type: 'string', value: 'PORT', help: 'OTLP/HTTP port (default 4318; 0 turns it off, auto picks a free one)'},
	otlpGrpcPort: {type: 'string', value: 'PORT', help: 'OTLP/gRPC port (default 4317; 0 turns it off, auto picks a free one)'},
	otlpHost: {type: 'string', value: 'HOST', help: 'Where the receiver listens (default 127.0.0.1; another host needs --otlp-token)'},
	otlpToken: {type: 'string', value: 'TOKEN', help: 'Require Authorization: Bearer TOKEN (team and budgets send it to --prometheus)'},
	otlpForward: {type: 'string', value: 'URL', help: 'Send every accepted request on to this collector too'},
	metricsHost: {type: 'string', value: 'HOST', help: 'Serve /metrics on a listener of its own on this host (with --metrics-port; another host than loopback needs --otlp-token)'},
	metricsPort: {type: 'string', value: 'PORT', help: 'Serve /metrics on this port too, e.g. 8889 as the Collector does (it is always on the OTLP/HTTP port)'},
	metricsDropLabels: {type: 'string', value: 'LABELS', help: 'Labels /metrics leaves out, comma-separated (e.g. session_id,user_id): fewer series'},
	spoolMaxMb: {type: 'string', value: 'MB', help: 'Seal the spool\'s segment at this size (default 256; it is also sealed at local midnight)'},
	retainDays: {type: 'string', value: 'DAYS', help: 'Remove sealed spool segments older than this (default: keep all); each removal is recorded in the chain'},
	insecureNoToken: {type: 'boolean', help: 'Allow a network bind without a token (anyone who reaches it can write)'},
	format: {type: 'string', value: 'plain|tmux|json', help: 'plain text, tmux #[fg=…] colours, or the JSON contract'},
	template: {type: 'string', value: 'T', help: 'The line with placeholders such as {block_pct} {cost} {burn} {reset} {today_cost} (README)'},
	latest: {type: 'boolean', help: 'The most recent one (the default without an ID)'},
	list: {type: 'boolean', help: 'Recent sessions, newest first'},
	project: {type: 'string', value: 'NAME', help: 'Only sessions of this project (the folder name shown)'},
	limit: {type: 'string', value: 'N', help: 'How many sessions --list shows (default 20, 0 for all)'},
	session: {type: 'string', value: 'ID', help: 'One session (an id or a unique prefix): trace shows its latest trace, audit its rows'},
	user: {type: 'string', value: 'WHO', help: 'Only this user (email, account uuid or user id, as the events carry it)'},
	event: {type: 'string', value: 'NAMES', help: 'Only these events, comma-separated, without claude_code. (e.g. tool_decision,guard)'},
	tool: {type: 'string', value: 'NAME', help: 'Only this tool (Bash, Edit, mcp__server__tool …)'},
	csv: {type: 'boolean', help: 'Print CSV with a header row'},
	prometheus: {type: 'string', value: 'URL', help: 'Read from this Prometheus (or Thanos, Mimir, VictoriaMetrics) HTTP API instead of the local spool'},
	by: {type: 'string', value: 'user|LABEL', help: 'One row per user (e-mail, account uuid, enduser.id, user.id) or per label, e.g. team.id'},
	period: {type: 'string', value: 'day|week|month', help: 'Today (default), the last 7 days, or the calendar month'},
	spool: {type: 'string', value: 'FILE', help: 'The spool to read or verify (default $CCTOP_DATA_DIR/otel-spool.ndjson)'},
	protocol: {type: 'string', value: 'grpc|http/protobuf|http/json', help: 'How Claude Code sends (default grpc, as the Monitoring docs set it up)'},
	endpoint: {type: 'string', value: 'URL', help: 'Where it sends (default http://localhost:4317 for grpc, :4318 for http)'},
	scope: {type: 'string', value: 'user|project|local', help: 'Which settings file: ~/.claude/settings.json (default), .claude/settings.json or .claude/settings.local.json'},
	traces: {type: 'boolean', help: 'Also send traces (the beta enhanced telemetry)'},
	resourceAttributes: {type: 'string', value: 'K=V,…', help: 'OTEL_RESOURCE_ATTRIBUTES, e.g. enduser.id=ana,team.id=platform (how cctop team tells people apart)'},
	dryRun: {type: 'boolean', help: 'Print the change, write nothing'},
	undo: {type: 'boolean', help: 'Put the settings file back as it was before cctop changed it'},
	guard: {type: 'boolean', help: 'Install `cctop guard` as a UserPromptSubmit and PreToolUse hook (merged into any hooks there)'},
	budgets: {type: 'string', value: 'FILE', help: 'The budgets file (default ~/.config/cctop/budgets.json; see README, Budgets)'},
	maxOfficial: {type: 'string', value: 'PCT', help: 'Also block when Claude Code\'s own 5-hour or 7-day usage reaches PCT percent'},
	help: {type: 'boolean', short: 'h', help: 'Show help'},
	version: {type: 'boolean', help: 'Show the version'},
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof flags;

/** Flags every command that reads transcripts takes. */
const usageFlags = ['claudeDir', 'now', 'plan', 'tokenLimit', 'sessionLength', 'pricing', 'mode', 'cache', 'quiet'] as const satisfies readonly FlagName[];
const periodFlags = ['json', 'since', 'until', 'breakdown', 'order', 'last', 'recent', 'timezone', ...usageFlags] as const satisfies readonly FlagName[];
const receiverFlags = ['otlpGrpcPort', 'otlpPort', 'otlpHost', 'otlpToken', 'otlpForward', 'insecureNoToken'] as const satisfies readonly FlagName[];

export type CommandSpec = {
	/** What it does, one line for the main help. */
	summary: string;
	/** After `cctop <name>`: its arguments and `[options]`. */
	usage: string;
	/** A few lines more for its own help. */
	details?: string;
	flags: readonly FlagName[];
	examples: readonly string[];
	aliases?: readonly string[];
};

export const commands = {
	dashboard: {
		summary: 'The live dashboard (`cctop` with no command): block, burn, models, sessions, tools',
		usage: '[options]',
		details: 'Keys: q quit, tab or 1-5 views (5: audit, f filters it), ↑↓ and enter for sessions, t traces, p limit, ? help.\nWhen stdout is not a terminal it prints one snapshot and exits.',
		flags: ['demo', 'refresh', 'bell', 'poll', 'otelLog', 'otlp', 'budgets', ...receiverFlags, ...usageFlags],
		examples: ['cctop', 'cctop --demo', 'cctop --plan max5 --otlp'],
	},
	report: {
		summary: '5-hour usage blocks: tokens, cost, models, burn and projection',
		usage: '[options]',
		aliases: ['blocks'],
		flags: ['json', 'watch', 'poll', 'since', 'until', 'breakdown', 'weekly', 'last', 'recent', 'otelLog', ...usageFlags],
		examples: ['cctop report --recent', 'cctop report --json --since 2026-11-01', 'cctop blocks --breakdown --plan max5'],
		details: 'Reads only what changed since its index. Within 10 minutes of a full look it stats only the transcripts written in the last 6 hours, as the status line does: one that grows after hours of quiet (by hand) shows within 10 minutes. --no-cache reads everything now.',
	},
	daily: {
		summary: 'Usage per local day (ccusage daily)',
		usage: '[options]',
		flags: periodFlags,
		examples: ['cctop daily', 'cctop daily --breakdown --last 7', 'cctop daily --json --since 2026-11-01 --timezone UTC'],
	},
	weekly: {
		summary: 'Usage per week, Monday to Sunday (ccusage weekly)',
		usage: '[options]',
		flags: periodFlags,
		examples: ['cctop weekly', 'cctop weekly --json --breakdown'],
	},
	monthly: {
		summary: 'Usage per calendar month (ccusage monthly)',
		usage: '[options]',
		flags: periodFlags,
		examples: ['cctop monthly', 'cctop monthly --json --order desc'],
	},
	status: {
		summary: 'One line about the active block, for tmux\'s status bar',
		usage: '[options]',
		flags: ['format', 'template', 'watch', 'refresh', 'budgets', ...usageFlags],
		examples: ["cctop status --format tmux", "cctop status --template '{block_pct}% {cost} → {projected_cost}'", 'cctop status --format json'],
	},
	statusline: {
		summary: 'Claude Code\'s statusLine command: reads its JSON on stdin, prints a line',
		usage: '[options]',
		details: 'It also records the official 5h/7d usage for the other views. Bad input still gets a line and exit 0.',
		flags: ['budgets', ...usageFlags],
		examples: ['echo \'{"model":{"display_name":"Opus"}}\' | cctop statusline', 'in ~/.claude/settings.json: "statusLine": {"type": "command", "command": "cctop statusline"}'],
	},
	guard: {
		summary: 'A Claude Code hook that stops prompts and tool calls past a budget (cctop setup --guard installs it)',
		usage: '[options]',
		details: 'Reads the hook\'s JSON on stdin. Over a blocking budget: exit 2 and one line on stderr (which budget, used/limit, when it resets). Past a warning threshold: the call goes ahead with a message. Its own errors let the call through and are logged for cctop doctor.',
		flags: ['budgets', 'maxOfficial', ...usageFlags],
		examples: ['cctop setup --guard', 'echo \'{"hook_event_name":"UserPromptSubmit","session_id":"…"}\' | cctop guard', 'cctop guard --max-official 90'],
	},
	session: {
		summary: 'One session: span, cost, models, tools, subagents, timeline, costliest requests',
		usage: '[ID] [options]',
		details: 'ID is a session id or a unique prefix; the latest session by default.',
		flags: ['latest', 'list', 'project', 'limit', 'json', ...usageFlags],
		examples: ['cctop session', 'cctop session --list --project api-server', 'cctop session 8427ae52 --json'],
	},
	trace: {
		summary: 'One interaction\'s spans as a waterfall (tracing on: see README)',
		usage: '[ID] [options]',
		flags: ['latest', 'session', 'json', 'otelLog'],
		examples: ['cctop trace', 'cctop trace --session 8427ae52', 'cctop trace 4bf92f35 --json'],
	},
	audit: {
		summary: 'The security trail: tool decisions and results, permission modes, hooks, auth, MCP, plugins, API errors, prompts, guard decisions',
		usage: '[verify] [options]',
		details: 'Read from the spool (`cctop serve`) and the guard\'s record; oldest first, with a summary per user and session. Usage events (api_request) only when --event names them. Unknown event names are kept and counted.\n`cctop audit verify` walks both files\' hash chains and names the first break (edited, removed, reordered, inserted, truncated); exit 1 on a break.',
		flags: ['since', 'until', 'user', 'session', 'event', 'tool', 'json', 'csv', 'spool', 'quiet'],
		examples: ['cctop audit verify', 'cctop audit --since 2026-12-01', 'cctop audit --event tool_decision --user ana@example.com', 'cctop audit --event guard --json', 'cctop audit --tool Bash --csv > bash.csv'],
	},
	budgets: {
		summary: 'Check every budget (exit 1 when one is over), or print the team budgets as Prometheus alerting rules',
		usage: 'check|rules [options]',
		details: 'check: local budgets from the transcripts, team budgets per user or label from the spool or --prometheus. rules: YAML for Prometheus (promtool check rules accepts it); Alertmanager routes the alerts.',
		flags: ['budgets', 'prometheus', 'json', 'otlpToken', ...usageFlags],
		examples: ['cctop budgets check', 'cctop budgets check --json --prometheus http://prometheus:9090', 'cctop budgets rules > cctop-budgets.rules.yml'],
	},
	team: {
		summary: 'Usage per person or team, from the receiver\'s spool or from Prometheus: cost, tokens, sessions, budgets',
		usage: '[options]',
		details: 'Without --prometheus it reads the local spool (the cctop serve a small team points at). The identity is user.email, else user.account_uuid, else enduser.id, else the anonymous user.id.',
		flags: ['prometheus', 'by', 'period', 'budgets', 'json', 'refresh', 'now', 'otlpToken'],
		examples: ['cctop team', 'cctop team --by team.id --period month', 'cctop team --prometheus http://prometheus:9090 --json'],
	},
	serve: {
		summary: 'The OTLP receiver (gRPC on 127.0.0.1:4317, HTTP on :4318), spooling for report, status and the dashboard',
		usage: '[options]',
		flags: [...receiverFlags, 'metricsHost', 'metricsPort', 'metricsDropLabels', 'spoolMaxMb', 'retainDays', 'quiet'],
		examples: ['cctop serve', 'cctop serve --otlp-host 0.0.0.0 --otlp-token s3cret', 'cctop serve --otlp-forward http://collector:4318'],
	},
	run: {
		summary: 'Run Claude Code with console telemetry on: the answer passes through, the records go to the spool',
		usage: '[options] -- COMMAND [ARGS…]',
		details: 'Everything after -- is the command\'s own, untouched.',
		flags: ['quiet'],
		examples: ['cctop run -- claude -p "explain this repo"', 'cctop run -- claude --version'],
	},
	setup: {
		summary: 'Write the OpenTelemetry settings into Claude Code\'s settings file (env block), for cctop serve',
		usage: '[options]',
		details: 'Every other key and value is kept; the first change keeps a backup beside the file (--undo puts it back). Running it again changes nothing.',
		flags: ['protocol', 'endpoint', 'scope', 'traces', 'resourceAttributes', 'guard', 'maxOfficial', 'dryRun', 'undo'],
		examples: ['cctop setup', 'cctop setup --guard --max-official 95', 'cctop setup --protocol http/protobuf --traces --dry-run', 'cctop setup --scope project --resource-attributes team.id=platform', 'cctop setup --undo'],
	},
	doctor: {
		summary: 'Explain the telemetry set-up as Claude Code will see it: which setting wins, and what is wrong',
		usage: '[options]',
		details: 'Reads managed, user, project and local settings and the shell, applies the precedence of the Claude Code version found, then checks the exporter, the endpoint (probed), the spool, transcripts, the index and the statusLine. Exit 1 on a failed check.',
		flags: ['json', 'claudeDir', 'budgets'],
		examples: ['cctop doctor', 'cctop doctor --json'],
	},
	completion: {
		summary: 'Shell completion for bash, zsh or fish',
		usage: 'bash|zsh|fish',
		details: 'Prints a script that completes commands and each command\'s flags; load it from your shell\'s startup file.',
		flags: [],
		examples: ['cctop completion bash >> ~/.bashrc', 'cctop completion zsh > ~/.zfunc/_cctop', 'cctop completion fish > ~/.config/fish/completions/cctop.fish'],
	},
	help: {
		summary: 'Help for one command',
		usage: '[COMMAND]',
		flags: [],
		examples: ['cctop help report'],
	},
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof commands;

/** The command a word names: its own name or an alias. */
export const commandNamed = (word: string): CommandName | undefined => {
	for (const [name, spec] of Object.entries(commands) as Array<[CommandName, CommandSpec]>) {
		if (name === word || spec.aliases?.includes(word)) return name;
	}

	return undefined;
};

export const kebab = (name: string): string => name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/** How a flag is written on the command line (`--no-bell` for a negatable one). */
export const spelled = (name: FlagName): string => {
	const spec: FlagSpec = flags[name];
	return spec.isNegatable ? `--no-${kebab(name)}` : `--${kebab(name)}`;
};
