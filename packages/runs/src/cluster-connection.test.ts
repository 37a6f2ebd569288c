import type { CloudAccount } from '@dolly/db';
import { describe, expect, it } from 'vitest';
import {
  type ClusterCloudAccess,
  clusterInfo,
  clusterKubeconfig,
  providerScope,
} from './cluster-connection.ts';

const aks = {
  id: 'c-1',
  accountId: 'a-1',
  cloud: 'azure' as const,
  name: 'shop-dev',
  scope: '00000000-sub/rg-shop',
  location: 'westeurope',
};

describe('providerScope', () => {
  it('opens an Azure account on the subscription alone, not "<subscription>/<resource group>"', () => {
    expect(providerScope(aks)).toBe('00000000-sub');
  });

  it('keeps other clouds’ scopes, and leaves an empty one to the account', () => {
    expect(providerScope({ cloud: 'aws', scope: '111111111111' })).toBe('111111111111');
    expect(providerScope({ cloud: 'gcp', scope: 'shop-project' })).toBe('shop-project');
    expect(providerScope({ cloud: 'kubernetes', scope: '' })).toBeUndefined();
  });
});

describe('clusterKubeconfig', () => {
  it('asks the account’s provider for the cluster by its full scope, with the caller’s signal', async () => {
    const calls: unknown[] = [];
    const account = { id: 'a-1', name: 'azure-dev' } as CloudAccount;
    const cloud: ClusterCloudAccess = {
      account: async (tenantId, accountId) => {
        calls.push(['account', tenantId, accountId]);
        return account;
      },
      provider: (opened, scope) => {
        calls.push(['provider', opened.id, scope]);
        return {
          kubeconfig: async (ref, ctx) => {
            calls.push(['kubeconfig', ref, ctx?.signal !== undefined]);
            return 'apiVersion: v1';
          },
        };
      },
    };
    const signal = new AbortController().signal;
    expect(await clusterKubeconfig(cloud, 't-1', aks, signal)).toBe('apiVersion: v1');
    expect(calls).toEqual([
      ['account', 't-1', 'a-1'],
      ['provider', 'a-1', '00000000-sub'],
      ['kubeconfig', { scope: '00000000-sub/rg-shop', location: 'westeurope', cluster: 'shop-dev' }, true],
    ]);
  });
});

describe('clusterInfo', () => {
  it('names the cluster as the migration steps report it', () => {
    expect(clusterInfo(aks)).toEqual({
      clusterId: 'c-1',
      cloud: 'azure',
      name: 'shop-dev',
      scope: '00000000-sub/rg-shop',
      location: 'westeurope',
    });
  });
});
