import type { JobName } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import type { AppendRunEvent, Queues, RunLifecycle } from '@dolly/jobs';
import type { Redis } from 'ioredis';

export interface SweeperDeps {
  db: Database;
  redis: Redis;
  queues: Queues;
  lifecycle: RunLifecycle;
  appendRunEvent: AppendRunEvent;
  prefix: string;
  workerId: string;
}

/**
 * Keeps the run row and its job together: a `queued` run without a job is enqueued again, an
 * unfinished run whose job is gone or over is failed (with an event saying why) so retry and
 * rollback work. One sweep at a time across workers (a Redis lock that expires by itself).
 */
export function createRunSweeper(deps: SweeperDeps, opts: { graceMs: number; periodMs: number }) {
  return async function sweep(): Promise<{ requeued: string[]; interrupted: string[] }> {
    const out = { requeued: [] as string[], interrupted: [] as string[] };
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
    return out;
  };
}
