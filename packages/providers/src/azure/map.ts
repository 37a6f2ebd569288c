/** Pure mapping between AKS documents and the canonical ClusterSpec (model.md). */
import type { AgentPool, ManagedCluster, ManagedClusterAgentPoolProfile } from '@azure/arm-containerservice';
import type { ClusterSpec, NodePoolSpec, Taint } from '@dolly/model';
import { environmentOf } from '../util';

/**
 * AKS adds this label and taint to every Spot pool itself (and shows them in nodeLabels/nodeTaints);
 * they follow from `spot`, so they are not the user's labels and taints.
 * https://learn.microsoft.com/azure/aks/spot-node-pool
 */
export const AKS_SPOT_KEY = 'kubernetes.azure.com/scalesetpriority';

export function parseAksTaint(s: string): Taint | undefined {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(s.trim());
  if (!m?.[1] || !m[3]) return undefined;
  const t: Taint = { key: m[1], effect: m[3] as Taint['effect'] };
  if (m[2] !== undefined && m[2] !== '') t.value = m[2];
  return t;
}

export function formatAksTaint(t: Taint): string {
  return `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`;
}

type PoolDoc = ManagedClusterAgentPoolProfile | (AgentPool & { name?: string });

export function aksPoolToSpec(p: PoolDoc): NodePoolSpec {
  const spot = p.scaleSetPriority === 'Spot';
  const labels = { ...(p.nodeLabels ?? {}) };
  if (spot) delete labels[AKS_SPOT_KEY];
  const pool: NodePoolSpec = {
    name: p.name ?? '',
    machineType: p.vmSize ?? '',
    nodeCount: p.count ?? 0,
    spot,
    labels,
    taints: (p.nodeTaints ?? [])
      .map(parseAksTaint)
      .filter((t): t is Taint => t !== undefined && !(spot && t.key === AKS_SPOT_KEY)),
  };
  if (p.enableAutoScaling && p.minCount !== undefined && p.maxCount !== undefined) {
    pool.autoscaling = { minNodes: p.minCount, maxNodes: p.maxCount };
  }
  if (p.availabilityZones?.length) pool.zones = [...p.availabilityZones].sort();
  if (p.osDiskSizeGB) pool.diskSizeGb = p.osDiskSizeGB;
  if (p.osDiskType) pool.diskType = p.osDiskType;
  if (p.maxPods) pool.maxPods = p.maxPods;
  if (p.orchestratorVersion) pool.kubernetesVersion = p.orchestratorVersion;
  if (p.osType) pool.os = p.osType === 'Windows' ? 'windows' : 'linux';
  if (p.mode) pool.mode = p.mode === 'System' ? 'system' : 'user';
  return pool;
}

/** "/subscriptions/<sub>/resourcegroups/<rg>/providers/..." -> rg */
export function resourceGroupOf(id: string | undefined): string | undefined {
  return id ? /\/resourcegroups\/([^/]+)/i.exec(id)?.[1] : undefined;
}

export function aksToSpec(c: ManagedCluster, subscriptionId: string): ClusterSpec {
  const labels = { ...(c.tags ?? {}) };
  const rg = resourceGroupOf(c.id) ?? '';
  const spec: ClusterSpec = {
    cloud: 'azure',
    scope: `${subscriptionId}/${rg}`,
    location: c.location ?? '',
    name: c.name ?? '',
    kubernetesVersion: c.kubernetesVersion ?? c.currentKubernetesVersion ?? '',
    labels,
    nodePools: (c.agentPoolProfiles ?? []).map(aksPoolToSpec).sort((a, b) => a.name.localeCompare(b.name)),
  };
  const env = environmentOf(labels);
  if (env) spec.environment = env;
  const api = c.apiServerAccessProfile;
  if (api) {
    // API Server VNet Integration without a private cluster serves the API on a VNet address and
    // publicly: that is "public and private" in the canonical model.
    spec.endpoint = {
      public: api.enablePrivateCluster !== true,
      private: api.enablePrivateCluster === true || api.enableVnetIntegration === true,
      authorizedCidrs: [...(api.authorizedIPRanges ?? [])],
    };
  }
  const net = c.networkProfile;
  if (net) {
    spec.network = {
      ...(net.podCidr ? { podCidr: net.podCidr } : {}),
      ...(net.serviceCidr ? { serviceCidr: net.serviceCidr } : {}),
      ...(net.networkPlugin ? { plugin: net.networkPlugin } : {}),
      ...(net.networkPluginMode ? { pluginMode: net.networkPluginMode } : {}),
      ...(net.dnsServiceIP ? { dnsServiceIp: net.dnsServiceIP } : {}),
    };
  }
  const addons = Object.entries(c.addonProfiles ?? {})
    .filter(([, profile]) => profile.enabled)
    .map(([name]) => name)
    .sort();
  if (addons.length > 0) spec.addons = addons;
  const kms = c.securityProfile?.azureKeyVaultKms;
  if (kms?.enabled && kms.keyId) spec.secretsEncryption = { keyRef: kms.keyId };
  return spec;
}

