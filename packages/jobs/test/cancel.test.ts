import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CancelRegistry,
  RunCancelledError,
  createCancelRegistry,
  publishCancel,
} from '../src/cancel.ts';
import type { Redis } from '../src/redis.ts';
import { type Services, sleep, startServices } from './support.ts';

let s: Services;
let registry: CancelRegistry;
let publisher: Redis;

beforeAll(async () => {
  s = await startServices('cancel');
  // the worker's subscriber connection, and the API's connection on the other side
  registry = await createCancelRegistry(s.redis('worker-subscriber'));
  publisher = s.redis('api');
});
afterAll(async () => {
  await registry?.close();
  await s?.close();
});

const aborted = (signal: AbortSignal, timeoutMs = 3000) =>
  new Promise<unknown>((resolve, reject) => {
    if (signal.aborted) return resolve(signal.reason);
    const timer = setTimeout(() => reject(new Error(`signal not aborted within ${timeoutMs} ms`)), timeoutMs);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(signal.reason);
    });
  });

describe('cancel registry over Redis pub/sub', () => {
  it('aborts the signal of a held run when another connection publishes its cancel', async () => {
    const runId = randomUUID();
    const signal = registry.hold(runId);
    expect(signal.aborted).toBe(false);
    // one subscriber (the registry) heard it
    expect(await publishCancel(publisher, runId)).toBeGreaterThanOrEqual(1);
    const reason = await aborted(signal);
    expect(reason).toBeInstanceOf(RunCancelledError);
    expect((reason as RunCancelledError).runId).toBe(runId);
    expect((reason as Error).message).toBe(`run ${runId} was cancelled`);
    registry.release(runId);
  });

  it('ignores cancels of runs it does not hold, and keeps the runs it holds apart', async () => {
    const mine = randomUUID();
    const other = randomUUID();
    const signal = registry.hold(mine);
    await publishCancel(publisher, other);
    // a cancel of this run, published after the other one, arrives after it on the same channel
    const sentinel = randomUUID();
    const sentinelSignal = registry.hold(sentinel);
    await publishCancel(publisher, sentinel);
    await aborted(sentinelSignal);
    expect(signal.aborted).toBe(false);
    // a run held after someone cancelled another run with the same registry starts clean
    expect(registry.hold(other).aborted).toBe(false);
    for (const id of [mine, other, sentinel]) registry.release(id);
  });

  it('gives the same signal to every hold of a run until it is aborted, then a fresh one', () => {
    const runId = randomUUID();
    const first = registry.hold(runId);
    expect(registry.hold(runId)).toBe(first);
    registry.abort(runId);
    expect(first.aborted).toBe(true);
    expect(first.reason).toBeInstanceOf(RunCancelledError);
    // a re-delivered job of the run holds it again with a signal of its own
    const again = registry.hold(runId);
    expect(again).not.toBe(first);
    expect(again.aborted).toBe(false);
    registry.release(runId);
  });

  it('does not abort a run after it was released', async () => {
    const runId = randomUUID();
    const signal = registry.hold(runId);
    registry.release(runId);
    const sentinel = randomUUID();
    const sentinelSignal = registry.hold(sentinel);
    await publishCancel(publisher, runId);
    await publishCancel(publisher, sentinel);
    await aborted(sentinelSignal);
    expect(signal.aborted).toBe(false);
    registry.release(sentinel);
  });

  it('stops listening once closed', async () => {
    const own = await createCancelRegistry(s.redis('closing-subscriber'));
    const runId = randomUUID();
    const signal = own.hold(runId);
    await own.close();
    await publishCancel(publisher, runId);
    await sleep(300);
    expect(signal.aborted).toBe(false);
  });
});
