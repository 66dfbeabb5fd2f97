import {readFileSync, statSync} from 'node:fs';
import {parseArgs} from 'node:util';
import {closest} from './core/util/closest.js';
import {commandNamed, commands, flags, kebab, spelled, type CommandName, type CommandSpec, type FlagName, type FlagSpec} from './cli-spec.js';
import {parseOptions, UsageError, type Options} from './options.js';
// Every command reads the preferences: a module of its own would be one more file to load.
import {readConfig} from './ingest/config/read-config.js';
import {exitWhenWritten, noteStdioStreams} from './exit-when-written.js';
import {printKeptReport} from './commands/report-cached.js';

/** The ES modules the cli loads, all through es-modules.ts (see why there). */
const esModules = async () => import('./es-modules.js');

const camel = (name: string): string => name.replaceAll(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** parseArgs' option table for every flag: `--no-x` for negatable ones, short letters. */
const parserOptions = (() => {
	const options: Record<string, {type: 'string' | 'boolean'; multiple?: boolean; short?: string}> = {};
	for (const [name, spec] of Object.entries(flags) as Array<[FlagName, FlagSpec]>) {
		options[kebab(name)] = {type: spec.type, ...(spec.isMultiple ? {multiple: true} : {}), ...(spec.short === undefined ? {} : {short: spec.short})};
		if (spec.isNegatable) options[`no-${kebab(name)}`] = {type: 'boolean'};
	}

	return options;
})();

/** Every spelling of a flag, for "did you mean". */
const spellings = (names: readonly FlagName[]): string[] => names.flatMap(name => [`--${kebab(name)}`, ...((flags[name] as FlagSpec).isNegatable ? [`--no-${kebab(name)}`] : [])]);

const isStringFlag = (argument: string): boolean => parserOptions[argument.replace(/^--/, '')]?.type === 'string';

/**
 * Arguments as parseArgs reads them: a string flag's negative number stays its
 * value (so `--limit -3` gets our one-line message, not parseArgs' three), and a
 * bare `--otlp` gets an empty value (its port is optional).
 */
const normalize = (argv: readonly string[]): string[] => {
	const out: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		const next = argv[index + 1];
		if (argument === '--otlp' && !/^\d+$/.test(next ?? '')) out.push('--otlp=');
		else if (isStringFlag(argument) && next !== undefined && /^-\d/.test(next)) {
			out.push(`${argument}=${next}`);
			index++;
		} else {
			out.push(argument);
		}
	}

	return out;
};

/** The command named in `positionals` (the dashboard when none), or a usage error that suggests one. */
const commandOf = (word: string | undefined): CommandName => {
	if (word === undefined) return 'dashboard';
	const found = commandNamed(word);
	if (found !== undefined) return found;
	const names = Object.entries(commands).flatMap(([name, spec]) => [name, ...((spec as CommandSpec).aliases ?? [])]).filter(name => name !== 'dashboard');
	const guess = closest(word, names);
	throw new UsageError(`unknown command: ${word}${guess === undefined ? '' : `; did you mean \`cctop ${guess}\`?`} (see cctop --help)`);
};

const owners = (flag: FlagName): CommandName[] => (Object.entries(commands) as Array<[CommandName, CommandSpec]>).filter(([, spec]) => spec.flags.includes(flag)).map(([name]) => name);

const commandLabel = (name: CommandName): string => (name === 'dashboard' ? 'the dashboard (`cctop` without a command)' : `\`cctop ${name}\``);

/** A flag nobody has, or that belongs to another command: one line that names the right one. */
const flagProblem = (written: string, command: CommandName): UsageError => {
	const spec: CommandSpec = commands[command];
	const name = camel(written.replace(/^--?(no-)?/, '')) as FlagName;
	if (name in flags) {
		const elsewhere = owners(name);
		return new UsageError(`${written} belongs to ${elsewhere.map(commandLabel).join(' or ')}, not ${commandLabel(command)}`);
	}

	const guess = closest(written, spellings([...spec.flags, 'help']));
	const anywhere = guess ?? closest(written, spellings(Object.keys(flags) as FlagName[]));
	return new UsageError(`unknown flag ${written}${anywhere === undefined ? '' : `; did you mean ${anywhere}?`} (see cctop ${command === 'dashboard' ? '' : `${command} `}--help)`);
};

