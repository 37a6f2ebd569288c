import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';

export interface AccountLimiter {
  /** Waits for a token of this cloud account's bucket; aborts with the signal. */
  acquire(accountId: string, signal?: AbortSignal): Promise<void>;
}

/**
 * One token bucket per cloud account, kept in Redis so every worker process draws from the same
 * bucket: a burst of clones into one account slows down that account only, never the others.
 */
export function createAccountLimiter(
  redis: Redis,
  opts: { callsPerSecond: number; keyPrefix?: string },
): AccountLimiter {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: opts.keyPrefix ?? 'dolly:account-rate',
    points: opts.callsPerSecond,
    duration: 1,
  });
  return {
    async acquire(accountId, signal) {
      for (;;) {
        signal?.throwIfAborted();
        try {
          await limiter.consume(accountId, 1);
          return;
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          await abortableDelay(Math.max(rejection.msBeforeNext, 10), signal);
        }
      }
    },
  };
}

export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
