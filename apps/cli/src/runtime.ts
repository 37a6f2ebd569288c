/**
 * What a command touches outside itself: environment, output streams, the terminal. Passed in
 * rather than read from `process` so units render into buffers and the process edge stays thin.
 */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface Runtime {
  env: NodeJS.ProcessEnv;
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Colours and live redraws only on a terminal, and never with NO_COLOR. */
  color: boolean;
  setExitCode(code: number): void;
}

export function processRuntime(): Runtime {
  const env = process.env;
  return {
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    color: process.stdout.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb',
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/** Writes one line (or block) with a trailing newline. */
export function println(stream: OutputStream, text = ''): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
