import type { Command } from 'commander';
import { type Colors, colors } from './output/colors.ts';
import { describeError } from './output/errors.ts';
import { type OutputFormat, render, resolveFormat } from './output/format.ts';
import { println, type Runtime } from './runtime.ts';
import { openSession, type Session } from './session.ts';

/** What every command handler gets: the runtime, colours, its parsed options, a session on demand. */
export interface CommandKit {
  rt: Runtime;
  pc: Colors;
  format: OutputFormat;
  /** The user asked for JSON (not just piped): errors are JSON on stderr too. */
  jsonErrors: boolean;
  session(): Session;
  /** Prints data as the user asked: a table for people, JSON or YAML for scripts. */
  print(value: unknown, table: () => string): void;
  /** Progress and notes that must not pollute the data on stdout. */
  note(text: string): void;
}

export function commandKit(rt: Runtime, command: Command): CommandKit {
  const opts = command.optsWithGlobals<{ output?: string; context?: string }>();
  const format = resolveFormat(opts.output, rt);
  const pc = colors(rt.color);
  let session: Session | undefined;
  return {
    rt,
    pc,
    format,
    jsonErrors: opts.output === 'json',
    session: () => {
      session ??= openSession(rt, opts.context);
      return session;
    },
    print: (value, table) => println(rt.stdout, render(value, format, table)),
    note: (text) => println(rt.stderr, text),
  };
}

/**
 * Wraps a command handler: runs it, turns any failure into the described error on stderr (JSON
 * with `--output json`) and sets the exit code. Handlers return their own exit code (default 0).
 */
export function handle<Opts, Positional extends unknown[] = string[]>(
  rt: Runtime,
  fn: (
    kit: CommandKit,
    opts: Opts,
    ...positional: Positional
  ) => Promise<number | undefined> | number | undefined,
) {
  // Commander calls actions with (...positional, options, command).
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const opts = args[args.length - 2] as Opts;
    const positional = args.slice(0, -2) as Positional;
    const kit = commandKit(rt, command);
    try {
      rt.setExitCode((await fn(kit, opts, ...positional)) ?? 0);
    } catch (error) {
      const described = describeError(error, kit.pc);
      if (kit.jsonErrors) println(rt.stderr, JSON.stringify(described.json, null, 2));
      else for (const line of described.lines) println(rt.stderr, line);
      rt.setExitCode(described.exitCode);
    }
  };
}
