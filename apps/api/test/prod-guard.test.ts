import { createCloudAccess } from '@dolly/jobs';
import { createKubeClient } from '@dolly/kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

/** The prod guard as a script user meets it: through the REST API, with the demo tenant's roles. */

interface PlanView {
  id: string;
  targetEnvironment: string | null;
  document: {
    items: {
      target: { name: string; labels: Record<string, string>; nodePools: { nodeCount: number }[] };
      decisions: { rule: string; to?: unknown; reason: string }[];
    }[];
  };
}
interface Problem {
  code: string;
  detail: string;
  errors?: { path: string }[];
}

let s: CloudStack;
const tag = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
}, 90_000);
afterAll(async () => {
  await s?.api('owner', 'PUT', '/api/v1/policies/environments', { prodEnvironments: [] });
  await s?.close();
});

/** The sandbox AWS account has no default environment. */
const planBody = async (extra: Record<string, unknown> = {}) => ({
  source: { clusterIds: [await s.clusterId('gcp', 'shop-prod')] },
  target: { accountId: s.account('aws').id, ...extra },
});

describe('the target environment is derived, and unknown means prod', () => {
  it('refuses a developer who names no environment for an account without a default, naming the field', async () => {
    const res = await s.api<Problem>(
      'developer',
      'POST',
      '/api/v1/plans',
      await planBody({ nameSuffix: `-u${tag}` }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.code).toBe('policy_denied');
    expect(res.body.errors?.map((e) => e.path)).toContain('body.target.environment');
    const clusters = await s.h.db.cluster.count({ where: { name: { endsWith: `-u${tag}` } } });
    expect(clusters).toBe(0);
  });

  it('tells an operator the clone is prod (its labels say so) and asks for the typed confirmation', async () => {
    const res = await s.api<PlanView>(
      'operator',
      'POST',
      '/api/v1/plans',
      await planBody({ nameSuffix: `-o${tag}` }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.targetEnvironment).toBe('prod');
    const item = res.body.document.items[0];
    expect(item?.decisions.find((d) => d.rule === 'environment.target')?.reason).toMatch(/labels/);
    const apply = await s.api<Problem>('operator', 'POST', `/api/v1/plans/${res.body.id}/apply`, {});
    expect(apply.status).toBe(422);
    expect(apply.body.code).toBe('confirmation_required');
  });

  it("forces a developer's copy of prod into the non-prod environment named, rewriting the labels, and says so", async () => {
    const res = await s.api<PlanView>(
      'developer',
      'POST',
      '/api/v1/plans',
      await planBody({ environment: 'Dev', nameSuffix: `-d${tag}` }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.targetEnvironment).toBe('dev');
    const item = res.body.document.items[0];
    // the source's `env: prod` label would make the next sync call the clone prod
    expect(item?.target.labels?.env).toBe('dev');
    const rewritten = item?.decisions.find((d) => d.rule === 'labels.target-environment');
    expect(rewritten).toMatchObject({ path: 'labels["env"]', from: 'prod', to: 'dev' });
    expect(item?.decisions.find((d) => d.rule === 'environment.target')?.reason).toBe('requested: dev');
  });

  it.each(['Production', 'PRD'])('treats "%s" as prod for a developer', async (environment) => {
    const res = await s.api<Problem>('developer', 'POST', '/api/v1/plans', await planBody({ environment }));
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.detail).toMatch(/cannot clone into prod/);
  });

  it('treats an environment the tenant names prod-class as prod for a developer', async () => {
    const set = await s.api<{ prodEnvironments: string[] }>('owner', 'PUT', '/api/v1/policies/environments', {
      prodEnvironments: [' Live '],
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.prodEnvironments).toEqual(['live']);
    const res = await s.api<Problem>(
      'developer',
      'POST',
      '/api/v1/plans',
      await planBody({ environment: 'LIVE' }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.detail).toMatch(/prod-class/);
    const viewer = await s.api('viewer', 'PUT', '/api/v1/policies/environments', { prodEnvironments: [] });
    expect(viewer.status).toBe(403);
  });
});

describe('plans are owned, adoption is not creation, rollback is admitted again', () => {
  let prodPlan: PlanView;
  let prodRun: RunView;

  beforeAll(async () => {
    const res = await s.api<PlanView>(
      'operator',
      'POST',
      '/api/v1/plans',
      await planBody({ environment: 'prod', nameSuffix: `-p${tag}` }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    prodPlan = res.body;
    const name = prodPlan.document.items[0]?.target.name;
    const apply = await s.api<{ runs: RunView[] }>('operator', 'POST', `/api/v1/plans/${prodPlan.id}/apply`, {
      confirm: name,
    });
    expect(apply.status, JSON.stringify(apply.body)).toBe(202);
    prodRun = await s.waitRun(apply.body.runs[0]?.id ?? '');
    expect(prodRun.status, JSON.stringify(prodRun.error)).toBe('succeeded');
  }, 120_000);

  it("refuses a developer editing an operator's plan to point it at dev", async () => {
    const res = await s.api<Problem>('developer', 'PUT', `/api/v1/plans/${prodPlan.id}`, {
      document: prodPlan.document,
      targetEnvironment: 'dev',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    const plan = await s.h.db.plan.findUniqueOrThrow({ where: { id: prodPlan.id } });
    expect(plan.targetEnvironment).toBe('prod');
  });

  it('keeps a cluster that already exists in prod even when an operator retypes the environment', async () => {
    const res = await s.api<PlanView>('operator', 'PUT', `/api/v1/plans/${prodPlan.id}`, {
      document: prodPlan.document,
      targetEnvironment: 'dev',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.targetEnvironment).toBe('prod');
    expect(res.body.document.items[0]?.target.labels.env).toBe('prod');
    const dev = await s.api<Problem>('developer', 'POST', `/api/v1/plans/${prodPlan.id}/apply`, {});
    expect(dev.status).toBe(403);
  });

  it('records a re-applied plan as adopting the cluster, and its rollback deletes nothing', async () => {
    const name = prodPlan.document.items[0]?.target.name ?? '';
    const again = await s.api<{ runs: RunView[] }>('operator', 'POST', `/api/v1/plans/${prodPlan.id}/apply`, {
      confirm: name,
    });
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    const adopted = await s.waitRun(again.body.runs[0]?.id ?? '');
    expect(adopted.status, JSON.stringify(adopted.error)).toBe('succeeded');
    const ledger = (adopted.resources ?? []) as { kind: string; origin?: string }[];
    expect(ledger.length).toBeGreaterThan(0);
    expect(
      ledger.every((r) => r.origin === 'adopted'),
      JSON.stringify(ledger),
    ).toBe(true);
    // the inventory still says the first run created it, in prod
    const row = await s.h.db.cluster.findFirstOrThrow({ where: { name, vanishedAt: null } });
    expect(row).toMatchObject({ environment: 'prod', createdByRunId: prodRun.id });

    const rollback = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${adopted.id}/rollback`, {});
    expect(rollback.status, JSON.stringify(rollback.body)).toBe(202);
    const rolled = await s.waitRun(rollback.body.id);
    expect(rolled.status, JSON.stringify(rolled.error)).toBe('succeeded');
    expect((await s.discover('aws')).some((c) => c.spec.name === name)).toBe(true);
  }, 120_000);

  it("refuses a developer's rollback of their own clone once the clone counts as prod", async () => {
    const res = await s.api<PlanView>(
      'developer',
      'POST',
      '/api/v1/plans',
      await planBody({ environment: 'dev', nameSuffix: `-d${tag}` }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const apply = await s.api<{ runs: RunView[] }>(
      'developer',
      'POST',
      `/api/v1/plans/${res.body.id}/apply`,
      {},
    );
    const done = await s.waitRun(apply.body.runs[0]?.id ?? '');
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const clusterId = (done.result as { clusterId: string }).clusterId;
    // an operator promotes the copy to prod: from now on it is prod's to delete
    const promote = await s.api('operator', 'PATCH', `/api/v1/clusters/${clusterId}`, {
      environment: 'prod',
    });
    expect(promote.status).toBe(200);
    const rollback = await s.api<Problem>('developer', 'POST', `/api/v1/runs/${done.id}/rollback`, {});
    expect(rollback.status, JSON.stringify(rollback.body)).toBe(403);
    expect(rollback.body.code).toBe('policy_denied');
    const name = res.body.document.items[0]?.target.name;
    expect((await s.discover('aws')).some((c) => c.spec.name === name)).toBe(true);
  }, 120_000);

  it('re-checks at the start of the job: a plan edited after approval fails the run untouched', async () => {
    const policy = await s.api<{ id: string }>('owner', 'POST', '/api/v1/policies', {
      name: `prod copies need approval ${tag}`,
      effect: 'allow',
      roles: ['developer'],
      source: { env: ['prod'] },
      target: { env: ['dev'] },
      requireApproval: true,
      priority: 1,
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    try {
      const res = await s.api<PlanView>(
        'developer',
        'POST',
        '/api/v1/plans',
        await planBody({ environment: 'dev', nameSuffix: `-a${tag}` }),
      );
      const apply = await s.api<{ runs: RunView[] }>(
        'developer',
        'POST',
        `/api/v1/plans/${res.body.id}/apply`,
        {},
      );
      const pending = apply.body.runs[0];
      expect(pending?.status).toBe('pending_approval');
      const edited = structuredClone(res.body.document);
      const labels = edited.items[0]?.target.labels;
      if (labels) labels['cost-center'] = 'edited';
      const put = await s.api('developer', 'PUT', `/api/v1/plans/${res.body.id}`, { document: edited });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const approve = await s.api('operator', 'POST', `/api/v1/runs/${pending?.id}/approve`, {});
      expect(approve.status).toBe(202);
      const done = await s.waitRun(pending?.id ?? '');
      expect(done.status).toBe('failed');
      expect(done.errorClass).toBe('policy');
      expect(JSON.stringify(done.error)).toMatch(/edited after this run was requested/);
      expect(done.resources ?? []).toEqual([]);
    } finally {
      await s.api('owner', 'DELETE', `/api/v1/policies/${policy.body.id}`);
    }
  }, 120_000);
});

describe('migrations write into the source only for operators, never into kube-*, never broad RBAC', () => {
  const migration = async (extra: Record<string, unknown> = {}) => ({
    sourceClusterId: await s.clusterId('gcp', 'shop-prod'),
    targetClusterId: await s.clusterId('aws', 'shop-dev'),
    namespaces: ['shop'],
    namespaceMap: { shop: `shop-${tag}` },
    dryRun: true,
    ...extra,
  });

  it.each([
    ['copyVolumes', { copyVolumes: true }],
    ['cutover', { copyVolumes: true, cutover: true }],
  ])('refuses a developer %s out of a prod source', async (_, extra) => {
    const res = await s.api<Problem>('developer', 'POST', '/api/v1/migrations', await migration(extra));
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.code).toBe('policy_denied');
    expect(res.body.detail).toMatch(/into the source .*prod/);
  });

  it('lets a developer copy the objects alone', async () => {
    const res = await s.api('developer', 'POST', '/api/v1/migrations', await migration());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }, 60_000);

  it('refuses a kube-* target namespace, naming the field', async () => {
    const res = await s.api<Problem>(
      'operator',
      'POST',
      '/api/v1/migrations',
      await migration({ namespaceMap: { shop: 'kube-system' } }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors?.map((e) => e.path)).toContain('body.namespaceMap.shop');
  });

  it('lists cluster-wide RBAC and bindings to cluster-admin as skipped in the dry run', async () => {
    const source = await s.h.db.cluster.findUniqueOrThrow({
      where: { id: await s.clusterId('gcp', 'shop-prod') },
    });
    const account = s.account('gcp', source.scope);
    const kubeconfig = await createCloudAccess(s.h.db, s.h.vault)
      .provider(account, source.scope)
      .kubeconfig({ scope: source.scope, location: source.location, cluster: source.name });
    const kube = createKubeClient(kubeconfig);
    const rbac = 'rbac.authorization.k8s.io/v1';
    const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' };
    const subjects = [{ kind: 'ServiceAccount', name: `ops-${tag}`, namespace: 'shop' }];
    try {
      await kube.create({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: `ops-${tag}`, namespace: 'shop' },
      });
      await kube.create({
        apiVersion: rbac,
        kind: 'ClusterRoleBinding',
        metadata: { name: `ops-${tag}` },
        roleRef,
        subjects,
      });
      await kube.create({
        apiVersion: rbac,
        kind: 'RoleBinding',
        metadata: { name: `ops-${tag}`, namespace: 'shop' },
        roleRef,
        subjects,
      });
    } finally {
      kube.close();
    }
    const res = await s.api<{
      objects: { source: { kind: string; name: string } }[];
      skipped: { ref: { kind: string; name: string }; rule: string }[];
    }>('operator', 'POST', '/api/v1/migrations', await migration());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const skipped = res.body.skipped.filter((x) => x.ref.name === `ops-${tag}`);
    expect(skipped.map((x) => [x.ref.kind, x.rule]).sort()).toEqual([
      ['ClusterRoleBinding', 'skipBroadRbac'],
      ['RoleBinding', 'skipBroadRbac'],
    ]);
    expect(
      res.body.objects.some(
        (o) =>
          o.source.kind.startsWith('ClusterRole') ||
          (o.source.name === `ops-${tag}` && o.source.kind === 'RoleBinding'),
      ),
    ).toBe(false);
  }, 60_000);
});
