import { describe, expect, it } from 'vitest';
import { bundledCatalog } from '../catalog/index';
import type { CloudId } from '../catalog/types';
import type { ClusterSpec } from '../schemas';
import { validatePlan } from '../validate';
import { PlanError, planClone, unexplainedChanges } from './plan';

const clouds: CloudId[] = ['aws', 'azure', 'gcp'];

/** One cluster per catalog machine type, spread over the cloud's regions, zones and versions. */
function everyTypeAsACluster(cloud: CloudId): ClusterSpec[] {
  const regions = bundledCatalog.regions(cloud);
  const versions = bundledCatalog.kubernetesVersions(cloud).filter((v) => v.versions.length > 0);
  return bundledCatalog.machineTypes(cloud).map((t, i) => {
    const region = regions[i % regions.length]!;
    const version = versions[i % versions.length]!;
    const zones = region.zones.slice(0, 1 + (i % 3));
    return {
      cloud,
      scope: 'scope',
      location: region.id,
      name: `Cluster_${t.name}`,
      kubernetesVersion: version.versions[0]!,
      labels: { 'Owner.Team': `Team ${i}` },
      nodePools: [
        {
          name: `pool_${t.name}`,
          machineType: t.name,
          nodeCount: 1 + (i % 5),
          autoscaling: i % 2 ? { minNodes: 0, maxNodes: 10 } : undefined,
          spot: i % 4 === 0,
          zones: zones.length > 0 ? zones : undefined,
          labels: { tier: 'x' },
          taints: [],
          maxPods: 30 + (i % 300),
          diskSizeGb: 5 + i,
        },
      ],
    };
  });
}

describe.each(clouds)('every %s machine type as a source', (from) => {
  const sources = everyTypeAsACluster(from);
  it.each(clouds)(`plans to %s a target that passes validation, or fails naming the pool`, (to) => {
    let planned = 0;
    for (const source of sources) {
      try {
        const plan = planClone([source], { cloud: to }, bundledCatalog, { id: 'p' });
        const v = validatePlan(plan, bundledCatalog, { allowErrorWarnings: true });
        expect(v.issues, `${source.nodePools[0]!.machineType} -> ${to}`).toEqual([]);
        expect(unexplainedChanges(plan.items[0]!)).toEqual([]);
        planned++;
      } catch (e) {
        expect(e).toBeInstanceOf(PlanError);
        expect((e as PlanError).issues[0]!.path).toBe('items[0].source.nodePools[0].machineType');
      }
    }
    expect(planned).toBeGreaterThan(sources.length * 0.9);
  });
});
