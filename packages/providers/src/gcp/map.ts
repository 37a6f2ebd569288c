/** Pure mapping between GKE documents and the canonical ClusterSpec (model.md). */
import type { protos } from '@google-cloud/container';
import { type ClusterSpec, type NodePoolSpec, type Taint, zonesKeepingTotal } from '@dolly/model';
import { CloudError } from '../errors';
import { environmentOf } from '../util';

type GkeCluster = protos.google.container.v1.ICluster;
type GkeNodePool = protos.google.container.v1.INodePool;
type Num = number | string | { toString(): string } | null | undefined;

const EFFECTS: Record<string, Taint['effect']> = {
  NO_SCHEDULE: 'NoSchedule',
  '1': 'NoSchedule',
  PREFER_NO_SCHEDULE: 'PreferNoSchedule',
  '2': 'PreferNoSchedule',
  NO_EXECUTE: 'NoExecute',
  '3': 'NoExecute',
};
const TO_GKE_EFFECT: Record<Taint['effect'], 'NO_SCHEDULE' | 'PREFER_NO_SCHEDULE' | 'NO_EXECUTE'> = {
  NoSchedule: 'NO_SCHEDULE',
  PreferNoSchedule: 'PREFER_NO_SCHEDULE',
  NoExecute: 'NO_EXECUTE',
};

/** int64 fields arrive as numbers, strings or Longs. */
export function toNumber(v: Num): number | undefined {
  if (v === null || v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v.toString());
  return Number.isFinite(n) ? n : undefined;
}

/** GKE enums arrive as names or numbers depending on the transport; compare by name. */
export function enumName(v: unknown, names: Record<number, string>): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return names[v];
  return undefined;
}

export const isZone = (location: string): boolean => /-[a-z]$/.test(location);
export const regionOf = (location: string): string =>
  isZone(location) ? location.replace(/-[a-z]$/, '') : location;

/** GCP label values: lowercase letters, digits, '_' and '-', at most 63 characters. */
export function gcpLabelValue(v: string): string {
  return v
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-')
    .slice(0, 63);
}

export function gkePoolToSpec(p: GkeNodePool, clusterLocations: string[]): NodePoolSpec {
  const zones = p.locations?.length ? [...p.locations] : [...clusterLocations];
  const n = Math.max(1, zones.length);
  const perZone = toNumber(p.initialNodeCount) ?? 0;
  const cfg = p.config ?? {};
  const pool: NodePoolSpec = {
    name: p.name ?? '',
    machineType: cfg.machineType ?? '',
    // counts are totals in the canonical model: GKE's are per zone
    nodeCount: perZone * n,
    spot: cfg.spot === true || cfg.preemptible === true,
    labels: { ...(cfg.labels ?? {}) },
    taints: (cfg.taints ?? []).map((t) => {
      const out: Taint = { key: t.key ?? '', effect: EFFECTS[String(t.effect ?? '')] ?? 'NoSchedule' };
      if (t.value) out.value = t.value;
      return out;
    }),
  };
  const a = p.autoscaling;
  if (a?.enabled) {
    const tmin = toNumber(a.totalMinNodeCount);
    const tmax = toNumber(a.totalMaxNodeCount);
    if (tmax) pool.autoscaling = { minNodes: tmin ?? 0, maxNodes: tmax };
    else
      pool.autoscaling = {
        minNodes: (toNumber(a.minNodeCount) ?? 0) * n,
        maxNodes: (toNumber(a.maxNodeCount) ?? 0) * n,
      };
  }
  if (zones.length) pool.zones = zones.sort();
  const disk = toNumber(cfg.diskSizeGb);
  if (disk) pool.diskSizeGb = disk;
  if (cfg.diskType) pool.diskType = cfg.diskType;
  const maxPods = toNumber(p.maxPodsConstraint?.maxPodsPerNode);
  if (maxPods) pool.maxPods = maxPods;
  if (p.version) pool.kubernetesVersion = p.version;
  return pool;
}

// GKE add-ons switched with `disabled` (on unless disabled); every other addonsConfig entry is
// switched with `enabled` (off unless enabled). Names in the canonical model are the addonsConfig keys.
const ON_UNLESS_DISABLED = new Set([
  'httpLoadBalancing',
  'horizontalPodAutoscaling',
  'kubernetesDashboard',
  'networkPolicyConfig',
  'cloudRunConfig',
]);

/** Enabled add-ons of a GKE cluster, by addonsConfig key, sorted. */
export function gkeAddons(config: GkeCluster['addonsConfig']): string[] {
  return Object.entries(config ?? {})
    .filter(([key, v]) => {
      if (!v || typeof v !== 'object') return false;
      const flags = v as { enabled?: boolean | null; disabled?: boolean | null };
      return ON_UNLESS_DISABLED.has(key) ? flags.disabled !== true : flags.enabled === true;
    })
    .map(([key]) => key)
    .sort();
}

/** addonsConfig that enables exactly the named add-ons (those GKE knows; see ON_UNLESS_DISABLED). */
export function gkeAddonsConfig(addons: string[]): NonNullable<GkeCluster['addonsConfig']> {
  return Object.fromEntries(
    addons.map((key) => [key, ON_UNLESS_DISABLED.has(key) ? { disabled: false } : { enabled: true }]),
  );
}

