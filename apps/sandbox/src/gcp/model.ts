import type { KubeClusterInfo, KubeNodePool } from '../context.ts';
import { type CatalogView, isRecord, type Json } from '../module-util.ts';

export type ClusterStatus = 'PROVISIONING' | 'RUNNING' | 'RECONCILING' | 'STOPPING' | 'ERROR' | 'DEGRADED';
export type PoolStatus =
  | 'PROVISIONING'
  | 'RUNNING'
  | 'RUNNING_WITH_ERROR'
  | 'RECONCILING'
  | 'STOPPING'
  | 'ERROR';
export type OpType =
  | 'CREATE_CLUSTER'
  | 'DELETE_CLUSTER'
  | 'UPDATE_CLUSTER'
  | 'CREATE_NODE_POOL'
  | 'DELETE_NODE_POOL'
  | 'SET_NODE_POOL_SIZE'
  | 'UPGRADE_MASTER'
  | 'UPGRADE_NODES'
  | 'SET_LABELS';

export const ENUMS = {
  clusterStatus: {
    STATUS_UNSPECIFIED: 0,
    PROVISIONING: 1,
    RUNNING: 2,
    RECONCILING: 3,
    STOPPING: 4,
    ERROR: 5,
    DEGRADED: 6,
  },
  poolStatus: {
    STATUS_UNSPECIFIED: 0,
    PROVISIONING: 1,
    RUNNING: 2,
    RUNNING_WITH_ERROR: 3,
    RECONCILING: 4,
    STOPPING: 5,
    ERROR: 6,
  },
  opStatus: { STATUS_UNSPECIFIED: 0, PENDING: 1, RUNNING: 2, DONE: 3, ABORTING: 4 },
  opType: {
    TYPE_UNSPECIFIED: 0,
    CREATE_CLUSTER: 1,
    DELETE_CLUSTER: 2,
    UPGRADE_MASTER: 3,
    UPGRADE_NODES: 4,
    REPAIR_CLUSTER: 5,
    UPDATE_CLUSTER: 6,
    CREATE_NODE_POOL: 7,
    DELETE_NODE_POOL: 8,
    SET_NODE_POOL_MANAGEMENT: 9,
    AUTO_REPAIR_NODES: 10,
    AUTO_UPGRADE_NODES: 11,
    SET_LABELS: 12,
    SET_MASTER_AUTH: 13,
    SET_NODE_POOL_SIZE: 14,
    SET_NETWORK_POLICY: 15,
    SET_MAINTENANCE_POLICY: 16,
    RESIZE_CLUSTER: 18,
    FLEET_FEATURE_UPGRADE: 19,
  },
  channel: { UNSPECIFIED: 0, RAPID: 1, REGULAR: 2, STABLE: 3, EXTENDED: 4 },
  effect: { EFFECT_UNSPECIFIED: 0, NO_SCHEDULE: 1, PREFER_NO_SCHEDULE: 2, NO_EXECUTE: 3 },
} as const;

export type EnumName = keyof typeof ENUMS;

/** Accepts a request enum as number or name, returns the name. */
export function enumName(kind: EnumName, v: unknown): string | undefined {
  const table = ENUMS[kind] as Record<string, number>;
  if (typeof v === 'string' && v in table) return v;
  if (typeof v === 'number') return Object.entries(table).find(([, n]) => n === v)?.[0];
  return undefined;
}

function enc(kind: EnumName, name: string, numeric: boolean): string | number {
  if (!numeric) return name;
  return (ENUMS[kind] as Record<string, number>)[name] ?? 0;
}

export interface TaintRec {
  key: string;
  value: string;
  effect: 'NO_SCHEDULE' | 'PREFER_NO_SCHEDULE' | 'NO_EXECUTE';
}

