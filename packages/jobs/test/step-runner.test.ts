import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunCancelledError } from '../src/cancel.ts';
import { type AppendRunEvent, createRunEventWriter } from '../src/run-events.ts';
import { StepFailedError, createStepRunner } from '../src/step-runner.ts';
import { type Services, sleep, startServices } from './support.ts';

let s: Services;
let events: AppendRunEvent;

beforeAll(async () => {
  s = await startServices('steps');
  events = createRunEventWriter(s.db, s.redis('publisher'));
});
afterAll(async () => {
  await s?.close();
});

const stepRow = (runId: string, key: string) =>
  s.db.runStep.findUniqueOrThrow({ where: { runId_key: { runId, key } } });
const stepEvents = (runId: string) => s.db.runEvent.findMany({ where: { runId }, orderBy: { id: 'asc' } });

describe('a step', () => {
  it('runs once and records its output, attempt, request ids and events', async () => {
    const run = await s.newRun('running');
    const finished: [string, boolean][] = [];
    const steps = createStepRunner(s.db, events, run.id, {
      owner: 'worker-a',
      onStepFinished: (key, _ms, ok) => finished.push([key, ok]),
    });
    let calls = 0;
    const out = await steps.runStep('create-cluster', async (ctx) => {
      calls++;
      expect(ctx.attempt).toBe(1);
      ctx.recordRequestId('req-1');
      return { clusterId: 'c-42' };
    });

    expect(out).toEqual({ clusterId: 'c-42' });
    expect(calls).toBe(1);
    const row = await stepRow(run.id, 'create-cluster');
    expect(row).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      output: { clusterId: 'c-42' },
      error: null,
      cloudRequestIds: ['req-1'],
      leaseOwner: null,
      leaseUntil: null,
    });
    expect(row.startedAt).toBeInstanceOf(Date);
    expect(row.finishedAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt!.getTime());
    const log = await stepEvents(run.id);
    expect(log.map((e) => [e.level, e.stepKey, e.message])).toEqual([
      ['info', 'create-cluster', 'create-cluster: started'],
      ['info', 'create-cluster', 'create-cluster: succeeded'],
    ]);
    expect(log[1]?.data).toMatchObject({ transition: 'succeeded', attempt: 1 });
    expect(finished).toEqual([['create-cluster', true]]);
  });

  it('that returns nothing succeeds too', async () => {
    const run = await s.newRun('running');
    const steps = createStepRunner(s.db, events, run.id);
    await expect(steps.runStep('notify', async () => undefined)).resolves.toBeUndefined();
    const row = await stepRow(run.id, 'notify');
    expect(row.status).toBe('succeeded');
    expect(row.output).toBeNull();
    // and a re-run skips it like any other finished step
    let again = 0;
    await createStepRunner(s.db, events, run.id).runStep('notify', async () => {
      again++;
    });
    expect(again).toBe(0);
  });

  it('that failed records the error and the attempt, and its retry is attempt 2', async () => {
    const run = await s.newRun('running');
    const finished: [string, boolean][] = [];
    const steps = createStepRunner(s.db, events, run.id, {
      onStepFinished: (key, _ms, ok) => finished.push([key, ok]),
    });
    const cloudError = Object.assign(new Error('quota exceeded for instances'), {
      class: 'cloud_quota',
      cloud: 'aws',
      requestId: 'req-9',
      secret: 'never-copied',
    });
    const failure = await steps
      .runStep('create-pool', async (ctx) => {
        ctx.recordRequestId('req-8');
        throw cloudError;
      })
      .catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(StepFailedError);
    expect((failure as StepFailedError).stepKey).toBe('create-pool');
    expect((failure as StepFailedError).cause).toBe(cloudError);
    expect((failure as StepFailedError).message).toBe('create-pool: quota exceeded for instances');
    const row = await stepRow(run.id, 'create-pool');
    expect(row).toMatchObject({ status: 'failed', attempt: 1, leaseOwner: null, leaseUntil: null });
    // only the fields worth keeping: class, cloud and request id, never arbitrary properties
    expect(row.error).toEqual({
      message: 'quota exceeded for instances',
      name: 'Error',
      class: 'cloud_quota',
      cloud: 'aws',
      requestId: 'req-9',
    });
    expect(row.cloudRequestIds.sort()).toEqual(['req-8', 'req-9']);
    const failed = (await stepEvents(run.id)).at(-1);
    expect(failed).toMatchObject({
      level: 'error',
      message: 'create-pool: failed: quota exceeded for instances',
    });
    expect(failed?.data).toMatchObject({ transition: 'failed', attempt: 1 });
    expect(finished).toEqual([['create-pool', false]]);

    // The retry (a re-delivered job: another runner) runs the failed step again as attempt 2.
    const retry = createStepRunner(s.db, events, run.id, { owner: 'worker-b' });
    let whileRetrying: unknown = 'unread';
    const attempt = await retry.runStep('create-pool', async (ctx) => {
      whileRetrying = (await stepRow(run.id, 'create-pool')).error;
      return ctx.attempt;
    });
    expect(attempt).toBe(2);
    // The row describes the current attempt: the dashboard and the CLI print a step's `error`, so
    // a retried step must not show attempt 1's failure (the event log keeps that history).
    expect(whileRetrying).toBeNull();
    const after = await stepRow(run.id, 'create-pool');
    expect(after).toMatchObject({ status: 'succeeded', attempt: 2, output: 2, error: null });
    // request ids of earlier attempts stay quotable
    expect(after.cloudRequestIds.sort()).toEqual(['req-8', 'req-9']);
    expect((await stepEvents(run.id)).map((e) => e.message).slice(-2)).toEqual([
      'create-pool: started (attempt 2)',
      'create-pool: succeeded',
    ]);
  });
});

