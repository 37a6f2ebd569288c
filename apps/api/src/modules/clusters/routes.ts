import { DollyError } from '@dolly/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { latestDriftByCluster } from '../drift/latest.ts';
import { credentialExpiry } from './credential-expiry.ts';
import { type ClusterSummaryRow, listClusterSummaries } from './list-query.ts';

const poolSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  machineType: z.string(),
  nodeCount: z.number().int(),
  spec: z.unknown(),
});
const clusterSummarySchema = z
  .object({
    id: z.uuid(),
    cloud: z.enum(['aws', 'azure', 'gcp', 'kubernetes']).meta({
      description: '`kubernetes`: a cluster imported by kubeconfig (migrations only, never clones)',
    }),
    accountId: z.uuid(),
    accountName: z.string(),
    scope: z.string(),
    location: z.string(),
    name: z.string(),
    kubernetesVersion: z.string(),
    status: z.string().nullable(),
    environment: z.string().nullable(),
    environmentSource: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    pools: z.number().int(),
    nodes: z.number().int(),
    lastSeenAt: z.iso.datetime(),
    vanishedAt: z.iso.datetime().nullable(),
    drifted: z.boolean().nullable().meta({
      description:
        "Whether the clone's latest drift report found drift; null: never checked (or not a clone)",
    }),
  })
  .meta({ id: 'ClusterSummary' });
const clusterDetailSchema = clusterSummarySchema
  .extend({ spec: z.unknown(), nodePools: z.array(poolSchema) })
  .meta({ id: 'Cluster' });