export interface GkePoolRec {
  name: string;
  machineType: string;
  diskSizeGb: number;
  diskType: string;
  imageType: string;
  /** per zone */
  initialNodeCount: number;
  /** current nodes per zone */
  nodeCountPerZone: number;
  locations: string[];
  labels: Record<string, string>;
  resourceLabels: Record<string, string>;
  taints: TaintRec[];
  spot: boolean;
  preemptible: boolean;
  autoscaling?: {
    minNodeCount?: number;
    maxNodeCount?: number;
    totalMinNodeCount?: number;
    totalMaxNodeCount?: number;
    locationPolicy: string;
  };
  version: string;
  maxPodsPerNode: number;
  serviceAccount: string;
  oauthScopes: string[];
  status: PoolStatus;
  statusMessage?: string;
}

export interface GkeClusterRec {
  /** clusterId: gcp-<project>-<location>-<name>, lowercase */
  key: string;
  projectId: string;
  location: string;
  name: string;
  description: string;
  regional: boolean;
  locations: string[];
  resourceLabels: Record<string, string>;
  releaseChannel: string;
  initialClusterVersion: string;
  currentMasterVersion: string;
  network: string;
  subnetwork: string;
  workloadPool?: string;
  status: ClusterStatus;
  statusMessage?: string;
  createTime: string;
  nodePools: GkePoolRec[];
  id: string;
}

export interface GkeOpRec {
  name: string;
  projectId: string;
  location: string;
  clusterKey: string;
  clusterName: string;
  pool?: string;
  type: OpType;
  startedAt: number;
  endsAt: number;
  status: 'RUNNING' | 'DONE' | 'ABORTING';
  error?: { code: number; message: string };
  finishedAt?: number;
  detail?: string;
}

export function clusterKey(project: string, location: string, name: string): string {
  return `gcp-${project}-${location}-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

export function clusterPath(c: { projectId: string; location: string; name: string }): string {
  return `projects/${c.projectId}/locations/${c.location}/clusters/${c.name}`;
}

export function regionOfLocation(location: string): string {
  return /^(.*)-[a-z]$/.exec(location)?.[1] ?? location;
}

export function totalNodes(p: GkePoolRec): number {
  return p.nodeCountPerZone * p.locations.length;
}

function taintBody(t: TaintRec, numeric: boolean): Json {
  return { key: t.key, value: t.value, effect: enc('effect', t.effect, numeric) };
}

export function poolBody(base: string, c: GkeClusterRec, p: GkePoolRec, numeric: boolean): Json {
  const body: Json = {
    name: p.name,
    config: {
      machineType: p.machineType,
      diskSizeGb: p.diskSizeGb,
      oauthScopes: p.oauthScopes,
      serviceAccount: p.serviceAccount,
      metadata: { 'disable-legacy-endpoints': 'true' },
      imageType: p.imageType,
      labels: p.labels,
      resourceLabels: p.resourceLabels,
      diskType: p.diskType,
      taints: p.taints.map((t) => taintBody(t, numeric)),
      spot: p.spot || undefined,
      preemptible: p.preemptible || undefined,
      shieldedInstanceConfig: { enableIntegrityMonitoring: true },
      workloadMetadataConfig: c.workloadPool ? { mode: numeric ? 2 : 'GKE_METADATA' } : undefined,
    },
    initialNodeCount: p.initialNodeCount,
    locations: p.locations,
    networkConfig: { podRange: 'gke-pods', podIpv4CidrBlock: '10.4.0.0/14' },
    selfLink: `${base}/v1/${clusterPath(c)}/nodePools/${p.name}`,
    version: p.version,
    instanceGroupUrls: p.locations.map(
      (z) =>
        `https://www.googleapis.com/compute/v1/projects/${c.projectId}/zones/${z}/instanceGroupManagers/gke-${c.name.slice(0, 15)}-${p.name.slice(0, 15)}-grp`,
    ),
    status: enc('poolStatus', p.status, numeric),
    management: { autoUpgrade: true, autoRepair: true },
    maxPodsConstraint: { maxPodsPerNode: String(p.maxPodsPerNode) },
    podIpv4CidrSize: 24,
    upgradeSettings: { maxSurge: 1, strategy: numeric ? 3 : 'SURGE' },
    etag: `${p.name}-${p.status}-${totalNodes(p)}`,
  };
  if (p.statusMessage) body.statusMessage = p.statusMessage;
  if (p.autoscaling) {
    body.autoscaling = {
      enabled: true,
      ...(p.autoscaling.minNodeCount !== undefined ? { minNodeCount: p.autoscaling.minNodeCount } : {}),
      ...(p.autoscaling.maxNodeCount !== undefined ? { maxNodeCount: p.autoscaling.maxNodeCount } : {}),
      ...(p.autoscaling.totalMinNodeCount !== undefined
        ? { totalMinNodeCount: p.autoscaling.totalMinNodeCount }
        : {}),
      ...(p.autoscaling.totalMaxNodeCount !== undefined
        ? { totalMaxNodeCount: p.autoscaling.totalMaxNodeCount }
        : {}),
      locationPolicy: numeric
        ? p.autoscaling.locationPolicy === 'ANY'
          ? 2
          : 1
        : p.autoscaling.locationPolicy,
    };
  }
  return body;
}

