import { Redis } from 'ioredis';

/**
 * BullMQ workers block on Redis and must never give up a command mid-retry, so connections
 * they use need `maxRetriesPerRequest: null` (BullMQ refuses others).
 */
export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: `dolly-${name}`,
    lazyConnect: false,
  });
  // ioredis reconnects by itself; say so once per outage instead of once per attempt.
  let reported = false;
  redis.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    console.warn(`[redis ${name}] ${error.message}; reconnecting`);
  });
  redis.on('ready', () => {
    reported = false;
  });
  return redis;
}

export type { Redis };
