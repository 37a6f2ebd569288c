import { randomUUID } from 'node:crypto';
import {
  createMigrationBodySchema,
  DollyError,
  type MigrationRequest,
  migrationPlanSchema,
  migrationRequestFields,
  runSchema,
} from '@dolly/contracts';
import type { Cluster } from '@dolly/db';
import { createKubeClient, type MigrationCluster, planMigration, planToYaml } from '@dolly/kube';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { admitMigration } from '@dolly/runs';
import { peopleOf, toRunDto } from '../runs/serialize.ts';
import { idempotencyHeaders, idempotencyKeyOf, startRun } from '../runs/start.ts';

/** A dry run reads both clusters; it must answer within a request's patience. */
const DRY_RUN_TIMEOUT_MS = 90_000;

const dryRunQuery = z.object({
  format: z
    .enum(['json', 'yaml'])
    .default('json')
    .meta({ description: 'yaml: the dry-run document as one YAML stream, to download and review' }),
});

/**
 * A kubeconfig for an inventory cluster with the credential its cloud issues. Azure keeps
 * "<subscription>/<resource group>" as the cluster's scope while the account's scope is the
 * subscription, so only the subscription picks the provider.
 */
export async function clusterHandle(
  deps: AppDeps,
  tenantId: string,
  cluster: Cluster,
  signal: AbortSignal,
): Promise<MigrationCluster> {
  const account = await deps.cloud.account(tenantId, cluster.accountId);
  const providerScope = cluster.cloud === 'azure' ? cluster.scope.split('/')[0] : cluster.scope;
  const kubeconfig = await deps.cloud
    .provider(account, providerScope || undefined)
    .kubeconfig({ scope: cluster.scope, location: cluster.location, cluster: cluster.name }, { signal });
  return {
    info: {
      clusterId: cluster.id,
      cloud: cluster.cloud,
      name: cluster.name,
      scope: cluster.scope,
      location: cluster.location,
    },
    client: createKubeClient(kubeconfig),
  };
}

export function migrationRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/migrations',
    {
      config: { auth: { can: 'migrate', on: 'Cluster' }, audit: 'migration.create' },
      schema: {
        tags: ['migrations'],
        summary: 'Migrate namespaces between clusters, or with dryRun see exactly what that would do',
        description:
          'dryRun: true answers 200 with the dry-run document (transformed objects, a diff per object against the target, preflight checks, warnings), computed now; nothing is written anywhere, and Secret values never appear in it. `?format=yaml` returns the same document as one YAML stream. Otherwise a `migrate` run is created and queued (202). Clone policies apply as for clones (source environment → target environment; developers never into prod, an unknown environment counts as prod); `cutover` and `copyVolumes` write into the source, so developers cannot request them from a prod source; Secrets need the operator role; no kube-* target namespace.',
        headers: idempotencyHeaders,
        querystring: dryRunQuery,
        body: createMigrationBodySchema,
        response: {
          200: migrationPlanSchema,
          202: runSchema,
          ...problemResponses,
          422: problemResponses[400],
          503: problemResponses[400],
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const { dryRun, ...body } = request.body;
      const migration: MigrationRequest = z.object(migrationRequestFields).parse(body);
      const key = idempotencyKeyOf(request);
      const { source, target, requireApproval } = await admitMigration(deps.db, {
        tenantId: p.tenantId,
        role: p.role,
        request: migration,
        ...(dryRun ? {} : { busy: { idempotencyKey: key } }),
      });

      if (dryRun) {
        const signal = AbortSignal.timeout(DRY_RUN_TIMEOUT_MS);
        let clusters: { source: MigrationCluster; target: MigrationCluster } | undefined;
        try {
          clusters = {
            source: await clusterHandle(deps, p.tenantId, source, signal),
            target: await clusterHandle(deps, p.tenantId, target, signal),
          };
          const plan = await planMigration(migration, { ...clusters, migrationId: randomUUID() }, { signal });
          // globs resolved to real namespaces: the policy sees each of them
          await admitMigration(deps.db, {
            tenantId: p.tenantId,
            role: p.role,
            request: migration,
            namespaces: plan.namespaces,
          });
          if (request.query.format === 'yaml')
            return reply
              .status(200)
              .header(
                'content-disposition',
                `attachment; filename="migration-plan-${source.name}-to-${target.name}.yaml"`,
              )
              .type('application/yaml')
              .serializer((payload: unknown) => String(payload))
              .send(planToYaml(plan) as never);
          return reply.status(200).send(plan);
        } catch (error) {
          if (signal.aborted)
            throw new DollyError('unavailable', 'The clusters did not answer in time for a dry run');
          if (error instanceof DollyError) throw error;
          throw new DollyError(
            'unprocessable',
            `The dry run could not read the clusters: ${error instanceof Error ? error.message : String(error)}`,
          );
        } finally {
          clusters?.source.client.close();
          clusters?.target.client.close();
        }
      }

      const run = await startRun(deps, p, {
        kind: 'migrate',
        input: {
          title: `Migrate ${migration.namespaces.join(', ')} from ${source.name} (${source.cloud}) → ${target.name} (${target.cloud})`,
          ...migration,
        },
        needsApproval: requireApproval,
        ...(key ? { idempotencyKey: key } : {}),
        sameRequest: (existing) =>
          JSON.stringify(z.object(migrationRequestFields).safeParse(existing.input).data) ===
          JSON.stringify(migration),
      });
      const people = await peopleOf(deps.db, [run]);
      return reply.status(202).send(toRunDto(run, people));
    },
  );
}
