import { type Database, Prisma } from '@dolly/db';

export interface ClusterFilters {
  tenantId: string;
  id?: string;
  cloud?: 'aws' | 'azure' | 'gcp' | 'kubernetes';
  accountId?: string;
  location?: string;
  env?: string;
  /** text in the name, case-insensitive, taken literally (no wildcards) */
  q?: string;
  labels?: readonly (readonly [string, string])[];
  includeVanished?: boolean;
  /** ids after this one */
  cursor?: string;
  limit: number;
}

export interface ClusterSummaryRow {
  id: string;
  cloud: 'aws' | 'azure' | 'gcp' | 'kubernetes';
  accountId: string;
  accountName: string;
  scope: string;
  location: string;
  name: string;
  kubernetesVersion: string;
  status: string | null;
  environment: string | null;
  environmentSource: string | null;
  labels: unknown;
  pools: number;
  nodes: number;
  lastSeenAt: Date;
  vanishedAt: Date | null;
  /** the latest drift report's verdict; null: never checked */
  drifted: boolean | null;
}

/** `%`, `_` and `\` match themselves in the name filter. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One page of the inventory in one SQL statement: the account's name joined, the pools summed and
 * each cluster's latest drift verdict read in Postgres. The list never reads a cluster's or a pool's spec (most of the bytes), and with
 * 10,000 clusters a page costs what a page of 10 costs, not what loading 600 pool rows through the
 * ORM costs (about 3× more per request, measured by apps/api/bench/clusters.bench.ts).
 */
export async function listClusterSummaries(db: Database, f: ClusterFilters): Promise<ClusterSummaryRow[]> {
  const where: Prisma.Sql[] = [Prisma.sql`c."tenantId" = ${f.tenantId}::uuid`];
  if (f.id) where.push(Prisma.sql`c.id = ${f.id}::uuid`);
  if (!f.includeVanished) where.push(Prisma.sql`c."vanishedAt" IS NULL`);
  if (f.cloud) where.push(Prisma.sql`c.cloud = ${f.cloud}::"Cloud"`);
  if (f.accountId) where.push(Prisma.sql`c."accountId" = ${f.accountId}::uuid`);
  if (f.location) where.push(Prisma.sql`c.location = ${f.location}`);
  if (f.env) where.push(Prisma.sql`c.environment = ${f.env}`);
  if (f.q) where.push(Prisma.sql`c.name ILIKE ${`%${likeLiteral(f.q)}%`}`);
  for (const [key, value] of f.labels ?? []) where.push(Prisma.sql`c.labels ->> ${key} = ${value}`);
  if (f.cursor) where.push(Prisma.sql`c.id > ${f.cursor}::uuid`);
  return db.$queryRaw<ClusterSummaryRow[]>`
    SELECT c.id, c.cloud::text AS cloud, c."accountId", a.name AS "accountName", c.scope, c.location,
           c.name, c."kubernetesVersion", c.status, c.environment, c."environmentSource", c.labels,
           COALESCE(p.pools, 0)::int AS pools, COALESCE(p.nodes, 0)::int AS nodes,
           c."lastSeenAt", c."vanishedAt", d.drifted
      FROM "Cluster" c
      JOIN "CloudAccount" a ON a.id = c."accountId"
      LEFT JOIN LATERAL (
        SELECT count(*) AS pools, sum(n."nodeCount") AS nodes FROM "NodePool" n WHERE n."clusterId" = c.id
      ) p ON true
      LEFT JOIN LATERAL (
        SELECT r.drifted FROM "DriftReport" r
         WHERE r."tenantId" = c."tenantId" AND r."clusterId" = c.id
         ORDER BY r."createdAt" DESC, r.id DESC
         LIMIT 1
      ) d ON true
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY c.id
     LIMIT ${f.limit}`;
}
