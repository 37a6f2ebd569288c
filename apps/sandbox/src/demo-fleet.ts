import type { CloudModule, SandboxCloud, SandboxLogger, SeedCluster } from './context.ts';

export interface FleetAccount {
  cloud: SandboxCloud;
  id: string;
  displayName: string;
  clusters: SeedCluster[];
}

const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;
const SPOT_TAINT = { key: 'spot', value: 'true', effect: 'NoSchedule' } as const;

/** The seeded demo fleet (sandbox.md). Versions are minors or aliases every cloud accepts. */
export const DEMO_FLEET: FleetAccount[] = [
  {
    cloud: 'aws',
    id: '111111111111',
    displayName: 'Dolly Demo AWS',
    clusters: [
      {
        scope: '111111111111',
        location: 'us-east-1',
        name: 'shop-prod',
        kubernetesVersion: '1.34',
        labels: { env: 'prod', team: 'shop' },
        withDemoWorkloads: true,
        nodePools: [
          {
            name: 'general',
            machineType: 'm6i.xlarge',
            nodeCount: 3,
            autoscaling: { minNodes: 3, maxNodes: 6 },
            labels: { workload: 'general' },
          },
          {
            name: 'gpu',
            machineType: 'g5.xlarge',
            nodeCount: 1,
            autoscaling: { minNodes: 1, maxNodes: 2 },
            labels: { workload: 'gpu' },
            taints: [GPU_TAINT],
          },
          {
            name: 'spot',
            machineType: 'm6i.large',
            nodeCount: 2,
            autoscaling: { minNodes: 2, maxNodes: 4 },
            spot: true,
            labels: { workload: 'batch' },
            taints: [SPOT_TAINT],
          },
        ],
      },
      {
        scope: '111111111111',
        location: 'us-west-2',
        name: 'shop-dev',
        kubernetesVersion: '1.35',
        labels: { env: 'dev', team: 'shop' },
        nodePools: [{ name: 'default', machineType: 't3.large', nodeCount: 2 }],
      },
    ],
  },
  {
    cloud: 'azure',
    id: '00000000-0000-4000-8000-000000000001',
    displayName: 'Dolly Demo Azure',
    clusters: [
      {
        scope: 'dolly-demo',
        location: 'westeurope',
        name: 'shop-prod',
        kubernetesVersion: '1.34',
        labels: { env: 'prod', team: 'shop' },
        withDemoWorkloads: true,
        nodePools: [
          {
            name: 'system',
            machineType: 'Standard_D4s_v5',
            nodeCount: 3,
            mode: 'system',
            zones: ['1', '2', '3'],
          },
          {
            name: 'apps',
            machineType: 'Standard_D8s_v5',
            nodeCount: 3,
            mode: 'user',
            autoscaling: { minNodes: 2, maxNodes: 10 },
            zones: ['1', '2', '3'],
          },
        ],
      },
      {
        scope: 'dolly-demo',
        location: 'westeurope',
        name: 'shop-dev',
        kubernetesVersion: '1.34',
        labels: { env: 'dev', team: 'shop' },
        nodePools: [{ name: 'system', machineType: 'Standard_D2s_v5', nodeCount: 2, mode: 'system' }],
      },
    ],
  },
  {
    cloud: 'gcp',
    id: 'dolly-demo-prod',
    displayName: 'Dolly Demo GCP (prod)',
    clusters: [
      {
        scope: 'dolly-demo-prod',
        location: 'us-central1',
        name: 'shop-prod',
        kubernetesVersion: '1.34',
        labels: { env: 'prod', team: 'shop' },
        regional: true,
        withDemoWorkloads: true,
        nodePools: [
          {
            name: 'default-pool',
            machineType: 'n2-standard-4',
            nodeCount: 6,
            autoscaling: { minNodes: 1, maxNodes: 5 },
            zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'],
          },
          {
            name: 'spot-pool',
            machineType: 'e2-standard-4',
            nodeCount: 3,
            spot: true,
            zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'],
            taints: [SPOT_TAINT],
          },
        ],
      },
    ],
  },
  {
    cloud: 'gcp',
    id: 'dolly-demo-dev',
    displayName: 'Dolly Demo GCP (dev)',
    clusters: [
      {
        scope: 'dolly-demo-dev',
        location: 'us-central1-a',
        name: 'shop-dev',
        kubernetesVersion: '1.34',
        labels: { env: 'dev', team: 'shop' },
        regional: false,
        nodePools: [{ name: 'default-pool', machineType: 'e2-standard-2', nodeCount: 2 }],
      },
    ],
  },
];

/** Create the fleet's accounts in every present module (no clusters). */
export function ensureDemoAccounts(modules: CloudModule[], log: SandboxLogger, fleet = DEMO_FLEET): void {
  for (const account of fleet) {
    const mod = modules.find((m) => m.cloud === account.cloud);
    if (!mod) continue;
    try {
      mod.ensureAccount(account.id, account.displayName);
    } catch (err) {
      log.error(
        { err: String(err), cloud: account.cloud, account: account.id },
        'demo account creation failed',
      );
    }
  }
}

/** Seed the demo fleet into the modules that are present. Idempotent (modules skip existing clusters). */
export function seedDemoFleet(
  modules: CloudModule[],
  log: SandboxLogger,
  fleet = DEMO_FLEET,
): { seeded: string[]; skipped: string[]; failed: string[] } {
  const result = { seeded: [] as string[], skipped: [] as string[], failed: [] as string[] };
  for (const account of fleet) {
    const mod = modules.find((m) => m.cloud === account.cloud);
    const label = (c: SeedCluster) => `${account.cloud}/${c.scope}/${c.location}/${c.name}`;
    if (!mod) {
      result.skipped.push(...account.clusters.map(label));
      continue;
    }
    mod.ensureAccount(account.id, account.displayName);
    for (const cluster of account.clusters) {
      try {
        mod.seedCluster(account.id, cluster);
        result.seeded.push(label(cluster));
      } catch (err) {
        result.failed.push(label(cluster));
        log.error({ err: String(err), cluster: label(cluster) }, 'demo cluster seeding failed');
      }
    }
  }
  return result;
}
