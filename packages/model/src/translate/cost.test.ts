import { describe, expect, it } from 'vitest';
import { bundledCatalog } from '../catalog/index';
import type { ClusterSpec } from '../schemas';
import { eksSource } from '../testing/fixtures';
import { HOURS_PER_MONTH } from './cost';
import { planClone } from './plan';

const monthly = (cloud: ClusterSpec['cloud'], type: string, nodes: number): number =>
  Math.round(bundledCatalog.machineType(cloud, type)!.hourlyUsd! * HOURS_PER_MONTH * nodes * 100) / 100;

describe('plan item cost', () => {
  it('shows the monthly on-demand cost of source and target pools, with the price source and date', () => {
    const item = planClone([eksSource], { cloud: 'gcp' }, bundledCatalog, { id: 'p' }).items[0]!;
    const cost = item.cost!;
    expect(cost.currency).toBe('USD');
    eksSource.nodePools.forEach((p, i) => {
      expect(cost.source.pools[i]).toMatchObject({ pool: p.name, nodes: p.nodeCount });
      expect(cost.source.pools[i]!.monthlyUsd).toBe(monthly('aws', p.machineType, p.nodeCount));
    });
    item.target.nodePools.forEach((p, i) => {
      expect(cost.target.pools[i]!.monthlyUsd).toBe(monthly('gcp', p.machineType, p.nodeCount));
    });
    const sum = (xs: { monthlyUsd: number | null }[]) =>
      Math.round(xs.reduce((a, x) => a + x.monthlyUsd!, 0) * 100) / 100;
    expect(cost.source.monthlyUsd).toBe(sum(cost.source.pools));
    expect(cost.target.monthlyUsd).toBe(sum(cost.target.pools));
    expect(cost.source).toMatchObject({
      priceRegion: 'us-east-1',
      priceDate: expect.stringMatching(/^\d{4}-/),
    });
    expect(cost.target.priceSource).toMatch(/karpenter-provider-gcp/);
    expect(cost.basis).toMatch(/on-demand/);
  });

  it('says the total is unknown when a type has no catalog price, and still prices the others', () => {
    const src: ClusterSpec = {
      ...eksSource,
      cloud: 'azure',
      scope: 'sub/rg',
      location: 'westeurope',
      kubernetesVersion: '1.34',
      nodePools: [
        {
          name: 'system',
          machineType: 'Standard_D4s_v5',
          nodeCount: 3,
          spot: false,
          labels: {},
          taints: [],
          mode: 'system',
        },
        {
          name: 'small',
          machineType: 'Standard_B2s',
          nodeCount: 2,
          spot: false,
          labels: {},
          taints: [],
          mode: 'user',
        },
      ],
    };
    const cost = planClone([src], { cloud: 'azure' }, bundledCatalog, { id: 'p' }).items[0]!.cost!;
    expect(cost.source.pools.map((p) => p.monthlyUsd)).toEqual([
      monthly('azure', 'Standard_D4s_v5', 3),
      null,
    ]);
    expect(cost.source.monthlyUsd).toBeNull();
  });
});
