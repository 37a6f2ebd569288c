import { scrapeAccess } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dolly_api_' });
  const httpDuration = new Histogram({
    name: 'dolly_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const runsCreated = new Counter({
    name: 'dolly_runs_created_total',
    help: 'Runs created by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  return { registry, httpDuration, runsCreated };
}

/**
 * Runs by kind and state, read from Postgres at scrape time: the database is the truth, and every
 * API replica reports the same numbers (sum or max them, do not add replicas up).
 */
export function registerRunGauge(
  metrics: Metrics,
  countRuns: () => Promise<{ kind: string; status: string; count: number }[]>,
) {
  new Gauge({
    name: 'dolly_runs',
    help: 'Runs by kind and state (all tenants)',
    labelNames: ['kind', 'status'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const row of await countRuns()) this.set({ kind: row.kind, status: row.status }, row.count);
    },
  });
}

export type Metrics = ReturnType<typeof createMetrics>;

export function registerMetrics(app: FastifyInstance, metrics: Metrics, token: string | undefined) {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const access = scrapeAccess({
      token,
      socketAddress: request.socket.remoteAddress,
      authorization: request.headers.authorization,
    });
    if (!access.ok)
      throw new DollyError(access.status === 401 ? 'unauthenticated' : 'forbidden', access.reason);
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
