/**
 * Scheduled drift checks and the workloads comparison (it reads both clusters): a comparison that
 * is not due keeps the previous findings, and one that fails keeps them too, so the fingerprint
 * does not move and nothing is stored or notified again. Real Postgres; the probe is the
 * caller's function (the worker's connects to the clusters), here one that counts its calls.
 */
import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '@dolly/db';
import type { WorkloadFinding } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClusterDrift, type WorkloadDriftProbe } from '../src/drift.ts';

let db: Database;
let tenantId: string;
let cloneId: string;
let migrationId: string;

const spec = (name: string) => ({
  cloud: 'aws',
  scope: '111111111111',
  location: 'us-east-1',
  name,
  kubernetesVersion: '1.34',
  labels: {},
});
const pool = {
  name: 'general',
  machineType: 'm5.large',
  nodeCount: 2,
  spot: false,
  labels: {},
  taints: [],
};

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run through `pnpm test --only integration`');
  db = createDatabase(url, { maxConnections: 3 });
  const slug = `runs-drift-${randomUUID().slice(0, 8)}`;
  tenantId = (await db.tenant.create({ data: { slug, name: slug } })).id;
  const account = await db.cloudAccount.create({
    data: {
      tenantId,
      name: 'aws',
      cloud: 'aws',
      scope: '111111111111',
      credentialKind: 'access-key',
      regions: [],
    },
  });
  const cluster = (name: string, clonedFromId: string | null) =>
    db.cluster.create({
      data: {
        tenantId,
        accountId: account.id,
        cloud: 'aws',
        scope: '111111111111',
        location: 'us-east-1',
        name,
        kubernetesVersion: '1.34',
        spec: spec(name),
        clonedFromId,
        nodePools: { create: [{ name: 'general', machineType: 'm5.large', nodeCount: 2, spec: pool }] },
      },
    });
  const source = await cluster('shop', null);
  cloneId = (await cluster('shop-copy', source.id)).id;
  migrationId = (
    await db.run.create({
      data: {
        tenantId,
        kind: 'migrate',
        status: 'succeeded',
        finishedAt: new Date(),
        input: { sourceClusterId: source.id, targetClusterId: cloneId, namespaces: ['shop'] },
      },
    })
  ).id;
});

afterAll(async () => {
  await db?.tenant.deleteMany({ where: { id: tenantId } });
  await db?.$disconnect();
});

const scaled: WorkloadFinding = {
  namespace: 'shop',
  kind: 'Deployment',
  name: 'frontend',
  path: 'spec.replicas',
  expected: 2,
  actual: 7,
};

/** A probe answering what `answers` holds next (a finding list, or an error to throw). */
function probeOf(answers: (WorkloadFinding[] | Error)[]) {
  const calls: string[] = [];
  const probe: WorkloadDriftProbe = async (migration) => {
    calls.push(migration.id);
    const next = answers.shift();
    if (!next) throw new Error('the probe was called more often than the test expects');
    if (next instanceof Error) throw next;
    return { namespaces: migration.request.namespaces ?? [], findings: next, truncated: false };
  };
  return { probe, calls };
}

const scheduled = (probe: WorkloadDriftProbe, due?: () => Promise<boolean>) =>
  checkClusterDrift(
    db,
    { tenantId, clusterId: cloneId, requestedById: null },
    { workloads: probe, store: 'changed', ...(due ? { workloadsDue: due } : {}) },
  );

describe('scheduled workload drift', () => {
  it('compares when due, keeps the findings while not due, and keeps them when a comparison fails', async () => {
    const { probe, calls } = probeOf([[scaled], new Error('connect ETIMEDOUT 10.0.0.1:443'), [scaled]]);
    const first = await scheduled(probe, async () => true);
    expect(calls).toEqual([migrationId]);
    expect(first.stored).toBe(true);
    expect(first.newDrift).toBe(true);
    expect(first.report.workloads).toMatchObject({ runId: migrationId, findings: [scaled], error: null });

    // Not due: the probe is not called, the previous findings stand, nothing new is stored.
    const quiet = await scheduled(probe, async () => false);
    expect(calls).toHaveLength(1);
    expect(quiet).toMatchObject({ stored: false, newDrift: false });
    expect(quiet.report.id).toBe(first.report.id);

    // Due but the cluster is unreachable: same fingerprint, so no new report and no new notification.
    const failed = await scheduled(probe, async () => true);
    expect(calls).toHaveLength(2);
    expect(failed).toMatchObject({ stored: false, newDrift: false });
    expect(failed.report.fingerprint).toBe(first.report.fingerprint);

    // Reachable again with the same drift: still nothing new (it never went away).
    const again = await scheduled(probe, async () => true);
    expect(calls).toHaveLength(3);
    expect(again).toMatchObject({ stored: false, newDrift: false });
  });

  it('an on-demand check always compares and stores, and says why when it could not', async () => {
    const { probe, calls } = probeOf([new Error('connect ETIMEDOUT 10.0.0.1:443')]);
    const r = await checkClusterDrift(
      db,
      { tenantId, clusterId: cloneId, requestedById: null },
      { workloads: probe, store: 'always' },
    );
    expect(calls).toHaveLength(1);
    expect(r.stored).toBe(true);
    expect(r.report.workloads).toMatchObject({
      runId: migrationId,
      findings: [scaled],
      error: 'connect ETIMEDOUT 10.0.0.1:443',
    });
    expect(r.report.drifted).toBe(true);
  });

  it('a first comparison that fails has no findings to keep: the report says why', async () => {
    await db.driftReport.deleteMany({ where: { clusterId: cloneId } });
    const { probe } = probeOf([new Error('no route to host')]);
    const r = await scheduled(probe, async () => false);
    expect(r.report.workloads).toMatchObject({ runId: migrationId, findings: [], error: 'no route to host' });
  });
});
