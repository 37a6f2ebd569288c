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
});
