import type { ClusterSpec } from '@dolly/model';
import { describe, expect, it } from 'vitest';
import { compareClusters } from './compare.ts';

const pool = {
  name: 'general',
  machineType: 'm6i.xlarge',
  nodeCount: 3,
  spot: false,
  labels: { team: 'shop' },
  taints: [],
};
const asked: ClusterSpec = {
  cloud: 'aws',
  scope: '111111111111',
  location: 'us-east-1',
  name: 'shop-copy',
  kubernetesVersion: '1.31',
  labels: { 'dolly-plan': 'p1' },
  nodePools: [pool],
};

describe('compareClusters', () => {
  it('matches a cluster the cloud created as asked, with a patch version and extra labels', () => {
    const created = {
      ...asked,
      kubernetesVersion: '1.31.4',
      labels: { ...asked.labels, 'aws:created-by': 'eks' },
      nodePools: [
        {
          ...pool,
          labels: { ...pool.labels, 'eks.amazonaws.com/nodegroup': 'general' },
          taints: [{ effect: 'NoSchedule' as const, value: 'true', key: 'spot' }],
        },
      ],
    };
    const c = compareClusters(
      { ...asked, nodePools: [{ ...pool, taints: [{ key: 'spot', value: 'true', effect: 'NoSchedule' }] }] },
      created,
    );
    expect(c.mismatches).toBe(0);
    expect(c.rows.find((r) => r.path === 'kubernetesVersion')).toMatchObject({ asked: '1.31', match: true });
  });

  it('reports each field that differs and each missing pool', () => {
    const created = {
      ...asked,
      kubernetesVersion: '1.30.9',
      nodePools: [{ ...pool, machineType: 'm6i.large', spot: true }],
    };
    const c = compareClusters({ ...asked, nodePools: [pool, { ...pool, name: 'batch' }] }, created);
    expect(c.rows.filter((r) => !r.match).map((r) => r.path)).toEqual([
      'kubernetesVersion',
      'nodePools[general].machineType',
      'nodePools[general].spot',
      'nodePools[batch]',
    ]);
    expect(c.mismatches).toBe(4);
  });
});
