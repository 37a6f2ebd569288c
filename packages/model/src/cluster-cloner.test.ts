import { describe, expect, it } from 'vitest';
import { bundledCatalog } from './catalog/index';
import { fromClusterCloner, isClusterClonerInput } from './cluster-cloner';
import { planClone } from './translate/plan';

const file = [
  {
    Cloud: 'GCP',
    Scope: 'acme-legacy',
    Location: 'us-central1-c',
    Name: 'legacy-web',
    K8sVersion: '1.33.13-gke.1499000',
    Labels: { Team: 'web' },
    NodePools: [
      {
        Name: 'default-pool',
        MachineType: 'n1-standard-4',
        NodeCount: 3,
        DiskSizeGB: 100,
        Preemptible: false,
      },
      {
        Name: 'preempt',
        MachineType: { Name: 'e2-standard-8', CPU: 8, RAMGB: 32 },
        NodeCount: 2,
        Preemptible: true,
      },
    ],
  },
  {
    cloud: 'azure',
    scope: 'sub/rg',
    location: 'westeurope',
    name: 'legacy-aks',
    k8sVersion: '1.34.9',
    labels: null,
    nodePools: [{ name: 'agentpool', machineType: 'Standard_D4s_v3', nodeCount: 2 }],
  },
];

describe('Cluster Cloner import', () => {
  it('recognises Cluster Cloner files and not ClusterSpecs', () => {
    expect(isClusterClonerInput(file)).toBe(true);
    expect(isClusterClonerInput({ cloud: 'gcp', nodePools: [] })).toBe(false);
  });

  it('reads ClusterInfo with any key case and cloud spelling', () => {
    const r = fromClusterCloner(file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.clusters[0]).toMatchObject({
      cloud: 'gcp',
      scope: 'acme-legacy',
      location: 'us-central1-c',
      kubernetesVersion: '1.33.13-gke.1499000',
      labels: { Team: 'web' },
      nodePools: [
        {
          name: 'default-pool',
          machineType: 'n1-standard-4',
          nodeCount: 3,
          diskSizeGb: 100,
          spot: false,
          labels: {},
          taints: [],
        },
        { name: 'preempt', machineType: 'e2-standard-8', nodeCount: 2, spot: true },
      ],
    });
    expect(r.clusters[1]).toMatchObject({ cloud: 'azure', labels: {} });
    expect(r.clusters[0]!.nodePools[0]!.autoscaling).toBeUndefined();
  });

  it.each([
    [{ ...file[0], Cloud: 'IBM' }, '[0].Cloud', /AWS, Azure or GCP/],
    [
      { ...file[0], NodePools: [{ Name: 'p', NodeCount: 1 }] },
      '[0].NodePools[0].MachineType',
      /Invalid input|Required/,
    ],
  ])('refuses a bad file with the field at fault', (entry, path, message) => {
    const r = fromClusterCloner([entry]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]!.path).toBe(path);
    expect(r.issues[0]!.message).toMatch(message);
  });

  it('plans what it imported (a zonal GKE cluster becomes regional elsewhere)', () => {
    const r = fromClusterCloner(file);
    if (!r.ok) throw new Error('import failed');
    const p = planClone(r.clusters, { cloud: 'aws' }, bundledCatalog);
    expect(p.items[0]!.target.location).toBe('us-east-2');
    expect(p.items[0]!.target.nodePools[0]!.machineType).toBe('m6a.xlarge');
    expect(p.items[0]!.target.nodePools[1]!.spot).toBe(true);
    expect(p.items[0]!.decisions.map((d) => d.rule)).toContain('location.zonal-to-regional');
  });
});