const listQuery = z.object({
  cloud: z.enum(['aws', 'azure', 'gcp', 'kubernetes']).optional(),
  accountId: z.uuid().optional(),
  location: z.string().optional(),
  env: z.string().optional(),
  label: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .meta({ description: 'k=v; repeat for several (all must match)' }),
  q: z.string().optional().meta({ description: 'Text in the cluster name' }),
  includeVanished: z.coerce.boolean().default(false),
  cursor: z.uuid().optional().meta({ description: 'The nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const summary = (c: ClusterSummaryRow) => ({
  id: c.id,
  cloud: c.cloud,
  accountId: c.accountId,
  accountName: c.accountName,
  scope: c.scope,
  location: c.location,
  name: c.name,
  kubernetesVersion: c.kubernetesVersion,
  status: c.status,
  environment: c.environment,
  environmentSource: c.environmentSource,
  labels: (c.labels ?? {}) as Record<string, string>,
  pools: c.pools,
  nodes: c.nodes,
  lastSeenAt: c.lastSeenAt.toISOString(),
  vanishedAt: c.vanishedAt?.toISOString() ?? null,
  drifted: c.drifted,
});

function parseLabels(label: string | string[] | undefined) {
  const pairs = label === undefined ? [] : Array.isArray(label) ? label : [label];
  return pairs.map((pair, i) => {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new DollyError('validation_failed', `label "${pair}" is not k=v`, [
        { path: `querystring.label.${i}`, message: 'expected k=v' },
      ]);
    return [pair.slice(0, at), pair.slice(at + 1)] as const;
  });
}

export function clusterRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/clusters',
    {
      config: { auth: { can: 'read', on: 'Cluster' } },
      schema: {
        tags: ['clusters'],
        summary: 'The inventory: every cluster of every account, filtered, with cursor paging',
        querystring: listQuery,
        response: {
          200: z.object({ items: z.array(clusterSummarySchema), nextCursor: z.uuid().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const q = request.query;
      const labels = parseLabels(q.label);
      const rows = await listClusterSummaries(deps.db, {
        tenantId: p.tenantId,
        ...(q.cloud ? { cloud: q.cloud } : {}),
        ...(q.accountId ? { accountId: q.accountId } : {}),
        ...(q.location ? { location: q.location } : {}),
        ...(q.env ? { env: q.env } : {}),
        ...(q.q ? { q: q.q } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        labels,
        includeVanished: q.includeVanished,
        limit: q.limit,
      });
      return {
        items: rows.map(summary),
        nextCursor: rows.length === q.limit ? (rows.at(-1)?.id ?? null) : null,
      };
    },
  );

  r.get(
    '/api/v1/clusters/:id',
    {
      config: { auth: { can: 'read', on: 'Cluster' } },
      schema: {
        tags: ['clusters'],
        summary: 'One cluster with its node pools and canonical spec',
        params: idParams,
        response: { 200: clusterDetailSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const c = await deps.db.cluster.findFirst({
        where: { id: request.params.id, tenantId: p.tenantId },
        include: { account: { select: { name: true } }, nodePools: { orderBy: { name: 'asc' } } },
      });
      if (!c) throw new DollyError('not_found', `No cluster ${request.params.id}`);
      const drift = await latestDriftByCluster(deps.db, p.tenantId, [c.id]);
      return {
        ...summary({
          ...c,
          accountName: c.account.name,
          pools: c.nodePools.length,
          nodes: c.nodePools.reduce((n, np) => n + np.nodeCount, 0),
          drifted: drift.get(c.id) ?? null,
        }),
        spec: c.spec,
        nodePools: c.nodePools.map((np) => ({
          id: np.id,
          name: np.name,
          machineType: np.machineType,
          nodeCount: np.nodeCount,
          spec: np.spec,
        })),
      };
    },
  );

  r.patch(
    '/api/v1/clusters/:id',
    {
      config: { auth: { can: 'update', on: 'Cluster' }, audit: 'cluster.environment' },
      schema: {
        tags: ['clusters'],
        summary: "Set a cluster's environment by hand (wins over labels and the account default)",
        params: idParams,
        body: z.object({ environment: z.string().min(1).max(40).nullable() }),
        response: { 200: clusterSummarySchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const c = await deps.db.cluster.findFirst({ where: { id: request.params.id, tenantId: p.tenantId } });
      if (!c) throw new DollyError('not_found', `No cluster ${request.params.id}`);
      await deps.db.cluster.update({
        where: { id: c.id },
        data: {
          environment: request.body.environment,
          environmentSource: request.body.environment ? 'manual' : null,
        },
      });
      const [updated] = await listClusterSummaries(deps.db, {
        tenantId: p.tenantId,
        id: c.id,
        includeVanished: true,
        limit: 1,
      });
      if (!updated) throw new DollyError('not_found', `No cluster ${request.params.id}`);
      return summary(updated);
    },
  );

  r.get(
    '/api/v1/clusters/:id/kubeconfig',
    {
      config: { auth: { can: 'update', on: 'Cluster' }, audit: 'cluster.kubeconfig' },
      schema: {
        tags: ['clusters'],
        summary: 'A kubeconfig with short-lived credentials the cloud issues (operators and above)',
        description:
          'EKS: a presigned STS token (about 15 minutes); GKE: an OAuth access token (about an hour); AKS: the cluster user credentials the cloud hands out, or for Azure AD clusters an Entra token Dolly obtains (about an hour). `expiresAt` is the expiry the token itself states when it is a JWT. Every download is audited.',
        params: idParams,
        response: {
          200: z.object({
            kubeconfig: z.string().meta({ description: 'kubeconfig YAML' }),
            expiresAt: z.iso.datetime().nullable(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const c = await deps.db.cluster.findFirst({ where: { id: request.params.id, tenantId: p.tenantId } });
      if (!c) throw new DollyError('not_found', `No cluster ${request.params.id}`);
      if (c.vanishedAt) throw new DollyError('conflict', `Cluster ${c.name} was not found at the last sync`);
      const account = await deps.cloud.account(p.tenantId, c.accountId);
      const kubeconfig = await deps.cloud
        .provider(account, c.scope)
        .kubeconfig({ scope: c.scope, location: c.location, cluster: c.name });
      return { kubeconfig, expiresAt: credentialExpiry(c.cloud, kubeconfig) };
    },
  );
}
