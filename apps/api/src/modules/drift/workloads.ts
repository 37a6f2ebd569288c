import { checkWorkloadDrift } from '@dolly/kube';
import { connectCluster, type WorkloadDriftProbe } from '@dolly/runs';
import type { AppDeps } from '../../deps.ts';

/** Both clusters of a migration are read again: a check on demand must answer within a request. */
const WORKLOADS_TIMEOUT_MS = 60_000;

/** The workloads comparison of a check on demand, with kubeconfigs the clouds issue now. */
export function workloadProbe(deps: AppDeps, tenantId: string): WorkloadDriftProbe {
  return (migration) => {
    const signal = AbortSignal.timeout(WORKLOADS_TIMEOUT_MS);
    return checkWorkloadDrift(
      migration,
      async (clusterId) => {
        const cluster = await deps.db.cluster.findFirst({
          where: { id: clusterId, tenantId, vanishedAt: null },
        });
        if (!cluster) throw new Error(`cluster ${clusterId} is no longer in the inventory`);
        return connectCluster(deps.cloud, tenantId, cluster, { signal });
      },
      { signal },
    );
  };
}
