import type { KubeClusterInfo, KubeNodePool } from '../context.ts';
import type { CatalogView } from '../module-util.ts';

export type ProvisioningState = 'Creating' | 'Updating' | 'Deleting' | 'Succeeded' | 'Failed' | 'Canceled';

export interface PoolRec {
  name: string;
  vmSize: string;
  count: number;
  enableAutoScaling: boolean;
  minCount?: number;
  maxCount?: number;
  mode: 'System' | 'User';
  osType: 'Linux' | 'Windows';
  osSKU: string;
  availabilityZones: string[];
  nodeLabels: Record<string, string>;
  nodeTaints: string[];
  scaleSetPriority: 'Regular' | 'Spot';
  scaleSetEvictionPolicy?: string;
  spotMaxPrice?: number;
  orchestratorVersion: string;
  currentOrchestratorVersion: string;
  maxPods: number;
  osDiskSizeGB: number;
  tags: Record<string, string>;
  provisioningState: ProvisioningState;
}

export interface ClusterRec {
  /** clusterId: azure-<sub>-<rg>-<name>, lowercase */
  key: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  kubernetesVersion: string;
  currentKubernetesVersion: string;
  dnsPrefix: string;
  skuTier: string;
  provisioningState: ProvisioningState;
  pools: PoolRec[];
  createdAt: number;
  /** AKS-managed Azure AD integration (`aadProfile.managed`); absent: Kubernetes accounts only */
  aad?: AadProfileRec;
  /** `disableLocalAccounts`: no static credential, the kube API takes Entra tokens only */
  disableLocalAccounts?: boolean;
}

export interface AadProfileRec {
  enableAzureRBAC: boolean;
  adminGroupObjectIDs: string[];
  /** the Entra tenant whose tokens the cluster accepts (the subscription's by default) */
  tenantID: string;
}

export type OpKind =
  | 'clusterCreate'
  | 'clusterUpdate'
  | 'clusterDelete'
  | 'poolCreate'
  | 'poolUpdate'
  | 'poolDelete';

export interface OpRec {
  id: string;
  subscriptionId: string;
  location: string;
  clusterKey: string;
  pool?: string;
  kind: OpKind;
  startedAt: number;
  endsAt: number;
  failure?: { code: string; message: string };
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  finishedAt?: number;
}

export interface ResourceGroupRec {
  subscriptionId: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  /** a DELETE in progress: ARM answers 202 and removes the group (and all inside it) at `endsAt` */
  deleting?: { operationId: string; endsAt: number };
}

/** A resource group's DELETE as ARM tracks it (GET /subscriptions/{sub}/operationresults/{id}). */
export interface RgDeleteRec {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  endsAt: number;
}

