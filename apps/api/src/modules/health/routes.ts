import { pingDatabase } from '@dolly/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';

const checkSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number().optional(),
  error: z.string().optional(),
});

async function timed(fn: () => Promise<unknown>) {
  const started = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2s')), 2000)),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export function healthRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  r.get(
    '/readyz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness: 200 only while Postgres and Redis answer',
        response: {
          200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), checkSchema) }),
          503: z.object({ status: z.literal('not_ready'), checks: z.record(z.string(), checkSchema) }),
        },
      },
    },
    async (_request, reply) => {
      const [postgres, redis] = await Promise.all([
        timed(() => pingDatabase(deps.db)),
        timed(() => deps.redis.ping()),
      ]);
      const checks = { postgres, redis };
      if (postgres.ok && redis.ok) return reply.status(200).send({ status: 'ready' as const, checks });
      return reply.status(503).send({ status: 'not_ready' as const, checks });
    },
  );
}
