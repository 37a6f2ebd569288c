/**
 * A clone into a fresh Azure subscription whose resource group does not exist yet: apply creates the
 * group and records it in the ledger, rollback deletes the cluster and then the group. A group that
 * existed before is never deleted, nor one Dolly created that now holds something else.
 */
import { createProvider } from '@dolly/providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureAccount, FAST } from '../../../packages/providers/test/support/sandbox.ts';
import { armOf } from '../../../packages/providers/test/support/azure-arm.ts';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

let s: CloudStack;
type Arm = ReturnType<typeof armOf>;
const tag = Date.now().toString(36).slice(-4);

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
}, 90_000);
afterAll(async () => {
  await s?.close();
});

/**
 * A new subscription as Azure hands it out (AKS's provider NotRegistered, a new subscription's
 * vCPU quotas), with AKS registered as the operator would (`az provider register`), added to Dolly
 * like any account, naming a resource group for new clusters.
 */
async function freshSubscription(id: string, resourceGroup: string) {
  const { info, account } = await s.freshAccount({
    cloud: 'azure',
    id,
    name: `Fresh Azure ${id} (${tag})`,
    settings: { resourceGroup },
  });
  const arm = armOf(info);
  await arm.providers.register('Microsoft.ContainerService');
  for (
    let i = 0;
    (await arm.providers.get('Microsoft.ContainerService')).registrationState !== 'Registered';
    i++
  ) {
    if (i > 100) throw new Error('Microsoft.ContainerService never registered');
    await new Promise((res) => setTimeout(res, 20));
  }
  return { info, arm, account };
}

const exists = async (arm: Arm, rg: string) => (await arm.resourceGroups.checkExistence(rg)).body;

/** Clones the Azure demo shop-dev (2 × D2s_v5: within a new subscription's quotas) into `accountId`. */
async function cloneInto(accountId: string, nameSuffix: string) {
  const plan = await s.api<{ id: string; document: { items: { target: { name: string } }[] } }>(
    'operator',
    'POST',
    '/api/v1/plans',
    {
      source: { clusterIds: [await s.clusterId('azure', 'shop-dev')] },
      target: { accountId, environment: 'dev', nameSuffix },
    },
  );
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  const applied = await s.api<{ runs: { id: string }[] }>(
    'operator',
    'POST',
    `/api/v1/plans/${plan.body.id}/apply`,
    {},
  );
  expect(applied.status, JSON.stringify(applied.body)).toBe(202);
  const done = await s.waitRun(applied.body.runs[0]?.id ?? '');
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  return { run: done, cluster: plan.body.document.items[0]?.target.name ?? '' };
}

async function rollBack(runId: string): Promise<RunView> {
  const rb = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${runId}/rollback`, {});
  expect(rb.status, JSON.stringify(rb.body)).toBe(202);
  const done = await s.waitRun(rb.body.id);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  return done;
}

async function clustersIn(arm: Arm, rg: string): Promise<string[]> {
  const names: string[] = [];
  for await (const r of arm.resources.listByResourceGroup(rg)) names.push(r.name ?? '');
  return names;
}

describe('Azure resource group of a clone into a fresh subscription', () => {
  it('is created at apply, recorded in the ledger, and deleted by rollback after the cluster', async () => {
    const rg = `rg-made-${tag}`;
    const { arm, account } = await freshSubscription('00000000-0000-4000-8000-0000000000a1', rg);
    expect(await exists(arm, rg)).toBe(false);

    const { run, cluster } = await cloneInto(account.id, `-rga${tag}`);
    expect(await exists(arm, rg)).toBe(true);
    expect(await clustersIn(arm, rg)).toEqual([cluster]);
    const ledger = await s.h.db.runResource.findMany({ where: { runId: run.id, kind: 'resourceGroup' } });
    expect(ledger.map((r) => [r.origin, (r.locator as { name?: string }).name])).toEqual([['created', rg]]);

    const rb = await rollBack(run.id);
    const keys = (rb.steps ?? []).map((st) => st.key);
    const groupStep = keys.indexOf(`delete:resourceGroup:${cluster}/${rg}`);
    expect(groupStep, JSON.stringify(keys)).toBeGreaterThan(keys.indexOf(`delete:cluster:${cluster}`));
    expect(await exists(arm, rg)).toBe(false);
    const after = await s.h.db.runResource.findMany({ where: { runId: run.id } });
    expect(after.filter((r) => r.kind !== 'nodePool' && r.deletedAt === null)).toEqual([]);
    const warned = await s.h.db.runEvent.findMany({ where: { runId: rb.id, level: 'warn' } });
    expect(warned.map((e) => e.message)).toEqual([]);
  }, 120_000);

  it('is left in place when it existed before the clone', async () => {
    const rg = `rg-had-${tag}`;
    const { arm, account } = await freshSubscription('00000000-0000-4000-8000-0000000000a2', rg);
    await arm.resourceGroups.createOrUpdate(rg, { location: 'westeurope', tags: { owner: 'platform' } });

    const { run, cluster } = await cloneInto(account.id, `-rgb${tag}`);
    expect(await clustersIn(arm, rg)).toEqual([cluster]);
    // it existed without this plan's tag: not Dolly's, so not in the ledger
    expect(await s.h.db.runResource.count({ where: { runId: run.id, kind: 'resourceGroup' } })).toBe(0);

    await rollBack(run.id);
    expect(await exists(arm, rg)).toBe(true);
    expect(await clustersIn(arm, rg)).toEqual([]);
    expect((await arm.resourceGroups.get(rg)).tags).toEqual({ owner: 'platform' });
  }, 120_000);

  it('is left in place, with a warning naming what it holds, when something else was put in it', async () => {
    const rg = `rg-shared-${tag}`;
    const { info, arm, account } = await freshSubscription('00000000-0000-4000-8000-0000000000a3', rg);
    const { run, cluster } = await cloneInto(account.id, `-rgc${tag}`);
    // someone else creates a cluster in the group Dolly made
    const other = createProvider(azureAccount(info, { resourceGroup: rg }));
    const foreign = {
      cloud: 'azure' as const,
      scope: `${info.id}/${rg}`,
      location: 'westeurope',
      name: `theirs-${tag}`,
      kubernetesVersion: '1.34',
      labels: {},
      nodePools: [
        {
          name: 'system',
          machineType: 'Standard_D2s_v5',
          nodeCount: 1,
          spot: false,
          labels: {},
          taints: [],
          mode: 'system' as const,
        },
      ],
    };
    await other.ensureControlPlane(foreign, { ...FAST, planId: 'someone-else' });
    await other.waitClusterReady(foreign, FAST);

    const rb = await rollBack(run.id);
    expect(await exists(arm, rg)).toBe(true);
    expect(await clustersIn(arm, rg)).toEqual([foreign.name]);
    const warned = await s.h.db.runEvent.findMany({ where: { runId: rb.id, level: 'warn' } });
    expect(warned.map((e) => e.stepKey)).toEqual([`delete:resourceGroup:${cluster}/${rg}`]);
    expect(warned[0]?.message).toContain(`Microsoft.ContainerService/managedClusters/${foreign.name}`);
    expect(warned[0]?.message).toContain('left in place');
    // the ledger does not claim it deleted: the group is still there
    const row = await s.h.db.runResource.findFirst({ where: { runId: run.id, kind: 'resourceGroup' } });
    expect(row?.deletedAt).toBeNull();
  }, 120_000);
});
