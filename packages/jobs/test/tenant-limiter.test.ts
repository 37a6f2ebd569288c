import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type Redis, createRedis } from '../src/redis.ts';
import { createTenantLimiter } from '../src/tenant-limiter.ts';

const connections: Redis[] = [];
const connect = (name: string) => {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run these tests through `pnpm test --only integration`');
  const c = createRedis(url, `tenant-limiter-test-${name}`);
  connections.push(c);
  return c;
};
afterAll(() => {
  for (const c of connections) c.disconnect();
});

const unique = () => randomUUID().slice(0, 8);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Two worker processes: two limiters on connections of their own, sharing one key prefix. */
const twoWorkers = (limit: number, leaseMs = 30_000) => {
  const keyPrefix = `tenant-limiter-test-${unique()}`;
  return [
    createTenantLimiter(connect('a'), { limit, leaseMs, keyPrefix }),
    createTenantLimiter(connect('b'), { limit, leaseMs, keyPrefix }),
  ] as const;
};

describe('the per-tenant concurrency limit', () => {
  it('admits at most `limit` runs of one tenant across every worker, and other tenants apart', async () => {
    const [a, b] = twoWorkers(2);
    const tenant = `t-${unique()}`;
    const first = await a.acquire(tenant, 'run-1');
    const second = await b.acquire(tenant, 'run-2');
    const third = await a.acquire(tenant, 'run-3');
    expect([first.admitted, second.admitted, third.admitted]).toEqual([true, true, false]);
    expect(third.held).toBe(2);
    // another tenant is not affected by the first one being full
    expect((await b.acquire(`other-${unique()}`, 'run-4')).admitted).toBe(true);
    expect((await a.holders(tenant)).sort()).toEqual(['run-1', 'run-2']);
    if (first.admitted) await first.slot.release();
    if (second.admitted) await second.slot.release();
  });

  it('frees the slot on release and hands back the run that waited longest', async () => {
    const [a, b] = twoWorkers(1);
    const tenant = `t-${unique()}`;
    const holder = await a.acquire(tenant, 'run-1');
    expect(holder.admitted).toBe(true);
    expect((await b.acquire(tenant, 'run-2')).admitted).toBe(false);
    await sleep(5);
    expect((await a.acquire(tenant, 'run-3')).admitted).toBe(false);
    if (!holder.admitted) throw new Error('unreachable');
    expect(await holder.slot.release()).toBe('run-2');
    // releasing twice is harmless and frees nothing else
    await holder.slot.release();
    expect(await a.holders(tenant)).toEqual([]);
    const woken = await b.acquire(tenant, 'run-2');
    expect(woken.admitted).toBe(true);
    // run-3 is still the next in line
    if (woken.admitted) expect(await woken.slot.release()).toBe('run-3');
    expect(await a.nextWaiting(tenant)).toBeNull();
  });

  it('gives a run its own slot back when its job is re-delivered (no double count)', async () => {
    const [a, b] = twoWorkers(1);
    const tenant = `t-${unique()}`;
    const first = await a.acquire(tenant, 'run-1');
    const again = await b.acquire(tenant, 'run-1');
    expect([first.admitted, again.admitted]).toEqual([true, true]);
    expect(await a.holders(tenant)).toEqual(['run-1']);
    expect((await a.acquire(tenant, 'run-2')).admitted).toBe(false);
    if (again.admitted) await again.slot.release();
    if (first.admitted) await first.slot.release();
  });

  it("lets a crashed worker's slot expire after the lease, while a live holder's heartbeat keeps it", async () => {
    const keyPrefix = `tenant-limiter-test-${unique()}`;
    const tenant = `t-${unique()}`;
    const crashing = connect('crashing');
    const dead = createTenantLimiter(crashing, { limit: 2, leaseMs: 400, keyPrefix });
    const live = createTenantLimiter(connect('live'), { limit: 2, leaseMs: 400, keyPrefix });
    expect((await dead.acquire(tenant, 'run-dead')).admitted).toBe(true);
    const kept = await live.acquire(tenant, 'run-live');
    expect(kept.admitted).toBe(true);
    // the crashed worker's connection goes away: no more heartbeats, no release
    crashing.disconnect();
    expect((await live.acquire(tenant, 'run-new')).admitted).toBe(false);
    await sleep(1000);
    // the live holder kept its slot across more than two lease lengths; the dead one's expired
    expect(await live.holders(tenant)).toEqual(['run-live']);
    const next = await live.acquire(tenant, 'run-new');
    expect(next.admitted).toBe(true);
    if (kept.admitted) await kept.slot.release();
    if (next.admitted) await next.slot.release();
  });

  it('is unlimited with a limit of 0', async () => {
    const [a] = twoWorkers(0);
    const tenant = `t-${unique()}`;
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => a.acquire(tenant, `run-${i}`)));
    expect(all.every((x) => x.admitted)).toBe(true);
  });
});
