import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './support/free-port.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, startCloudStack } from './support/cloud-stack.ts';

/**
 * Two API processes and two worker processes (the ones `pnpm start` and the Kubernetes deployment
 * run), on one Postgres and one Redis: what one replica does must be seen by, and not repeated
 * by, the others.
 */
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const SYNC_EVERY_MS = 3_000;
const LOGIN_LIMIT = 4;
let s: CloudStack;
const children: ChildProcess[] = [];
const apis: string[] = [];

function start(name: string, main: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, main)], {
    cwd: repoRoot,
    env: { ...process.env, DOLLY_QUEUE_PREFIX: s.h.prefix, DOLLY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d}`));
  children.push(child);
  return child;
}

async function waitReady(url: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready after 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function loginTo(url: string, email: string, password = 'dolly-demo') {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('dolly_session='));
  const body = (await res.json()) as { csrfToken?: string };
  return { status: res.status, cookie: cookie?.split(';')[0] ?? '', csrf: body.csrfToken ?? '' };
}

beforeAll(async () => {
  s = await startCloudStack({ worker: false });
  const ports = [await freePort(), await freePort()];
  for (const [i, port] of ports.entries()) {
    start(`api-${i + 1}`, 'apps/api/src/main.ts', {
      DOLLY_HOST: '127.0.0.1',
      DOLLY_PORT: String(port),
      DOLLY_LOGIN_RATE_LIMIT: String(LOGIN_LIMIT),
    });
    apis.push(`http://127.0.0.1:${port}`);
  }
  for (const i of [1, 2])
    start(`worker-${i}`, 'apps/worker/src/main.ts', {
      DOLLY_POLL_INTERVAL_MS: '20',
      DOLLY_SYNC_INTERVAL_MINUTES: String(SYNC_EVERY_MS / 60_000),
      DOLLY_WORKER_METRICS_PORT: '0',
    });
  await Promise.all(apis.map(waitReady));
}, 120_000);
afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          const force = setTimeout(() => c.kill('SIGKILL'), 5_000);
          c.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
        }),
    ),
  );
  await s?.close();
});

describe('two API replicas and two workers on one Postgres and Redis', () => {
  it('streams the events of a run started through API A to an SSE client on API B, live', async () => {
    const [a, b] = apis as [string, string];
    const onA = await loginTo(a, 'operator@demo.dolly');
    const onB = await loginTo(b, 'viewer@demo.dolly');
    expect([onA.status, onB.status]).toEqual([200, 200]);
    // Slow cloud answers, so most of the run's events are written after the stream is open.
    await s.sandbox.admin('POST', '/_sandbox/config', { latencyMs: 150 });
    try {
      const started = await fetch(`${a}/api/v1/inventory/sync`, {
        method: 'POST',
        headers: { cookie: onA.cookie, 'x-csrf-token': onA.csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ accountIds: [s.account('aws').id, s.account('gcp').id] }),
      });
      expect(started.status).toBe(202);
      const runId = ((await started.json()) as { id: string }).id;

      const stream = await fetch(`${b}/api/v1/runs/${runId}/events`, {
        headers: { cookie: onB.cookie, accept: 'text/event-stream' },
        signal: AbortSignal.timeout(60_000),
      });
      expect(stream.status).toBe(200);
      const atOpen = await s.h.db.runEvent.count({ where: { runId } });
      const ids: bigint[] = [];
      let ended = false;
      let buffer = '';
      const decoder = new TextDecoder();
      for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        const frames = buffer.split('\n\n');
        buffer = frames.pop() ?? '';
        for (const frame of frames) {
          const id = /^id: (\d+)$/m.exec(frame)?.[1];
          if (id && /^event: run-event$/m.test(frame)) ids.push(BigInt(id));
          if (/^event: end$/m.test(frame)) ended = true;
        }
        if (ended) break;
      }
      expect(ended).toBe(true);
      const stored = await s.h.db.runEvent.findMany({ where: { runId }, orderBy: { id: 'asc' } });
      // every event once, in order, and most of them arrived after the stream was opened
      expect(ids).toEqual(stored.map((e) => e.id));
      expect(stored.length - atOpen).toBeGreaterThan(2);
      const run = await s.h.db.run.findUniqueOrThrow({ where: { id: runId } });
      expect(run.status).toBe('succeeded');
    } finally {
      await s.sandbox.admin('POST', '/_sandbox/config', { latencyMs: 0 });
    }
  }, 90_000);

  it('fires the inventory sync scheduler once per period, not once per worker', async () => {
    const queue = s.h.queues.queue('runs');
    // Both workers have started and reconciled the schedules by now; watch several periods.
    const from = Date.now();
    await new Promise((r) => setTimeout(r, SYNC_EVERY_MS * 4 + 500));
    const to = Date.now();
    const ticks = (await queue.getJobs(['completed', 'failed', 'active']))
      .filter((j) => j.name === 'scheduled-sync' && j.data.tenantId === s.tenant.id)
      .map((j) => j.processedOn ?? 0)
      .filter((t) => t >= from && t <= to)
      .sort((x, y) => x - y);
    const periods = (to - from) / SYNC_EVERY_MS;
    expect(ticks.length).toBeGreaterThanOrEqual(Math.floor(periods) - 1);
    expect(ticks.length).toBeLessThanOrEqual(Math.ceil(periods));
    // no two ticks of one period (a second scheduler would fire close to the first)
    for (let i = 1; i < ticks.length; i++)
      expect((ticks[i] ?? 0) - (ticks[i - 1] ?? 0)).toBeGreaterThan(SYNC_EVERY_MS / 2);
  }, 60_000);

  // The counters live in Redis (@fastify/rate-limit's Redis store): two replicas allow no more
  // attempts than one.
  it('counts login attempts against A and B toward one limit', async () => {
    const [a, b] = apis as [string, string];
    const email = `nobody-${Date.now().toString(36)}@demo.dolly`;
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT * 2; i++)
      statuses.push((await loginTo(i % 2 ? b : a, email, 'wrong-password')).status);
    expect(statuses.slice(0, LOGIN_LIMIT)).toEqual(Array(LOGIN_LIMIT).fill(401));
    expect(statuses.slice(LOGIN_LIMIT)).toEqual(Array(LOGIN_LIMIT).fill(429));
  });
});
