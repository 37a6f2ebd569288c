import type { Database } from '@dolly/db';
import type { AppendRunEvent } from './run-events.ts';

/**
 * `runStep(key, fn)`: the memoized step of a run (Documenso's runTask). A step that already
 * succeeded returns its stored output without running again, so a retried or re-delivered job
 * resumes where it stopped. Outputs are checkpoints: keep them small and JSON-serialisable.
 */
export interface StepRunner {
  runStep<T>(key: string, fn: (ctx: { attempt: number }) => Promise<T>): Promise<T>;
}

export class StepFailedError extends Error {
  constructor(
    readonly stepKey: string,
    override readonly cause: unknown,
  ) {
    super(`step ${stepKey} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StepFailedError';
  }
}

export function createStepRunner(db: Database, appendEvent: AppendRunEvent, runId: string): StepRunner {
  return {
    async runStep<T>(key: string, fn: (ctx: { attempt: number }) => Promise<T>): Promise<T> {
      const existing = await db.runStep.findUnique({ where: { runId_key: { runId, key } } });
      if (existing?.status === 'succeeded') return existing.output as T;
      const attempt = (existing?.attempt ?? 0) + 1;
      const startedAt = new Date();
      await db.runStep.upsert({
        where: { runId_key: { runId, key } },
        create: { runId, key, status: 'running', attempt, startedAt },
        update: { status: 'running', attempt, startedAt, finishedAt: null, error: undefined },
      });
      await appendEvent(runId, 'info', `${key}: started${attempt > 1 ? ` (attempt ${attempt})` : ''}`, {
        stepKey: key,
        data: { transition: 'running', attempt },
      });
      try {
        const output = await fn({ attempt });
        await db.runStep.update({
          where: { runId_key: { runId, key } },
          data: { status: 'succeeded', output: (output ?? null) as object, finishedAt: new Date() },
        });
        await appendEvent(runId, 'info', `${key}: succeeded`, {
          stepKey: key,
          data: { transition: 'succeeded', durationMs: Date.now() - startedAt.getTime() },
        });
        return output;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await db.runStep.update({
          where: { runId_key: { runId, key } },
          data: { status: 'failed', error: { message }, finishedAt: new Date() },
        });
        await appendEvent(runId, 'error', `${key}: failed: ${message}`, {
          stepKey: key,
          data: { transition: 'failed' },
        });
        throw new StepFailedError(key, error);
      }
    },
  };
}
