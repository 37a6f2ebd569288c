import { createCloudAccess } from '@dolly/jobs';
import { createKubeClient, type KubeClient } from '@dolly/kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

/** Clone with workloads: one `environment` run, a clone child, then a migrate child into the clone. */

interface EnvironmentRunView extends RunView {
  children?: { id: string; kind: string; status: string; step: 'clone' | 'migrate' }[];
}

let s: CloudStack;
const tag = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
}, 90_000);
afterAll(async () => {
  await s?.close();
});

async function plan(nameSuffix: string) {
  const res = await s.api<{ id: string; document: { items: { target: { name: string } }[] } }>(
    'developer',
    'POST',
    '/api/v1/plans',
    {
      source: { clusterIds: [await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
      target: { accountId: s.account('aws').id, environment: 'dev', nameSuffix },
    },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const applyWithWorkloads = (planId: string, workloads: object, who: 'developer' | 'operator' = 'developer') =>
  s.api<{ runs: EnvironmentRunView[] }>(who, 'POST', `/api/v1/plans/${planId}/apply`, { workloads });

/** A kube client for an inventory cluster, with the credential its cloud issues. */
async function kube(clusterId: string): Promise<KubeClient> {
  const c = await s.h.db.cluster.findUniqueOrThrow({ where: { id: clusterId } });
  const account = await s.h.db.cloudAccount.findUniqueOrThrow({ where: { id: c.accountId } });
  const kubeconfig = await createCloudAccess(s.h.db, s.h.vault)
    .provider(account, c.scope)
    .kubeconfig({ scope: c.scope, location: c.location, cluster: c.name });
  return createKubeClient(kubeconfig);
}

const child = (run: EnvironmentRunView, step: 'clone' | 'migrate') =>
  run.children?.find((c) => c.step === step);

describe('clone with workloads', () => {
  it('clones GKE prod into AWS dev and migrates the shop namespace into the new cluster, as one run', async () => {
    const p = await plan(`-env${tag}`);
    // the shop reads its database password from a Secret and keeps its orders on a volume: an
    // operator's clone with workloads copies both
    const res = await applyWithWorkloads(
      p.id,
      { namespaces: ['shop'], includeSecrets: true, copyVolumes: true, readyTimeoutSec: 60 },
      'operator',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.runs).toHaveLength(1);
    const [parent] = res.body.runs;
    expect(parent?.kind).toBe('environment');
    const done = (await s.waitRun(parent?.id ?? '', undefined, 180_000)) as EnvironmentRunView;
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.steps?.map((st) => st.key)).toEqual(['policy-check', 'clone', 'migrate']);
    expect(done.children?.map((c) => [c.step, c.kind, c.status])).toEqual([
      ['clone', 'clone', 'succeeded'],
      ['migrate', 'migrate', 'succeeded'],
    ]);
    const clone = await s.h.db.run.findUniqueOrThrow({ where: { id: child(done, 'clone')?.id ?? '' } });
    const migrate = await s.h.db.run.findUniqueOrThrow({ where: { id: child(done, 'migrate')?.id ?? '' } });
    expect(clone.parentRunId).toBe(done.id);
    expect(migrate.parentRunId).toBe(done.id);

    const { clusterId } = done.result as { clusterId: string };
    const cluster = await s.h.db.cluster.findUniqueOrThrow({ where: { id: clusterId } });
    expect(cluster).toMatchObject({
      name: p.document.items[0]?.target.name,
      environment: 'dev',
      vanishedAt: null,
    });
    expect((migrate.input as { targetClusterId: string }).targetClusterId).toBe(clusterId);
    const client = await kube(clusterId);
    try {
      expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBeDefined();
      const result = migrate.result as { counts: Record<string, number> };
      expect(result.counts.created ?? 0, JSON.stringify(result.counts)).toBeGreaterThan(0);
    } finally {
      client.close();
    }

    // rolled back as one: the migration's objects, then the cluster; both children marked
    const rollback = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${done.id}/rollback`, {});
    expect(rollback.status, JSON.stringify(rollback.body)).toBe(202);
    const rolled = await s.waitRun(rollback.body.id, undefined, 180_000);
    expect(rolled.status, JSON.stringify(rolled.error)).toBe('succeeded');
    expect(rolled.steps?.map((st) => st.key)).toEqual(['rollback:migrate', 'rollback:clone']);
    expect((await s.run(done.id)).status).toBe('rolled_back');
    expect((await s.run(clone.id)).status).toBe('rolled_back');
    expect((await s.run(migrate.id)).status).toBe('rolled_back');
    expect((await s.h.db.cluster.findUniqueOrThrow({ where: { id: clusterId } })).vanishedAt).not.toBeNull();
    expect((await s.discover('aws')).some((c) => c.spec.name === cluster.name)).toBe(false);
  }, 400_000);

  it('refuses a developer up front when a child would be refused, and starts nothing', async () => {
    const p = await plan(`-envno${tag}`);
    const before = await s.h.db.run.count({ where: { tenantId: s.tenant.id, planId: p.id } });
    const secrets = await s.api<{ code: string; errors?: { path: string }[] }>(
      'developer',
      'POST',
      `/api/v1/plans/${p.id}/apply`,
      { workloads: { namespaces: ['shop'], includeSecrets: true } },
    );
    expect(secrets.status, JSON.stringify(secrets.body)).toBe(403);
    expect(secrets.body.code).toBe('policy_denied');
    expect(secrets.body.errors?.map((e) => e.path)).toContain('body.workloads.includeSecrets');
    // a volume copy writes into the prod source: not a developer's call either
    const volumes = await s.api<{ code: string }>('developer', 'POST', `/api/v1/plans/${p.id}/apply`, {
      workloads: { namespaces: ['shop'], copyVolumes: true },
    });
    expect(volumes.status, JSON.stringify(volumes.body)).toBe(403);
    const system = await s.api<{ code: string; errors?: { path: string }[] }>(
      'developer',
      'POST',
      `/api/v1/plans/${p.id}/apply`,
      { workloads: { namespaces: ['shop'], namespaceMap: { shop: 'kube-system' } } },
    );
    expect(system.status).toBe(400);
    expect(system.body.errors?.map((e) => e.path)).toContain('body.workloads.namespaceMap.shop');
    expect(await s.h.db.run.count({ where: { tenantId: s.tenant.id, planId: p.id } })).toBe(before);
  }, 60_000);

  it('holds the parent for approval when only the migration child would need it', async () => {
    const ns = `held-${tag}`;
    const policy = await s.api<{ id: string }>('owner', 'POST', '/api/v1/policies', {
      name: `approve migrations into ${ns}`,
      effect: 'allow',
      roles: ['developer'],
      target: { namespaceGlob: ns },
      requireApproval: true,
      priority: 0,
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    try {
      const p = await plan(`-envap${tag}`);
      const res = await applyWithWorkloads(p.id, { namespaces: [ns] });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const parent = res.body.runs[0];
      expect(parent?.status).toBe('pending_approval');
      const rejected = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${parent?.id}/reject`, {});
      expect(rejected.body.status).toBe('rejected');
      expect(((await s.run(parent?.id ?? '')) as EnvironmentRunView).children).toEqual([]);
    } finally {
      await s.api('owner', 'DELETE', `/api/v1/policies/${policy.body.id}`);
    }
  }, 60_000);

  it('fails the parent when the migration fails; a retry of the parent reuses the clone and retries the migration', async () => {
    const p = await plan(`-envre${tag}`);
    const ns = `extra-${tag}`;
    const res = await applyWithWorkloads(p.id, { namespaces: [ns], readyTimeoutSec: 30 });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const first = (await s.waitRun(res.body.runs[0]?.id ?? '', undefined, 240_000)) as EnvironmentRunView;
    // the namespace is not in the source yet: the migration finds nothing to copy
    expect(first.status).toBe('failed');
    expect(child(first, 'clone')?.status).toBe('succeeded');
    expect(child(first, 'migrate')?.status).toBe('failed');
    expect(first.steps?.find((st) => st.key === 'migrate')?.status).toBe('failed');

    const sourceId = await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod');
    const source = await kube(sourceId);
    try {
      await source.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      await source.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `settings-${tag}`, namespace: ns },
        data: { mode: 'dev' },
      });
    } finally {
      source.close();
    }

    const retry = await s.api<RunView>('developer', 'POST', `/api/v1/runs/${first.id}/retry`, {});
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    const second = (await s.waitRun(retry.body.id, undefined, 180_000)) as EnvironmentRunView;
    expect(second.status, JSON.stringify(second.error)).toBe('succeeded');
    expect(second.parentRunId).toBe(first.id);
    expect(child(second, 'clone')?.id).toBe(child(first, 'clone')?.id);
    const migrate = child(second, 'migrate');
    expect(migrate?.id).not.toBe(child(first, 'migrate')?.id);
    expect(migrate?.status).toBe('succeeded');
    // the new migration retries the failed one (so a rollback undoes both attempts)
    const row = await s.h.db.run.findUniqueOrThrow({ where: { id: migrate?.id ?? '' } });
    expect(row.parentRunId).toBe(child(first, 'migrate')?.id);
    const { clusterId } = second.result as { clusterId: string };
    const target = await kube(clusterId);
    try {
      const cm = await target.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: ns,
        name: `settings-${tag}`,
      });
      expect((cm as { data?: Record<string, string> } | undefined)?.data).toEqual({ mode: 'dev' });
    } finally {
      target.close();
    }
  }, 500_000);

  it('cancelling the parent cancels the child it waits on', async () => {
    const p = await plan(`-envca${tag}`);
    const res = await applyWithWorkloads(p.id, { namespaces: ['shop'] });
    const id = res.body.runs[0]?.id ?? '';
    const waiting = (await s.waitRun(id, (r) =>
      Boolean((r as EnvironmentRunView).children?.some((c) => c.step === 'clone' && c.status === 'running')),
    )) as EnvironmentRunView;
    const cancel = await s.api<RunView>('developer', 'POST', `/api/v1/runs/${id}/cancel`, {});
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(202);
    expect((await s.waitRun(id)).status).toBe('cancelled');
    expect((await s.waitRun(child(waiting, 'clone')?.id ?? '')).status).toBe('cancelled');
  }, 120_000);
});
