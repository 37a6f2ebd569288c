import { DollyError } from '@dolly/contracts';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from './deps.ts';
import { registerAuditTrail } from './modules/audit/recorder.ts';
import { accountRoutes } from './modules/accounts/routes.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { healthRoutes } from './modules/health/routes.ts';
import { importedClusterRoutes } from './modules/imported/routes.ts';
import { inventoryRoutes } from './modules/inventory/routes.ts';
import { migrationRoutes } from './modules/migrations/routes.ts';
import { runActionRoutes } from './modules/runs/actions.ts';
import { clusterRoutes } from './modules/clusters/routes.ts';
import { driftRoutes } from './modules/drift/routes.ts';
import { memberRoutes } from './modules/members/routes.ts';
import { planRoutes } from './modules/plans/routes.ts';
import { policyRoutes } from './modules/policies/routes.ts';
import { recipeRoutes } from './modules/recipes/routes.ts';
import { runRoutes } from './modules/runs/routes.ts';
import { selftestRoutes } from './modules/selftest/routes.ts';
import { ssoRoutes } from './modules/sso/routes.ts';
import { tokenRoutes } from './modules/tokens/routes.ts';
import { webhookRoutes } from './modules/webhooks/routes.ts';
import { registerAuth } from './plugins/auth.ts';
import { registerErrorHandling } from './plugins/errors.ts';
import { registerMetrics, registerRunGauge } from './plugins/metrics.ts';
import { registerOpenApi } from './plugins/openapi.ts';

const REDIS_LOST = new Set(['reconnecting', 'close', 'end']);

export interface RouteInfo {
  method: string;
  url: string;
  auth: unknown;
}

/** Builds the API on given dependencies; main.ts wires real ones, tests wire real ones on loopback. */
export type DollyApp = FastifyInstance & { routeTable: RouteInfo[] };

export async function buildApp(
  deps: AppDeps,
  opts: { logStream?: { write(line: string): void } } = {},
): Promise<DollyApp> {
  const app = Fastify({
    logger: {
      level: deps.config.DOLLY_LOG_LEVEL,
      ...(opts.logStream ? { stream: opts.logStream } : {}),
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
      ],
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
    },
    // Only listed proxies may tell us the client's address; anyone else could rotate it past
    // the login limit.
    trustProxy: deps.config.DOLLY_TRUST_PROXY.length ? deps.config.DOLLY_TRUST_PROXY : false,
    bodyLimit: 5 * 1024 * 1024,
  });
  const routeTable: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method !== 'HEAD')
        routeTable.push({ method, url: route.url, auth: route.config?.auth ?? 'authenticated' });
    }
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Changes need Redis (queues, cancel messages, rate limits). While it is down a change would
  // wait for the reconnect with the client hanging; answer 503 up front and change nothing.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    if (!request.url.startsWith('/api/v1/')) return;
    // `connecting` at start-up just waits; a connection that was lost is refused at once
    if (REDIS_LOST.has(deps.redis.status)) {
      reply.header('retry-after', '5');
      throw new DollyError(
        'unavailable',
        `Redis (queues and live events) is not reachable (${deps.redis.status}); nothing was changed, try again shortly`,
      );
    }
  });
  // A POST without a body (curl -X POST .../cancel) means "no options", not "invalid body".
  app.addHook('preValidation', async (request) => {
    if (request.body === null || request.body === undefined) {
      if (request.method === 'POST') request.body = {};
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const webDist = deps.config.DOLLY_WEB_DIST;
  const serveWeb = Boolean(webDist && existsSync(webDist));
  registerErrorHandling(app, {
    // Client-side routes: any GET outside the API that is not a file gets the app shell.
    appShell: (request, reply) =>
      serveWeb && request.method === 'GET' && !request.url.startsWith('/api/') && request.url !== '/metrics'
        ? reply.sendFile('index.html')
        : undefined,
  });
  await app.register(cookie);
  // Counters in Redis: every API replica sees the same attempts.
  await app.register(rateLimit, {
    global: false,
    redis: deps.redis,
    nameSpace: `${deps.config.DOLLY_QUEUE_PREFIX}:rate-limit:`,
  });
  await registerOpenApi(app);
  registerMetrics(app, deps.metrics, deps.config.DOLLY_METRICS_TOKEN);
  if (!deps.metrics.registry.getSingleMetric('dolly_runs'))
    registerRunGauge(deps.metrics, async () =>
      (await deps.db.run.groupBy({ by: ['kind', 'status'], _count: { _all: true } })).map((g) => ({
        kind: g.kind,
        status: g.status,
        count: g._count._all,
      })),
    );
  registerAuth(app, deps.db);
  registerAuditTrail(app, deps.db);

  healthRoutes(app, deps);
  authRoutes(app, deps);
  runRoutes(app, deps);
  selftestRoutes(app, deps);
  tokenRoutes(app, deps);
  memberRoutes(app, deps);
  policyRoutes(app, deps);
  auditRoutes(app, deps);
  accountRoutes(app, deps);
  clusterRoutes(app, deps);
  importedClusterRoutes(app, deps);
  driftRoutes(app, deps);
  planRoutes(app, deps);
  inventoryRoutes(app, deps);
  migrationRoutes(app, deps);
  recipeRoutes(app, deps);
  runActionRoutes(app, deps);
  webhookRoutes(app, deps);
  ssoRoutes(app, deps);

  if (serveWeb && webDist) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false, index: ['index.html'] });
  }
  return Object.assign(app as unknown as FastifyInstance, { routeTable });
}
