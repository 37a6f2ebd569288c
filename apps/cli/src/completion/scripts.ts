import { type CommandNode, flatten, type OptionNode } from './tree.ts';

const key = (node: CommandNode): string => node.path.join(' ');
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const firstLine = (s: string): string => (s.split('\n')[0] ?? '').slice(0, 80);
const optionWords = (o: OptionNode): string[] => [o.long, o.short].filter((x): x is string => Boolean(x));

/** Shell functions shared by bash and zsh: canonical subcommand of a word, and choices of an option. */
function shellData(root: CommandNode): string {
  const nodes = flatten(root);
  const sub = nodes.flatMap((n) =>
    n.subcommands.map(
      (s) => `    ${s.names.map((name) => quote(`${key(n)}|${name}`)).join('|')}) echo ${s.path.at(-1)} ;;`,
    ),
  );
  const subs = nodes.map(
    (n) => `    ${quote(key(n))}) echo ${quote(n.subcommands.flatMap((s) => s.names).join(' '))} ;;`,
  );
  const opts = nodes.map(
    (n) =>
      `    ${quote(key(n))}) echo ${quote([...n.options, ...root.options].flatMap(optionWords).join(' '))} ;;`,
  );
  const choices = nodes.flatMap((n) =>
    [...n.options, ...(n === root ? [] : root.options)]
      .filter((o) => o.choices?.length)
      .map(
        (o) =>
          `    ${optionWords(o)
            .map((w) => quote(`${key(n)}|${w}`))
            .join('|')}) echo ${quote(o.choices!.join(' '))} ;;`,
      ),
  );
  return [
    '_dolly_sub() {',
    '  case "$1|$2" in',
    ...sub,
    '  esac',
    '}',
    '_dolly_subs() {',
    '  case "$1" in',
    ...subs,
    '  esac',
    '}',
    '_dolly_opts() {',
    '  case "$1" in',
    ...opts,
    '  esac',
    '}',
    '_dolly_choices() {',
    '  case "$1" in',
    ...choices,
    '  esac',
    '}',
  ].join('\n');
}

export function bashCompletion(root: CommandNode): string {
  return `# dolly completion for bash. Load with: source <(dolly completion bash)
${shellData(root)}
_dolly() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmdpath="" w canon i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    canon="$(_dolly_sub "$cmdpath" "$w")"
    [[ -n "$canon" ]] && cmdpath="\${cmdpath:+$cmdpath }$canon"
  done
  local choices
  choices="$(_dolly_choices "$cmdpath|$prev")"
  if [[ -n "$choices" ]]; then
    COMPREPLY=($(compgen -W "$choices" -- "$cur"))
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_dolly_opts "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_dolly_subs "$cmdpath")" -- "$cur"))
  fi
}
complete -o default -F _dolly dolly
`;
}

export function zshCompletion(root: CommandNode): string {
  const nodes = flatten(root);
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  const subDesc = nodes.map(
    (n) =>
      `    ${quote(key(n))}) print -l -- ${n.subcommands.map((s) => quote(`${esc(s.path.at(-1)!)}:${esc(firstLine(s.description))}`)).join(' ')} ;;`,
  );
  const optDesc = nodes.map(
    (n) =>
      `    ${quote(key(n))}) print -l -- ${[...n.options, ...(n === root ? [] : root.options)]
        .flatMap((o) => optionWords(o).map((w) => quote(`${esc(w)}:${esc(firstLine(o.description))}`)))
        .join(' ')} ;;`,
  );
  // `path` is tied to $PATH in zsh, hence cmdpath.
  return `#compdef dolly
# dolly completion for zsh. Load with: source <(dolly completion zsh)
${shellData(root)}
_dolly_sub_desc() {
  case "$1" in
${subDesc.join('\n')}
  esac
}
_dolly_opt_desc() {
  case "$1" in
${optDesc.join('\n')}
  esac
}
_dolly() {
  local cmdpath="" w canon i
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    [[ "$w" == -* ]] && continue
    canon="$(_dolly_sub "$cmdpath" "$w")"
    [[ -n "$canon" ]] && cmdpath="\${cmdpath:+$cmdpath }$canon"
  done
  local prev="\${words[CURRENT-1]}" cur="\${words[CURRENT]}"
  local choices="$(_dolly_choices "$cmdpath|$prev")"
  if [[ -n "$choices" ]]; then
    compadd -- \${=choices}
  elif [[ "$cur" == -* ]]; then
    local -a described; described=("\${(@f)$(_dolly_opt_desc "$cmdpath")}")
    _describe -t options option described
  else
    local -a described; described=("\${(@f)$(_dolly_sub_desc "$cmdpath")}")
    _describe -t commands command described
  fi
}
compdef _dolly dolly
`;
}

export function fishCompletion(root: CommandNode): string {
  const nodes = flatten(root);
  const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = [
    '# dolly completion for fish. Load with: dolly completion fish | source',
    'function __dolly_sub',
    '  switch "$argv[1]|$argv[2]"',
    ...nodes.flatMap((n) =>
      n.subcommands.map(
        (s) =>
          `    case ${s.names.map((name) => fq(`${key(n)}|${name}`)).join(' ')}\n      echo ${s.path.at(-1)}`,
      ),
    ),
    '  end',
    'end',
    '# The canonical command path typed so far, prefixed with "dolly" so it is never empty.',
    'function __dolly_path',
    '  set -l p ""',
    '  for w in (commandline -opc)[2..-1]',
    "    string match -q -- '-*' $w; and continue",
    '    set -l canon (__dolly_sub "$p" $w)',
    '    test -n "$canon"; and set p (string trim -- "$p $canon")',
    '  end',
    '  echo "dolly $p"',
    'end',
    'function __dolly_at',
    '  test (__dolly_path) = (string trim -- "dolly $argv[1]")',
    'end',
    'complete -c dolly -f',
  ];
  for (const n of nodes) {
    const cond = `-n ${fq(`__dolly_at ${fq(key(n))}`)}`;
    for (const s of n.subcommands)
      lines.push(`complete -c dolly ${cond} -a ${fq(s.path.at(-1)!)} -d ${fq(firstLine(s.description))}`);
    for (const o of n.options) {
      const parts = ['complete -c dolly'];
      if (n !== root) parts.push(cond);
      if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
      if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
      if (o.choices?.length) parts.push(`-x -a ${fq(o.choices.join(' '))}`);
      else if (o.takesValue) parts.push('-r');
      parts.push(`-d ${fq(firstLine(o.description))}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}
