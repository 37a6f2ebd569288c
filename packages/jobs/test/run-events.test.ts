import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppendRunEvent, createRunEventWriter, runEventChannel } from '../src/run-events.ts';
import { type Services, listen, startServices, waitFor } from './support.ts';

let s: Services;
let append: AppendRunEvent;

beforeAll(async () => {
  s = await startServices('events');
  append = createRunEventWriter(s.db, s.redis('publisher'));
});
afterAll(async () => {
  await s?.close();
});

describe('run events', () => {
  it('are appended in order with increasing ids, and each is published on the run’s channel', async () => {
    const run = await s.newRun('running');
    const other = await s.newRun('running');
    const heard = await listen(s.redis('subscriber'), runEventChannel(run.id));

    const written = [];
    written.push(await append(run.id, 'info', 'Run started'));
    await append(other.id, 'info', 'someone else’s run');
    written.push(await append(run.id, 'warn', 'apply: slow', { stepKey: 'apply', data: { waitedMs: 1200 } }));
    written.push(await append(run.id, 'error', 'apply: failed'));

    const ids = written.map((e) => BigInt(e.id));
    expect(ids[0]! < ids[1]! && ids[1]! < ids[2]!).toBe(true);
    expect(written[1]).toEqual({
      id: written[1]!.id,
      runId: run.id,
      level: 'warn',
      stepKey: 'apply',
      message: 'apply: slow',
      data: { waitedMs: 1200 },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // no data, no key: the DTO is what the front doors send as is
    expect('data' in written[0]!).toBe(false);
    expect(written[0]!.stepKey).toBeNull();

    // Postgres is the source of truth: the rows, in id order, are the events returned
    const rows = await s.db.runEvent.findMany({ where: { runId: run.id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.id.toString())).toEqual(written.map((e) => e.id));
    expect(rows.map((r) => r.message)).toEqual(['Run started', 'apply: slow', 'apply: failed']);

    // live listeners heard every event of this run, in order, and nothing of the other run
    await waitFor(() => heard.length >= 3, 'three published events');
    expect(heard.map((m) => JSON.parse(m.message))).toEqual(written);
    expect(heard.every((m) => m.channel === runEventChannel(run.id))).toBe(true);
  });

  it('notify wakes live streams with an empty message and writes no event', async () => {
    const run = await s.newRun('running');
    const heard = await listen(s.redis('notify-subscriber'), runEventChannel(run.id));
    await append.notify(run.id);
    await waitFor(() => heard.length >= 1, 'the notification');
    expect(heard).toEqual([{ channel: runEventChannel(run.id), message: '{}' }]);
    expect(await s.db.runEvent.count({ where: { runId: run.id } })).toBe(0);
  });
});
