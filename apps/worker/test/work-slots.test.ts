import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, startCloudStack } from '../../api/test/support/cloud-stack.ts';

let s: CloudStack;

beforeAll(async () => {
  // One work slot, and a sandbox slow enough that an EKS control plane takes seconds to come up.
  s = await startCloudStack({ speed: 300, concurrency: 1 });
  await s.sync();
}, 120_000);
afterAll(async () => {
  await s?.close();
});

async function applyClone(nameSuffix: string): Promise<string> {
  const plan = await s.api<{ id: string }>('operator', 'POST', '/api/v1/plans', {
    source: { clusterIds: [await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
    target: { accountId: s.account('aws').id, environment: 'dev', nameSuffix },
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  const applied = await s.api<{ runs: { id: string }[] }>(
    'operator',
    'POST',
    `/api/v1/plans/${plan.body.id}/apply`,
    {},
  );
  expect(applied.status, JSON.stringify(applied.body)).toBe(202);
  return applied.body.runs[0]?.id ?? '';
}

describe('work slots (DOLLY_WORKER_CONCURRENCY=1)', () => {
  it('lets a second clone work while the first waits for its cloud, instead of queueing behind it', async () => {
    const first = await applyClone('-slot-a');
    const second = await applyClone('-slot-b');
    const [a, b] = await Promise.all([s.waitRun(first), s.waitRun(second)]);
    expect(a.status, JSON.stringify(a.error)).toBe('succeeded');
    expect(b.status, JSON.stringify(b.error)).toBe('succeeded');
    const rows = await s.h.db.run.findMany({ where: { id: { in: [first, second] } } });
    const [ra, rb] = [first, second].map((id) => rows.find((r) => r.id === id));
    // With one slot held through every cloud wait, the second run could only start after the first ended.
    expect(rb?.startedAt?.getTime()).toBeLessThan(ra?.finishedAt?.getTime() ?? 0);
    // Both runs' node groups (the long cloud wait) were being created at the same time.
    const steps = await s.h.db.runStep.findMany({
      where: { runId: { in: [first, second] }, key: { startsWith: 'node-pool:' } },
    });
    const startB = Math.min(
      ...steps.filter((st) => st.runId === second).map((st) => st.startedAt?.getTime() ?? 0),
    );
    const endA = Math.max(
      ...steps.filter((st) => st.runId === first).map((st) => st.finishedAt?.getTime() ?? 0),
    );
    expect(startB).toBeLessThan(endA);
  }, 120_000);
});