describe('a re-run (resume)', () => {
  it('skips the steps that succeeded, returning their stored outputs, and runs the rest', async () => {
    const run = await s.newRun('running');
    const calls: string[] = [];
    let failPool = true;
    const body = async (owner: string) => {
      const steps = createStepRunner(s.db, events, run.id, { owner });
      const cluster = await steps.runStep('control-plane', async () => {
        calls.push('control-plane');
        return { id: `cluster-by-${owner}` };
      });
      const pool = await steps.runStep('node-pool', async () => {
        calls.push('node-pool');
        if (failPool) throw new Error('pool create timed out');
        return { cluster: cluster.id };
      });
      return { cluster, pool };
    };

    await expect(body('worker-a')).rejects.toThrow('node-pool: pool create timed out');
    failPool = false;
    const resumed = await body('worker-b');

    expect(calls).toEqual(['control-plane', 'node-pool', 'node-pool']);
    // the second runner got the first runner's checkpoint, not a new cluster
    expect(resumed).toEqual({
      cluster: { id: 'cluster-by-worker-a' },
      pool: { cluster: 'cluster-by-worker-a' },
    });
    const rows = await s.db.runStep.findMany({ where: { runId: run.id }, orderBy: { key: 'asc' } });
    expect(rows.map((r) => [r.key, r.status, r.attempt])).toEqual([
      ['control-plane', 'succeeded', 1],
      ['node-pool', 'succeeded', 2],
    ]);
  });
});

