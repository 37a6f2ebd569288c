import type { Database } from '@dolly/db';
import type { AppendRunEvent } from './run-events.ts';

export interface StepContext {
  attempt: number;
  /** Request ids the cloud returned, kept on the step so a support ticket can quote them. */
  recordRequestId(id: string): void;
}

/**
 * `runStep(key, fn)`: the memoized step of a run (Documenso's runTask). A step that already
 * succeeded returns its stored output without running again, so a retried or re-delivered job
 * resumes where it stopped. Outputs are checkpoints: keep them small and JSON-serialisable.
 */
export interface StepRunner {
  runStep<T>(key: string, fn: (ctx: StepContext) => Promise<T>): Promise<T>;
}

export class StepFailedError extends Error {
  constructor(
    readonly stepKey: string,
    override readonly cause: unknown,
  ) {
    super(`${stepKey}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StepFailedError';
  }
}

/** The error fields worth keeping on a step: cloud errors carry class, cloud and request id. */
export function describeStepError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const e = error as Error & Record<string, unknown>;
  const out: Record<string, unknown> = { message: error.message, name: error.name };
  for (const k of ['class', 'cloud', 'operation', 'requestId', 'cloudCode', 'field'] as const) {
    if (typeof e[k] === 'string') out[k] = e[k];
  }
  return out;
}

export function createStepRunner(
  db: Database,
  appendEvent: AppendRunEvent,
  runId: string,
  opts: { signal?: AbortSignal; onStepFinished?: (key: string, ms: number, ok: boolean) => void } = {},
): StepRunner {
  return {
    async runStep<T>(key: string, fn: (ctx: StepContext) => Promise<T>): Promise<T> {
      const existing = await db.runStep.findUnique({ where: { runId_key: { runId, key } } });
      if (existing?.status === 'succeeded') return existing.output as T;
      // A cancel between steps stops before the next cloud change, not after it.
      opts.signal?.throwIfAborted();
      const attempt = (existing?.attempt ?? 0) + 1;
      const startedAt = new Date();
      const requestIds = new Set(existing?.cloudRequestIds ?? []);
      await db.runStep.upsert({
        where: { runId_key: { runId, key } },
        create: { runId, key, status: 'running', attempt, startedAt },
        update: { status: 'running', attempt, startedAt, finishedAt: null, error: undefined },
      });
      await appendEvent(runId, 'info', `${key}: started${attempt > 1 ? ` (attempt ${attempt})` : ''}`, {
        stepKey: key,
        data: { transition: 'running', attempt },
      });
      const ctx: StepContext = { attempt, recordRequestId: (id) => requestIds.add(id) };
      try {
        const output = await fn(ctx);
        const durationMs = Date.now() - startedAt.getTime();
        await db.runStep.update({
          where: { runId_key: { runId, key } },
          data: {
            status: 'succeeded',
            output: (output ?? null) as object,
            finishedAt: new Date(),
            cloudRequestIds: [...requestIds],
          },
        });
        await appendEvent(runId, 'info', `${key}: succeeded`, {
          stepKey: key,
          data: { transition: 'succeeded', attempt, durationMs },
        });
        opts.onStepFinished?.(key, durationMs, true);
        return output;
      } catch (error) {
        const detail = describeStepError(error);
        if (typeof detail.requestId === 'string') requestIds.add(detail.requestId);
        const durationMs = Date.now() - startedAt.getTime();
        await db.runStep.update({
          where: { runId_key: { runId, key } },
          data: {
            status: 'failed',
            error: detail as object,
            finishedAt: new Date(),
            cloudRequestIds: [...requestIds],
          },
        });
        await appendEvent(runId, 'error', `${key}: failed: ${detail.message}`, {
          stepKey: key,
          data: { transition: 'failed', attempt, durationMs, error: detail },
        });
        opts.onStepFinished?.(key, durationMs, false);
        throw new StepFailedError(key, error);
      }
    },
  };
}