export function clusterKey(sub: string, rg: string, name: string): string {
  return `azure-${sub}-${rg}-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

export function rgKey(sub: string, rg: string): string {
  return `${sub}/${rg}`.toLowerCase();
}

export function clusterArmId(c: ClusterRec): string {
  return `/subscriptions/${c.subscriptionId}/resourcegroups/${c.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${c.name}`;
}

export function nodeResourceGroup(c: ClusterRec): string {
  return `MC_${c.resourceGroup}_${c.name}_${c.location}`;
}

export function poolProperties(p: PoolRec): Record<string, unknown> {
  return {
    count: p.count,
    vmSize: p.vmSize,
    osDiskSizeGB: p.osDiskSizeGB,
    osDiskType: 'Managed',
    kubeletDiskType: 'OS',
    maxPods: p.maxPods,
    type: 'VirtualMachineScaleSets',
    availabilityZones: p.availabilityZones.length ? p.availabilityZones : undefined,
    enableAutoScaling: p.enableAutoScaling,
    minCount: p.enableAutoScaling ? p.minCount : undefined,
    maxCount: p.enableAutoScaling ? p.maxCount : undefined,
    scaleSetPriority: p.scaleSetPriority === 'Spot' ? 'Spot' : undefined,
    scaleSetEvictionPolicy:
      p.scaleSetPriority === 'Spot' ? (p.scaleSetEvictionPolicy ?? 'Delete') : undefined,
    spotMaxPrice: p.scaleSetPriority === 'Spot' ? (p.spotMaxPrice ?? -1) : undefined,
    provisioningState: p.provisioningState,
    powerState: { code: 'Running' },
    orchestratorVersion: p.orchestratorVersion,
    currentOrchestratorVersion: p.currentOrchestratorVersion,
    enableNodePublicIP: false,
    tags: Object.keys(p.tags).length ? p.tags : undefined,
    nodeLabels: p.nodeLabels,
    nodeTaints: p.nodeTaints.length ? p.nodeTaints : undefined,
    mode: p.mode,
    osType: p.osType,
    osSKU: p.osSKU,
    nodeImageVersion: `AKSUbuntu-2204gen2containerd-202608.01.0`,
    upgradeSettings: { maxSurge: '10%' },
    enableFIPS: false,
  };
}

export function clusterBody(c: ClusterRec): Record<string, unknown> {
  const fqdnHash = c.key.length.toString(16).padStart(4, '0');
  return {
    id: clusterArmId(c),
    location: c.location,
    name: c.name,
    type: 'Microsoft.ContainerService/ManagedClusters',
    tags: c.tags,
    sku: { name: 'Base', tier: c.skuTier },
    identity: { type: 'SystemAssigned' },
    properties: {
      provisioningState: c.provisioningState,
      powerState: { code: 'Running' },
      kubernetesVersion: c.kubernetesVersion,
      currentKubernetesVersion: c.currentKubernetesVersion,
      dnsPrefix: c.dnsPrefix,
      fqdn: `${c.dnsPrefix}-${fqdnHash}.hcp.${c.location}.azmk8s.io`,
      azurePortalFQDN: `${c.dnsPrefix}-${fqdnHash}.portal.hcp.${c.location}.azmk8s.io`,
      agentPoolProfiles: c.pools.map((p) => ({ name: p.name, ...poolProperties(p) })),
      nodeResourceGroup: nodeResourceGroup(c),
      enableRBAC: true,
      supportPlan: 'KubernetesOfficial',
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: 'overlay',
        networkPolicy: 'none',
        podCidr: '10.244.0.0/16',
        serviceCidr: '10.0.0.0/16',
        dnsServiceIP: '10.0.0.10',
        outboundType: 'loadBalancer',
        loadBalancerSku: 'standard',
      },
      maxAgentPools: 100,
      ...(c.aad
        ? {
            aadProfile: {
              managed: true,
              enableAzureRBAC: c.aad.enableAzureRBAC,
              adminGroupObjectIDs: c.aad.adminGroupObjectIDs,
              tenantID: c.aad.tenantID,
            },
          }
        : {}),
      disableLocalAccounts: c.disableLocalAccounts === true,
      oidcIssuerProfile: { enabled: false },
    },
  };
}

export function poolBody(c: ClusterRec, p: PoolRec): Record<string, unknown> {
  return {
    id: `${clusterArmId(c)}/agentPools/${p.name}`,
    name: p.name,
    type: 'Microsoft.ContainerService/managedClusters/agentPools',
    properties: poolProperties(p),
  };
}

function parseTaint(t: string): KubeNodePool['taints'][number] | undefined {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t.trim());
  if (!m) return undefined;
  const taint: KubeNodePool['taints'][number] = { key: m[1] ?? '', effect: m[3] as 'NoSchedule' };
  if (m[2] !== undefined) taint.value = m[2];
  return taint;
}

export function kubeInfo(c: ClusterRec, cat: CatalogView): KubeClusterInfo {
  const pools: KubeNodePool[] = c.pools
    .filter((p) => p.provisioningState !== 'Creating' && p.provisioningState !== 'Failed')
    .map((p) => {
      const mt = cat.machineType('azure', p.vmSize, c.location) ?? cat.machineType('azure', p.vmSize);
      const arch = mt?.arch === 'arm64' ? 'arm64' : 'x86_64';
      const os = p.osType === 'Windows' ? 'windows' : 'linux';
      const spot = p.scaleSetPriority === 'Spot';
      const zones = p.availabilityZones.length ? p.availabilityZones.map((z) => `${c.location}-${z}`) : ['0'];
      const labels: Record<string, string> = {
        agentpool: p.name,
        'kubernetes.azure.com/agentpool': p.name,
        'kubernetes.azure.com/mode': p.mode.toLowerCase(),
        'kubernetes.azure.com/role': 'agent',
        'kubernetes.azure.com/cluster': nodeResourceGroup(c),
        'kubernetes.azure.com/os-sku': p.osSKU,
        'kubernetes.azure.com/node-image-version': 'AKSUbuntu-2204gen2containerd-202608.01.0',
        'node.kubernetes.io/instance-type': p.vmSize,
        'beta.kubernetes.io/instance-type': p.vmSize,
        'topology.kubernetes.io/region': c.location,
        'failure-domain.beta.kubernetes.io/region': c.location,
        'kubernetes.io/arch': arch === 'arm64' ? 'arm64' : 'amd64',
        'beta.kubernetes.io/arch': arch === 'arm64' ? 'arm64' : 'amd64',
        'kubernetes.io/os': os,
        'beta.kubernetes.io/os': os,
        storageprofile: 'managed',
        storagetier: 'Premium_LRS',
        ...(spot ? { 'kubernetes.azure.com/scalesetpriority': 'spot' } : {}),
        ...p.nodeLabels,
      };
      const taints = p.nodeTaints.map(parseTaint).filter((t): t is NonNullable<typeof t> => !!t);
      if (spot && !taints.some((t) => t.key === 'kubernetes.azure.com/scalesetpriority')) {
        taints.push({ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' });
      }
      return {
        name: p.name,
        machineType: p.vmSize,
        nodeCount: p.count,
        zones,
        vcpus: mt?.vcpus ?? 2,
        memoryGiB: mt?.memoryGiB ?? 8,
        arch,
        os,
        spot,
        labels,
        taints,
      };
    });
  return {
    cloud: 'azure',
    scope: c.resourceGroup,
    location: c.location,
    name: c.name,
    kubernetesVersion: c.currentKubernetesVersion,
    nodePools: pools,
  };
}
