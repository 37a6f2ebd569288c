import { randomUUID } from 'node:crypto';
import { type Database, Prisma } from '@dolly/db';
import { abortableDelay } from './account-limiter.ts';
import type { AppendRunEvent } from './run-events.ts';
import { slotHolder, type WorkSlots } from './work-slots.ts';

export interface StepContext {
  attempt: number;
  /** Waits (between polls of a cloud) without holding one of the worker's work slots. */
  idle<T>(wait: () => Promise<T>): Promise<T>;
  /** Request ids the cloud returned, kept on the step so a support ticket can quote them. */
  recordRequestId(id: string): void;
}

/**
 * `runStep(key, fn)`: the memoized step of a run (Documenso's runTask). A step that already
 * succeeded returns its stored output without running again, so a retried or re-delivered job
 * resumes where it stopped. Outputs are checkpoints: keep them small and JSON-serialisable.
 */
export interface StepRunner {
  runStep<T>(key: string, fn: (ctx: StepContext) => Promise<T>, opts?: StepOptions): Promise<T>;
}

export interface StepOptions {
  /**
   * Run again every time a job reaches the step, even if it succeeded in an earlier start of this
   * run (a worker that died, a re-delivered job): for checks whose answer may have changed since,
   * such as admission, never for steps that change a cloud.
   */
  everyStart?: boolean;
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

export interface StepRunnerOptions {
  signal?: AbortSignal;
  onStepFinished?: (key: string, ms: number, ok: boolean) => void;
  /** Who holds a claimed step (a worker id); a random suffix keeps two runners of one process apart. */
  owner?: string;
  /**
   * How long a claim lives without a heartbeat. A runner that died leaves its step claimable after
   * this long; keep it near the queue's lock duration so a re-delivered job does not wait longer.
   */
  leaseMs?: number;
  /** The worker's work slots: a step holds one while it works, not while it waits on a cloud. */
  slots?: WorkSlots;
}

export const defaultStepLeaseMs = 30_000;

/**
 * Steps are claimed with compare-and-set on the step row: a runner takes a step only when nobody
 * holds a live lease on it, and keeps the lease alive while the step runs. A second runner on the
 * same run (a job re-delivered after a lost queue lock) waits for the holder's outcome instead of
 * repeating the step's cloud change.
 */
export function createStepRunner(
  db: Database,
  appendEvent: AppendRunEvent,
  runId: string,
  opts: StepRunnerOptions = {},
): StepRunner {
  const owner = `${opts.owner ?? 'runner'}#${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.leaseMs ?? defaultStepLeaseMs;
  const leaseEnd = () => new Date(Date.now() + leaseMs);
  const mine = (key: string) => ({ runId, key, leaseOwner: owner });

  /** The claimed step row, or the stored output of a step someone else finished meanwhile. */
  async function claim(
    key: string,
    again = false,
  ): Promise<{ attempt: number; requestIds: string[] } | { done: unknown }> {
    await db.runStep.createMany({ data: [{ runId, key, status: 'pending' }], skipDuplicates: true });
    for (;;) {
      const now = new Date();
      const claimed = await db.runStep.updateMany({
        where: {
          runId,
          key,
          ...(again ? {} : { status: { not: 'succeeded' } }),
          OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }, { leaseOwner: owner }],
        },
        data: {
          status: 'running',
          attempt: { increment: 1 },
          startedAt: now,
          finishedAt: null,
          // the row describes this attempt: an earlier attempt's error is in the event log only
          error: Prisma.DbNull,
          leaseOwner: owner,
          leaseUntil: leaseEnd(),
        },
      });
      const row = await db.runStep.findUniqueOrThrow({ where: { runId_key: { runId, key } } });
      if (claimed.count === 1) return { attempt: row.attempt, requestIds: row.cloudRequestIds };
      if (row.status === 'succeeded') return { done: row.output };
      // Someone holds a live lease: their outcome (or their lease running out) decides.
      await abortableDelay(Math.min(Math.max(leaseMs / 4, 20), 500), opts.signal);
    }
  }

  return {
    async runStep<T>(key: string, fn: (ctx: StepContext) => Promise<T>, step: StepOptions = {}): Promise<T> {
      const existing = await db.runStep.findUnique({ where: { runId_key: { runId, key } } });
      if (existing?.status === 'succeeded' && !step.everyStart) return existing.output as T;
      // A cancel between steps stops before the next cloud change, not after it.
      opts.signal?.throwIfAborted();
      const claimed = await claim(key, step.everyStart === true);
      if ('done' in claimed) return claimed.done as T;
      const { attempt } = claimed;
      const startedAt = new Date();
      const requestIds = new Set(claimed.requestIds);
      const heartbeat = setInterval(
        () => {
          db.runStep
            .updateMany({ where: mine(key), data: { leaseUntil: leaseEnd() } })
            .catch(() => undefined);
        },
        Math.max(leaseMs / 3, 10),
      );
      heartbeat.unref();
      await appendEvent(runId, 'info', `${key}: started${attempt > 1 ? ` (attempt ${attempt})` : ''}`, {
        stepKey: key,
        data: { transition: 'running', attempt },
      });
      // Taken last before the try, so every path out of the step gives it back.
      const slot = slotHolder(opts.slots);
      await slot.take();
      const ctx: StepContext = { attempt, idle: slot.idle, recordRequestId: (id) => requestIds.add(id) };
      try {
        const output = await fn(ctx);
        clearInterval(heartbeat);
        const durationMs = Date.now() - startedAt.getTime();
        await db.runStep.updateMany({
          where: mine(key),
          data: {
            status: 'succeeded',
            output: (output ?? null) as object,
            finishedAt: new Date(),
            cloudRequestIds: [...requestIds],
            leaseOwner: null,
            leaseUntil: null,
          },
        });
        await appendEvent(runId, 'info', `${key}: succeeded`, {
          stepKey: key,
          data: { transition: 'succeeded', attempt, durationMs },
        });
        opts.onStepFinished?.(key, durationMs, true);
        return output;
      } catch (error) {
        clearInterval(heartbeat);
        const detail = describeStepError(error);
        if (typeof detail.requestId === 'string') requestIds.add(detail.requestId);
        const durationMs = Date.now() - startedAt.getTime();
        await db.runStep.updateMany({
          where: mine(key),
          data: {
            status: 'failed',
            error: detail as object,
            finishedAt: new Date(),
            cloudRequestIds: [...requestIds],
            leaseOwner: null,
            leaseUntil: null,
          },
        });
        await appendEvent(runId, 'error', `${key}: failed: ${detail.message}`, {
          stepKey: key,
          data: { transition: 'failed', attempt, durationMs, error: detail },
        });
        opts.onStepFinished?.(key, durationMs, false);
        throw new StepFailedError(key, error);
      } finally {
        slot.give();
      }
    },
  };
}
