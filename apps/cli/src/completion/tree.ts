import type { Command } from 'commander';

export interface OptionNode {
  long?: string;
  short?: string;
  takesValue: boolean;
  choices?: readonly string[];
  description: string;
}

export interface CommandNode {
  /** Canonical names from the root, e.g. ['clusters', 'list']. */
  path: string[];
  names: string[];
  description: string;
  options: OptionNode[];
  subcommands: CommandNode[];
}

/** The command tree as completion scripts need it: names with aliases, options with choices. */
export function commandTree(command: Command, path: string[] = []): CommandNode {
  const options: OptionNode[] = command.options.map((o) => ({
    ...(o.long ? { long: o.long } : {}),
    ...(o.short ? { short: o.short } : {}),
    takesValue: o.required || o.optional,
    ...(o.argChoices ? { choices: o.argChoices } : {}),
    description: o.description,
  }));
  options.push({ long: '--help', short: '-h', takesValue: false, description: 'show help' });
  return {
    path,
    names: [command.name(), ...command.aliases()],
    description: command.description(),
    options,
    subcommands: command.commands.map((c) => commandTree(c, [...path, c.name()])),
  };
}

export function flatten(node: CommandNode): CommandNode[] {
  return [node, ...node.subcommands.flatMap(flatten)];
}
