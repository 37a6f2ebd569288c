import type { ProcessorDeps } from '../deps.ts';

/**
 * A scheduler tick: starts the tenant's sync run unless one is already queued or running, so a
 * slow cloud never piles up syncs behind it.
 */
export async function processScheduledSync(deps: ProcessorDeps, tenantId: string) {
  const active = await deps.db.run.findFirst({
    where: { tenantId, kind: 'sync', status: { in: ['queued', 'running', 'waiting'] } },
  });
  if (active) return;
  const run = await deps.db.run.create({
    data: { tenantId, kind: 'sync', input: { title: 'Scheduled inventory sync', scheduled: true } },
  });
  await deps.appendRunEvent(run.id, 'info', 'Scheduled sync queued');
  await deps.queues.enqueue('runs', 'sync', { runId: run.id, tenantId });
}

/** One BullMQ job scheduler per tenant that has cloud accounts; idempotent, safe from every worker. */
export async function reconcileSyncSchedules(deps: ProcessorDeps, everyMinutes: number) {
  const queue = deps.queues.queue('runs');
  const tenants = await deps.db.tenant.findMany({
    select: { id: true, _count: { select: { accounts: true } } },
  });
  for (const t of tenants) {
    const id = `sync:${t.id}`;
    if (everyMinutes > 0 && t._count.accounts > 0) {
      await queue.upsertJobScheduler(
        id,
        { every: Math.round(everyMinutes * 60_000) },
        {
          name: 'scheduled-sync',
          data: { tenantId: t.id },
          opts: { removeOnComplete: 100, removeOnFail: 100 },
        },
      );
    } else {
      await queue.removeJobScheduler(id);
    }
  }
}
