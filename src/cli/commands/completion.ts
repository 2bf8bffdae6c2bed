/** `pond completion bash|zsh|fish`: a shell completion script, made from the command registry (commands, subcommands, options). */
import { type Command, type CommandBody, GLOBAL_OPTIONS, type OptionSpec } from "../command.ts";
import { UsageError } from "../errors.ts";
import { COMMANDS, loadCommand } from "../registry.ts";

const SHELLS = ["bash", "zsh", "fish"] as const;

/** `pond completion bash|zsh|fish`. */
export const completionCommand: CommandBody = {
  usage: "pond completion bash|zsh|fish",
  description:
    "Prints a script that completes pond's commands, subcommands and options in the shell\n" +
    "(and host paths where a command takes a path or an option a value). Save it where the\n" +
    "shell loads completions from, as the examples show.",
  options: {},
  examples: [
    "pond completion bash > ~/.local/share/bash-completion/completions/pond",
    "pond completion zsh > ~/.pond.zsh   # and in ~/.zshrc, after compinit: source ~/.pond.zsh",
    "pond completion fish > ~/.config/fish/completions/pond.fish",
  ],
  minArgs: 1,
  maxArgs: 1,
  async run({ positionals, output }) {
    const shell = positionals[0];
    if (!(SHELLS as readonly string[]).includes(shell)) {
      throw new UsageError(
        `pond completion: no completion for '${shell}'; pick one of ${SHELLS.join(", ")}`,
      );
    }
    const commands = await Promise.all(COMMANDS.map(loadCommand));
    output.out(shell === "fish" ? fishScript(commands) : bashScript(commands, shell === "zsh"));
  },
};

/** What one `case` of the bash script completes: after the words `path`, these words and options. */
interface BashCase {
  patterns: string[];
  words: string[];
  options: string[];
}

/**
 * The bash (or, through bashcompinit, zsh) script: it finds the command words typed so far,
 * skipping options and their values, and offers the subcommands or options that fit; where
 * it offers nothing (a path, an option's value), the shell completes file names.
 */
function bashScript(commands: Command[], zsh: boolean): string {
  const all = commands.flatMap((c) => [c, ...(c.subcommands ?? [])]);
  const valued = [GLOBAL_OPTIONS, ...all.map((c) => c.options)].flatMap((spec) =>
    Object.entries(spec).filter(([, o]) => o.type === "string").map(([name]) => `--${name}`)
  );
  const cases: BashCase[] = [
    { patterns: [""], words: commands.flatMap(names), options: optionWords({}) },
  ];
  for (const c of commands) {
    for (const sub of c.subcommands ?? []) {
      cases.push({
        patterns: names(c).flatMap((n) => names(sub).map((s) => ` ${n} ${s}`)),
        words: [],
        options: optionWords(sub.options),
      });
    }
    cases.push({
      patterns: names(c).map((n) => ` ${n}`),
      words: (c.subcommands ?? []).flatMap(names),
      options: optionWords(c.options),
    });
  }
  const arms = cases.map(({ patterns, words, options }) => {
    const match = patterns.map((p) => p === "" ? `""` : `"${p}" | "${p} "*`).join(" | ");
    return `    ${match}) words="${words.join(" ")}" options="${options.join(" ")}" ;;`;
  });
  return [
    zsh
      ? "# pond completion for zsh (through bashcompinit): source it from ~/.zshrc after compinit"
      : "# pond completion for bash: source it, or save it as ~/.local/share/bash-completion/completions/pond",
    ...(zsh ? ["autoload -U +X bashcompinit && bashcompinit"] : []),
    "_pond() {",
    "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
    `  local valued=" ${[...new Set(valued)].join(" ")} "`,
    '  if [[ $prev == "=" || $valued == *" $prev "* ]]; then COMPREPLY=(); return; fi',
    '  local i word path="" words options',
    "  for ((i = 1; i < COMP_CWORD; i++)); do",
    "    word=${COMP_WORDS[i]}",
    '    if [[ $word == "=" ]]; then ((i++)); continue; fi',
    '    if [[ $word == -* ]]; then [[ $valued == *" $word "* ]] && ((i++)); continue; fi',
    '    path="$path $word"',
    "  done",
    '  case "$path" in',
    ...arms,
    `    *) words="" options="${optionWords({}).join(" ")}" ;;`,
    "  esac",
    "  if [[ $cur == -* ]]; then words=$options; fi",
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    "}",
    "complete -o default -F _pond pond",
    "",
  ].join("\n");
}

/** The fish script: one `complete` line per command, subcommand and option. */
function fishScript(commands: Command[]): string {
  const parents = commands.filter((c) => c.subcommands).flatMap(names);
  const lines = [
    "# pond completion for fish: pond completion fish > ~/.config/fish/completions/pond.fish",
    ...fishOptions("", GLOBAL_OPTIONS),
  ];
  for (const c of commands) {
    lines.push(
      `complete -c pond -n __fish_use_subcommand -f -a ${c.name} -d ${fishQuote(c.summary)}`,
    );
    const seen = `__fish_seen_subcommand_from ${names(c).join(" ")}`;
    const own = c.subcommands
      ? seen
      : `${seen}; and not __fish_seen_subcommand_from ${parents.join(" ")}`;
    lines.push(...fishOptions(own, c.options));
    const subs = (c.subcommands ?? []).flatMap(names).join(" ");
    for (const sub of c.subcommands ?? []) {
      lines.push(
        `complete -c pond -n ${
          fishQuote(`${seen}; and not __fish_seen_subcommand_from ${subs}`)
        } -f -a ${sub.name} -d ${fishQuote(sub.summary)}`,
        ...fishOptions(
          `${seen}; and __fish_seen_subcommand_from ${names(sub).join(" ")}`,
          sub.options,
        ),
      );
    }
  }
  return lines.join("\n") + "\n";
}

function fishOptions(condition: string, spec: Record<string, OptionSpec>): string[] {
  return Object.entries(spec).map(([name, o]) =>
    [
      "complete -c pond",
      ...(condition ? [`-n ${fishQuote(condition)}`] : []),
      `-l ${name}`,
      ...(o.short ? [`-s ${o.short}`] : []),
      ...(o.type === "string" ? ["-r"] : []),
      `-d ${fishQuote(o.help)}`,
    ].join(" ")
  );
}

/** A command's name and aliases. */
function names(c: Command): string[] {
  return [c.name, ...(c.aliases ?? [])];
}

/** The words of a command's options and the global ones: `--long -l --pond …`. */
function optionWords(spec: Record<string, OptionSpec>): string[] {
  return Object.entries({ ...spec, ...GLOBAL_OPTIONS }).flatMap(([name, o]) => [
    `--${name}`,
    ...(o.short ? [`-${o.short}`] : []),
  ]);
}

function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
