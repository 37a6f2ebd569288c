import {
  bundledCatalog,
  type CloudId,
  type ClusterSpec,
  type NodePoolSpec,
  planClone,
  type TargetClusterSpec,
} from '@dolly/model';
import { describe, expect, it } from 'vitest';
import { createNodegroupInput, nodegroupToPool } from './aws/map';
import { aksPoolProfile, aksPoolToSpec } from './azure/map';
import { gkePoolBody, gkePoolToSpec, poolZones } from './gcp/map';

// End to end through the pure mappings: plan a source pool to each cloud, build the create body the
// provider sends, read that body back as the cloud would report it, and compare totals with the
// source. All nine pairs; every total 0-9 over 0-3 zones, with and without autoscaling.

const CLOUDS: CloudId[] = ['aws', 'azure', 'gcp'];
const REGION: Record<CloudId, string> = { aws: 'us-east-1', azure: 'westeurope', gcp: 'europe-west4' };
const TYPE: Record<CloudId, { x86: string; arm: string }> = {
  aws: { x86: 'm6i.xlarge', arm: 'm7g.xlarge' },
  azure: { x86: 'Standard_D4s_v5', arm: 'Standard_D4ps_v5' },
  gcp: { x86: 'n2-standard-4', arm: 't2a-standard-4' },
};

function sourceOf(cloud: CloudId, pool: NodePoolSpec): ClusterSpec {
  const system: NodePoolSpec[] =
    cloud === 'azure'
      ? [
          {
            name: 'system',
            machineType: TYPE.azure.x86,
            nodeCount: 3,
            spot: false,
            labels: {},
            taints: [],
            mode: 'system',
          },
        ]
      : [];
  return {
    cloud,
    scope: cloud === 'azure' ? 'sub/rg' : 'scope',
    location: REGION[cloud],
    name: 'fidelity',
    kubernetesVersion: '1.34',
    labels: {},
    nodePools: [pool, ...system],
  };
}

function pools(cloud: CloudId): NodePoolSpec[] {
  const zones = bundledCatalog.region(cloud, REGION[cloud])!.zones;
  const out: NodePoolSpec[] = [];
  for (const kind of ['x86', 'arm'] as const)
    for (let z = 0; z <= 3; z++) {
      const step = cloud === 'gcp' ? Math.max(1, z) : 1;
      for (let total = 0; total <= 9; total += step)
        for (const scaled of [false, true]) {
          const pool: NodePoolSpec = {
            name: 'work',
            machineType: TYPE[cloud][kind],
            nodeCount: total,
            spot: false,
            labels: {},
            taints: [],
          };
          if (cloud === 'azure') pool.mode = 'user';
          if (z > 0) pool.zones = zones.slice(0, z);
          if (scaled) pool.autoscaling = { minNodes: 0, maxNodes: total + 5 };
          out.push(pool);
        }
    }
  return out;
}

/** The pool as the target cloud would report it after creating it from Dolly's request. */
function createdAndReadBack(target: TargetClusterSpec, pool: NodePoolSpec): NodePoolSpec {
  const type = bundledCatalog.machineType(target.cloud, pool.machineType)!;
  if (target.cloud === 'aws') {
    const input = createNodegroupInput(target.name, pool, {
      nodeRole: 'r',
      subnets: ['s'],
      tags: {},
      clientRequestToken: 't',
      gpus: type.gpus,
      arch: type.arch,
    });
    const read = nodegroupToPool({ ...input, amiType: input.amiType }, () => undefined);
    return { ...read, ...(pool.zones ? { zones: pool.zones } : {}) };
  }
  if (target.cloud === 'azure') return aksPoolToSpec({ name: pool.name, ...aksPoolProfile(pool, {}) });
  const zones = poolZones(pool, target.location, bundledCatalog.region('gcp', target.location)?.zones ?? []);
  return gkePoolToSpec(gkePoolBody(pool, zones, {}), zones);
}

describe.each(CLOUDS.flatMap((from) => CLOUDS.map((to) => [from, to] as const)))('%s -> %s', (from, to) => {
  it('creates exactly the source total of nodes and autoscaling bounds, on the source architecture', () => {
    for (const pool of pools(from)) {
      const label = `${pool.machineType} ${pool.nodeCount} nodes in ${pool.zones?.length ?? 0} zones${pool.autoscaling ? ' autoscaled' : ''}`;
      const item = planClone([sourceOf(from, pool)], { cloud: to }, bundledCatalog, { id: 'p' }).items[0]!;
      const planned = item.target.nodePools[0]!;
      const created = createdAndReadBack(item.target, planned);
      expect(created.nodeCount, label).toBe(pool.nodeCount);
      // EKS needs maxSize >= 1, so a fixed empty node group reads back as 0-1 (still 0 nodes).
      const emptyOnEks = to === 'aws' && !pool.autoscaling && pool.nodeCount === 0;
      expect(created.autoscaling, label).toEqual(
        emptyOnEks ? { minNodes: 0, maxNodes: 1 } : pool.autoscaling,
      );
      const wantArch = bundledCatalog.machineType(from, pool.machineType)!.arch;
      expect(bundledCatalog.machineType(to, created.machineType)?.arch, label).toBe(wantArch);
      if (to === 'aws') expect(created.arch, label).toBe(wantArch);
    }
  });
});
