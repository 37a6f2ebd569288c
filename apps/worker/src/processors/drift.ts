import { announceDrift } from '@dolly/jobs';
import { checkWorkloadDrift } from '@dolly/kube';
import { checkClusterDrift, type WorkloadDriftProbe } from '@dolly/runs';
import type { Redis } from 'ioredis';
import type { ProcessorDeps } from '../deps.ts';
import { migrationCluster } from './migrate.ts';

export interface TenantDriftResult {
  checked: number;
  drifted: number;
  /** Reports whose drift appeared or changed: a `drift.detected` went out for each. */
  detected: number;
  failed: number;
  /** Checks whose fingerprint differed from the clone's latest report: only those are stored. */
  stored: number;
}

/**
 * Clones checked at the same time: each may read two clusters' namespaces (workloads), and the
 * sync that runs this holds a worker slot meanwhile.
 */
const DRIFT_CONCURRENCY = 3;

/** A workloads comparison reads both clusters; a cluster that hangs must not hold the sync. */
const WORKLOADS_TIMEOUT_MS = 60_000;

function workloadProbe(deps: ProcessorDeps, tenantId: string): WorkloadDriftProbe {
  return (migration) => {
    const signal = AbortSignal.timeout(WORKLOADS_TIMEOUT_MS);
    return checkWorkloadDrift(migration, (clusterId) => migrationCluster(deps, tenantId, clusterId, signal), {
      signal,
    });
  };
}

/**
 * When a clone's workloads are compared again by the schedule: at most once per interval per
 * clone, across every worker (a Redis key that expires), since each comparison reads both
 * clusters' namespaces. Between comparisons the previous findings stand. 0: at every sync.
 */
export function workloadDriftSchedule(
  redis: Redis,
  prefix: string,
  intervalMs: number,
): ((clusterId: string) => Promise<boolean>) | undefined {
  if (intervalMs <= 0) return undefined;
  return async (clusterId) =>
    (await redis.set(`${prefix}:drift-workloads:${clusterId}`, '1', 'PX', intervalMs, 'NX')) === 'OK';
}

/**
 * The scheduled drift check: every clone of the tenant the inventory still sees, against its
 * source, right after a sync stored what the clouds have (so the comparison is as fresh as the
 * sync). A report is stored only when the clone's drift changed since its latest report. A clone
 * that cannot be checked (its source gone) is counted and skipped, never failing the sync that
 * called it.
 */
export async function checkTenantDrift(deps: ProcessorDeps, tenantId: string): Promise<TenantDriftResult> {
  const clones = await deps.db.cluster.findMany({
    where: { tenantId, clonedFromId: { not: null }, vanishedAt: null },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const out: TenantDriftResult = { checked: 0, drifted: 0, detected: 0, failed: 0, stored: 0 };
  const workloads = workloadProbe(deps, tenantId);
  const checkOne = async (clusterId: string) => {
    try {
      const result = await checkClusterDrift(
        deps.db,
        { tenantId, clusterId, requestedById: null },
        {
          workloads,
          store: 'changed',
          ...(deps.workloadDriftDue ? { workloadsDue: deps.workloadDriftDue } : {}),
        },
      );
      out.checked++;
      if (result.stored) out.stored++;
      if (result.report.drifted) out.drifted++;
      if (result.newDrift) {
        out.detected++;
        await announceDrift(deps.db, deps.queues, result.report, {
          actorUserId: null,
          ...(deps.webhookBackoffMs !== undefined ? { backoffMs: deps.webhookBackoffMs } : {}),
          onError: (err) => deps.log.warn({ err, clusterId }, 'could not queue drift notifications'),
        });
      }
    } catch (err) {
      out.failed++;
      deps.log.info({ err, clusterId }, 'drift check skipped');
    }
  };
  // A few lanes, each taking the next clone: bounded, and a slow clone holds up only its lane.
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < clones.length; i = next++) await checkOne(clones[i]?.id ?? '');
  };
  await Promise.all(Array.from({ length: Math.min(DRIFT_CONCURRENCY, clones.length) }, lane));
  return out;
}
