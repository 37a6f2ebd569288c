import { parseEgressPolicy } from '@dolly/contracts/egress';
import { createDatabase, credentialVaultFromEnv } from '@dolly/db';
import { createCloudAccess, createQueues, createRedis, createRunEventWriter } from '@dolly/jobs';
import pino from 'pino';
import { type DollyApp, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createRunEventHub } from '../../src/lib/run-event-hub.ts';
import { createMetrics } from '../../src/plugins/metrics.ts';
import { startRunWorker } from '../../../worker/src/worker.ts';

/**
 * The API and a worker in this process, on the real Postgres and Redis that `pnpm test` started
 * (DATABASE_URL / REDIS_URL), with a queue prefix of their own.
 */
export async function startHarness(
  overrides: Record<string, string> = {},
  opts: {
    worker?: boolean;
    pollIntervalMs?: number;
    stalledMs?: number;
    syncIntervalMinutes?: number;
    /** How often scheduled syncs compare a clone's workloads again (default 0: every sync). */
    workloadDriftIntervalMinutes?: number;
    /** Work slots of the worker: steps working at once (the worker's default, 8). */
    concurrency?: number;
    /** Runs the worker holds at once, waiting ones included (default 8 × concurrency). */
    runsInFlight?: number;
    /** DOLLY_TENANT_CONCURRENCY of the worker (unlimited unless a test sets it). */
    tenantConcurrency?: number;
    /** How often a run waiting for its tenant's limit re-checks by itself. */
    tenantRecheckMs?: number;
    /** The per-account token bucket; benchmarks scale it with the sandbox's speed, as polling is. */
    accountCallsPerSecond?: number;
    /** Another replica of the same installation: share this queue and key prefix. */
    prefix?: string;
    /** Receives every log line of the API and the worker (tests grep them for secrets). */
    logStream?: { write(line: string): void };
  } = {},
) {
  const env = { ...process.env, DOLLY_LOG_LEVEL: 'warn', ...overrides };
  const config = loadConfig(env);
  const prefix = opts.prefix ?? `${config.DOLLY_QUEUE_PREFIX}-${Math.random().toString(36).slice(2, 8)}`;
  const db = createDatabase(config.DATABASE_URL);
  const vault = credentialVaultFromEnv(env);
  const redis = createRedis(config.REDIS_URL, 'test-api');
  const subscriber = createRedis(config.REDIS_URL, 'test-sse');
  const queues = createQueues(redis, prefix);
  const app: DollyApp = await buildApp(
    {
      config: { ...config, DOLLY_QUEUE_PREFIX: prefix },
      db,
      redis,
      queues,
      runEvents: createRunEventHub(subscriber),
      appendRunEvent: createRunEventWriter(db, redis),
      metrics: createMetrics(),
      vault,
      cloud: createCloudAccess(db, vault, {
        egress: parseEgressPolicy(config.DOLLY_ENDPOINT_ALLOWLIST),
        hostIdentityTenants: config.DOLLY_HOST_IDENTITY_TENANTS,
      }),
    },
    opts.logStream ? { logStream: opts.logStream } : {},
  );
  const withWorker = opts.worker !== false;
  const workerConnection = createRedis(config.REDIS_URL, 'test-worker-bullmq');
  const workerRedis = createRedis(config.REDIS_URL, 'test-worker');
  const workerSubscriber = createRedis(config.REDIS_URL, 'test-worker-cancel');
  const worker = withWorker
    ? await startRunWorker({
        db,
        connection: workerConnection,
        redis: workerRedis,
        subscriber: workerSubscriber,
        vault,
        log: opts.logStream ? pino({ level: 'debug' }, opts.logStream) : pino({ level: 'warn' }),
        prefix,
        concurrency: opts.concurrency ?? 8,
        ...(opts.runsInFlight ? { runsInFlight: opts.runsInFlight } : {}),
        ...(opts.tenantConcurrency ? { tenantConcurrency: opts.tenantConcurrency } : {}),
        ...(opts.tenantRecheckMs ? { tenantRecheckMs: opts.tenantRecheckMs } : {}),
        ...(opts.accountCallsPerSecond ? { accountCallsPerSecond: opts.accountCallsPerSecond } : {}),
        workerId: 'test-worker',
        egress: parseEgressPolicy(config.DOLLY_ENDPOINT_ALLOWLIST),
        hostIdentityTenants: config.DOLLY_HOST_IDENTITY_TENANTS,
        pollIntervalMs: opts.pollIntervalMs ?? 50,
        stalledMs: opts.stalledMs ?? 30_000,
        syncIntervalMinutes: opts.syncIntervalMinutes ?? 0,
        publicUrl: config.DOLLY_PUBLIC_URL,
        webhookBackoffMs: config.DOLLY_WEBHOOK_BACKOFF_MS,
        workloadDriftIntervalMinutes: opts.workloadDriftIntervalMinutes ?? 0,
      })
    : undefined;
  await worker?.waitUntilReady();
  return {
    app,
    db,
    redis,
    prefix,
    vault,
    queues,
    async close() {
      await worker?.close();
      await app.close();
      await Promise.race([queues.close(), new Promise((r) => setTimeout(r, 1000))]);
      for (const c of [redis, subscriber, workerConnection, workerRedis, workerSubscriber]) c.disconnect();
      await db.$disconnect();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** Signs in through the API and returns what a browser would hold: the cookie and the CSRF token. */
export async function login(app: DollyApp, email: string, password = 'dolly-demo') {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login ${email} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'dolly_session');
  const body = res.json() as { csrfToken: string };
  return { cookie: `dolly_session=${cookie?.value}`, csrf: body.csrfToken };
}
