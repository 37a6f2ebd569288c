import type { DollyApi } from '../api/dolly-api.ts';
import type { Run } from '../api/types.ts';
import type { CommandKit } from '../command-kit.ts';
import { watchRuns } from '../watch/watch-runs.ts';
import { combinedExitCode } from './outcome.ts';

export const INTERRUPTED = 130;

/**
 * Watches runs to the end and returns the exit code of their outcome. With `-o json|yaml` the
 * progress goes to stderr and stdout gets only the final run(s) as data, so scripts can pipe it.
 */
export async function watchToOutcome(
  kit: CommandKit,
  api: DollyApi,
  runIds: string[],
  opts: { asData?: boolean; print?: (runs: Run[]) => void } = {},
): Promise<number> {
  const asData = opts.asData ?? kit.format !== 'table';
  const out = asData ? kit.rt.stderr : kit.rt.stdout;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const { runs, interrupted } = await watchRuns({
      api,
      runIds,
      out,
      // A terminal of unknown size (rows 0, e.g. a bare pty) cannot be redrawn: print lines instead.
      live: out.isTTY === true && (out.rows ?? 0) > 0,
      pc: kit.pc,
      signal: controller.signal,
    });
    if (interrupted) {
      kit.note(`Stopped watching; the run goes on. Resume with: dolly runs watch ${runIds.join(' ')}`);
      return INTERRUPTED;
    }
    if (opts.print) opts.print(runs);
    else if (asData) kit.print(runs.length === 1 ? runs[0] : runs, () => '');
    return combinedExitCode(runs.map((r) => r.status));
  } finally {
    process.off('SIGINT', onSigint);
  }
}
