import { parseEgressPolicy } from '@dolly/contracts/egress';
import { hostname } from 'node:os';
import { createDatabase, credentialVaultFromEnv } from '@dolly/db';
import { createRedis, slugList } from '@dolly/jobs';
import pino from 'pino';
import { loadWorkerConfig } from './config.ts';
import { createWorkerMetrics, serveMetrics } from './metrics.ts';
import { startRunWorker } from './worker.ts';

const config = loadWorkerConfig();
const workerId = `${hostname()}:${process.pid}`;
const log = pino({ level: config.DOLLY_LOG_LEVEL, base: { service: 'worker', workerId } });
const db = createDatabase(config.DATABASE_URL);
const connection = createRedis(config.REDIS_URL, 'worker-bullmq');
const redis = createRedis(config.REDIS_URL, 'worker');
const subscriber = createRedis(config.REDIS_URL, 'worker-cancel');
const metrics = createWorkerMetrics();
const worker = await startRunWorker({
  db,
  connection,
  redis,
  subscriber,
  vault: credentialVaultFromEnv(),
  log,
  prefix: config.DOLLY_QUEUE_PREFIX,
  concurrency: config.DOLLY_WORKER_CONCURRENCY,
  runsInFlight: config.DOLLY_WORKER_RUNS_IN_FLIGHT,
  tenantConcurrency: config.DOLLY_TENANT_CONCURRENCY,
  workerId,
  pollIntervalMs: config.DOLLY_POLL_INTERVAL_MS,
  cloudTimeoutMs: config.DOLLY_CLOUD_TIMEOUT_MS,
  accountCallsPerSecond: config.DOLLY_ACCOUNT_CALLS_PER_SECOND,
  egress: parseEgressPolicy(config.DOLLY_ENDPOINT_ALLOWLIST),
  hostIdentityTenants: slugList(config.DOLLY_HOST_IDENTITY_TENANTS),
  syncIntervalMinutes: config.DOLLY_SYNC_INTERVAL_MINUTES,
  stalledMs: config.DOLLY_WORKER_STALLED_MS,
  sweepMs: config.DOLLY_RUN_SWEEP_MS,
  metrics,
  publicUrl: config.DOLLY_PUBLIC_URL,
  webhookBackoffMs: config.DOLLY_WEBHOOK_BACKOFF_MS,
  workloadDriftIntervalMinutes: config.DOLLY_WORKLOAD_DRIFT_INTERVAL_MINUTES,
});
await worker.waitUntilReady();
const metricsServer = config.DOLLY_WORKER_METRICS_PORT
  ? serveMetrics(metrics, config.DOLLY_WORKER_METRICS_PORT, config.DOLLY_METRICS_TOKEN)
  : undefined;
metricsServer?.on('error', (err) => log.warn({ err }, 'metrics listener failed; continuing without it'));
log.info(
  {
    concurrency: config.DOLLY_WORKER_CONCURRENCY,
    runsInFlight: config.DOLLY_WORKER_RUNS_IN_FLIGHT,
    tenantConcurrency: config.DOLLY_TENANT_CONCURRENCY,
  },
  'worker ready',
);

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: letting active jobs finish');
  // Jobs still running after the grace period are re-delivered to another worker and resume
  // from their last finished step, so a hard exit loses nothing.
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  metricsServer?.close();
  await worker.close();
  await Promise.allSettled([connection.quit(), redis.quit(), subscriber.quit(), db.$disconnect()]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
