import { describe, expect, it } from 'vitest';
import { compareClusters } from './compare';
import type { ClusterSpec } from './schemas';

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

  it('compares zones as sets, and disk and max pods when the plan set them', () => {
    const planned = {
      ...pool,
      zones: ['us-east-1a', 'us-east-1b'],
      diskSizeGb: 80,
      diskType: 'gp3',
      maxPods: 58,
    };
    const same = { ...planned, zones: ['us-east-1b', 'us-east-1a'] };
    expect(
      compareClusters({ ...asked, nodePools: [planned] }, { ...asked, nodePools: [same] }).mismatches,
    ).toBe(0);
    const differs = { ...pool, zones: ['us-east-1a'], diskSizeGb: 20, maxPods: 110 };
    const c = compareClusters({ ...asked, nodePools: [planned] }, { ...asked, nodePools: [differs] });
    expect(c.rows.filter((r) => !r.match).map((r) => r.path)).toEqual([
      'nodePools[general].zones',
      'nodePools[general].diskSizeGb',
      'nodePools[general].diskType',
      'nodePools[general].maxPods',
    ]);
    // Not set in the plan: the cloud's default is not a difference.
    expect(compareClusters(asked, { ...asked, nodePools: [differs] }).mismatches).toBe(0);
  });
});
