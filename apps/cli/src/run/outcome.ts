import { type RunStatus, runStatuses } from '@dolly/contracts';
import type { Colors } from '../output/colors.ts';

/**
 * Exit codes of every command that waits for runs (documented in apps/cli/README.md):
 * 0 succeeded, 1 failed (and every other error), 2 cancelled / rejected / rolled back,
 * 3 partially succeeded.
 */
export const EXIT = { ok: 0, failed: 1, stopped: 2, partial: 3 } as const;

export function statusExitCode(status: RunStatus): number {
  switch (status) {
    case 'succeeded':
      return EXIT.ok;
    case 'partially_succeeded':
      return EXIT.partial;
    case 'cancelled':
    case 'rejected':
    case 'rolled_back':
      return EXIT.stopped;
    case 'failed':
      return EXIT.failed;
    default:
      // Not terminal: the caller stopped watching before the run finished.
      return EXIT.failed;
  }
}

/**
 * One code for several runs (a plan applies as one run per cluster): all succeeded is 0; some
 * succeeded and some not is 3; none succeeded is 1 when any failed, else 2.
 */
export function combinedExitCode(statuses: readonly RunStatus[]): number {
  if (statuses.length === 0) return EXIT.ok;
  const codes = statuses.map(statusExitCode);
  if (codes.every((c) => c === EXIT.ok)) return EXIT.ok;
  if (codes.length === 1) return codes[0]!;
  if (codes.some((c) => c === EXIT.ok || c === EXIT.partial)) return EXIT.partial;
  return codes.includes(EXIT.failed) ? EXIT.failed : EXIT.stopped;
}

export const isTerminal = (status: RunStatus): boolean => runStatuses[status]?.terminal ?? false;

const SYMBOL: Record<string, string> = {
  success: '✔',
  danger: '✖',
  attention: '!',
  progress: '•',
  neutral: '○',
};

/** A status as text with its label (never colour alone). */
export function statusText(status: RunStatus, pc: Colors): string {
  const info = runStatuses[status];
  if (!info) return status;
  const paint =
    info.tone === 'success'
      ? pc.green
      : info.tone === 'danger'
        ? pc.red
        : info.tone === 'attention'
          ? pc.yellow
          : info.tone === 'progress'
            ? pc.cyan
            : pc.dim;
  return paint(`${SYMBOL[info.tone] ?? ''} ${info.label}`.trim());
}
