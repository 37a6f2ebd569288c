import type { Database } from '@dolly/db';

/**
 * Whether each cluster's latest drift report found drift, for the inventory's badge: one query for
 * a page of clusters. Clusters never checked (not clones, or not checked yet) are absent.
 */
export async function latestDriftByCluster(
  db: Database,
  tenantId: string,
  clusterIds: string[],
): Promise<Map<string, boolean>> {
  if (!clusterIds.length) return new Map();
  const rows = await db.driftReport.findMany({
    where: { tenantId, clusterId: { in: clusterIds } },
    // the first row per cluster in this order is its latest report
    distinct: ['clusterId'],
    orderBy: [{ clusterId: 'asc' }, { createdAt: 'desc' }, { id: 'desc' }],
    select: { clusterId: true, drifted: true },
  });
  return new Map(rows.map((r) => [r.clusterId, r.drifted]));
}
