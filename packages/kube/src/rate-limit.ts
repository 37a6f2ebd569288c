/**
 * A client-side token bucket (client-go's flowcontrol): `qps` tokens a second, at most `burst` saved
 * up. API servers throttle hard clients with 429s and priority-and-fairness queues; staying under a
 * budget we choose keeps a migration from starving everything else that talks to the same cluster.
 */
export interface RateLimiter {
  /** resolves when a request may go out */
  take(signal?: AbortSignal): Promise<void>;
}

export function createRateLimiter(
  opts: { qps: number; burst?: number },
  clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> } = realClock,
): RateLimiter {
  if (!(opts.qps > 0)) return { take: async () => {} };
  const burst = Math.max(1, opts.burst ?? Math.ceil(opts.qps));
  let tokens = burst;
  let last = clock.now();
  // Requests queue in arrival order: each one reserves its token, possibly going negative, and
  // waits for the refill that covers it, so concurrent callers never all wake for the same token.
  return {
    async take(signal) {
      const now = clock.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * opts.qps);
      last = now;
      tokens -= 1;
      if (tokens >= 0) return;
      await clock.sleep((-tokens / opts.qps) * 1000, signal);
    },
  };
}

export const realClock = {
  now: () => performance.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
