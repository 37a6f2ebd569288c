import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bundledCatalog,
  type ClonePlan,
  type ClusterSpec,
  overlayCatalog,
  type PlanCatalog,
  planClone,
} from '@dolly/model';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../../packages/providers/test/support/sandbox.ts';
import { registerSandboxAccounts } from '../src/modules/demo/sandbox-accounts.ts';
import { type Harness, login, startHarness } from './support/harness.ts';

/**
 * Plans into the sandbox's AWS account, whose region offers less than the bundled snapshot: the
 * machine type the snapshot would pick for the example's first pool, and one Kubernetes minor, are
 * not offered in us-east-1. A plan made from the snapshot would use both.
 */
const REGION = 'us-east-1';
const spec = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../examples/gke-shop-prod.json'), 'utf8'),
) as ClusterSpec;
const snapshotPlan = planClone([spec], { cloud: 'aws', location: REGION }, bundledCatalog);
const withdrawnType = snapshotPlan.items[0]?.target.nodePools[0]?.machineType ?? '';
const snapshotMinors = bundledCatalog.kubernetesVersions('aws', REGION).map((v) => v.minor);
// One that is not the newest: the translation would not pick it for the 1.34 source by itself.
const withdrawnMinor = snapshotMinors[snapshotMinors.length - 1] ?? '';
const sandboxCatalog = overlayCatalog(bundledCatalog, {
  clouds: {
    aws: {
      machineTypes: {
        [REGION]: bundledCatalog.machineTypes('aws', REGION).filter((t) => t.name !== withdrawnType),
      },
      kubernetesVersions: {
        [REGION]: bundledCatalog.kubernetesVersions('aws', REGION).filter((v) => v.minor !== withdrawnMinor),
      },
    },
  },
});

let sandbox: TestSandbox;
let h: Harness;
let operator: { headers: Record<string, string> };
let clusterId: string;
let awsAccountId: string;
let unreachableAccountId: string;
const tag = Date.now().toString(36);
const timeoutBefore = process.env.DOLLY_PLAN_CATALOG_TIMEOUT_MS;

type StoredPlan = { id: string; document: ClonePlan & { catalog?: PlanCatalog } };
type Problem = { code: string; detail: string; errors?: { path: string; message: string }[] };

const createPlan = async (accountId: string, extra: Record<string, unknown> = {}) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/plans',
    ...operator,
    payload: {
      source: { clusterIds: [clusterId] },
      target: { accountId, location: REGION, environment: 'dev', nameSuffix: `-c${tag}`, ...extra },
    },
  });

