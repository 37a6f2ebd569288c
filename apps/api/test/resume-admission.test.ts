/**
 * A job that starts again (its worker died, the job was re-delivered) admits the run again: a policy
 * that changed since the first start stops it before any cloud change, even though the first start's
 * `policy-check` succeeded.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CloudStack, startCloudStack } from './support/cloud-stack.ts';
import { startHarness } from './support/harness.ts';

let s: CloudStack;
const tag = Date.now().toString(36).slice(-5);

/** A worker of the stack's installation (same queues), for as long as `fn` runs. */
async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
  const w = await startHarness({}, { prefix: s.h.prefix, pollIntervalMs: 20 });
  try {
    return await fn();
  } finally {
    await w.close();
  }
}

beforeAll(async () => {
  s = await startCloudStack({ worker: false });
  await withWorker(() => s.sync());
}, 90_000);
afterAll(async () => {
  await s?.close();
});

it('re-admits a resumed clone under the policy of now, not the checkpoint of its first start', async () => {
  const plan = await s.api<{ id: string }>('developer', 'POST', '/api/v1/plans', {
    source: { clusterIds: [await s.clusterId('gcp', 'shop-prod')] },
    target: { accountId: s.account('aws').id, environment: 'dev', nameSuffix: `-r${tag}` },
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  const applied = await s.api<{ runs: { id: string; status: string }[] }>(
    'developer',
    'POST',
    `/api/v1/plans/${plan.body.id}/apply`,
    {},
  );
  expect(applied.status, JSON.stringify(applied.body)).toBe(202);
  const runId = applied.body.runs[0]?.id ?? '';
  // What a first start that died right after admission leaves behind: a passed policy-check.
  await s.h.db.run.update({ where: { id: runId }, data: { status: 'running', startedAt: new Date() } });
  await s.h.db.runStep.create({
    data: {
      runId,
      key: 'policy-check',
      status: 'succeeded',
      attempt: 1,
      output: { role: 'developer', decisions: [], environment: 'dev' },
      startedAt: new Date(),
      finishedAt: new Date(),
    },
  });
  const policy = await s.api<{ id: string }>('owner', 'POST', '/api/v1/policies', {
    name: `no prod copies any more ${tag}`,
    effect: 'deny',
    roles: ['developer'],
    source: { env: ['prod'] },
    target: { env: ['dev'] },
    priority: 0,
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
  try {
    const done = await withWorker(() => s.waitRun(runId, undefined, 90_000));
    expect(done.status, JSON.stringify(done.error)).toBe('failed');
    expect(done.errorClass).toBe('policy');
    expect(done.resources ?? []).toEqual([]);
    const check = await s.h.db.runStep.findUniqueOrThrow({
      where: { runId_key: { runId, key: 'policy-check' } },
    });
    expect(check.attempt).toBe(2);
  } finally {
    await s.api('owner', 'DELETE', `/api/v1/policies/${policy.body.id}`);
  }
}, 120_000);

it('asks a run again for the prod confirmation when its target became prod after apply', async () => {
  // An account of its own: its default environment changes under the run, and no other test uses it.
  const { id: _id, createdAt: _c, updatedAt: _u, ...sandboxAws } = s.account('aws');
  const account = await s.h.db.cloudAccount.create({
    data: {
      ...sandboxAws,
      name: `resume-confirm-${tag}`,
      settings: sandboxAws.settings as object,
      lastTestResult: undefined,
      defaultEnvironment: null,
    },
  });
  try {
    const source = await s.clusterId('gcp', 'shop-prod');
    const plan = async (suffix: string) => {
      const res = await s.api<{ id: string; targetEnvironment: string }>(
        'operator',
        'POST',
        '/api/v1/plans',
        {
          source: { clusterIds: [source] },
          target: { accountId: account.id, environment: 'dev', nameSuffix: `-${suffix}${tag}` },
        },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    const dev = await plan('c');
    expect(dev.targetEnvironment).toBe('dev');
    const applied = await s.api<{ runs: { id: string }[] }>(
      'operator',
      'POST',
      `/api/v1/plans/${dev.id}/apply`,
      {},
    );
    expect(applied.status, JSON.stringify(applied.body)).toBe(202);
    const runId = applied.body.runs[0]?.id ?? '';
    // an admin declares the account prod before the run starts: dev was never confirmed as prod
    await s.h.db.cloudAccount.update({ where: { id: account.id }, data: { defaultEnvironment: 'prod' } });
    const refused = await withWorker(() => s.waitRun(runId, undefined, 90_000));
    expect(refused.status, JSON.stringify(refused.error)).toBe('failed');
    expect(refused.errorClass).toBe('policy');
    expect(JSON.stringify(refused.error)).toMatch(/creates clusters in prod/);
    expect(refused.resources ?? []).toEqual([]);

    // applied into prod with the typed confirmation, the run carries it and passes its own check
    const prod = await plan('p');
    expect(prod.targetEnvironment).toBe('prod');
    const confirmed = await s.api<{ runs: { id: string }[] }>(
      'operator',
      'POST',
      `/api/v1/plans/${prod.id}/apply`,
      {
        confirm: account.name,
      },
    );
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(202);
    const done = await withWorker(() => s.waitRun(confirmed.body.runs[0]?.id ?? '', undefined, 90_000));
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  } finally {
    // later files expect one Dolly account per sandbox account (the CLI picks "the" AWS account of a scope)
    await s.h.db.cloudAccount.delete({ where: { id: account.id } });
  }
}, 180_000);
