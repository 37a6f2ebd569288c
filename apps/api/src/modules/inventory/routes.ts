import { DollyError, runSchema } from '@dolly/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { peopleOf, toRunDto } from '../runs/serialize.ts';
import { idempotencyHeaders, idempotencyKeyOf, startRun } from '../runs/start.ts';

export function inventoryRoutes(app: FastifyInstance, deps: AppDeps) {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/inventory/sync',
    {
      config: { auth: { can: 'update', on: 'Cluster' }, audit: 'inventory.sync' },
      schema: {
        tags: ['inventory'],
        summary: 'Discover the clusters of every cloud account (or some) now, as a run',
        description:
          'Accounts are discovered in parallel; clusters and node pools are upserted with their raw cloud documents and the ones no longer found are marked vanished. Also runs on a schedule per tenant.',
        headers: idempotencyHeaders,
        body: z
          .object({
            accountIds: z.array(z.uuid()).min(1).optional().meta({ description: 'Default: every account' }),
          })
          .default({}),
        response: { 202: runSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const ids = request.body.accountIds;
      if (ids) {
        const found = await deps.db.cloudAccount.findMany({
          where: { tenantId: p.tenantId, id: { in: ids } },
          select: { id: true },
        });
        const missing = ids.filter((id) => !found.some((a) => a.id === id));
        if (missing.length)
          throw new DollyError('validation_failed', 'Unknown cloud accounts', [
            { path: 'body.accountIds', message: `not accounts of this tenant: ${missing.join(', ')}` },
          ]);
      }
      const key = idempotencyKeyOf(request);
      const run = await startRun(deps, p, {
        kind: 'sync',
        input: {
          title: ids ? `Inventory sync of ${ids.length} account(s)` : 'Inventory sync',
          ...(ids ? { accountIds: ids } : {}),
        },
        ...(key ? { idempotencyKey: key } : {}),
      });
      return reply.status(202).send(toRunDto(run, await peopleOf(deps.db, [run])));
    },
  );
}
