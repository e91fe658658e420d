import type { Command } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What completion needs of one command: its path from the program, subcommands and options. */
interface CommandSpec {
  readonly path: readonly string[];
  readonly description: string;
  readonly subcommands: readonly string[];
  /** Leaf commands that take arguments complete file names, or the argument's choices when it has some. */
  readonly takesFiles: boolean;
  readonly argChoices?: readonly string[];
  readonly options: readonly OptionSpec[];
}

interface OptionSpec {
  readonly long?: string;
  readonly short?: string;
  readonly description: string;
  readonly takesValue: boolean;
  readonly choices?: readonly string[];
}

/** Every command of the program, depth first, read from commander's own tree (so completion never drifts). */
export function commandSpecs(program: Command): CommandSpec[] {
  const out: CommandSpec[] = [];
  const walk = (cmd: Command, path: readonly string[]) => {
    const options: OptionSpec[] = cmd.options
      .filter((o) => !o.hidden)
      .map((o) => ({
        long: o.long,
        short: o.short,
        description: o.description,
        takesValue: o.required || o.optional,
        ...(o.argChoices ? { choices: o.argChoices } : {}),
      }));
    options.push({ long: '--help', short: '-h', description: 'display help', takesValue: false });
    const argChoices = cmd.registeredArguments[0]?.argChoices;
    out.push({
      path,
      description: cmd.description(),
      subcommands: cmd.commands.map((c) => c.name()),
      takesFiles: cmd.commands.length === 0 && cmd.registeredArguments.length > 0 && !argChoices,
      ...(argChoices ? { argChoices } : {}),
      options,
    });
    for (const c of cmd.commands) walk(c, [...path, c.name()]);
  };
  walk(program, []);
  return out;
}

const words = (list: readonly (string | undefined)[]) => list.filter((w): w is string => w !== undefined).join(' ');
const flags = (o: OptionSpec) => [o.long, o.short];

function bash(name: string, specs: readonly CommandSpec[]): string {
  const fn = `_${name.replace(/\W/g, '_')}`;
  const table = (body: (s: CommandSpec) => string) =>
    specs.map((s) => `    "${s.path.join(' ')}") echo "${body(s)}" ;;`).join('\n');
  const choices = specs
    .flatMap((s) =>
      s.options
        .filter((o) => o.choices)
        .flatMap((o) =>
          flags(o)
            .filter(Boolean)
            .map((f) => `    "${s.path.join(' ')}|${f}") echo "${words(o.choices!)}" ;;`),
        ),
    )
    .join('\n');
  return `# ${name} completion for bash. Load it with: source <(${name} completion bash)
${fn}_words() {
  case "$1" in
${table((s) => words([...s.subcommands, ...(s.argChoices ?? [])]))}
  esac
}
${fn}_options() {
  case "$1" in
${table((s) => words(s.options.flatMap(flags)))}
  esac
}
${fn}_valued() {
  case "$1" in
${table((s) => words(s.options.filter((o) => o.takesValue).flatMap(flags)))}
  esac
}
${fn}_files() {
  case "$1" in
${table((s) => (s.takesFiles ? 'yes' : ''))}
  esac
}
${fn}_choices() {
  case "$1|$2" in
${choices}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ $w != -* && " $(${fn}_words "$path") " == *" $w "* ]]; then path="\${path:+$path }$w"; fi
  done
  local choices
  choices="$(${fn}_choices "$path" "$prev")"
  if [[ -n $choices ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur")
  elif [[ $prev == -* && " $(${fn}_valued "$path") " == *" $prev "* ]]; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  elif [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(${fn}_options "$path")" -- "$cur")
  elif [[ -n "$(${fn}_files "$path")" ]]; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "$(${fn}_words "$path")" -- "$cur")
  fi
}
complete -o filenames -F ${fn} ${name}
`;
}

/** zsh runs the bash function through its bash-completion layer: one implementation, the same answers. */
function zsh(name: string, specs: readonly CommandSpec[]): string {
  return `#compdef ${name}
# ${name} completion for zsh. Load it with: source <(${name} completion zsh)
(( $+functions[compdef] )) || { autoload -U +X compinit && compinit }
(( $+functions[complete] )) || { autoload -U +X bashcompinit && bashcompinit }
${bash(name, specs).replace(/^# .*\n/, '')}`;
}

const fishQuote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(name: string, specs: readonly CommandSpec[]): string {
  const lines = [
    `# ${name} completion for fish. Load it with: ${name} completion fish | source`,
    `complete -c ${name} -f`,
  ];
  for (const s of specs) {
    // Where this command's words apply: its own path typed, and none of its subcommands yet.
    const seen = s.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${s.path.at(-1)}`;
    const notDeeper =
      s.subcommands.length > 0 && s.path.length > 0
        ? `; and not __fish_seen_subcommand_from ${words(s.subcommands)}`
        : '';
    const when = `-n ${fishQuote(`${seen}${notDeeper}`)}`;
    for (const c of specs.filter(
      (c) => c.path.length === s.path.length + 1 && c.path.slice(0, -1).join(' ') === s.path.join(' '),
    ))
      lines.push(`complete -c ${name} ${when} -a ${c.path.at(-1)} -d ${fishQuote(c.description)}`);
    for (const o of s.options) {
      const names = [o.long ? `-l ${o.long.slice(2)}` : '', o.short ? `-s ${o.short.slice(1)}` : '']
        .filter(Boolean)
        .join(' ');
      const value = o.choices ? ` -x -a ${fishQuote(words(o.choices))}` : o.takesValue ? ' -r -F' : '';
      lines.push(`complete -c ${name} ${when} ${names}${value} -d ${fishQuote(o.description)}`);
    }
    if (s.takesFiles) lines.push(`complete -c ${name} -n ${fishQuote(seen)} -F`);
    if (s.argChoices) lines.push(`complete -c ${name} -n ${fishQuote(seen)} -a ${fishQuote(words(s.argChoices))}`);
  }
  return `${lines.join('\n')}\n`;
}

const GENERATORS: Readonly<Record<Shell, (name: string, specs: readonly CommandSpec[]) => string>> = {
  bash,
  zsh,
  fish,
};

/** The completion script for a shell, generated from the program's commands and options. */
export function completionScript(program: Command, shell: Shell): string {
  return GENERATORS[shell](program.name(), commandSpecs(program));
}
