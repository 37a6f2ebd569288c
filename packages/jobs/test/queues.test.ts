import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { type Queues, createQueues, queueNames } from '../src/queues.ts';
import type { Redis } from '../src/redis.ts';
import { type Services, startServices, unique } from './support.ts';

let s: Services;
let redis: Redis;
let queues: Queues;
// a prefix of this file's own, so no worker of another suite takes these jobs
const prefix = `jobs-test-queues-${unique()}`;

beforeAll(async () => {
  s = await startServices('queues');
  redis = s.redis('queues');
  queues = createQueues(redis, prefix);
});
afterAll(async () => {
  for (const name of queueNames) await queues?.queue(name).obliterate({ force: true });
  await queues?.close();
  await s?.close();
});

const ref = () => ({ runId: randomUUID(), tenantId: s.tenant.id });
const jobCount = async () => {
  const counts = await queues.queue('runs').getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
};

describe('the typed queue catalog', () => {
  it('enqueues a valid payload under the run id, with retries and backoff', async () => {
    const payload = ref();
    const id = await queues.enqueue('runs', 'clone', payload);
    expect(id).toBe(payload.runId);
    const job = await queues.queue('runs').getJob(id);
    expect(job?.name).toBe('clone');
    expect(job?.data).toEqual(payload);
    expect(job?.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
    // under the prefix given, not the production one
    expect(await redis.exists(`${prefix}:runs:${id}`)).toBe(1);
    expect(await redis.exists(`dolly:runs:${id}`)).toBe(0);
  });

  it('refuses a bad payload with an error naming the field, and enqueues nothing', async () => {
    const before = await jobCount();
    const bad = { runId: 'run-1', tenantId: s.tenant.id };
    const error = await queues.enqueue('runs', 'sync', bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues).toEqual([
      expect.objectContaining({ path: ['runId'], code: 'invalid_format' }),
    ]);
    expect((error as Error).message).toMatch(/runId/);
    expect((error as Error).message).toMatch(/uuid/i);

    const missing = await queues
      .enqueue('runs', 'rollback', { runId: randomUUID() } as unknown as ReturnType<typeof ref>)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ZodError);
    expect((missing as ZodError).issues.map((i) => i.path)).toEqual([['tenantId']]);
    expect(await jobCount()).toBe(before);
  });

  it('keeps ids only: fields outside the schema never reach Redis', async () => {
    const payload = ref();
    const id = await queues.enqueue('runs', 'migrate', {
      ...payload,
      secretAccessKey: 'must-not-be-queued',
    } as ReturnType<typeof ref>);
    const job = await queues.queue('runs').getJob(id);
    expect(job?.data).toEqual(payload);
    const stored = await redis.hget(`${prefix}:runs:${id}`, 'data');
    expect(stored).not.toContain('must-not-be-queued');
  });

  it('enqueues a run once: the job id is the run id, so a second enqueue is the same job', async () => {
    const payload = ref();
    const before = await jobCount();
    const first = await queues.enqueue('runs', 'selftest', payload);
    const second = await queues.enqueue('runs', 'selftest', payload);
    expect(second).toBe(first);
    expect(await jobCount()).toBe(before + 1);
  });

  it('gives a job without a run (the schedule timer) an id of its own', async () => {
    const a = await queues.enqueue('runs', 'scheduled-sync', { tenantId: s.tenant.id });
    const b = await queues.enqueue('runs', 'scheduled-sync', { tenantId: s.tenant.id });
    expect(a).not.toBe('');
    expect(b).not.toBe(a);
    expect((await queues.queue('runs').getJob(a))?.data).toEqual({ tenantId: s.tenant.id });
  });

  it('lets the caller override the job options', async () => {
    const id = await queues.enqueue('runs', 'clone', ref(), { attempts: 1, delay: 60_000 });
    const job = await queues.queue('runs').getJob(id);
    expect(job?.opts.attempts).toBe(1);
    expect(await job?.getState()).toBe('delayed');
  });
});