export function clusterBody(
  base: string,
  c: GkeClusterRec,
  numeric: boolean,
  kube: { endpoint: string; caPemBase64: string },
): Json {
  const nodes = c.nodePools.filter((p) => p.status !== 'PROVISIONING').reduce((n, p) => n + totalNodes(p), 0);
  const body: Json = {
    name: c.name,
    description: c.description || undefined,
    nodePools: c.nodePools.map((p) => poolBody(base, c, p, numeric)),
    locations: c.locations,
    resourceLabels: c.resourceLabels,
    labelFingerprint: Buffer.from(JSON.stringify(c.resourceLabels)).toString('hex').slice(0, 16),
    masterAuth: { clusterCaCertificate: kube.caPemBase64 },
    loggingService: 'logging.googleapis.com/kubernetes',
    monitoringService: 'monitoring.googleapis.com/kubernetes',
    network: c.network,
    subnetwork: c.subnetwork,
    clusterIpv4Cidr: '10.4.0.0/14',
    servicesIpv4Cidr: '34.118.224.0/20',
    addonsConfig: {
      httpLoadBalancing: {},
      horizontalPodAutoscaling: {},
      gcePersistentDiskCsiDriverConfig: { enabled: true },
    },
    ipAllocationPolicy: {
      useIpAliases: true,
      clusterIpv4CidrBlock: '10.4.0.0/14',
      servicesIpv4CidrBlock: '34.118.224.0/20',
    },
    releaseChannel: { channel: enc('channel', c.releaseChannel, numeric) },
    ...(c.workloadPool ? { workloadIdentityConfig: { workloadPool: c.workloadPool } } : {}),
    selfLink: `${base}/v1/${clusterPath(c)}`,
    zone: c.location,
    endpoint: kube.endpoint,
    initialClusterVersion: c.initialClusterVersion,
    currentMasterVersion: c.currentMasterVersion,
    currentNodeVersion: c.nodePools[0]?.version ?? c.currentMasterVersion,
    createTime: c.createTime,
    status: enc('clusterStatus', c.status, numeric),
    currentNodeCount: nodes,
    location: c.location,
    id: c.id,
    etag: `${c.id.slice(0, 8)}-${c.status}`,
    autopilot: {},
    nodePoolDefaults: { nodeConfigDefaults: {} },
    controlPlaneEndpointsConfig: {
      dnsEndpointConfig: { allowExternalTraffic: false },
      ipEndpointsConfig: { enabled: true, enablePublicEndpoint: true, publicEndpoint: kube.endpoint },
    },
  };
  if (c.statusMessage) body.statusMessage = c.statusMessage;
  return body;
}

