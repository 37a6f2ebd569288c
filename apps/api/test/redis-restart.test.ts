/**
 * Redis really stopped and started again in the middle of a clone: the run pauses and finishes,
 * changes asked for meanwhile get a prompt 503 (not a hanging request) and change nothing, and
 * reads keep working from Postgres.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from './support/free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, startCloudStack } from './support/cloud-stack.ts';

const dir = mkdtempSync(join(tmpdir(), 'dolly-redis-restart-'));
let port: number;
let server: ChildProcess | undefined;
let s: CloudStack;

async function answers(): Promise<boolean> {
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** The same data folder every time: the AOF carries the queues across the restart. */
async function startRedis() {
  server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100 && !(await answers()); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers())) throw new Error('redis-server did not start');
}

async function stopRedis() {
  const proc = server;
  server = undefined;
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  // slow enough that the clone is still creating its cluster when Redis goes away
  s = await startCloudStack({ speed: 150, overrides: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  await s.sync();
}, 120_000);

afterAll(async () => {
  await s?.close();
  await stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis restart mid-run', () => {
  it('pauses the run, answers changes with 503 meanwhile, and finishes after Redis is back', async () => {
    const runId = await s.cloneUnderWay(`-redis${Date.now() % 100000}`);

    await stopRedis();
    // the API's connection notices the close and starts reconnecting
    for (let i = 0; i < 50 && s.h.redis.status === 'ready'; i++) await new Promise((r) => setTimeout(r, 50));

    const started = Date.now();
    const cancel = await s.api<{ code: string; status: number }>(
      'operator',
      'POST',
      `/api/v1/runs/${runId}/cancel`,
      {},
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(cancel.status).toBe(503);
    expect(cancel.body.code).toBe('unavailable');
    // reads come from Postgres; the refused cancel changed nothing
    const during = await s.run(runId);
    expect(['running', 'waiting']).toContain(during.status);

    await new Promise((r) => setTimeout(r, 1500));
    await startRedis();

    const done = await s.waitRun(runId, undefined, 90_000);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect((done.steps ?? []).every((st) => st.status === 'succeeded' || st.status === 'skipped')).toBe(true);
    // once Redis is back, changes are heard again (a finished run is simply not cancellable)
    const after = await s.api<{ code: string }>('operator', 'POST', `/api/v1/runs/${runId}/cancel`, {});
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('invalid_state');
  }, 150_000);
});