beforeAll(async () => {
  expect(withdrawnType).not.toBe('');
  expect(snapshotMinors.length).toBeGreaterThan(1);
  sandbox = await startTestSandbox({ catalog: sandboxCatalog });
  h = await startHarness({}, { worker: false });
  const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
  await registerSandboxAccounts(h.db, h.vault, tenant.id, sandbox.sandbox.urls.http);
  const aws = await h.db.cloudAccount.findFirstOrThrow({
    where: { tenantId: tenant.id, name: 'Sandbox AWS' },
  });
  awsAccountId = aws.id;
  // The same account with every endpoint on a port nothing listens on.
  const { id: _id, createdAt: _c, updatedAt: _u, name: _n, ...rest } = aws;
  const settings = aws.settings as Record<string, unknown>;
  const dead = 'http://127.0.0.1:9';
  const unreachable = await h.db.cloudAccount.create({
    data: {
      ...rest,
      name: `Unreachable AWS ${tag}`,
      endpoint: dead,
      settings: { ...settings, endpoints: { eks: dead, ec2: dead, sts: dead } },
      lastTestResult: undefined,
    } as Parameters<typeof h.db.cloudAccount.create>[0]['data'],
  });
  unreachableAccountId = unreachable.id;
  const cluster = await h.db.cluster.create({
    data: {
      tenantId: tenant.id,
      accountId: aws.id,
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
  const s = await login(h.app, 'operator@demo.dolly');
  operator = { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } };
}, 60_000);

afterEach(async () => {
  await sandbox?.admin('DELETE', '/_sandbox/faults');
  if (timeoutBefore === undefined) delete process.env.DOLLY_PLAN_CATALOG_TIMEOUT_MS;
  else process.env.DOLLY_PLAN_CATALOG_TIMEOUT_MS = timeoutBefore;
});

afterAll(async () => {
  if (h) {
    await h.db.cluster.deleteMany({ where: { id: clusterId } });
    await h.db.plan.deleteMany({ where: { targetAccountId: unreachableAccountId } });
    await h.db.cloudAccount.deleteMany({ where: { id: unreachableAccountId } });
    await h.close();
  }
  await sandbox?.close();
});

describe('the catalog a plan is made with', () => {
  it("uses the target account's live lists: a type the region does not offer is replaced", async () => {
    const started = Date.now();
    const res = await createPlan(awsAccountId);
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json() as StoredPlan;
    expect(plan.document.catalog).toMatchObject({
      source: 'live',
      region: REGION,
      account: 'Sandbox AWS',
      covers: ['kubernetes-versions', 'machine-types'],
    });
    const fetchedAt = Date.parse(plan.document.catalog?.fetchedAt ?? '');
    expect(fetchedAt).toBeGreaterThanOrEqual(started - 1000);
    expect(plan.document.catalog?.reason).toBeUndefined();
    const pools = plan.document.items[0]?.target.nodePools ?? [];
    expect(pools[0]?.machineType).toBeDefined();
    expect(pools[0]?.machineType).not.toBe(withdrawnType);
    for (const pool of pools)
      expect(sandboxCatalog.machineType('aws', pool.machineType, REGION)).toBeDefined();

    // Stored with the document: a later read says the same.
    const fetched = await h.app.inject({ method: 'GET', url: `/api/v1/plans/${plan.id}`, ...operator });
    expect((fetched.json() as StoredPlan).document.catalog).toEqual(plan.document.catalog);
  });

  it('refuses a version the live list does not offer in the region, naming the field', async () => {
    expect(bundledCatalog.isSupportedVersion('aws', withdrawnMinor, REGION)).toBe(true);
    const res = await createPlan(awsAccountId, { kubernetesVersion: withdrawnMinor });
    expect(res.statusCode, res.body).toBe(422);
    const problem = res.json() as Problem;
    expect(problem.detail).toContain('live lists of Sandbox AWS');
    expect(problem.errors).toContainEqual(
      expect.objectContaining({ path: 'items[0].source.kubernetesVersion' }),
    );
  });

  it('refuses an edit to a machine type the live list does not offer, naming the field', async () => {
    const created = await createPlan(awsAccountId, { nameSuffix: `-e${tag}` });
    expect(created.statusCode, created.body).toBe(201);
    const plan = created.json() as StoredPlan;
    const edited = structuredClone(plan.document);
    const pool = edited.items[0]?.target.nodePools[0];
    if (!pool) throw new Error('no pool');
    pool.machineType = withdrawnType;
    // What the editor claims about the catalog is not believed.
    edited.catalog = { source: 'snapshot', region: 'nowhere', reason: 'edited' };
    const res = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/plans/${plan.id}`,
      ...operator,
      payload: { document: edited },
    });
    expect(res.statusCode, res.body).toBe(422);
    expect((res.json() as Problem).errors).toContainEqual(
      expect.objectContaining({ path: 'body.document.items[0].target.nodePools[0].machineType' }),
    );

    const untouched = structuredClone(plan.document);
    // Not even a valid catalog: ignored, not refused, since the server states its own.
    untouched.catalog = { source: 'made-up' } as unknown as PlanCatalog;
    const ok = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/plans/${plan.id}`,
      ...operator,
      payload: { document: untouched },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((ok.json() as StoredPlan).document.catalog).toMatchObject({ source: 'live', region: REGION });
  });

  it('falls back to the snapshot, with the reason, when the list call fails', async () => {
    const fault = await sandbox.admin('POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'DescribeClusterVersions',
      kind: 'server-error',
      probability: 1,
      message: 'internal detail <html>secret dashboard</html>',
    });
    expect(fault.status).toBe(201);
    const res = await createPlan(awsAccountId, { nameSuffix: `-f${tag}` });
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json() as StoredPlan;
    expect(plan.document.catalog).toMatchObject({
      source: 'snapshot',
      region: REGION,
      account: 'Sandbox AWS',
    });
    expect(plan.document.catalog?.fetchedAt).toBeUndefined();
    expect(plan.document.catalog?.reason).toMatch(/DescribeClusterVersions/);
    // The remote answer is not relayed.
    expect(res.body).not.toContain('secret dashboard');
    expect(res.body).not.toContain('internal detail');
    // Translated from the snapshot: the type the region withdrew is what the snapshot picks.
    expect(plan.document.items[0]?.target.nodePools[0]?.machineType).toBe(withdrawnType);
  });

  it('falls back to the snapshot when the account does not answer in time', async () => {
    process.env.DOLLY_PLAN_CATALOG_TIMEOUT_MS = '500';
    await sandbox.admin('POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'DescribeClusterVersions',
      kind: 'timeout',
      retryAfterSeconds: 5,
      probability: 1,
    });
    const started = Date.now();
    const res = await createPlan(awsAccountId, { nameSuffix: `-t${tag}` });
    expect(res.statusCode, res.body).toBe(201);
    expect(Date.now() - started).toBeLessThan(4000);
    expect((res.json() as StoredPlan).document.catalog).toMatchObject({
      source: 'snapshot',
      reason: 'the account did not answer within 0.5 s',
    });
  });

  it("falls back to the snapshot when the account's endpoint is unreachable", async () => {
    const res = await createPlan(unreachableAccountId, { nameSuffix: `-u${tag}` });
    expect(res.statusCode, res.body).toBe(201);
    expect((res.json() as StoredPlan).document.catalog).toMatchObject({
      source: 'snapshot',
      region: REGION,
      reason: expect.stringContaining('unreachable'),
    });
  });
});