export function opBody(base: string, op: GkeOpRec, now: number, numeric: boolean): Json {
  const status =
    op.status === 'RUNNING' && now - op.startedAt < Math.min(1000, (op.endsAt - op.startedAt) / 20)
      ? 'PENDING'
      : op.status;
  const target = op.pool
    ? `${base}/v1/projects/${op.projectId}/locations/${op.location}/clusters/${op.clusterName}/nodePools/${op.pool}`
    : `${base}/v1/projects/${op.projectId}/locations/${op.location}/clusters/${op.clusterName}`;
  const total = Math.max(1, op.endsAt - op.startedAt);
  const done = op.status === 'DONE' ? total : Math.min(total - 1, Math.max(0, now - op.startedAt));
  const body: Json = {
    name: op.name,
    zone: op.location,
    operationType: enc('opType', op.type, numeric),
    status: enc('opStatus', status, numeric),
    selfLink: `${base}/v1/projects/${op.projectId}/locations/${op.location}/operations/${op.name}`,
    targetLink: target,
    location: op.location,
    startTime: new Date(op.startedAt).toISOString(),
    progress: {
      metrics: [
        { name: 'PROGRESS_TOTAL', intValue: String(Math.round(total / 1000) || 1) },
        { name: 'PROGRESS_DONE', intValue: String(Math.round(done / 1000)) },
      ],
    },
  };
  if (op.detail) body.detail = op.detail;
  if (op.finishedAt !== undefined) body.endTime = new Date(op.finishedAt).toISOString();
  if (op.error) {
    body.error = { code: op.error.code, message: op.error.message, details: [] };
    body.statusMessage = op.error.message;
  }
  return body;
}

export function kubeInfo(c: GkeClusterRec, cat: CatalogView): KubeClusterInfo {
  const region = regionOfLocation(c.location);
  const pools: KubeNodePool[] = c.nodePools
    .filter((p) => p.status !== 'PROVISIONING' && p.status !== 'ERROR')
    .map((p) => {
      const mt = cat.machineType('gcp', p.machineType, region) ?? cat.machineType('gcp', p.machineType);
      const arch = mt?.arch === 'arm64' ? 'arm64' : 'x86_64';
      const family = p.machineType.split('-')[0] ?? p.machineType;
      const labels: Record<string, string> = {
        'cloud.google.com/gke-nodepool': p.name,
        'cloud.google.com/gke-os-distribution': 'cos',
        'cloud.google.com/gke-boot-disk': p.diskType,
        'cloud.google.com/gke-container-runtime': 'containerd',
        'cloud.google.com/machine-family': family,
        'cloud.google.com/gke-provisioning': p.spot ? 'spot' : p.preemptible ? 'preemptible' : 'standard',
        'node.kubernetes.io/instance-type': p.machineType,
        'beta.kubernetes.io/instance-type': p.machineType,
        'topology.kubernetes.io/region': region,
        'failure-domain.beta.kubernetes.io/region': region,
        'kubernetes.io/arch': arch === 'arm64' ? 'arm64' : 'amd64',
        'beta.kubernetes.io/arch': arch === 'arm64' ? 'arm64' : 'amd64',
        'kubernetes.io/os': 'linux',
        'beta.kubernetes.io/os': 'linux',
        ...(p.spot ? { 'cloud.google.com/gke-spot': 'true' } : {}),
        ...(p.preemptible ? { 'cloud.google.com/gke-preemptible': 'true' } : {}),
        ...(c.workloadPool ? { 'iam.gke.io/gke-metadata-server-enabled': 'true' } : {}),
        ...p.labels,
      };
      const effect = {
        NO_SCHEDULE: 'NoSchedule',
        PREFER_NO_SCHEDULE: 'PreferNoSchedule',
        NO_EXECUTE: 'NoExecute',
      } as const;
      return {
        name: p.name,
        machineType: p.machineType,
        nodeCount: totalNodes(p),
        zones: p.locations,
        vcpus: mt?.vcpus ?? 2,
        memoryGiB: mt?.memoryGiB ?? 8,
        arch,
        os: 'linux',
        spot: p.spot || p.preemptible,
        labels,
        taints: p.taints.map((t) => ({
          key: t.key,
          ...(t.value ? { value: t.value } : {}),
          effect: effect[t.effect],
        })),
      };
    });
  return {
    cloud: 'gcp',
    scope: c.projectId,
    location: c.location,
    name: c.name,
    kubernetesVersion: c.currentMasterVersion,
    nodePools: pools,
  };
}

export function asJson(v: unknown): Json {
  return isRecord(v) ? v : {};
}
