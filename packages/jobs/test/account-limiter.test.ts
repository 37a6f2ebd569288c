import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountLimiter } from '../src/account-limiter.ts';
import { type Services, startServices, unique } from './support.ts';

let s: Services;

beforeAll(async () => {
  s = await startServices('limiter');
});
afterAll(async () => {
  await s?.close();
});

/** Two worker processes: two limiters, each on its own connection, drawing from one Redis. */
const twoWorkers = (callsPerSecond: number) => {
  const keyPrefix = `jobs-test-rate-${unique()}`;
  return [
    createAccountLimiter(s.redis(`limiter-a-${keyPrefix}`), { callsPerSecond, keyPrefix }),
    createAccountLimiter(s.redis(`limiter-b-${keyPrefix}`), { callsPerSecond, keyPrefix }),
  ] as const;
};

describe('the per-account rate limit', () => {
  it('is shared by every limiter on the same Redis: N calls at X/s take about N/X seconds', async () => {
    const [a, b] = twoWorkers(4);
    const account = `acct-${unique()}`;
    const started = Date.now();
    const grantedAt: number[] = [];
    // 10 calls at 4/s, half through each worker: 4 now, 4 after a second, 2 after two seconds
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).acquire(account).then(() => grantedAt.push(Date.now() - started)),
      ),
    );
    const elapsed = Date.now() - started;
    // one bucket per worker would finish in about one second
    expect(elapsed).toBeGreaterThanOrEqual(1800);
    // never more than X calls in the first second
    expect(grantedAt.filter((t) => t < 800).length).toBeLessThanOrEqual(4);
  });

  it('slows down the busy account only, never the others', async () => {
    const [a, b] = twoWorkers(2);
    const busy = `acct-${unique()}`;
    await Promise.all([a.acquire(busy), b.acquire(busy)]);
    const waiting = a.acquire(busy);
    const started = Date.now();
    await b.acquire(`acct-${unique()}`);
    expect(Date.now() - started).toBeLessThan(500);
    await waiting;
  });

  it('rejects a waiting acquire with the abort reason as soon as the signal aborts', async () => {
    const [a] = twoWorkers(1);
    const account = `acct-${unique()}`;
    await a.acquire(account);
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const started = Date.now();
    const waiting = a.acquire(account, controller.signal);
    setTimeout(() => controller.abort(reason), 100);
    await expect(waiting).rejects.toBe(reason);
    // long before the bucket refills (about 1 s)
    expect(Date.now() - started).toBeLessThan(700);
  });

  it('refuses an already aborted signal without taking a token', async () => {
    const [a] = twoWorkers(1);
    const account = `acct-${unique()}`;
    const reason = new Error('already cancelled');
    await expect(a.acquire(account, AbortSignal.abort(reason))).rejects.toBe(reason);
    // the one token of this second is still there
    const started = Date.now();
    await a.acquire(account);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
