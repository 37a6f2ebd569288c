import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
let s: CloudStack;
const workers: ChildProcess[] = [];

/** A real worker process (the one `pnpm start` runs), on the harness's queue prefix. */
function startWorkerProcess(name: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'apps/worker/src/main.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DOLLY_QUEUE_PREFIX: s.h.prefix,
      DOLLY_WORKER_STALLED_MS: '1500',
      DOLLY_POLL_INTERVAL_MS: '20',
      DOLLY_SYNC_INTERVAL_MINUTES: '0',
      DOLLY_WORKER_METRICS_PORT: '0',
      DOLLY_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d}`));
  workers.push(child);
  return child;
}

beforeAll(async () => {
  s = await startCloudStack({ worker: false });
  startWorkerProcess('worker-1');
  await s.sync();
}, 90_000);
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await s?.close();
});

it('finishes a clone whose worker was SIGKILLed mid-way on a new worker, without duplicating a cloud resource', async () => {
  const plan = await s.api<{
    id: string;
    document: { items: { target: { name: string; nodePools: { name: string }[] } }[] };
  }>('developer', 'POST', '/api/v1/plans', {
    source: { clusterIds: [await s.clusterId('gcp', 'shop-prod')] },
    target: {
      accountId: s.account('aws').id,
      environment: 'dev',
      nameSuffix: `-crash-${Date.now().toString(36).slice(-4)}`,
    },
  });
  expect(plan.status).toBe(201);
  const target = plan.body.document.items[0]?.target;
  if (!target) throw new Error('no plan item');
  // Slow the clouds down so the kill lands while node groups are being created.
  await s.sandbox.admin('POST', '/_sandbox/config', { speed: 60 });
  try {
    const applied = await s.api<{ runs: RunView[] }>(
      'developer',
      'POST',
      `/api/v1/plans/${plan.body.id}/apply`,
      {},
    );
    const runId = applied.body.runs[0]?.id ?? '';
    await s.waitRun(
      runId,
      (r) =>
        r.steps?.some((st) => st.key === 'control-plane' && st.status === 'succeeded') === true &&
        r.steps?.some((st) => st.key.startsWith('node-pool:') && st.status === 'running') === true,
      60_000,
    );
    workers[0]?.kill('SIGKILL');
    const killedAt = Date.now();
    startWorkerProcess('worker-2');
    await s.sandbox.admin('POST', '/_sandbox/config', { speed: 3000 });
    const done = await s.waitRun(runId, undefined, 90_000);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(Date.now() - killedAt).toBeLessThan(60_000);
    // finished steps were not run again; the interrupted ones were resumed by the new worker
    expect(done.steps?.find((st) => st.key === 'control-plane')?.attempt).toBe(1);
    const events = await s.api<{ events: { message: string }[] }>(
      'viewer',
      'GET',
      `/api/v1/runs/${runId}/events?after=0`,
    );
    expect(events.body.events.some((e) => e.message.startsWith('Run resumed by'))).toBe(true);

    const inCloud = (await s.discover('aws')).filter((c) => c.spec.name === target.name);
    expect(inCloud).toHaveLength(1);
    const pools = inCloud[0]?.spec.nodePools.map((p) => p.name) ?? [];
    expect(pools.sort()).toEqual(target.nodePools.map((p) => p.name).sort());
    const ledger = await s.h.db.runResource.findMany({ where: { runId } });
    const keys = ledger.map((r) => `${r.kind}:${r.locatorKey}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(ledger.filter((r) => r.kind === 'cluster')).toHaveLength(1);
    expect(ledger.filter((r) => r.kind === 'nodePool')).toHaveLength(target.nodePools.length);
  } finally {
    await s.sandbox.admin('POST', '/_sandbox/config', { speed: 3000 });
  }
}, 180_000);