export function aksPoolProfile(
  pool: NodePoolSpec,
  tags: Record<string, string>,
  forceSystem = false,
): AgentPool {
  const p: AgentPool = {
    vmSize: pool.machineType,
    count: pool.nodeCount,
    mode: forceSystem || pool.mode === 'system' ? 'System' : 'User',
    osType: pool.os === 'windows' ? 'Windows' : 'Linux',
    nodeLabels: { ...pool.labels },
    nodeTaints: pool.taints.map(formatAksTaint),
    tags,
  };
  if (pool.autoscaling) {
    p.enableAutoScaling = true;
    p.minCount = pool.autoscaling.minNodes;
    p.maxCount = pool.autoscaling.maxNodes;
  }
  if (pool.spot) {
    p.scaleSetPriority = 'Spot';
    p.scaleSetEvictionPolicy = 'Delete';
    p.spotMaxPrice = -1;
  }
  if (pool.zones?.length) p.availabilityZones = [...pool.zones];
  if (pool.diskSizeGb) p.osDiskSizeGB = pool.diskSizeGb;
  if (pool.diskType === 'Managed' || pool.diskType === 'Ephemeral') p.osDiskType = pool.diskType;
  if (pool.maxPods) p.maxPods = pool.maxPods;
  if (pool.kubernetesVersion) p.orchestratorVersion = pool.kubernetesVersion;
  return p;
}

/** AKS dnsPrefix: 1-54 alphanumerics and hyphens, starting and ending alphanumeric. */
export function dnsPrefixFor(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 54)
    .replace(/-+$/, '');
  return /^[A-Za-z0-9]/.test(cleaned) ? cleaned : `k${cleaned}`.slice(0, 54);
}

/** The pool AKS creates with the cluster (a cluster needs a System pool from the start). */
export function initialSystemPool(target: ClusterSpec): NodePoolSpec | undefined {
  return target.nodePools.find((p) => p.mode === 'system') ?? target.nodePools[0];
}

export function aksClusterBody(target: ClusterSpec, tags: Record<string, string>): ManagedCluster {
  const system = initialSystemPool(target);
  const body: ManagedCluster = {
    location: target.location,
    tags,
    identity: { type: 'SystemAssigned' },
    kubernetesVersion: target.kubernetesVersion,
    dnsPrefix: dnsPrefixFor(target.name),
    agentPoolProfiles: system ? [{ name: system.name, ...aksPoolProfile(system, tags, true) }] : [],
  };
  if (target.endpoint) {
    const { public: isPublic, private: isPrivate } = target.endpoint;
    body.apiServerAccessProfile = {
      enablePrivateCluster: isPrivate && !isPublic,
      // Public and private: the API server also gets an address in the cluster's VNet.
      ...(isPrivate && isPublic ? { enableVnetIntegration: true } : {}),
      ...(target.endpoint.authorizedCidrs.length
        ? { authorizedIPRanges: target.endpoint.authorizedCidrs }
        : {}),
    };
  }
  const net = target.network;
  if (net && (net.podCidr || net.serviceCidr || net.plugin || net.pluginMode || net.dnsServiceIp)) {
    const plugin = net.plugin === 'kubenet' || net.plugin === 'azure' ? net.plugin : undefined;
    body.networkProfile = {
      ...(plugin ? { networkPlugin: plugin } : {}),
      ...(net.pluginMode === 'overlay' ? { networkPluginMode: 'overlay' } : {}),
      ...(net.podCidr ? { podCidr: net.podCidr } : {}),
      ...(net.serviceCidr ? { serviceCidr: net.serviceCidr } : {}),
      ...(net.dnsServiceIp ? { dnsServiceIP: net.dnsServiceIp } : {}),
    };
  }
  if (target.addons?.length) {
    body.addonProfiles = Object.fromEntries(target.addons.map((name) => [name, { enabled: true }]));
  }
  if (target.secretsEncryption) {
    body.securityProfile = { azureKeyVaultKms: { enabled: true, keyId: target.secretsEncryption.keyRef } };
  }
  return body;
}