/** Parse argv: the command, its arguments and validated flags; help and version as asked. */
const parse = (argv: readonly string[]) => {
	const args = normalize(argv);
	let parsed;
	try {
		parsed = parseArgs({args, options: parserOptions, allowPositionals: true, strict: true});
	} catch (error) {
		// Then leniently, to find the command and any flag nobody has: that is named first. (Parsed twice only
		// when something is wrong: the status line's every run parses once, ~0.5 ms.)
		const loose = parseArgs({args, options: parserOptions, allowPositionals: true, strict: false, tokens: true});
		const command = commandOf(loose.positionals[0]);
		for (const token of loose.tokens) {
			if (token.kind === 'option' && !(token.name in parserOptions)) throw flagProblem(token.rawName.startsWith('--') ? `--${token.name}` : token.rawName, command);
		}

		// A missing value: name the flag and what it takes, in one line.
		const message = error instanceof Error ? error.message.split('\n')[0]!.replace(/^Option '(-\w, )?/, "'") : String(error);
		throw new UsageError(message.replace(/'(--[\w-]+) <value>' argument missing/, '$1 needs a value').replace(/'(--[\w-]+)' argument is ambiguous\./, '$1 needs a value (the next argument is a flag)'));
	}

	const command = commandOf(parsed.positionals[0]);
	const values: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(parsed.values)) {
		if (name.startsWith('no-')) values[camel(name.slice(3))] = !value;
		else values[camel(name)] = value;
	}

	const spec: CommandSpec = commands[command];
	for (const name of Object.keys(values) as FlagName[]) {
		if (name !== 'help' && name !== 'version' && !spec.flags.includes(name)) throw flagProblem(spelled(name), command);
	}

	return {command, positionals: parsed.positionals.slice(parsed.positionals[0] === undefined ? 0 : 1), values};
};

/**
 * Folders and files named on the command line must be there: a typo is a usage
 * error that says so (exit 2), not "no transcripts found". One stat each.
 */
const checkInputs = (options: Options): void => {
	for (const dir of options.claudeDir) {
		const stats = statSync(dir, {throwIfNoEntry: false});
		if (stats === undefined) throw new UsageError(`--claude-dir ${dir}: no such folder`);
		if (!stats.isDirectory()) throw new UsageError(`--claude-dir ${dir}: not a folder (give the Claude config dir, e.g. ~/.claude)`);
	}

	for (const file of options.otelLog) {
		if (file === '-') continue;
		const stats = statSync(file, {throwIfNoEntry: false});
		if (stats === undefined) throw new UsageError(`--otel-log ${file}: no such file`);
		if (stats.isDirectory()) throw new UsageError(`--otel-log ${file}: a folder, not a file`);
	}
};

/**
 * The config file's preferences as flags this command takes (a flag given on
 * the command line wins), plus the ones no flag sets. A broken file is a usage
 * error that names the file and the field.
 */
const preferences = async (command: CommandName): Promise<Record<string, unknown>> => {
	let config;
	try {
		config = await readConfig();
	} catch (error) {
		// By name: the class's module is loaded only when there is a config file to check.
		if (error instanceof Error && error.name === 'ConfigError') throw new UsageError(`config ${error.message}`);
		throw error;
	}

	const accepts = (name: FlagName) => (commands[command] as CommandSpec).flags.includes(name);
	const asFlags: Record<string, unknown> = {defaultView: config.defaultView, theme: config.theme, ascii: config.ascii, budgets: config.budgets};
	if (config.plan !== undefined && accepts('plan')) asFlags['plan'] = config.plan;
	if (config.tokenLimit !== undefined && accepts('tokenLimit')) asFlags['tokenLimit'] = String(config.tokenLimit);
	if (config.refresh !== undefined && accepts('refresh')) asFlags['refresh'] = String(config.refresh);
	if (config.bell !== undefined && accepts('bell')) asFlags['bell'] = config.bell;
	if (config.claudeDirs !== undefined && accepts('claudeDir')) asFlags['claudeDir'] = config.claudeDirs;
	if (config.timezone !== undefined && accepts('timezone')) asFlags['timezone'] = config.timezone;
	return Object.fromEntries(Object.entries(asFlags).filter(([, value]) => value !== undefined));
};

