/**
 * A resource group Dolly created for a clone is deleted by rollback through ARM's long-running
 * DELETE, and only once it is empty: ARM deletes everything inside a group, so a group that still
 * holds any resource is left in place. The sandbox answers as ARM does (202 + Location, then 200).
 */
import type { ResourceManagementClient } from '@azure/arm-resources';
import { armOf } from './support/azure-arm';
import type { ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudResourceRef, createProvider, type ResourceOrigin } from '../src/index';
import {
  azureAccount,
  FAST,
  type SandboxAccountInfo,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

let sb: TestSandbox;
const SUB = '00000000-0000-4000-8000-0000000000f7';

beforeAll(async () => {
  sb = await startTestSandbox();
});

afterAll(async () => {
  await sb?.close();
});

const spec = (scope: string, name: string): ClusterSpec => ({
  cloud: 'azure',
  scope,
  location: 'westeurope',
  name,
  kubernetesVersion: '1.34',
  labels: {},
  nodePools: [
    {
      name: 'general',
      machineType: 'Standard_D2s_v5',
      nodeCount: 1,
      spot: false,
      labels: {},
      taints: [],
      mode: 'system',
    },
  ],
});

const gone = async (arm: ResourceManagementClient, rg: string) =>
  (await arm.resourceGroups.checkExistence(rg)).body === false;

describe('Azure resource groups Dolly created (fresh subscription)', () => {
  it('ARM deletes a group asynchronously: 202 with a Location to poll', async () => {
    const r = await sb.admin('POST', '/_sandbox/accounts', { cloud: 'azure', id: SUB, fresh: true });
    expect(r.status).toBe(200);
    const a = r.json as SandboxAccountInfo;
    const arm = armOf(a);
    await arm.resourceGroups.createOrUpdate('rg-lro', { location: 'westeurope' });
    // slow enough to see the operation running (60 s of ARM time take 1 s)
    const speed = ((await sb.admin('GET', '/_sandbox/config')).json as { speed: number }).speed;
    await sb.admin('POST', '/_sandbox/config', { speed: 60 });
    try {
      const first: Array<{ status: number; location?: string }> = [];
      const poller = await arm.resourceGroups.beginDelete('rg-lro', {
        onResponse: (res) => void first.push({ status: res.status, location: res.headers.get('location') }),
      });
      expect(first[0]?.status).toBe(202);
      expect(first[0]?.location).toMatch(new RegExp(`/subscriptions/${SUB}/operationresults/`));
      expect(poller.isDone()).toBe(false);
      expect((await arm.resourceGroups.get('rg-lro')).properties?.provisioningState).toBe('Deleting');
      // ARM refuses writes into a group it is deleting
      await expect(
        arm.resourceGroups.createOrUpdate('rg-lro', { location: 'westeurope' }),
      ).rejects.toMatchObject({
        code: 'ResourceGroupBeingDeleted',
      });
      await poller.pollUntilDone();
    } finally {
      await sb.admin('POST', '/_sandbox/config', { speed });
    }
    expect(await gone(arm, 'rg-lro')).toBe(true);
  });

  it('deletes the group it created once its cluster is gone, and refuses while anything is inside', async () => {
    const r = await sb.admin('POST', '/_sandbox/accounts', { cloud: 'azure', id: SUB, fresh: true });
    const a = r.json as SandboxAccountInfo;
    const arm = armOf(a);
    await arm.providers.register('Microsoft.ContainerService');
    await new Promise((res) => setTimeout(res, 100));
    const azure = createProvider(azureAccount(a));
    const target = spec(`${SUB}/rg-dolly-made`, 'made-aks');
    expect(await gone(arm, 'rg-dolly-made')).toBe(true);
    const recorded: Array<[string, ResourceOrigin | undefined]> = [];
    const ctx = {
      ...FAST,
      planId: 'plan-rg',
      recordResource: async (ref: CloudResourceRef, origin?: ResourceOrigin) =>
        void recorded.push([`${ref.kind}:${ref.name ?? ref.cluster}`, origin]),
    };
    await azure.ensureControlPlane(target, ctx);
    await azure.waitClusterReady(target, FAST);
    expect(recorded[0]).toEqual(['resourceGroup:rg-dolly-made', 'created']);

    // the cluster is still inside: deleting the group would delete it too
    const ref = { scope: target.scope, name: 'rg-dolly-made' };
    const kept = await azure.deleteResourceGroup?.(ref, FAST);
    expect(kept).toMatchObject({
      deleted: false,
      resources: ['Microsoft.ContainerService/managedClusters/made-aks'],
    });
    expect(kept?.deleted === false && kept.reason).toContain('left in place');
    expect(await gone(arm, 'rg-dolly-made')).toBe(false);

    await azure.deleteCluster({ scope: target.scope, location: 'westeurope', cluster: 'made-aks' }, FAST);
    expect(await azure.deleteResourceGroup?.(ref, FAST)).toEqual({ deleted: true });
    expect(await gone(arm, 'rg-dolly-made')).toBe(true);
    // gone = done
    expect(await azure.deleteResourceGroup?.(ref, FAST)).toEqual({ deleted: true });
  });
});
