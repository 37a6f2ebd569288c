import { parseEgressPolicy } from '@dolly/contracts/egress';
import { createDatabase, credentialVaultFromEnv } from '@dolly/db';
import { createCloudAccess, createQueues, createRedis, createRunEventWriter } from '@dolly/jobs';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createRunEventHub } from './lib/run-event-hub.ts';
import { createMetrics } from './plugins/metrics.ts';

const config = loadConfig();
const db = createDatabase(config.DATABASE_URL);
const redis = createRedis(config.REDIS_URL, 'api');
const subscriber = createRedis(config.REDIS_URL, 'api-sse');
const queues = createQueues(redis, config.DOLLY_QUEUE_PREFIX);
const vault = credentialVaultFromEnv();
const app = await buildApp({
  config,
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
});

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  app.log.info({ signal }, 'shutting down: finishing in-flight requests');
  // A hard deadline so a stuck connection never blocks a deploy.
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await app.close();
  await queues.close();
  await Promise.allSettled([redis.quit(), subscriber.quit(), db.$disconnect()]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ host: config.DOLLY_HOST, port: config.DOLLY_PORT });
