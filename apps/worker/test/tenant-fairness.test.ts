import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_WAIT_MESSAGE } from '../src/run-guard.ts';
import { type Harness, startHarness } from '../../api/test/support/harness.ts';

let h: Harness;
let demo: string;
let other: string;

beforeAll(async () => {
  // Four worker slots, one run per tenant; a re-check so slow that only a freed slot can wake a waiter.
  h = await startHarness({}, { concurrency: 4, tenantConcurrency: 1, tenantRecheckMs: 60_000 });
  demo = (await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } })).id;
  other = (await h.db.tenant.findUniqueOrThrow({ where: { slug: 'other' } })).id;
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await sleep(25);
  }
}

const status = (runId: string) =>
  h.db.run.findUniqueOrThrow({ where: { id: runId } }).then((r) => r.status as string);
const messages = (runId: string) =>
  h.db.runEvent
    .findMany({ where: { runId }, orderBy: { id: 'asc' } })
    .then((rows) => rows.map((e) => e.message));

async function startRun(tenantId: string, title: string) {
  const run = await h.db.run.create({
    data: { tenantId, kind: 'selftest', status: 'queued', input: { title } },
  });
  await h.queues.enqueue('runs', 'selftest', { runId: run.id, tenantId });
  return run;
}

describe('per-tenant concurrency limit (DOLLY_TENANT_CONCURRENCY=1, worker concurrency 4)', () => {
  it("keeps a tenant's second run queued without a worker slot while another tenant's run proceeds", async () => {
    // A slow run of demo: its first step is held by someone else's lease for a few seconds.
    const slow = await h.db.run.create({
      data: { tenantId: demo, kind: 'selftest', status: 'queued', input: { title: 'slow' } },
    });
    await h.db.runStep.create({
      data: {
        runId: slow.id,
        key: 'check-database',
        status: 'running',
        attempt: 1,
        leaseOwner: 'test-holder',
        leaseUntil: new Date(Date.now() + 4000),
      },
    });
    await h.queues.enqueue('runs', 'selftest', { runId: slow.id, tenantId: demo });
    await until(
      'the slow run to start',
      () => status(slow.id),
      (s) => s === 'running',
    );

    const second = await startRun(demo, 'second of demo');
    const neighbour = await startRun(other, 'other tenant');

    // The other tenant is not held up by demo being at its limit.
    await until(
      'the other tenant run to succeed',
      () => status(neighbour.id),
      (s) => s === 'succeeded',
    );
    expect(await status(slow.id)).toBe('running');
    // demo's second run waits: still queued, says why, and its job gave the worker slot back.
    const waiting = await until(
      'the wait event',
      () => messages(second.id),
      (m) => m.includes(TENANT_WAIT_MESSAGE),
    );
    expect(waiting).not.toContain('Run started');
    expect(await status(second.id)).toBe('queued');
    await until(
      'the waiting job to be delayed',
      () =>
        h.queues
          .queue('runs')
          .getJob(second.id)
          .then((j) => j?.getState()),
      (state) => state === 'delayed',
      2000,
    );
    expect(await status(slow.id)).toBe('running');

    // The slow run finishes, its slot goes to the waiter (woken at once, not after the 60 s re-check).
    await until(
      'the slow run to succeed',
      () => status(slow.id),
      (s) => s === 'succeeded',
    );
    await until(
      'the waiting run to succeed',
      () => status(second.id),
      (s) => s === 'succeeded',
      10_000,
    );
    const [slowRow, secondRow] = await Promise.all([
      h.db.run.findUniqueOrThrow({ where: { id: slow.id } }),
      h.db.run.findUniqueOrThrow({ where: { id: second.id } }),
    ]);
    expect(secondRow.startedAt?.getTime()).toBeGreaterThanOrEqual(slowRow.finishedAt?.getTime() ?? Infinity);
    // one wait event, however often the job was put back
    const final = await messages(second.id);
    expect(final.filter((m) => m === TENANT_WAIT_MESSAGE)).toHaveLength(1);
    expect(final.indexOf(TENANT_WAIT_MESSAGE)).toBeLessThan(final.indexOf('Run started'));
  });

  it('skips a waiter cancelled while queued and wakes the next run of the tenant', async () => {
    const slow = await h.db.run.create({
      data: { tenantId: demo, kind: 'selftest', status: 'queued', input: { title: 'slow again' } },
    });
    await h.db.runStep.create({
      data: {
        runId: slow.id,
        key: 'check-database',
        status: 'running',
        attempt: 1,
        leaseOwner: 'test-holder',
        leaseUntil: new Date(Date.now() + 2500),
      },
    });
    await h.queues.enqueue('runs', 'selftest', { runId: slow.id, tenantId: demo });
    await until(
      'the slow run to start',
      () => status(slow.id),
      (s) => s === 'running',
    );
    const cancelled = await startRun(demo, 'cancelled while waiting');
    await until(
      'the wait event',
      () => messages(cancelled.id),
      (m) => m.includes(TENANT_WAIT_MESSAGE),
    );
    const last = await startRun(demo, 'last');
    await until(
      'the wait event',
      () => messages(last.id),
      (m) => m.includes(TENANT_WAIT_MESSAGE),
    );
    // cancel the first waiter the way the API does for a queued run: its job goes, the row ends cancelled
    await h.queues.queue('runs').remove(cancelled.id);
    await h.db.run.update({
      where: { id: cancelled.id },
      data: { status: 'cancelled', finishedAt: new Date() },
    });
    await until(
      'the slow run to succeed',
      () => status(slow.id),
      (s) => s === 'succeeded',
    );
    // the stale waiter is skipped and the next one is woken
    await until(
      'the last run to succeed',
      () => status(last.id),
      (s) => s === 'succeeded',
      10_000,
    );
    expect(await status(cancelled.id)).toBe('cancelled');
  });
});
