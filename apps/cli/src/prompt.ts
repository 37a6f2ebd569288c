import { CliError } from './errors.ts';
import type { Runtime } from './runtime.ts';

/** All of stdin, trimmed: for --token-stdin / --password-stdin, so secrets stay out of shell history. */
export async function readStdin(rt: Runtime): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of rt.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** Asks on the terminal without echoing what is typed. */
export async function promptSecret(rt: Runtime, question: string): Promise<string> {
  const stdin = rt.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function')
    throw new CliError(`${question.replace(/:\s*$/, '')} is needed and stdin is not a terminal`);
  rt.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (text: string) => {
        for (const ch of text) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.off('data', onData);
            rt.stderr.write('\n');
            resolve(value.trim());
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            rt.stderr.write('\n');
            reject(new CliError('cancelled', 130));
            return;
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

/** Asks one visible line on the terminal (typed confirmations). */
export async function promptLine(rt: Runtime, question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: rt.stdin, output: rt.stderr as NodeJS.WritableStream, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}
