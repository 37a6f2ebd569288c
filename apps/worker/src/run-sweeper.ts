import type { JobName } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import { type AppendRunEvent, enqueueDelivery, type Queues, type RunLifecycle } from '@dolly/jobs';
import type { Redis } from 'ioredis';

export interface SweeperDeps {
  db: Database;
  redis: Redis;
  queues: Queues;
  lifecycle: RunLifecycle;
  appendRunEvent: AppendRunEvent;
  prefix: string;
  workerId: string;
  /** first retry delay of a webhook delivery enqueued again (DOLLY_WEBHOOK_BACKOFF_MS) */
  webhookBackoffMs?: number;
}

/**
 * Keeps the run row and its job together: a `queued` run without a job is enqueued again, an
 * unfinished run whose job is gone or over is failed (with an event saying why) so retry and
 * rollback work, and a waiting job whose run row does not exist (its insert rolled back, or the
 * row was deleted) is failed so it cannot hold a slot or start work nobody asked for; a pending
 * webhook delivery without a job is enqueued again. One sweep at
 * a time across workers (a Redis lock that expires by itself).
 */
export function createRunSweeper(deps: SweeperDeps, opts: { graceMs: number; periodMs: number }) {
  return async function sweep(): Promise<{
    requeued: string[];
    interrupted: string[];
    orphaned: string[];
    deliveries: string[];
  }> {
    const out = {
      requeued: [] as string[],
      interrupted: [] as string[],
      orphaned: [] as string[],
      deliveries: [] as string[],
    };
    const lock = await deps.redis.set(`${deps.prefix}:run-sweeper`, deps.workerId, 'PX', opts.periodMs, 'NX');
    if (lock !== 'OK') return out;
    const queue = deps.queues.queue('runs');
    // Runs changed within the grace period may be between their insert and their enqueue.
    const before = new Date(Date.now() - opts.graceMs);
    const queued = await deps.db.run.findMany({
      where: { status: 'queued', updatedAt: { lt: before } },
      take: 200,
    });
    for (const run of queued) {
      if (await queue.getJob(run.id)) continue;
      await deps.queues.enqueue('runs', run.kind as JobName<'runs'>, {
        runId: run.id,
        tenantId: run.tenantId,
      });
      await deps.appendRunEvent(run.id, 'warn', 'Run had no job in the queue; queued again');
      out.requeued.push(run.id);
    }
    const unfinished = await deps.db.run.findMany({
      where: { status: { in: ['running', 'waiting', 'cancelling'] }, updatedAt: { lt: before } },
      take: 200,
    });
    for (const run of unfinished) {
      const job = await queue.getJob(run.id);
      const state = job ? await job.getState() : 'missing';
      if (state !== 'missing' && state !== 'completed' && state !== 'failed') continue;
      const why = state === 'missing' ? 'its job is gone from the queue' : `its job is ${state}`;
      if (
        await deps.lifecycle.fail(
          run.id,
          'system',
          `interrupted: ${why}; retry or roll back`,
          { interrupted: true },
          {
            from: [run.status],
          },
        )
      )
        out.interrupted.push(run.id);
    }
    const waiting = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'paused'], 0, 199);
    const young = before.getTime();
    // Jobs without a run id (the repeatable scheduled sync) are not runs and are left alone.
    const candidates = waiting.filter((j) => j?.id && j.timestamp < young && runIdOf(j.data));
    const ids = candidates.map((j) => runIdOf(j.data) ?? '');
    const rows = new Set(
      (await deps.db.run.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((r) => r.id),
    );
    for (const [i, job] of candidates.entries()) {
      if (rows.has(ids[i] ?? '')) continue;
      // A waiting job cannot be moved to failed without a worker lock; removing it has the same
      // effect for the queue, and there is no run to record an event on.
      await job.remove().catch(() => undefined);
      out.orphaned.push(job.id ?? '');
    }
    // A delivery row is written before its job (and after the run's status commit): Redis down at
    // that moment, or lost writes after a Redis crash, leave a pending row nobody will send.
    const pending = await deps.db.webhookDelivery.findMany({
      where: { status: 'pending', createdAt: { lt: before } },
      select: { id: true, webhook: { select: { tenantId: true } } },
      take: 200,
    });
    const webhooks = deps.queues.queue('webhooks');
    for (const delivery of pending) {
      if (await webhooks.getJob(delivery.id)) continue;
      await enqueueDelivery(deps.queues, delivery.id, delivery.webhook.tenantId, deps.webhookBackoffMs);
      out.deliveries.push(delivery.id);
    }
    return out;
  };
}

function runIdOf(data: unknown): string | undefined {
  if (data && typeof data === 'object' && 'runId' in data && typeof data.runId === 'string')
    return data.runId;
  return undefined;
}
