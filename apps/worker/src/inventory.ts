import type { CloudAccount, Database } from '@dolly/db';
import { environmentFromLabels } from '@dolly/model';
import type { DiscoveredCluster, ImportedClusterSpec } from '@dolly/providers';
import type { ClusterSpec } from '@dolly/model';

/** Pools' own cloud documents where the provider returned them alongside the cluster's. */
function rawNodePools(raw: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof raw !== 'object' || raw === null) return out;
  const r = raw as Record<string, unknown>;
  const lists = [
    r.nodePools,
    r.nodegroups,
    r.agentPoolProfiles,
    (r.properties as Record<string, unknown>)?.agentPoolProfiles,
  ];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      const name =
        (p as { name?: unknown; nodegroupName?: unknown }).name ??
        (p as { nodegroupName?: unknown }).nodegroupName;
      if (typeof name === 'string') out.set(name, p);
    }
  }
  return out;
}

/**
 * Clusters of an account that this sync did not see. Every scope of the account was listed (a scope
 * that fails fails the whole account first), so "not seen" means gone. Scopes are not compared:
 * Azure clusters carry "<subscription>/<resource group>" where the account has the subscription.
 */
export async function markVanished(
  db: Database,
  accountId: string,
  seenIds: string[],
  at: Date,
): Promise<number> {
  const res = await db.cluster.updateMany({
    where: { accountId, vanishedAt: null, id: { notIn: seenIds } },
    data: { vanishedAt: at },
  });
  return res.count;
}

const CLUSTER_BATCH_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
    cloud text, scope text, location text, name text, "kubernetesVersion" text, status text,
    labels jsonb, spec jsonb, raw jsonb, "labelEnv" text)
)
INSERT INTO "Cluster" (id, "tenantId", "accountId", cloud, scope, location, name, "kubernetesVersion", status,
  environment, "environmentSource", labels, spec, raw, "firstSeenAt", "lastSeenAt", "vanishedAt", "createdByRunId")
SELECT gen_random_uuid(), $2::uuid, $3::uuid, x.cloud::"Cloud", x.scope, x.location, x.name, x."kubernetesVersion",
  x.status, COALESCE($6::text, x."labelEnv", $4::text),
  CASE WHEN $6::text IS NOT NULL THEN $7::text WHEN x."labelEnv" IS NOT NULL THEN 'label'
    WHEN $4::text IS NOT NULL THEN 'account' END,
  x.labels, x.spec, x.raw, ($5::timestamptz AT TIME ZONE 'UTC'), ($5::timestamptz AT TIME ZONE 'UTC'), NULL,
  $8::uuid
FROM input x
ON CONFLICT ("accountId", location, name) DO UPDATE SET
  cloud = EXCLUDED.cloud, scope = EXCLUDED.scope, "kubernetesVersion" = EXCLUDED."kubernetesVersion",
  status = EXCLUDED.status, labels = EXCLUDED.labels, spec = EXCLUDED.spec, raw = EXCLUDED.raw,
  "lastSeenAt" = EXCLUDED."lastSeenAt", "vanishedAt" = NULL,
  "createdByRunId" = COALESCE(EXCLUDED."createdByRunId", "Cluster"."createdByRunId"),
  environment = CASE
    WHEN "Cluster"."environmentSource" = 'manual' THEN "Cluster".environment
    WHEN EXCLUDED."environmentSource" IS NULL AND "Cluster"."environmentSource" = 'plan' THEN "Cluster".environment
    ELSE EXCLUDED.environment END,
  "environmentSource" = CASE
    WHEN "Cluster"."environmentSource" = 'manual' THEN 'manual'
    WHEN EXCLUDED."environmentSource" IS NULL AND "Cluster"."environmentSource" = 'plan' THEN 'plan'
    ELSE EXCLUDED."environmentSource" END
RETURNING id, location, name, (xmax = 0) AS created`;

const POOL_BATCH_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
    "clusterId" uuid, name text, "machineType" text, "nodeCount" int, spec jsonb, raw jsonb)
)
INSERT INTO "NodePool" (id, "clusterId", name, "machineType", "nodeCount", spec, raw, "lastSeenAt")
SELECT gen_random_uuid(), x."clusterId", x.name, x."machineType", x."nodeCount", x.spec, x.raw,
  ($2::timestamptz AT TIME ZONE 'UTC')
FROM input x
ON CONFLICT ("clusterId", name) DO UPDATE SET
  "machineType" = EXCLUDED."machineType", "nodeCount" = EXCLUDED."nodeCount", spec = EXCLUDED.spec,
  raw = EXCLUDED.raw, "lastSeenAt" = EXCLUDED."lastSeenAt"`;

/**
 * Discovered clusters into the inventory in three statements (clusters, pools, stale pools): per-row
 * Prisma upserts cost CPU in the query compiler that a fleet of thousands cannot afford on every
 * scheduled sync. The environment: a person's choice stays; otherwise `opts.environment` (a clone
 * names its plan's), the labels, the account's default; a clone's environment survives syncs that
 * find no label or default.
 */
export async function upsertDiscovered(
  db: Database,
  account: CloudAccount,
  found: DiscoveredCluster<ClusterSpec | ImportedClusterSpec>[],
  seenAt: Date,
  opts: { createdByRunId?: string; environment?: { environment: string | null; source: string } } = {},
): Promise<{ id: string; created: boolean }[]> {
  if (found.length === 0) return [];
  const rows = found.map((f) => ({
    cloud: f.spec.cloud,
    scope: f.spec.scope,
    location: f.spec.location,
    name: f.spec.name,
    kubernetesVersion: f.spec.kubernetesVersion,
    status: f.status,
    labels: f.spec.labels,
    spec: f.spec,
    raw: f.raw ?? null,
    labelEnv: environmentFromLabels(f.spec.labels) ?? null,
  }));
  const at = seenAt.toISOString();
  const upserted = await db.$queryRawUnsafe<
    { id: string; location: string; name: string; created: boolean }[]
  >(
    CLUSTER_BATCH_SQL,
    JSON.stringify(rows),
    account.tenantId,
    account.id,
    account.defaultEnvironment,
    at,
    opts.environment?.environment ?? null,
    opts.environment?.source ?? null,
    opts.createdByRunId ?? null,
  );
  const idOf = new Map(upserted.map((r) => [`${r.location}/${r.name}`, r.id]));
  const pools = found.flatMap((f) => {
    const clusterId = idOf.get(`${f.spec.location}/${f.spec.name}`);
    const raws = rawNodePools(f.raw);
    return clusterId
      ? f.spec.nodePools.map((p) => ({
          clusterId,
          name: p.name,
          machineType: p.machineType,
          nodeCount: p.nodeCount,
          spec: p,
          raw: raws.get(p.name) ?? null,
        }))
      : [];
  });
  if (pools.length) await db.$executeRawUnsafe(POOL_BATCH_SQL, JSON.stringify(pools), at);
  // Pools this sync did not touch are gone from the cloud.
  await db.$executeRawUnsafe(
    `DELETE FROM "NodePool" WHERE "clusterId" = ANY($1::uuid[]) AND "lastSeenAt" < ($2::timestamptz AT TIME ZONE 'UTC')`,
    upserted.map((r) => r.id),
    at,
  );
  return upserted.map((r) => ({ id: r.id, created: r.created }));
}
