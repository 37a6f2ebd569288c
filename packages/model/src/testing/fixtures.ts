import type { CloudId } from '../catalog/types';
import { type ClusterSpec, clusterSpecSchema } from '../schemas';

// Small, readable source clusters, one per cloud, used by the table-driven tests. Each has an
// autoscaled zonal pool, a spot pool with a user taint, an arm64 pool and cloud-added labels.

export const gkeSource: ClusterSpec = clusterSpecSchema.parse({
  cloud: 'gcp',
  scope: 'acme-prod',
  location: 'europe-west3',
  name: 'shop-prod',
  kubernetesVersion: '1.34.9-gke.1655001',
  labels: { team: 'shop', env: 'prod' },
  endpoint: { public: true, private: true, authorizedCidrs: ['203.0.113.0/24'] },
  network: { podCidr: '10.8.0.0/14', serviceCidr: '10.12.0.0/20', plugin: 'gke-native' },
  secretsEncryption: { keyRef: 'projects/acme-prod/locations/europe-west3/keyRings/k/cryptoKeys/etcd' },
  nodePools: [
    {
      name: 'default-pool',
      machineType: 'n2-standard-4',
      nodeCount: 6,
      autoscaling: { minNodes: 3, maxNodes: 12 },
      zones: ['europe-west3-a', 'europe-west3-b', 'europe-west3-c'],
      labels: { workload: 'web', 'cloud.google.com/gke-nodepool': 'default-pool' },
      diskSizeGb: 100,
      diskType: 'pd-balanced',
      maxPods: 110,
    },
    {
      name: 'batch-spot',
      machineType: 'e2-standard-8',
      nodeCount: 3,
      autoscaling: { minNodes: 0, maxNodes: 30 },
      spot: true,
      zones: ['europe-west3-a', 'europe-west3-b', 'europe-west3-c'],
      labels: { workload: 'batch' },
      taints: [{ key: 'workload', value: 'batch', effect: 'NoSchedule' }],
    },
    { name: 'arm', machineType: 't2a-standard-4', nodeCount: 2, arch: 'arm64', labels: { workload: 'api' } },
  ],
});

export const eksSource: ClusterSpec = clusterSpecSchema.parse({
  cloud: 'aws',
  scope: '123456789012',
  location: 'us-east-1',
  name: 'payments_staging',
  kubernetesVersion: '1.34',
  labels: { Team: 'Payments', 'aws:cloudformation:stack-name': 'eks-payments' },
  endpoint: { public: true, private: false, authorizedCidrs: ['0.0.0.0/0'] },
  network: { serviceCidr: '172.20.0.0/16', plugin: 'vpc-cni' },
  addons: ['aws-ebs-csi-driver'],
  nodePools: [
    {
      name: 'general_workers',
      machineType: 'm6i.xlarge',
      nodeCount: 4,
      autoscaling: { minNodes: 2, maxNodes: 10 },
      zones: ['us-east-1a', 'us-east-1b'],
      labels: { role: 'general', 'eks.amazonaws.com/nodegroup': 'general_workers' },
      diskSizeGb: 80,
      diskType: 'gp3',
    },
    {
      name: 'graviton-spot',
      machineType: 'm7g.2xlarge',
      nodeCount: 3,
      spot: true,
      zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }],
      arch: 'arm64',
    },
    { name: 'tiny', machineType: 't3.medium', nodeCount: 1 },
  ],
});

export const aksSource: ClusterSpec = clusterSpecSchema.parse({
  cloud: 'azure',
  scope: 'sub-1234/rg-analytics',
  location: 'westeurope',
  name: 'analytics-prod',
  kubernetesVersion: '1.34.9',
  labels: { owner: 'data-platform' },
  network: { podCidr: '192.168.0.0/16', serviceCidr: '10.0.0.0/16', plugin: 'azure' },
  nodePools: [
    {
      name: 'system',
      machineType: 'Standard_D4s_v5',
      nodeCount: 3,
      zones: ['1', '2', '3'],
      taints: [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }],
      mode: 'system',
      os: 'linux',
    },
    {
      name: 'spark',
      machineType: 'Standard_E8s_v5',
      nodeCount: 5,
      autoscaling: { minNodes: 1, maxNodes: 15 },
      spot: true,
      zones: ['1', '2', '3'],
      labels: { workload: 'spark', 'kubernetes.azure.com/scalesetpriority': 'spot' },
      taints: [
        { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' },
        { key: 'dedicated', value: 'spark', effect: 'NoExecute' },
      ],
      mode: 'user',
      maxPods: 50,
    },
    { name: 'armpool', machineType: 'Standard_D4ps_v5', nodeCount: 2, mode: 'user' },
  ],
});

export const sources: Record<CloudId, ClusterSpec> = { aws: eksSource, azure: aksSource, gcp: gkeSource };

export const ORDERED_PAIRS: [CloudId, CloudId][] = [
  ['aws', 'azure'],
  ['aws', 'gcp'],
  ['azure', 'aws'],
  ['azure', 'gcp'],
  ['gcp', 'aws'],
  ['gcp', 'azure'],
  ['aws', 'aws'],
  ['azure', 'azure'],
  ['gcp', 'gcp'],
];
