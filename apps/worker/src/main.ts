import { hostname } from 'node:os';
import { createDatabase } from '@dolly/db';
import { createRedis } from '@dolly/jobs';
import pino from 'pino';
import { loadWorkerConfig } from './config.ts';
import { startRunWorker } from './worker.ts';

const config = loadWorkerConfig();
const workerId = `${hostname()}:${process.pid}`;
const log = pino({ level: config.DOLLY_LOG_LEVEL, base: { service: 'worker', workerId } });
const db = createDatabase(config.DATABASE_URL);
const connection = createRedis(config.REDIS_URL, 'worker-bullmq');
const redis = createRedis(config.REDIS_URL, 'worker');
const worker = startRunWorker({
  db,
  connection,
  redis,
  log,
  prefix: config.DOLLY_QUEUE_PREFIX,
  concurrency: config.DOLLY_WORKER_CONCURRENCY,
  workerId,
});
await worker.waitUntilReady();
log.info({ concurrency: config.DOLLY_WORKER_CONCURRENCY }, 'worker ready');

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: letting active jobs finish');
  // Jobs still running after the grace period are re-delivered to another worker and resume
  // from their last finished step, so a hard exit loses nothing.
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  await worker.close();
  await Promise.allSettled([connection.quit(), redis.quit(), db.$disconnect()]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
