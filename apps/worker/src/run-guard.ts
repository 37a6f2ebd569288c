import { DollyError, type ErrorClass, isTerminalStatus } from '@dolly/contracts';
import type { Run } from '@dolly/db';
import { RunCancelledError, StepFailedError, describeStepError } from '@dolly/jobs';
import { CloudError } from '@dolly/providers';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { ProcessorDeps } from './deps.ts';

/** A failure no retry can mend (bad input, a policy refusal): the run fails at once. */
export class RunInputError extends Error {
  constructor(
    message: string,
    readonly errorClass: Extract<ErrorClass, 'input' | 'policy'> = 'input',
  ) {
    super(message);
    this.name = 'RunInputError';
  }
}

/**
 * A child run ended without success: the parent fails for good with the child's class. Retrying
 * the parent (a person's choice) retries the child.
 */
export class ChildRunError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
  ) {
    super(message);
    this.name = 'ChildRunError';
  }
}

export interface Classified {
  errorClass: ErrorClass;
  retryable: boolean;
  message: string;
  detail: Record<string, unknown>;
}

const cloudClass: Record<CloudError['class'], ErrorClass> = {
  throttled: 'cloud_throttled',
  quota: 'cloud_quota',
  rejected: 'cloud_rejected',
  not_found: 'cloud_rejected',
  conflict: 'cloud_rejected',
  auth: 'cloud_rejected',
  transient: 'cloud',
};

/** Which failures are worth another attempt: throttles and blips yes, the cloud saying no, never. */
export function classifyRunError(error: unknown): Classified {
  const step = error instanceof StepFailedError ? error.stepKey : undefined;
  const cause = error instanceof StepFailedError ? error.cause : error;
  const message = error instanceof Error ? error.message : String(error);
  const detail = { ...describeStepError(cause), ...(step ? { step } : {}) };
  // A resource that ended FAILED is the cloud's answer: a person chooses retry or rollback.
  if (cause instanceof CloudError)
    return {
      errorClass: cloudClass[cause.class],
      retryable: cause.retryable && cause.cloudCode !== 'ProvisioningFailed',
      message,
      detail,
    };
  if (cause instanceof RunInputError || cause instanceof ChildRunError)
    return { errorClass: cause.errorClass, retryable: false, message, detail };
  if (cause instanceof DollyError) return { errorClass: 'input', retryable: false, message, detail };
  return { errorClass: 'system', retryable: true, message, detail };
}

export function isCancellation(error: unknown, signal: AbortSignal): boolean {
  const cause = error instanceof StepFailedError ? error.cause : error;
  return signal.aborted || cause instanceof RunCancelledError || (cause as Error)?.name === 'AbortError';
}

/**
 * The frame of every run job: skips finished runs, honours a cancel that arrived while queued,
 * holds the cancel signal (Redis broadcast, plus a database check for a missed message), and turns
 * the outcome into the run's final state. The body finishes the run itself when it succeeds.
 */