describe('the step claim (lease, compare-and-set)', () => {
  it('keeps a second runner off a step another owner holds with a live lease', async () => {
    const run = await s.newRun('running');
    const leaseUntil = new Date(Date.now() + 60_000);
    await s.db.runStep.create({
      data: {
        runId: run.id,
        key: 'apply',
        status: 'running',
        attempt: 1,
        leaseOwner: 'worker-a#1',
        leaseUntil,
      },
    });
    const controller = new AbortController();
    const steps = createStepRunner(s.db, events, run.id, { owner: 'worker-b', signal: controller.signal });
    let ran = false;
    const attempt = steps.runStep('apply', async () => {
      ran = true;
    });
    const reason = new Error('gave up waiting');
    setTimeout(() => controller.abort(reason), 800);
    // it waits for the holder (and gives up with the run's signal), never running the step itself
    await expect(attempt).rejects.toBe(reason);
    expect(ran).toBe(false);
    const row = await stepRow(run.id, 'apply');
    expect(row).toMatchObject({ status: 'running', attempt: 1, leaseOwner: 'worker-a#1', leaseUntil });
  });

  it('lets a second runner take the step once the holder’s lease ran out', async () => {
    const run = await s.newRun('running');
    const leaseUntil = new Date(Date.now() + 700);
    await s.db.runStep.create({
      data: {
        runId: run.id,
        key: 'apply',
        status: 'running',
        attempt: 1,
        leaseOwner: 'dead-worker#1',
        leaseUntil,
      },
    });
    const steps = createStepRunner(s.db, events, run.id, { owner: 'worker-b', leaseMs: 400 });
    let ranAt = 0;
    const out = await steps.runStep('apply', async (ctx) => {
      ranAt = Date.now();
      const row = await stepRow(run.id, 'apply');
      return { attempt: ctx.attempt, owner: row.leaseOwner, leaseUntil: row.leaseUntil?.getTime() ?? 0 };
    });
    expect(ranAt).toBeGreaterThanOrEqual(leaseUntil.getTime());
    expect(out.attempt).toBe(2);
    // while it ran, the step was held by the new runner, with a lease of its own
    expect(out.owner).toMatch(/^worker-b#/);
    expect(out.leaseUntil).toBeGreaterThan(ranAt);
    expect(await stepRow(run.id, 'apply')).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      leaseOwner: null,
    });
  });

  it('keeps the lease alive while a long step runs, so a second runner waits for its outcome', async () => {
    const run = await s.newRun('running');
    let effects = 0;
    const leaseMs = 900;
    const a = createStepRunner(s.db, events, run.id, { owner: 'worker-a', leaseMs });
    const b = createStepRunner(s.db, events, run.id, { owner: 'worker-b', leaseMs });
    const first = a.runStep('wait-ready', async () => {
      effects++;
      // more than twice the lease: without the heartbeat the claim would run out meanwhile
      await sleep(leaseMs * 2.2);
      return 'ready-by-a';
    });
    await sleep(150);
    const second = b.runStep('wait-ready', async () => {
      effects++;
      return 'ready-by-b';
    });
    expect(await Promise.all([first, second])).toEqual(['ready-by-a', 'ready-by-a']);
    expect(effects).toBe(1);
    expect(await stepRow(run.id, 'wait-ready')).toMatchObject({ status: 'succeeded', attempt: 1 });
  });
});

describe('cancel through the AbortSignal', () => {
  it('lets the step in flight finish and stops before the next step', async () => {
    const run = await s.newRun('running');
    const controller = new AbortController();
    const steps = createStepRunner(s.db, events, run.id, { signal: controller.signal });
    const first = await steps.runStep('control-plane', async () => {
      // the cancel arrives while the cloud change is under way
      controller.abort(new RunCancelledError(run.id));
      return 'created';
    });
    // the change happened, so it is recorded: a rollback must know about it
    expect(first).toBe('created');
    expect((await stepRow(run.id, 'control-plane')).status).toBe('succeeded');

    let ranNext = false;
    const next = await steps
      .runStep('node-pool', async () => {
        ranNext = true;
      })
      .catch((e: unknown) => e);
    expect(next).toBeInstanceOf(RunCancelledError);
    expect((next as RunCancelledError).runId).toBe(run.id);
    expect(ranNext).toBe(false);
    expect(
      await s.db.runStep.findUnique({ where: { runId_key: { runId: run.id, key: 'node-pool' } } }),
    ).toBeNull();
  });
});
