import { announceDrift } from '@dolly/jobs';
import { checkClusterDrift } from '@dolly/runs';
import type { ProcessorDeps } from '../deps.ts';

export interface TenantDriftResult {
  checked: number;
  drifted: number;
  /** Reports whose drift appeared or changed: a `drift.detected` went out for each. */
  detected: number;
  failed: number;
}

/**
 * The scheduled drift check: every clone of the tenant the inventory still sees, against its
 * source, right after a sync stored what the clouds have (so the comparison is as fresh as the
 * sync). A clone that cannot be checked (its source gone) is counted and skipped, never failing
 * the sync that called it.
 */
export async function checkTenantDrift(deps: ProcessorDeps, tenantId: string): Promise<TenantDriftResult> {
  const clones = await deps.db.cluster.findMany({
    where: { tenantId, clonedFromId: { not: null }, vanishedAt: null },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const out: TenantDriftResult = { checked: 0, drifted: 0, detected: 0, failed: 0 };
  for (const clone of clones) {
    try {
      const result = await checkClusterDrift(deps.db, { tenantId, clusterId: clone.id, requestedById: null });
      out.checked++;
      if (result.report.drifted) out.drifted++;
      if (result.newDrift) {
        out.detected++;
        await announceDrift(deps.db, deps.queues, result.report, {
          actorUserId: null,
          ...(deps.webhookBackoffMs !== undefined ? { backoffMs: deps.webhookBackoffMs } : {}),
          onError: (err) =>
            deps.log.warn({ err, clusterId: clone.id }, 'could not queue drift notifications'),
        });
      }
    } catch (err) {
      out.failed++;
      deps.log.info({ err, clusterId: clone.id }, 'drift check skipped');
    }
  }
  return out;
}