/**
 * Ink's colours come from chalk, which reads FORCE_COLOR when it loads but not
 * NO_COLOR (https://no-color.org): say it in chalk's terms before Ink loads. Only
 * for the Ink commands: `cctop run` passes its environment on to Claude Code.
 */
const honourNoColor = (): void => {
	if (process.env['NO_COLOR'] && !process.env['FORCE_COLOR']) process.env['FORCE_COLOR'] = '0';
};

const columnsNow = (): number => process.stdout.columns ?? (Number(process.env['COLUMNS']) || 80);

const printHelp = async (command: CommandName | 'main'): Promise<number> => {
	const {mainHelp, commandHelp} = await import('./views/help-text.js');
	if (command === 'main') {
		const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string};
		process.stdout.write(mainHelp(version, columnsNow()));
	} else {
		process.stdout.write(commandHelp(command, columnsNow()));
	}

	return 0;
};

const run = async (command: CommandName, options: Options, positionals: string[], passThrough: string[]): Promise<number> => {
	// Only `session` and `trace` take an argument (an id, or a unique prefix of one), and `completion` its shell.
	const id = command === 'session' || command === 'trace' || command === 'completion' || command === 'audit' || command === 'budgets' ? positionals.shift() : undefined;
	if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals.join(' ')} (see cctop ${command === 'dashboard' ? '' : `${command} `}--help)`);
	switch (command) {
		case 'dashboard': {
			// React's development build checks every render and keeps far more
			// objects: several times the CPU and memory of a monitor that runs all day.
			process.env['NODE_ENV'] ??= 'production';
			honourNoColor();
			// Ink reads CI at import and then prints only the last frame, at exit:
			// a blank screen in a real terminal of a CI box or a shell that sets CI.
			// A terminal on stdout is interactive whatever CI says.
			if (process.stdout.isTTY) {
				delete process.env['CI'];
				delete process.env['CONTINUOUS_INTEGRATION'];
			}

			const {runDashboard} = await (await esModules()).dashboard();
			return runDashboard(options);
		}

		case 'audit': {
			if (options.json && options.csv) throw new UsageError('--json or --csv, not both');
			if (id !== undefined && id !== 'verify') throw new UsageError(`unexpected argument: ${id} (cctop audit, or cctop audit verify)`);
			const {runAudit, runAuditVerify} = await (await esModules()).audit();
			return id === 'verify' ? runAuditVerify(options) : runAudit(options);
		}

		case 'budgets': {
			const {runBudgets} = await (await esModules()).budgets();
			return runBudgets(options, id);
		}

		case 'team': {
			const {runTeam} = await (await esModules()).team();
			return runTeam(options);
		}

		case 'guard': {
			const {runGuard} = await import('./commands/guard.js');
			return runGuard(options);
		}

		case 'statusline': {
			const {runStatusline} = await import('./commands/statusline.js');
			return runStatusline(options);
		}

		case 'trace': {
			honourNoColor();
			const {runTrace} = await (await esModules()).trace();
			return runTrace(options, id);
		}

		case 'serve': {
			const {runServe} = await (await esModules()).serve();
			return runServe(options);
		}

		case 'session': {
			const {runSession} = await import('./commands/session.js');
			return runSession(options, id);
		}

		case 'status': {
			const {runStatus} = await import('./commands/status.js');
			return runStatus(options);
		}

		case 'report': {
			if (options.watch && !options.json) throw new UsageError('--watch needs --json (for the live dashboard, run `cctop` without a command)');
			// Nothing changed since the last such report: print it again without loading the rest (report-cached.ts).
			if (await printKeptReport(options)) return 0;
			const {runReport} = await import('./commands/report.js');
			return runReport(options);
		}

		case 'daily':
		case 'weekly':
		case 'monthly': {
			const {runPeriods} = await (await esModules()).periods();
			return runPeriods(options, command);
		}

		case 'run': {
			const {runWithTelemetry} = await (await esModules()).run();
			return runWithTelemetry(options, passThrough);
		}

		case 'doctor': {
			const {runDoctor} = await (await esModules()).doctor();
			return runDoctor(options);
		}

		case 'setup': {
			const {runSetup} = await (await esModules()).setup();
			return runSetup(options);
		}

		case 'completion': {
			if (id !== 'bash' && id !== 'zsh' && id !== 'fish') throw new UsageError('say which shell: cctop completion bash|zsh|fish');
			const {completionScript} = await import('./views/completion.js');
			process.stdout.write(completionScript(id));
			return 0;
		}

		case 'help': {
			return printHelp('main');
		}
	}
};

/** What a run ends with: its exit code, and whether it was a one-shot run of a frequent command (see writesDirectly). */
type Outcome = {code: number; isOneShot: boolean};

const main = async (): Promise<Outcome> => {
	const argv = process.argv.slice(2);
	// Everything after `--` belongs to the command `cctop run` starts, untouched.
	const separator = argv.indexOf('--');
	const own = separator === -1 ? argv : argv.slice(0, separator);
	const afterSeparator = separator === -1 ? [] : argv.slice(separator + 1);
	// `cctop run claude -p …` without `--`: all of it is the command's (but `cctop run --help` is ours).
	if (own[0] === 'run' && separator === -1 && own[1] !== '--help' && own[1] !== '-h') return {code: await run('run', parseOptions({}), [], own.slice(1)), isOneShot: false};
	const {command, positionals, values} = parse(own);
	if (values['version'] === true) {
		const {default: meow} = await (await esModules()).meow();
		// meow prints the version from package.json and exits.
		// meow finds package.json from importMeta.url alone; the whole import.meta has no CommonJS form.
		meow('', {importMeta: {url: import.meta.url} as ImportMeta, autoVersion: true, argv: ['--version']}).showVersion();
		return {code: 0, isOneShot: false};
	}

	if (command === 'help') {
		const topic = positionals[0];
		return {code: await printHelp(topic === undefined ? 'main' : commandOf(topic)), isOneShot: false};
	}

	if (values['help'] === true) return {code: await printHelp(command === 'dashboard' && own.every(argument => argument.startsWith('-')) ? 'main' : command), isOneShot: false};
	const options = parseOptions({...(await preferences(command)), ...values});
	checkInputs(options);
	// A reader that went away (`cctop report --json | head -1`) ends a one-shot run quietly.
	// The live commands own their output and their exit (the dashboard cleans up on SIGHUP);
	// the frequent ones write with writeOut, which handles it without building a stream.
	if (command !== 'dashboard' && !options.watch && !writesDirectly.has(command)) {
		process.stdout.on('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EPIPE') process.exit(0);
			process.exitCode = 1;
		});
	}

	return {code: await run(command, options, positionals, afterSeparator), isOneShot: writesDirectly.has(command) && !options.watch};
};

/** Commands whose one-shot output goes through writeOut (commands/write-out.ts) only: lint keeps process.stdout out of them. */
const writesDirectly = new Set<string>(['status', 'statusline', 'guard', 'session', 'report']);

/** What a failed run prints and exits with; by the error's name, as the class may come from another build (see UsageError). */
const fail = async (error: unknown): Promise<number> => {
	if (process.argv[2] === 'guard') {
		// A hook that fails must let Claude Code go on: exit 2 would block the prompt.
		const {failOpen} = await import('./commands/guard.js');
		return failOpen(error);
	}

	if (error instanceof Error && error.name === 'UsageError') {
		process.stderr.write(`cctop: ${error.message}\n`);
		return 2;
	}

	process.stderr.write(`cctop: ${error instanceof Error ? error.message : String(error)}\n`);
	return 1;
};

// No top-level await: the cli is built as CommonJS (rolldown.config.mjs).
noteStdioStreams();
main().then(
	({code, isOneShot}) => {
		// A status line runs every few seconds: it ends as soon as its output is out.
		if (isOneShot) exitWhenWritten(code);
		else process.exitCode = code;
	},
	async (error: unknown) => {
		process.exitCode = await fail(error);
	},
);
