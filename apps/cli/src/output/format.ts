import { Option } from 'commander';
import YAML from 'yaml';
import type { Runtime } from '../runtime.ts';

export const OUTPUT_FORMATS = ['json', 'yaml', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `-o, --output`: the same option on every command that prints data. */
export function outputOption(): Option {
  return new Option(
    '-o, --output <format>',
    'json, yaml or table (default: table on a terminal, json when piped)',
  ).choices(OUTPUT_FORMATS);
}

/** Scripts pipe and get JSON; people at a terminal get tables. */
export function resolveFormat(requested: string | undefined, rt: Pick<Runtime, 'stdout'>): OutputFormat {
  if (requested === 'json' || requested === 'yaml' || requested === 'table') return requested;
  return rt.stdout.isTTY ? 'table' : 'json';
}

export function serialise(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? JSON.stringify(value, null, 2) : YAML.stringify(value).trimEnd();
}

/** The data as JSON or YAML, or the table the command draws for people. */
export function render(value: unknown, format: OutputFormat, table: () => string): string {
  return format === 'table' ? table() : serialise(value, format);
}