export function gkeToSpec(c: GkeCluster, project: string): ClusterSpec {
  const labels = { ...(c.resourceLabels ?? {}) };
  const locations = c.locations ?? [];
  const spec: ClusterSpec = {
    cloud: 'gcp',
    scope: project,
    location: c.location ?? c.zone ?? '',
    name: c.name ?? '',
    kubernetesVersion: c.currentMasterVersion || c.initialClusterVersion || '',
    labels,
    nodePools: (c.nodePools ?? [])
      .map((p) => gkePoolToSpec(p, locations))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
  const env = environmentOf(labels);
  if (env) spec.environment = env;
  const man = c.masterAuthorizedNetworksConfig;
  const priv = c.privateClusterConfig;
  if (man?.enabled || priv) {
    spec.endpoint = {
      public: priv?.enablePrivateEndpoint !== true,
      private: priv?.enablePrivateNodes === true || priv?.enablePrivateEndpoint === true,
      authorizedCidrs: man?.enabled
        ? (man.cidrBlocks ?? []).map((b) => b.cidrBlock ?? '').filter(Boolean)
        : [],
    };
  }
  const podCidr = c.ipAllocationPolicy?.clusterIpv4CidrBlock || c.clusterIpv4Cidr;
  const serviceCidr = c.ipAllocationPolicy?.servicesIpv4CidrBlock || c.servicesIpv4Cidr;
  spec.network = {
    ...(podCidr ? { podCidr } : {}),
    ...(serviceCidr ? { serviceCidr } : {}),
    plugin: 'gke-native',
  };
  const db = c.databaseEncryption;
  if (db?.keyName && enumName(db.state, { 1: 'ENCRYPTED' }) === 'ENCRYPTED')
    spec.secretsEncryption = { keyRef: db.keyName };
  const addons = gkeAddons(c.addonsConfig);
  if (addons.length > 0) spec.addons = addons;
  return spec;
}

/**
 * Zones a pool spreads over: its own, else GKE's default for the cluster's location (up to three
 * zones of the region, fewer when the total would not divide evenly: never extra nodes).
 */
export function poolZones(pool: NodePoolSpec, location: string, regionZones: string[]): string[] {
  if (pool.zones?.length) return pool.zones;
  if (isZone(location)) return [location];
  return zonesKeepingTotal(regionZones.slice(0, 3), pool.nodeCount);
}

export function gkePoolBody(
  pool: NodePoolSpec,
  zones: string[],
  resourceLabels: Record<string, string>,
): GkeNodePool {
  const n = Math.max(1, zones.length);
  if (pool.nodeCount % n !== 0) {
    // GKE has no uneven pools; rounding up would create nodes nobody planned (the planner picks a
    // zone count that divides the total, so only a hand-edited plan gets here).
    throw new CloudError({
      cloud: 'gcp',
      operation: 'nodePools.create',
      class: 'rejected',
      field: `nodePools[${pool.name}].nodeCount`,
      message: `pool ${pool.name}: GKE counts nodes per zone, and ${pool.nodeCount} nodes do not divide over ${n} zones (${zones.join(', ')}); use a multiple of ${n} or fewer zones`,
    });
  }
  const body: GkeNodePool = {
    name: pool.name,
    // GKE counts per zone; the canonical count is the total
    initialNodeCount: pool.nodeCount / n,
    locations: zones,
    config: {
      machineType: pool.machineType,
      labels: { ...pool.labels },
      taints: pool.taints.map((t) => ({ key: t.key, value: t.value ?? '', effect: TO_GKE_EFFECT[t.effect] })),
      resourceLabels,
      ...(pool.spot ? { spot: true } : {}),
      ...(pool.diskSizeGb ? { diskSizeGb: pool.diskSizeGb } : {}),
      ...(pool.diskType ? { diskType: pool.diskType } : {}),
    },
  };
  if (pool.autoscaling) {
    body.autoscaling = {
      enabled: true,
      totalMinNodeCount: pool.autoscaling.minNodes,
      totalMaxNodeCount: pool.autoscaling.maxNodes,
      locationPolicy: 'BALANCED',
    };
  }
  if (pool.maxPods) body.maxPodsConstraint = { maxPodsPerNode: pool.maxPods };
  if (pool.kubernetesVersion) body.version = pool.kubernetesVersion;
  return body;
}

/** The pool GKE creates with the cluster (a cluster needs one from the start). */
export function initialPool(target: ClusterSpec): NodePoolSpec | undefined {
  return target.nodePools[0];
}

export function gkeClusterBody(
  target: ClusterSpec,
  labels: Record<string, string>,
  regionZones: string[],
  network?: string,
  subnetwork?: string,
): GkeCluster {
  const first = initialPool(target);
  const body: GkeCluster = {
    name: target.name,
    initialClusterVersion: target.kubernetesVersion,
    resourceLabels: labels,
    nodePools: first ? [gkePoolBody(first, poolZones(first, target.location, regionZones), labels)] : [],
  };
  if (network) body.network = network;
  // a custom-mode network (one Dolly made) has no subnet GKE could pick by itself
  if (subnetwork) body.subnetwork = subnetwork;
  if (target.network?.podCidr || target.network?.serviceCidr) {
    body.ipAllocationPolicy = {
      useIpAliases: true,
      ...(target.network.podCidr ? { clusterIpv4CidrBlock: target.network.podCidr } : {}),
      ...(target.network.serviceCidr ? { servicesIpv4CidrBlock: target.network.serviceCidr } : {}),
    };
  }
  if (target.endpoint) {
    if (target.endpoint.authorizedCidrs.length) {
      body.masterAuthorizedNetworksConfig = {
        enabled: true,
        cidrBlocks: target.endpoint.authorizedCidrs.map((cidrBlock) => ({ cidrBlock })),
      };
    }
    if (target.endpoint.private) {
      body.privateClusterConfig = {
        enablePrivateNodes: true,
        enablePrivateEndpoint: !target.endpoint.public,
      };
    }
  }
  if (target.secretsEncryption) {
    body.databaseEncryption = { state: 'ENCRYPTED', keyName: target.secretsEncryption.keyRef };
  }
  if (target.addons?.length) body.addonsConfig = gkeAddonsConfig(target.addons);
  return body;
}
