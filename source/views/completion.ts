import {commands, flags, kebab, type CommandName, type CommandSpec, type FlagName, type FlagSpec} from '../cli-spec.js';

/** Every spelling of a command's flags, long and short. */
const spellings = (names: readonly FlagName[]): string[] =>
	names.flatMap(name => {
		const spec: FlagSpec = flags[name];
		return [spec.isNegatable ? `--no-${kebab(name)}` : `--${kebab(name)}`, ...(spec.short === undefined ? [] : [`-${spec.short}`])];
	});

const entries = (Object.entries(commands) as Array<[CommandName, CommandSpec]>).filter(([name]) => name !== 'help');
const words = entries.flatMap(([name, spec]) => (name === 'dashboard' ? [] : [name, ...(spec.aliases ?? [])]));
const flagsOf = (spec: CommandSpec) => spellings([...spec.flags, 'help']);

/** Values a flag takes that a shell can offer. */
const choices: Partial<Record<FlagName, string>> = {plan: 'pro max5 max20 custom', mode: 'auto calculate display', format: 'plain tmux json', order: 'asc desc', tokenLimit: 'max p90'};

const bash = (): string => {
	const cases = entries
		.filter(([name]) => name !== 'dashboard')
		.map(([name, spec]) => `\t\t${[name, ...(spec.aliases ?? [])].join('|')}) opts="${flagsOf(spec).join(' ')}" ;;`)
		.join('\n');
	const values = Object.entries(choices)
		.map(([name, list]) => `\t\t--${kebab(name)}) COMPREPLY=($(compgen -W "${list}" -- "$cur")); return ;;`)
		.join('\n');
	return `# cctop completion for bash: cctop completion bash >> ~/.bashrc
_cctop() {
	local cur prev cmd opts
	cur="\${COMP_WORDS[COMP_CWORD]}"
	prev="\${COMP_WORDS[COMP_CWORD-1]}"
	cmd="\${COMP_WORDS[1]}"
	case "$prev" in
${values}
		--claude-dir|--pricing|--otel-log) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	case "$cmd" in
${cases}
		*) opts="${words.join(' ')} ${flagsOf(commands.dashboard).join(' ')}" ;;
	esac
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _cctop cctop
`;
};

const zsh = (): string => {
	const cases = entries
		.filter(([name]) => name !== 'dashboard')
		.map(([name, spec]) => `\t\t${[name, ...(spec.aliases ?? [])].join('|')}) compadd -- ${flagsOf(spec).join(' ')} ;;`)
		.join('\n');
	return `#compdef cctop
# cctop completion for zsh: cctop completion zsh > ~/.zfunc/_cctop (with ~/.zfunc on $fpath)
_cctop() {
	if (( CURRENT == 2 )); then
		compadd -- ${words.join(' ')} ${flagsOf(commands.dashboard).join(' ')}
		return
	fi
	case "$words[2]" in
${cases}
		*) compadd -- ${flagsOf(commands.dashboard).join(' ')} ;;
	esac
}
compdef _cctop cctop
`;
};

const fish = (): string => {
	const lines = ['# cctop completion for fish: cctop completion fish > ~/.config/fish/completions/cctop.fish', 'complete -c cctop -f'];
	for (const [name, spec] of entries) {
		if (name !== 'dashboard') lines.push(`complete -c cctop -n '__fish_use_subcommand' -a '${[name, ...(spec.aliases ?? [])].join(' ')}' -d '${spec.summary.replaceAll("'", '')}'`);
		const condition = name === 'dashboard' ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${[name, ...(spec.aliases ?? [])].join(' ')}`;
		for (const flag of [...spec.flags, 'help'] as FlagName[]) {
			const flagSpec: FlagSpec = flags[flag];
			const long = flagSpec.isNegatable ? `no-${kebab(flag)}` : kebab(flag);
			const values = choices[flag] === undefined ? (flagSpec.type === 'string' ? ' -r' : '') : ` -x -a '${choices[flag]}'`;
			lines.push(`complete -c cctop -n '${condition}' -l ${long}${flagSpec.short === undefined ? '' : ` -s ${flagSpec.short}`}${values} -d '${flagSpec.help.replaceAll("'", '')}'`);
		}
	}

	return `${lines.join('\n')}\n`;
};

/** `cctop completion bash|zsh|fish`: the script, from the same table the parser reads. */
export const completionScript = (shell: 'bash' | 'zsh' | 'fish'): string => (shell === 'bash' ? bash() : shell === 'zsh' ? zsh() : fish());
