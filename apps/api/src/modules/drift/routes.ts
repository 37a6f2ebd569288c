import { DollyError } from '@dolly/contracts';
import type { DriftReport } from '@dolly/db';
import { announceDrift } from '@dolly/jobs';
import { driftSeveritySchema } from '@dolly/model';
import { DriftCheckError, checkClusterDrift, driftInfraSchema, driftWorkloadsSchema } from '@dolly/runs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { workloadProbe } from './workloads.ts';

const clusterRefSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  cloud: z.string(),
  location: z.string(),
});

// JSON values as `unknown`: the model's z.json() is recursive, which OpenAPI clients render badly.
const driftFindingSchema = z
  .object({
    path: z.string().meta({
      description:
        '`nodePools[web].machineType`; starts with `source.` when the source moved since the clone was planned',
    }),
    expected: z
      .unknown()
      .meta({ description: 'What the plan (or the source as planned) says; null: absent' }),
    actual: z.unknown().meta({ description: 'What the inventory holds now; null: absent' }),
    severity: driftSeveritySchema,
  })
  .meta({ id: 'DriftFinding' });

const workloadFindingSchema = z
  .object({
    namespace: z.string().meta({ description: 'The target namespace (a Namespace object: its own name)' }),
    kind: z.string(),
    name: z.string(),
    path: z.string().meta({
      description:
        '`spec.replicas`, `spec.template.spec.containers[0].image`; `object` when the object is missing in the clone (actual null) or extra in a migrated namespace (expected null)',
    }),
    expected: z.unknown().meta({
      description: 'What the migration, planned again now, would write; Secret values read `<redacted>`',
    }),
    actual: z.unknown().meta({ description: 'What the clone holds; null: absent' }),
  })
  .meta({ id: 'WorkloadDriftFinding' });

const driftWorkloadsDtoSchema = z
  .object({
    runId: z.uuid().meta({ description: 'The last succeeded migration into the clone, planned again' }),
    namespaces: z.array(z.string()).meta({ description: 'The target namespaces compared' }),
    findings: z.array(workloadFindingSchema),
    truncated: z.boolean().meta({ description: 'More findings than a report keeps (500)' }),
    error: z
      .string()
      .nullable()
      .meta({ description: 'Why the workloads could not be compared (then there are no findings)' }),
  })
  .meta({ id: 'DriftWorkloads' });

const driftReportSchema = z
  .object({
    id: z.uuid(),
    clusterId: z.uuid(),
    sourceClusterId: z.uuid(),
    drifted: z.boolean(),
    fingerprint: z.string().meta({ description: 'sha256 of the sorted findings' }),
    basis: z.enum(['plan', 'translation']).meta({
      description:
        "`plan`: compared with what the clone plan asked for (and the source with itself as planned); `translation`: no plan was found, the source was translated again into the clone's cloud",
    }),
    runId: z.uuid().nullable().meta({ description: 'The clone run whose plan item was the expectation' }),
    findings: z.array(driftFindingSchema),
    workloads: driftWorkloadsDtoSchema.nullable().meta({
      description: 'Null when no migration succeeded into the clone (or the report predates the comparison)',
    }),
    requestedById: z.uuid().nullable().meta({ description: 'Who asked; null for the schedule' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'DriftReport' });

const driftPageSchema = z
  .object({
    source: clusterRefSchema
      .nullable()
      .meta({ description: 'The cluster this one was cloned from; null when unknown' }),
    latest: driftReportSchema.nullable(),
    items: z.array(driftReportSchema).meta({ description: 'Reports, newest first' }),
    nextCursor: z.uuid().nullable(),
  })
  .meta({ id: 'DriftHistory' });

function toDto(r: DriftReport) {
  const infra = driftInfraSchema.safeParse(r.infra);
  const workloads = driftWorkloadsSchema.safeParse(r.workloads);
  return {
    id: r.id,
    clusterId: r.clusterId,
    sourceClusterId: r.sourceClusterId,
    drifted: r.drifted,
    fingerprint: r.fingerprint,
    basis: infra.success ? infra.data.basis : ('plan' as const),
    runId: infra.success ? infra.data.runId : null,
    findings: infra.success ? infra.data.findings : [],
    workloads: workloads.success ? workloads.data : null,
    requestedById: r.requestedById,
    createdAt: r.createdAt.toISOString(),
  };
}

export function driftRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/clusters/:id/drift',
    {
      // Checking is self-service like cloning: it reads the inventory only and writes a report.
      config: { auth: { can: 'clone', on: 'Cluster' }, audit: 'cluster.drift-check' },
      schema: {
        tags: ['clusters'],
        summary: 'Compare a clone with its source now and store the report (developers and above)',
        description:
          'Compares the inventory as the last sync read it: sync first to compare with what the clouds have this minute. When a migration succeeded into the clone, its namespaces are compared too: the migration planned again now (its stored request, the same transforms) against the objects the clone holds. Answers 409 when the cluster has no known source (it was not cloned by Dolly). A `drift.detected` webhook event fires when drift is found and differs from the previous report.',
        params: idParams,
        response: { 201: driftReportSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const result = await checkClusterDrift(
        deps.db,
        {
          tenantId: p.tenantId,
          clusterId: request.params.id,
          requestedById: p.userId,
        },
        // a person asked: the answer goes into the history even when nothing changed
        { workloads: workloadProbe(deps, p.tenantId), store: 'always' },
      ).catch((error: unknown) => {
        if (error instanceof DriftCheckError)
          throw error.code === 'not_found'
            ? new DollyError('not_found', error.message)
            : new DollyError('conflict', error.message, [{ path: 'params.id', message: error.message }]);
        throw error;
      });
      if (result.newDrift)
        await announceDrift(deps.db, deps.queues, result.report, {
          actorUserId: p.userId,
          tokenId: p.tokenId ?? null,
          requestId: request.id,
          backoffMs: deps.config.DOLLY_WEBHOOK_BACKOFF_MS,
          onError: (err) => request.log.error({ err }, 'drift notification could not be queued'),
        });
      return reply.status(201).send(toDto(result.report));
    },
  );

  r.get(
    '/api/v1/clusters/:id/drift',
    {
      config: { auth: { can: 'read', on: 'Cluster' } },
      schema: {
        tags: ['clusters'],
        summary: "A clone's latest drift report and its history, newest first, with cursor paging",
        params: idParams,
        querystring: z.object({
          cursor: z.uuid().optional().meta({ description: 'The nextCursor of the previous page' }),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: driftPageSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const c = await deps.db.cluster.findFirst({
        where: { id: request.params.id, tenantId: p.tenantId },
        select: { id: true, clonedFromId: true },
      });
      if (!c) throw new DollyError('not_found', `No cluster ${request.params.id}`);
      const source = c.clonedFromId
        ? await deps.db.cluster.findFirst({
            where: { id: c.clonedFromId, tenantId: p.tenantId },
            select: { id: true, name: true, cloud: true, location: true },
          })
        : null;
      const where = { tenantId: p.tenantId, clusterId: c.id };
      const { cursor, limit } = request.query;
      const [latest, items] = await Promise.all([
        deps.db.driftReport.findFirst({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
        deps.db.driftReport.findMany({
          where: { ...where, ...(cursor ? { id: { lt: cursor } } : {}) },
          // uuid v7 ids grow with time: the id is the stable tie-break and the cursor
          orderBy: { id: 'desc' },
          take: limit,
        }),
      ]);
      return {
        source,
        latest: latest ? toDto(latest) : null,
        items: items.map(toDto),
        nextCursor: items.length === limit ? (items.at(-1)?.id ?? null) : null,
      };
    },
  );
}
