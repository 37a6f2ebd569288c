import { z } from 'zod';

const loopback = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * REDIS_URL of the API and the worker. Redis holds the run queue and the cancel channel, so one
 * reachable over the network must ask for a password: refuse to start rather than run open.
 */
export const redisUrlSchema = z
  .string()
  .startsWith('redis', 'must be a redis:// URL')
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return loopback.has(url.hostname) || url.password !== '';
      } catch {
        return false;
      }
    },
    {
      message:
        'a Redis that is not on this machine (loopback) needs a password: use redis://:PASSWORD@host:6379 (or rediss:// for TLS)',
    },
  );
