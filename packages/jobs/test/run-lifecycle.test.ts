import { randomUUID } from 'node:crypto';
import { type RunStatus, runStatuses } from '@dolly/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunEventWriter, runEventChannel } from '../src/run-events.ts';
import { type RunLifecycle, createRunLifecycle } from '../src/run-lifecycle.ts';
import { type Services, listen, startServices, waitFor } from './support.ts';

let s: Services;
let lifecycle: RunLifecycle;

beforeAll(async () => {
  s = await startServices('lifecycle');
  lifecycle = createRunLifecycle(s.db, createRunEventWriter(s.db, s.redis('publisher')));
});
afterAll(async () => {
  await s?.close();
});

const runRow = (id: string) => s.db.run.findUniqueOrThrow({ where: { id } });
const messages = async (runId: string) =>
  (await s.db.runEvent.findMany({ where: { runId }, orderBy: { id: 'asc' } })).map((e) => e.message);
const allStatuses = Object.keys(runStatuses) as RunStatus[];

describe('start', () => {
  it('moves a queued run to running with its event, and wakes live streams', async () => {
    const run = await s.newRun('queued');
    const heard = await listen(s.redis('subscriber'), runEventChannel(run.id));
    expect(await lifecycle.start(run.id)).toBe(true);
    const row = await runRow(run.id);
    expect(row.status).toBe('running');
    expect(row.startedAt).toBeInstanceOf(Date);
    const events = await s.db.runEvent.findMany({ where: { runId: run.id } });
    expect(events.map((e) => [e.level, e.message, e.data])).toEqual([
      ['info', 'Run started', { status: 'running' }],
    ]);
    await waitFor(() => heard.length >= 1, 'the notification of the status change');

    // a worker that picks the run up again keeps the first start time
    expect(await lifecycle.start(run.id, { resumedBy: 'worker-b' })).toBe(true);
    const resumed = await runRow(run.id);
    expect(resumed.startedAt).toEqual(row.startedAt);
    expect(await messages(run.id)).toEqual(['Run started', 'Run resumed by worker-b']);
  });

  it('starts a run only from queued, running or waiting: never a cancelled, cancelling or final one', async () => {
    const outcomes: Record<string, boolean> = {};
    for (const status of allStatuses) {
      const run = await s.newRun(status);
      outcomes[status] = await lifecycle.start(run.id);
      const row = await runRow(run.id);
      expect(row.status, `a ${status} run`).toBe(outcomes[status] ? 'running' : status);
      expect(await messages(run.id), `events of a ${status} run`).toEqual(
        outcomes[status] ? ['Run started'] : [],
      );
    }
    expect(outcomes).toEqual(
      Object.fromEntries(allStatuses.map((st) => [st, ['queued', 'running', 'waiting'].includes(st)])),
    );
  });

  it('is false for a run that does not exist', async () => {
    expect(await lifecycle.start(randomUUID())).toBe(false);
  });
});

describe('finish and fail', () => {
  it('a cancelled run cannot become running (or anything else) again', async () => {
    const run = await s.newRun('running');
    expect(await lifecycle.start(run.id)).toBe(true);
    // the API asks for the cancel, the worker stops and says so
    await lifecycle.setStatus(run.id, 'cancelling');
    expect(await lifecycle.start(run.id)).toBe(false);
    expect(await lifecycle.finish(run.id, 'cancelled')).toBe(true);
    // a worker that lost the race finds out it must stop
    expect(await lifecycle.start(run.id, { resumedBy: 'late-worker' })).toBe(false);
    expect(await lifecycle.finish(run.id, 'succeeded', { ok: true })).toBe(false);
    expect(await lifecycle.fail(run.id, 'system', 'late failure')).toBe(false);
    const row = await runRow(run.id);
    expect(row).toMatchObject({ status: 'cancelled', result: null, error: null, errorClass: null });
    expect(row.finishedAt).toBeInstanceOf(Date);
    expect(await messages(run.id)).toEqual(['Run started', 'Run cancelled']);
  });

  it('records the result of a finished run, and the first outcome stands', async () => {
    const run = await s.newRun('running');
    expect(await lifecycle.finish(run.id, 'partially_succeeded', { failed: 1 })).toBe(true);
    expect(await lifecycle.finish(run.id, 'succeeded')).toBe(false);
    const row = await runRow(run.id);
    expect(row).toMatchObject({ status: 'partially_succeeded', result: { failed: 1 } });
    expect(await messages(run.id)).toEqual(['Run partially succeeded']);
  });

  it('records the error class and detail of a failed run', async () => {
    const run = await s.newRun('running');
    expect(await lifecycle.fail(run.id, 'cloud_quota', 'quota exceeded', { step: 'create-pool' })).toBe(true);
    const row = await runRow(run.id);
    expect(row).toMatchObject({
      status: 'failed',
      errorClass: 'cloud_quota',
      error: { message: 'quota exceeded', step: 'create-pool' },
    });
    expect(row.finishedAt).toBeInstanceOf(Date);
    const events = await s.db.runEvent.findMany({ where: { runId: run.id } });
    expect(events.map((e) => [e.level, e.message, e.data])).toEqual([
      ['error', 'Run failed: quota exceeded', { status: 'failed', errorClass: 'cloud_quota' }],
    ]);
    expect(await lifecycle.start(run.id)).toBe(false);
  });

  it('honours `from`: a rollback finishes only a run that is rolling back', async () => {
    const running = await s.newRun('running');
    expect(await lifecycle.finish(running.id, 'rolled_back', undefined, { from: ['rolling_back'] })).toBe(
      false,
    );
    expect((await runRow(running.id)).status).toBe('running');
    const rolling = await s.newRun('rolling_back');
    expect(
      await lifecycle.finish(rolling.id, 'rolled_back', undefined, {
        from: ['rolling_back'],
        message: 'Undone',
      }),
    ).toBe(true);
    expect((await runRow(rolling.id)).status).toBe('rolled_back');
    expect(await messages(rolling.id)).toEqual(['Undone']);
  });

  it('lets exactly one of two racing outcomes win, with exactly one event', async () => {
    const run = await s.newRun('running');
    const results = await Promise.all([
      lifecycle.finish(run.id, 'succeeded'),
      lifecycle.finish(run.id, 'cancelled'),
      lifecycle.fail(run.id, 'system', 'worker lost'),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = (['succeeded', 'cancelled', 'failed'] as const)[results.indexOf(true)];
    expect((await runRow(run.id)).status).toBe(winner);
    expect(await s.db.runEvent.count({ where: { runId: run.id } })).toBe(1);
  });
});
