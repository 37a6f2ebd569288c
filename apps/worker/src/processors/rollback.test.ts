import type { RunResource } from '@dolly/db';
import { describe, expect, it } from 'vitest';
import { deletionOrder } from './rollback.ts';

const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 12, 0, s));
function row(id: string, kind: string, created: number, name?: string): RunResource {
  const locator = { scope: 'sub/rg-1', location: 'westeurope', cluster: 'shop', ...(name ? { name } : {}) };
  return {
    id,
    runId: 'run-1',
    accountId: 'acc-1',
    cloud: 'azure',
    kind,
    locator,
    locatorKey: JSON.stringify(locator),
    origin: 'created',
    createdAt: at(created),
    deletedAt: null,
  };
}

describe('deletionOrder', () => {
  it('deletes a resource group after the clusters in it, whenever it was recorded', () => {
    // a retry recorded the group after the first run recorded the cluster
    const { delete: order, coveredBy } = deletionOrder([
      row('c', 'cluster', 1),
      row('p', 'nodePool', 2, 'apps'),
      row('g', 'resourceGroup', 3, 'rg-1'),
    ]);
    expect(order.map((r) => r.id)).toEqual(['c', 'g']);
    expect(coveredBy.get('p')?.id).toBe('c');
  });

  it('deletes the IAM roles a clone made after the cluster and node groups that run as them', () => {
    // the roles are recorded first (before CreateCluster / CreateNodegroup), so newest-first alone
    // would delete them before the cluster
    const { delete: order } = deletionOrder([
      row('r1', 'iamRole', 1, 'dolly-eks-cluster-0123456789'),
      row('c', 'cluster', 2),
      row('r2', 'iamRole', 3, 'dolly-eks-node-0123456789'),
      row('p', 'nodePool', 4, 'apps'),
    ]);
    expect(order.map((r) => r.id).indexOf('c')).toBe(0);
    expect(order.map((r) => r.id).sort()).toEqual(['c', 'r1', 'r2']);
  });
});
