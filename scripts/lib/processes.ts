import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface Managed {
  name: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs a command to completion, inheriting stdio; throws with the command line when it fails. */
export function runOrThrow(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env }, cwd });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal}`);
}

/**
 * Starts a long-running child. Output goes to the terminal with a name prefix, or to a log file
 * when `logFile` is given (tests keep the terminal for the test runner's own output).
 */
export function startProcess(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; logFile?: string; cwd?: string } = {},
): Managed {
  const child = spawn(cmd, args, {
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (opts.logFile) {
    const out = createWriteStream(opts.logFile, { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
  } else {
    const prefix = `[${name}] `;
    const forward = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) stream.write(`${prefix}${line}\n`);
    };
    child.stdout?.on('data', forward(process.stdout));
    child.stderr?.on('data', forward(process.stderr));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function waitForHttp(
  url: string,
  timeoutMs = 60_000,
  isReady: (status: number) => boolean = (s) => s === 200,
) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (isReady(res.status)) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} was not ready within ${timeoutMs / 1000}s (${last})`);
}
