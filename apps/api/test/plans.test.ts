import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClonePlan, ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

let h: Harness;
type Cred = { headers: Record<string, string> };
let developer: Cred;
let clusterId: string;
let devAccountId: string;
let prodAccountId: string;
const tag = `${Date.now().toString(36)}`;

const as = async (email: string): Promise<Cred> => {
  const s = await login(h.app, email);
  return { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } };
};

beforeAll(async () => {
  h = await startHarness();
  developer = await as('developer@demo.dolly');
  const admin = await as('admin@demo.dolly');
  const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
  const mk = async (name: string, cloud: string, env: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      ...admin,
      payload: {
        name: `${name}-${tag}`,
        cloud,
        defaultEnvironment: env,
        credentials: {
          kind: 'aws-access-key',
          accessKeyId: 'AKIAEXAMPLE00000000',
          secretAccessKey: 'plans-test-secret-access-key',
        },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain('plans-test-secret-access-key');
    return (res.json() as { id: string }).id;
  };
  devAccountId = await mk('dev-aws', 'aws', 'dev');
  prodAccountId = await mk('prod-aws', 'aws', 'prod');
  // An inventory cluster as a sync would have stored it: the GKE example shipped in examples/.
  const spec = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../examples/gke-shop-prod.json'), 'utf8'),
  ) as ClusterSpec;
  const cluster = await h.db.cluster.create({
    data: {
      tenantId: tenant.id,
      accountId: prodAccountId,
      cloud: spec.cloud,
      scope: spec.scope,
      location: spec.location,
      name: `${spec.name}-${tag}`,
      kubernetesVersion: spec.kubernetesVersion,
      environment: 'prod',
      environmentSource: 'label',
      labels: spec.labels,
      spec: { ...spec, name: `${spec.name}-${tag}` },
    },
  });
  clusterId = cluster.id;
});
afterAll(async () => {
  await h?.close();
});

describe('plans', () => {
  it('lets a developer plan a prod cluster into a dev account, explaining every change', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      ...developer,
      payload: { source: { clusterIds: [clusterId] }, target: { accountId: devAccountId } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json() as { id: string; targetEnvironment: string; document: ClonePlan };
    expect(plan.targetEnvironment).toBe('dev');
    expect(plan.document.id).toBe(plan.id);
    const item = plan.document.items[0];
    expect(item?.target.cloud).toBe('aws');
    const machine = item?.decisions.find((d) => d.path === 'nodePools[0].machineType');
    expect(machine?.reason).toMatch(/vCPU/);
    expect(item?.target.labels['dolly-plan']).toBeDefined();

    const fetched = await h.app.inject({ method: 'GET', url: `/api/v1/plans/${plan.id}`, ...developer });
    expect((fetched.json() as { document: ClonePlan }).document.items).toHaveLength(1);
  });

  it('refuses a developer cloning into prod, naming the rule', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      ...developer,
      payload: { source: { clusterIds: [clusterId] }, target: { accountId: prodAccountId } },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'policy_denied',
      detail: expect.stringContaining('Developers cannot clone into prod'),
    });
  });

  it('validates an edited plan against the target cloud and names the field', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      ...developer,
      payload: {
        source: { clusterIds: [clusterId] },
        target: { accountId: devAccountId, nameSuffix: '-edit' },
      },
    });
    const plan = created.json() as { id: string; document: ClonePlan };
    const edited = structuredClone(plan.document);
    const pool = edited.items[0]?.target.nodePools[0];
    if (pool) pool.machineType = 'm99.gigantic';
    const res = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/plans/${plan.id}`,
      ...developer,
      payload: { document: edited },
    });
    expect(res.statusCode).toBe(422);
    const paths = (res.json() as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toContain('body.document.items[0].target.nodePools[0].machineType');

    const good = structuredClone(plan.document);
    const goodPool = good.items[0]?.target.nodePools[0];
    if (goodPool) goodPool.nodeCount = 4;
    const ok = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/plans/${plan.id}`,
      ...developer,
      payload: { document: good },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((ok.json() as { document: ClonePlan }).document.items[0]?.target.nodePools[0]?.nodeCount).toBe(4);
    // The cost follows the edit (it is recomputed, not kept from the first plan).
    expect((ok.json() as { document: ClonePlan }).document.items[0]?.cost?.target.pools[0]?.nodes).toBe(4);
  });

  it('names unknown source clusters', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      ...developer,
      payload: {
        source: { clusterIds: ['01234567-89ab-7def-8123-456789abcdef'] },
        target: { accountId: devAccountId },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ errors: [{ path: 'body.source.clusterIds' }] });
  });
});

describe('inventory', () => {
  it('filters by environment, label and text, and never shows credentials', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1/clusters?env=prod&q=${tag}&label=team=shop`,
      ...developer,
    });
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: { id: string }[] }).items;
    expect(items.map((c) => c.id)).toEqual([clusterId]);
    const none = await h.app.inject({
      method: 'GET',
      url: `/api/v1/clusters?env=dev&q=${tag}`,
      ...developer,
    });
    expect((none.json() as { items: unknown[] }).items).toEqual([]);
    const accounts = await h.app.inject({ method: 'GET', url: '/api/v1/accounts', ...developer });
    expect(accounts.body).not.toContain('plans-test-secret-access-key');
    expect(accounts.body).not.toContain('AKIAEXAMPLE00000000');
  });
});
