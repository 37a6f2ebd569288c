/** Pure parts of the runtime steps: rate limit, throttle, readiness, mover pods, the run outcome. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REPLICAS_ANNOTATION } from './labels.ts';
import { summarizeMigration } from './migration.ts';
import { createRateLimiter } from './rate-limit.ts';
import { obj } from './testing/fixtures.ts';
import { workloadReadiness } from './verify.ts';
import { moverPod, moverPodName, throttle } from './volumes.ts';

describe('createRateLimiter', () => {
  it('lets a burst through, then spaces requests at qps', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = createRateLimiter(
      { qps: 10, burst: 2 },
      {
        now: () => now,
        sleep: async (ms) => {
          waits.push(Math.round(ms));
        },
      },
    );
    for (let i = 0; i < 4; i++) await limiter.take();
    // two from the burst, then 100ms and 200ms (each queued behind the previous one)
    expect(waits).toEqual([100, 200]);
    now = 1000;
    waits.length = 0;
    await limiter.take();
    expect(waits).toEqual([]);
  });
});

describe('throttle', () => {
  it('counts bytes and holds the rate', async () => {
    const seen: number[] = [];
    const t = throttle(200_000, (n) => seen.push(n));
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    t.pipe(out);
    const start = performance.now();
    t.end(Buffer.alloc(100_000, 1));
    await new Promise((r) => out.on('end', r));
    const ms = performance.now() - start;
    expect(Buffer.concat(chunks).length).toBe(100_000);
    expect(seen.at(-1)).toBe(100_000);
    // 100 kB at 200 kB/s takes about half a second
    expect(ms).toBeGreaterThan(400);
  });
});

describe('workloadReadiness', () => {
  const dep = (
    spec: Record<string, unknown>,
    status: Record<string, unknown>,
    annotations?: Record<string, string>,
  ) =>
    obj(
      'apps/v1',
      'Deployment',
      'web',
      { spec, status },
      { generation: 2, ...(annotations ? { annotations } : {}) },
    );
  it.each([
    [
      dep(
        { replicas: 2 },
        { observedGeneration: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 },
      ),
      true,
    ],
    [
      dep(
        { replicas: 2 },
        { observedGeneration: 1, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 },
      ),
      false,
    ],
    [
      dep(
        { replicas: 2 },
        { observedGeneration: 2, readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
      ),
      false,
    ],
    [dep({ replicas: 0 }, { observedGeneration: 2 }, { [REPLICAS_ANNOTATION]: '1' }), false],
  ])('%#', (o, ready) => {
    expect(workloadReadiness(o).ready).toBe(ready);
  });
});

describe('mover pods', () => {
  const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data-db-0' };
  it('mounts the source read-only, pinned to the node that has the disk', () => {
    const pod = moverPod({ side: 'source', claim, migrationId: 'm', image: 'busybox:1.36', node: 'n1' });
    expect(pod.spec).toMatchObject({
      nodeSelector: { 'kubernetes.io/hostname': 'n1' },
      volumes: [{ persistentVolumeClaim: { claimName: 'data-db-0', readOnly: true } }],
      containers: [{ volumeMounts: [{ mountPath: '/data', readOnly: true }] }],
    });
  });
  it('has a stable, legal name per claim and migration', () => {
    const name = moverPodName('target', claim, 'm');
    expect(name).toBe(moverPodName('target', claim, 'm'));
    expect(name).not.toBe(moverPodName('target', claim, 'other'));
    expect(name).toMatch(/^[a-z0-9-]{1,63}$/);
  });
});

describe('summarizeMigration', () => {
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop-dev', name: 'c' };
  const created = { source: ref, target: ref, tier: 'config' as const, result: 'created' as const };
  const failed = { ...created, result: 'failed' as const, reason: 'Forbidden' };
  it.each([
    [[created], [], 'succeeded'],
    [[created, failed], [], 'partially_succeeded'],
    [[failed], [], 'failed'],
    [
      [created],
      [{ ref, ready: false, replicas: 1, readyReplicas: 0, reason: 'Pending' }],
      'partially_succeeded',
    ],
  ] as const)('%#', (objects, workloads, status) => {
    const r = summarizeMigration({ objects: [...objects], workloads: [...workloads] });
    expect(r.status).toBe(status);
    expect(r.failed.length).toBe(status === 'succeeded' ? 0 : 1);
  });
});
