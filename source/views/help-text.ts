import {wrapText} from '../core/util/format.js';
import {commands, flags, spelled, type CommandName, type CommandSpec, type FlagName, type FlagSpec} from '../cli-spec.js';

/** Flags every reading command shares: listed once in the main help. */
const common: readonly FlagName[] = ['claudeDir', 'now', 'plan', 'tokenLimit', 'sessionLength', 'pricing', 'mode', 'cache', 'quiet'];

const flagLine = (name: FlagName): [string, string] => {
	const spec: FlagSpec = flags[name];
	const short = spec.short === undefined ? '' : `-${spec.short}, `;
	return [`${short}${spelled(name)}${spec.value === undefined ? '' : ` ${spec.value}`}`, spec.help];
};

/** Two columns: the left padded to its widest cell, the right wrapped under itself at `width`. */
const columns = (rows: ReadonlyArray<[string, string]>, width: number, indent = '  '): string[] => {
	const left = Math.min(34, Math.max(...rows.map(([name]) => name.length)));
	// Too narrow for two columns (a side pane): each text goes under its name.
	const isStacked = width - indent.length - left - 2 < 24;
	const room = isStacked ? Math.max(16, width - indent.length - 4) : width - indent.length - left - 2;
	return rows.flatMap(([name, text]) => {
		const words = text.split(' ');
		const lines: string[] = [];
		let line = '';
		for (const word of words) {
			if (line !== '' && line.length + 1 + word.length > room) {
				lines.push(line);
				line = word;
			} else {
				line = line === '' ? word : `${line} ${word}`;
			}
		}

		lines.push(line);
		if (isStacked) return [`${indent}${name}`, ...lines.map(text => `${indent}    ${text}`)];
		const head = name.length > left ? [`${indent}${name}`, ...lines.map(text => `${indent}${' '.repeat(left + 2)}${text}`)] : lines.map((text, index) => `${indent}${index === 0 ? name.padEnd(left) : ' '.repeat(left)}  ${text}`);
		return head;
	});
};

const visible = Object.entries(commands).filter(([name]) => name !== 'help') as Array<[CommandName, CommandSpec]>;

/** `cctop --help`: the commands, then each command's own options, then the shared ones. */
export const mainHelp = (version: string, width = 80): string => {
	const lines = [
		`cctop ${version}: top for Claude Code`,
		'',
		'Usage: cctop [command] [options]',
		'',
		'Commands:',
		...columns(
			visible.map(([name, spec]) => [name === 'dashboard' ? '(none)' : `${name}${spec.usage.startsWith('[ID]') ? ' [ID]' : ''}`, `${spec.summary}${spec.aliases ? ` (alias: ${spec.aliases.join(', ')})` : ''}`]),
			width,
		),
		'',
	];
	for (const [name, spec] of visible) {
		const own = spec.flags.filter(flag => !common.includes(flag));
		if (own.length === 0) continue;
		lines.push(`Options of ${name === 'dashboard' ? 'the dashboard' : `cctop ${name}`}:`, ...columns(own.map(flagLine), width), '');
	}

	lines.push(
		'Options of every command that reads transcripts:',
		...columns([...common, 'help', 'version'].map(name => flagLine(name as FlagName)), width),
		'',
		'Exit codes: 0 ok (no data is not an error), 1 runtime error, 2 usage error, 127 command not found (run), 130 interrupted.',
		'`cctop help COMMAND` or `cctop COMMAND --help` shows one command with examples.',
	);
	return `${lines.join('\n')}\n`;
};

/** `cctop report --help`: its usage line, only its flags, and examples. */
export const commandHelp = (name: CommandName, width = 80): string => {
	const spec: CommandSpec = commands[name];
	const invocation = name === 'dashboard' ? 'cctop' : `cctop ${name}`;
	const summary = spec.summary.replace(/ \(`cctop` with no command\)/, '') + (spec.aliases ? ` (alias: cctop ${spec.aliases.join(', ')})` : '');
	const lines = [`Usage: ${invocation} ${spec.usage}`, '', ...wrapText(summary, width)];
	if (spec.details !== undefined) lines.push(...spec.details.split('\n').flatMap(line => wrapText(line, width)));
	if (spec.flags.length > 0) lines.push('', 'Options:', ...columns([...spec.flags, 'help'].map(flag => flagLine(flag as FlagName)), width));
	// Examples are whole lines to copy: never cut (a narrow terminal wraps them itself).
	lines.push('', 'Examples:', ...spec.examples.map(example => `  $ ${example}`));
	return `${lines.join('\n')}\n`;
};
