import { createRunLifecycle, createRunEventWriter, createStepRunner } from '@dolly/jobs';
import { type Job, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '@dolly/jobs';
import { createRunSweeper } from '../src/run-sweeper.ts';
import { type Harness, login, startHarness } from '../../api/test/support/harness.ts';

let h: Harness;
let tenantId: string;

beforeAll(async () => {
  // No worker: each test plays the workers itself, to force the races it is about.
  h = await startHarness({}, { worker: false });
  tenantId = (await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } })).id;
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const newRun = (status: 'queued' | 'running' | 'cancelling' = 'queued') =>
  h.db.run.create({ data: { tenantId, kind: 'selftest', status, input: { title: 'durability' } } });

describe('two workers on one run', () => {
  it('runs each step once when two step runners race on the same run', async () => {
    const run = await newRun('running');
    const events = createRunEventWriter(h.db, h.redis);
    const effects = new Map<string, number>();
    const body = async (owner: string) => {
      const steps = createStepRunner(h.db, events, run.id, { owner, leaseMs: 2000 });
      const outputs: number[] = [];
      for (const key of ['create-cluster', 'create-pool', 'wait-ready']) {
        outputs.push(
          await steps.runStep(key, async () => {
            const n = (effects.get(key) ?? 0) + 1;
            effects.set(key, n);
            // Long enough that both runners are inside the step at the same time without a claim.
            await new Promise((r) => setTimeout(r, 150));
            return n * 10;
          }),
        );
      }
      return outputs;
    };
    const [a, b] = await Promise.all([body('worker-a'), body('worker-b')]);
    expect(Object.fromEntries(effects)).toEqual({ 'create-cluster': 1, 'create-pool': 1, 'wait-ready': 1 });
    // the runner that waited sees the holder's stored outputs
    expect(a).toEqual([10, 10, 10]);
    expect(b).toEqual(a);
    const rows = await h.db.runStep.findMany({ where: { runId: run.id } });
    expect(rows.map((r) => [r.status, r.attempt, r.leaseOwner])).toEqual(
      rows.map(() => ['succeeded', 1, null]),
    );
  });

  it('takes over a step whose holder died once its lease runs out', async () => {
    const run = await newRun('running');
    await h.db.runStep.create({
      data: {
        runId: run.id,
        key: 'create-cluster',
        status: 'running',
        attempt: 1,
        leaseOwner: 'dead-worker#1',
        leaseUntil: new Date(Date.now() + 300),
      },
    });
    const steps = createStepRunner(h.db, createRunEventWriter(h.db, h.redis), run.id, { leaseMs: 1000 });
    const started = Date.now();
    const out = await steps.runStep('create-cluster', async (ctx) => ctx.attempt);
    expect(out).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});

describe('cancel races', () => {
  it('does not let a worker revive a cancelling or cancelled run by writing running', async () => {
    const lifecycle = createRunLifecycle(h.db, createRunEventWriter(h.db, h.redis));
    const cancelling = await newRun('cancelling');
    expect(await lifecycle.start(cancelling.id)).toBe(false);
    expect((await h.db.run.findUniqueOrThrow({ where: { id: cancelling.id } })).status).toBe('cancelling');
    expect(await lifecycle.finish(cancelling.id, 'cancelled')).toBe(true);
    // a late success (or a second cancel) does not overwrite the final state
    expect(await lifecycle.finish(cancelling.id, 'succeeded')).toBe(false);
    expect(await lifecycle.start(cancelling.id)).toBe(false);
    const row = await h.db.run.findUniqueOrThrow({ where: { id: cancelling.id } });
    expect(row.status).toBe('cancelled');
    const messages = (await h.db.runEvent.findMany({ where: { runId: cancelling.id } })).map(
      (e) => e.message,
    );
    expect(messages).toEqual(['Run cancelled']);
  });

  it('cancels a queued run whose job a worker already holds, and that worker cannot start it', async () => {
    const run = await newRun('queued');
    await h.queues.enqueue('runs', 'selftest', { runId: run.id, tenantId });
    const connection = createRedis(process.env.REDIS_URL ?? '', 'test-gated-worker');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let active: () => void = () => undefined;
    const isActive = new Promise<void>((r) => {
      active = r;
    });
    let started: boolean | undefined;
    const lifecycle = createRunLifecycle(h.db, createRunEventWriter(h.db, h.redis));
    const worker = new Worker(
      'runs',
      async (job: Job) => {
        active();
        await gate;
        started = await lifecycle.start((job.data as { runId: string }).runId);
      },
      { connection, prefix: h.prefix },
    );
    try {
      await isActive;
      const s = await login(h.app, 'operator@demo.dolly');
      const res = await h.app.inject({
        method: 'POST',
        url: `/api/v1/runs/${run.id}/cancel`,
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
        payload: {},
      });
      expect(res.statusCode, res.body).toBe(202);
      expect((res.json() as { status: string }).status).toBe('cancelled');
      release();
      await new Promise<void>((resolve) => worker.on('completed', () => resolve()));
      expect(started).toBe(false);
      expect((await h.db.run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe('cancelled');
    } finally {
      release();
      await worker.close();
      connection.disconnect();
    }
  });
});

describe('row and job', () => {
  const sweeper = () => {
    const events = createRunEventWriter(h.db, h.redis);
    return createRunSweeper(
      {
        db: h.db,
        redis: h.redis,
        queues: h.queues,
        lifecycle: createRunLifecycle(h.db, events),
        appendRunEvent: events,
        prefix: `${h.prefix}-${Math.random().toString(36).slice(2, 6)}`,
        workerId: 'test-sweeper',
      },
      { graceMs: 0, periodMs: 1000 },
    );
  };

  it('enqueues again a queued run whose job was deleted from Redis', async () => {
    const run = await newRun('queued');
    await h.queues.enqueue('runs', 'selftest', { runId: run.id, tenantId });
    await h.queues.queue('runs').remove(run.id);
    expect(await h.queues.queue('runs').getJob(run.id)).toBeUndefined();
    const swept = await sweeper()();
    expect(swept.requeued).toContain(run.id);
    expect((await h.queues.queue('runs').getJob(run.id))?.data).toEqual({ runId: run.id, tenantId });
  });

  it('fails a running run whose job is gone (its worker died), so it can be retried', async () => {
    const run = await newRun('running');
    const swept = await sweeper()();
    expect(swept.interrupted).toContain(run.id);
    const row = await h.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(row.status).toBe('failed');
    expect(row.error).toMatchObject({ interrupted: true });
    const events = await h.db.runEvent.findMany({ where: { runId: run.id } });
    expect(events.some((e) => /interrupted: its job is gone/.test(e.message))).toBe(true);
  });

  it('removes a waiting job whose run row does not exist, and leaves the scheduled sync alone', async () => {
    const ghost = crypto.randomUUID();
    await h.queues.enqueue('runs', 'selftest', { runId: ghost, tenantId });
    await h.queues.enqueue('runs', 'scheduled-sync', { tenantId }, { jobId: `sched-${ghost}` });
    const kept = await newRun('queued');
    await h.queues.enqueue('runs', 'selftest', { runId: kept.id, tenantId });
    const swept = await sweeper()();
    expect(swept.orphaned).toContain(ghost);
    expect(swept.orphaned).not.toContain(kept.id);
    expect(await h.queues.queue('runs').getJob(ghost)).toBeUndefined();
    expect(await h.queues.queue('runs').getJob(kept.id)).toBeDefined();
    expect(await h.queues.queue('runs').getJob(`sched-${ghost}`)).toBeDefined();
    await h.queues.queue('runs').remove(`sched-${ghost}`);
  });

  it('enqueues again a pending webhook delivery whose job never reached Redis', async () => {
    const hook = await h.db.webhook.create({
      data: {
        tenantId,
        url: 'https://hooks.example.test/dolly',
        events: ['run.succeeded'],
        // never opened here: the sweeper only enqueues
        secretCipher: Buffer.from('sealed'),
        secretKeyId: 'test',
      },
    });
    const old = new Date(Date.now() - 60_000);
    const lost = await h.db.webhookDelivery.create({
      data: { webhookId: hook.id, event: 'run.succeeded', createdAt: old },
    });
    const sent = await h.db.webhookDelivery.create({
      data: { webhookId: hook.id, event: 'run.succeeded', status: 'delivered', createdAt: old },
    });
    try {
      const swept = await sweeper()();
      expect(swept.deliveries).toContain(lost.id);
      expect(swept.deliveries).not.toContain(sent.id);
      expect((await h.queues.queue('webhooks').getJob(lost.id))?.data).toEqual({
        deliveryId: lost.id,
        tenantId,
      });
      expect(await h.queues.queue('webhooks').getJob(sent.id)).toBeUndefined();
      // the next sweep finds the job and leaves it alone
      expect((await sweeper()()).deliveries).not.toContain(lost.id);
    } finally {
      await h.queues.queue('webhooks').remove(lost.id);
      await h.db.webhook.delete({ where: { id: hook.id } });
    }
  });
});
