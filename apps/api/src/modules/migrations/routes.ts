import { createMigrationBodySchema, migrationPlanSchema, runSchema } from '@dolly/contracts';
import { requestMigration } from '@dolly/runs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { peopleOf, toRunDto } from '../runs/serialize.ts';
import { idempotencyHeaders, idempotencyKeyOf, startRun } from '../runs/start.ts';

const dryRunQuery = z.object({
  format: z
    .enum(['json', 'yaml'])
    .default('json')
    .meta({ description: 'yaml: the dry-run document as one YAML stream, to download and review' }),
});

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
      const key = idempotencyKeyOf(request);
      const answer = await requestMigration(deps.db, deps.cloud, p, request.body, {
        idempotencyKey: key,
        format: request.query.format,
      });
      if (answer.dryRun) {
        const { plan, download } = answer.dryRun;
        if (download)
          return reply
            .status(200)
            .header('content-disposition', `attachment; filename="${download.filename}"`)
            .type('application/yaml')
            .serializer((payload: unknown) => String(payload))
            .send(download.yaml as never);
        return reply.status(200).send(plan);
      }
      const run = await startRun(deps, p, { ...answer.run, ...(key ? { idempotencyKey: key } : {}) });
      const people = await peopleOf(deps.db, [run]);
      return reply.status(202).send(toRunDto(run, people));
    },
  );
}
