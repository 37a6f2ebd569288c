import { runSchema } from '@dolly/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { toRunDto } from '../runs/serialize.ts';

/**
 * A self-test run: proves the whole path (API → Redis queue → worker → Postgres → SSE) works on
 * this installation, and doubles as the simplest example of a run.
 */
export function selftestRoutes(app: FastifyInstance, deps: AppDeps) {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/selftest',
    {
      config: { auth: { can: 'create', on: 'Run' } },
      schema: {
        tags: ['runs'],
        summary: 'Start a self-test run that exercises queue, worker, database and event stream',
        body: z
          .object({
            note: z.string().max(200).optional().meta({ description: 'Free text echoed in the run result' }),
          })
          .default({}),
        response: { 202: runSchema },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const run = await deps.db.run.create({
        data: {
          tenantId: principal.tenantId,
          kind: 'selftest',
          status: 'queued',
          requestedById: principal.userId,
          tokenId: principal.tokenId ?? null,
          input: { note: request.body.note ?? null },
        },
      });
      await deps.appendRunEvent(run.id, 'info', 'Self-test queued');
      await deps.queues.enqueue('runs', 'selftest', { runId: run.id, tenantId: principal.tenantId });
      deps.metrics.runsCreated.inc({ kind: 'selftest' });
      return reply.status(202).send(toRunDto(run));
    },
  );
}