export async function executeRun(
  deps: ProcessorDeps,
  job: Job,
  runId: string,
  body: (run: Run, signal: AbortSignal) => Promise<void>,
  token?: string,
) {
  const run = await deps.db.run.findUnique({ where: { id: runId } });
  if (!run) {
    deps.log.warn({ runId }, 'run vanished; dropping its job');
    return;
  }
  if (isTerminalStatus(run.status) || run.status === 'pending_approval') return;
  if (run.status === 'cancelling') {
    await deps.lifecycle.finish(runId, 'cancelled');
    deps.metrics.runsFinished.inc({ kind: run.kind, status: 'cancelled' });
    return;
  }
  // Before anything else holds the run: a run of a tenant at its limit gives its worker slot back.
  // A parent (clone with workloads) only waits on its children, which take tenant slots of their
  // own: holding one too would let parents at the limit starve the children they wait for.
  const admission =
    run.kind === 'environment' ? undefined : await deps.tenantSlots?.acquire(run.tenantId, runId);
  if (admission && !admission.admitted) await waitForTenantSlot(deps, job, run, token);
  const slot = admission?.admitted ? admission.slot : undefined;
  const signal = deps.cancels.hold(runId);
  const watch = setInterval(() => {
    deps.db.run
      .findUnique({ where: { id: runId }, select: { status: true } })
      .then((r) => {
        if (r?.status === 'cancelling') deps.cancels.abort(runId);
      })
      .catch(() => undefined);
  }, 2000);
  try {
    const resumed = run.status === 'running' || run.status === 'waiting' || job.attemptsMade > 0;
    if (!(await deps.lifecycle.start(runId, resumed ? { resumedBy: deps.workerId } : {}))) {
      // A cancel (or another worker's outcome) won the race since the read above: never revive it.
      if (await deps.lifecycle.finish(runId, 'cancelled', undefined, { from: ['cancelling'] }))
        deps.metrics.runsFinished.inc({ kind: run.kind, status: 'cancelled' });
      return;
    }
    await body(run, signal);
    const final = await deps.db.run.findUnique({ where: { id: runId }, select: { status: true } });
    if (final) deps.metrics.runsFinished.inc({ kind: run.kind, status: final.status });
  } catch (error) {
    if (isCancellation(error, signal)) {
      await deps.lifecycle.finish(runId, 'cancelled');
      deps.metrics.runsFinished.inc({ kind: run.kind, status: 'cancelled' });
      return;
    }
    const c = classifyRunError(error);
    const attemptsLeft = (job.opts.attempts ?? 1) - (job.attemptsMade + 1);
    if (c.retryable && attemptsLeft > 0) {
      await deps.appendRunEvent(runId, 'warn', `${c.message}; retrying (${attemptsLeft} attempt(s) left)`, {
        data: { errorClass: c.errorClass },
      });
      throw error;
    }
    await deps.lifecycle.fail(runId, c.errorClass, c.message, c.detail);
    deps.metrics.runsFinished.inc({ kind: run.kind, status: 'failed' });
    throw new UnrecoverableError(c.message);
  } finally {
    clearInterval(watch);
    deps.cancels.release(runId);
    if (slot) await handOverTenantSlot(deps, run.tenantId, await slot.release().catch(() => null));
  }
}

export const TENANT_WAIT_MESSAGE = "Waiting for a free slot: the tenant's concurrency limit is reached";

/**
 * Puts the job back as delayed (BullMQ's "manually delay": moveToDelayed, then DelayedError) so it
 * holds no worker slot while it waits. The run keeps its status; one event per wait says why. A
 * freed slot promotes the longest-waiting run; the delay is only the fallback (a crashed holder).
 */
async function waitForTenantSlot(deps: ProcessorDeps, job: Job, run: Run, token?: string): Promise<never> {
  const limit = deps.tenantSlots?.limit ?? 0;
  const last = await deps.db.runEvent.findFirst({
    where: { runId: run.id },
    orderBy: { id: 'desc' },
    select: { message: true },
  });
  if (last?.message !== TENANT_WAIT_MESSAGE)
    await deps.appendRunEvent(run.id, 'info', TENANT_WAIT_MESSAGE, {
      data: { waitingFor: 'tenant-concurrency', tenantLimit: limit, status: run.status },
    });
  deps.metrics.tenantWaits.inc({ kind: run.kind });
  const base = deps.tenantRecheckMs ?? 5000;
  await job.moveToDelayed(Date.now() + Math.round(base * (0.8 + Math.random() * 0.4)), token);
  throw new DelayedError();
}

/** Wakes the run of the tenant that waited longest, skipping ones whose job is gone or no longer delayed. */
async function handOverTenantSlot(deps: ProcessorDeps, tenantId: string, next: string | null) {
  for (let tries = 0; next && tries < 5; tries++) {
    try {
      const job = await deps.queues.queue('runs').getJob(next);
      if (job && (await job.isDelayed())) {
        await job.promote();
        return;
      }
    } catch (err) {
      deps.log.debug({ err, runId: next }, 'could not wake a run waiting for its tenant limit');
    }
    next = (await deps.tenantSlots?.nextWaiting(tenantId).catch(() => null)) ?? null;
  }
}
