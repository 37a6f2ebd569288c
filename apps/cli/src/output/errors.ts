import { ApiError } from '@dolly/api-client';
import { PlanError } from '@dolly/model';
import { CliError } from '../errors.ts';
import { InputError } from '../input.ts';
import type { Colors } from './colors.ts';

export interface DescribedError {
  /** Human-readable lines for stderr. */
  lines: string[];
  /** The same as data, for `--output json` callers. */
  json: Record<string, unknown>;
  exitCode: number;
}

/** Every failure as the user should read it: the server's problem details verbatim, field by field. */
export function describeError(error: unknown, pc: Colors): DescribedError {
  const head = (text: string) => `${pc.red(pc.bold('error:'))} ${text}`;
  if (error instanceof ApiError) {
    const p = error.problem;
    const code = [String(p.status || error.status), p.code].filter(Boolean).join(' ');
    const lines = [head(`${p.title} (${code})`)];
    if (p.detail && p.detail !== p.title) lines.push(`  ${p.detail}`);
    for (const e of p.errors ?? []) lines.push(`  ${e.path ? `${pc.bold(e.path)}: ` : ''}${e.message}`);
    if (p.requestId) lines.push(pc.dim(`  request id: ${p.requestId}`));
    if (error.status === 401)
      lines.push(pc.dim('  hint: the token may be expired or revoked; run dolly login again'));
    return { lines, json: { error: p }, exitCode: 1 };
  }
  if (error instanceof CliError) {
    const lines = [head(error.message)];
    if (error.hint) lines.push(pc.dim(`  hint: ${error.hint}`));
    return {
      lines,
      json: { error: { title: error.message, ...(error.hint ? { hint: error.hint } : {}) } },
      exitCode: error.exitCode,
    };
  }
  if (error instanceof InputError) {
    return {
      lines: error.message.split('\n'),
      json: { error: { title: `invalid input file ${error.file}`, errors: error.issues } },
      exitCode: 1,
    };
  }
  if (error instanceof PlanError) {
    return {
      lines: [
        head('the clusters cannot be translated'),
        ...error.issues.map((i) => `  ${i.path}: ${i.message}`),
      ],
      json: { error: { title: 'the clusters cannot be translated', errors: error.issues } },
      exitCode: 1,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { lines: [head(message)], json: { error: { title: message } }, exitCode: 1 };
}
