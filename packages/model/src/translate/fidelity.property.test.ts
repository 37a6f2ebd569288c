import { describe, expect, it } from 'vitest';
import { bundledCatalog, overlayCatalog } from '../catalog/index';
import type { CloudId } from '../catalog/types';
import type { ClusterSpec, NodePoolSpec } from '../schemas';
import { ORDERED_PAIRS } from '../testing/fixtures';
import { PlanError, planClone } from './plan';

// Properties that hold for every source/target pair and every generated pool: totals are conserved
// (nodes and autoscaling bounds), arm64 stays arm64, accelerator pools keep their user taints and
// labels. Pools are enumerated, not sampled, so a failure names a reproducible case.

/** A source region with at least three zones, so zone counts 0-3 are all possible. */
const SOURCE_REGION: Record<CloudId, string> = { aws: 'us-east-1', azure: 'westeurope', gcp: 'europe-west4' };
const VERSION: Record<CloudId, string> = { aws: '1.34', azure: '1.34', gcp: '1.34' };
/** x86_64, arm64 and GPU types of each cloud. */
const TYPES: Record<CloudId, { x86: string; arm: string; gpu: string }> = {
  aws: { x86: 'm6i.xlarge', arm: 'm7g.xlarge', gpu: 'g5.xlarge' },
  azure: { x86: 'Standard_D4s_v5', arm: 'Standard_D4ps_v5', gpu: 'Standard_NC4as_T4_v3' },
  gcp: { x86: 'n2-standard-4', arm: 't2a-standard-4', gpu: 'g2-standard-4' },
};
const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;

interface Case {
  label: string;
  pool: NodePoolSpec;
}

function generatedPools(cloud: CloudId): Case[] {
  const zonesOfRegion = bundledCatalog.region(cloud, SOURCE_REGION[cloud])!.zones;
  const out: Case[] = [];
  for (const kind of ['x86', 'arm', 'gpu'] as const) {
    for (let zoneCount = 0; zoneCount <= 3; zoneCount++) {
      // A GKE source counts per zone: its totals are multiples of its zone count.
      const step = cloud === 'gcp' ? Math.max(1, zoneCount) : 1;
      for (let total = 0; total <= 7 * step; total += step) {
        for (const scaling of ['none', 'around', 'from-zero'] as const) {
          const pool: NodePoolSpec = {
            name: `p-${kind}-${zoneCount}-${total}-${scaling}`.slice(0, 12),
            machineType: TYPES[cloud][kind],
            nodeCount: total,
            spot: false,
            labels: kind === 'gpu' ? { accelerator: 'nvidia' } : { tier: 'web' },
            taints: kind === 'gpu' ? [{ ...GPU_TAINT }] : [],
          };
          // Only the EKS reader knows the architecture (from the AMI type); AKS and GKE do not say.
          if (kind === 'arm' && cloud === 'aws') pool.arch = 'arm64';
          if (cloud === 'azure') pool.mode = 'user';
          if (zoneCount > 0) pool.zones = zonesOfRegion.slice(0, zoneCount);
          if (scaling === 'around') pool.autoscaling = { minNodes: total, maxNodes: total + 2 * step + 1 };
          if (scaling === 'from-zero') pool.autoscaling = { minNodes: 0, maxNodes: Math.max(1, total * 3) };
          out.push({ label: `${kind} ${total} nodes in ${zoneCount} zones, autoscaling ${scaling}`, pool });
        }
      }
    }
  }
  return out;
}

function clusterOf(cloud: CloudId, pool: NodePoolSpec): ClusterSpec {
  const pools = [pool];
  // AKS needs a system pool; with one in the source, the AKS target adds none.
  if (cloud === 'azure') {
    pools.push({
      name: 'system',
      machineType: TYPES.azure.x86,
      nodeCount: 3,
      spot: false,
      labels: {},
      taints: [],
      mode: 'system',
    });
  }
  return {
    cloud,
    scope: cloud === 'azure' ? 'sub/rg' : 'scope',
    location: SOURCE_REGION[cloud],
    name: 'fidelity',
    kubernetesVersion: VERSION[cloud],
    labels: {},
    nodePools: pools,
  };
}

describe.each(ORDERED_PAIRS)('%s -> %s', (from, to) => {
  const cases = generatedPools(from);
  const planned = cases.map((c) => {
    const item = planClone([clusterOf(from, c.pool)], { cloud: to }, bundledCatalog, { id: 'p' }).items[0]!;
    return { ...c, item, target: item.target.nodePools[0]! };
  });

  it('keeps total nodes and autoscaling totals, never adding nodes', () => {
    for (const { label, pool, target } of planned) {
      expect(target.nodeCount, label).toBe(pool.nodeCount);
      expect(target.autoscaling, label).toEqual(pool.autoscaling);
    }
  });

  it('keeps arm64 pools on arm64 types', () => {
    for (const { label, pool, target, item } of planned.filter(
      (p) => p.pool.machineType === TYPES[from].arm,
    )) {
      const type = bundledCatalog.machineType(to, target.machineType);
      expect(type?.arch, `${label}: ${pool.machineType} -> ${target.machineType}`).toBe('arm64');
      expect(target.arch, label).toBe('arm64');
      const tainted = item.warnings.some((w) => w.code === 'arch.gke-arm64-taint');
      expect(tainted, label).toBe(to === 'gcp' && from !== 'gcp');
    }
  });

  it('records the architecture of every target pool from its machine type', () => {
    for (const { label, target } of planned) {
      expect(target.arch, label).toBe(bundledCatalog.machineType(to, target.machineType)?.arch);
    }
  });

  it('keeps the user taints and labels of accelerator pools', () => {
    for (const { label, target } of planned.filter((p) => p.pool.machineType === TYPES[from].gpu)) {
      expect(target.taints, label).toEqual([GPU_TAINT]);
      expect(target.labels, label).toEqual({ accelerator: 'nvidia' });
      expect(bundledCatalog.machineType(to, target.machineType)?.gpus, label).toBeGreaterThan(0);
    }
  });
});

describe('no arm64 type in the target region', () => {
  it('is an error naming the pool, never an amd64 substitute', () => {
    const x86Only = overlayCatalog(bundledCatalog, {
      clouds: {
        gcp: { machineTypes: { '*': bundledCatalog.machineTypes('gcp').filter((t) => t.arch === 'x86_64') } },
      },
    });
    const source = clusterOf(
      'aws',
      generatedPools('aws').find((c) => c.pool.machineType === TYPES.aws.arm)!.pool,
    );
    let error: unknown;
    try {
      planClone([source], { cloud: 'gcp' }, x86Only, { id: 'p' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).issues).toEqual([
      { path: 'items[0].source.nodePools[0].machineType', message: expect.stringMatching(/arm64/) },
    ]);
  });
});
