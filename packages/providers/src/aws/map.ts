/** Pure mapping between EKS documents and the canonical ClusterSpec (model.md). */
import type {
  AMITypes,
  Cluster,
  CreateClusterRequest,
  CreateNodegroupRequest,
  Nodegroup,
  Taint as EksTaint,
  TaintEffect,
} from '@aws-sdk/client-eks';
import type { ClusterSpec, NodePoolSpec, Taint } from '@dolly/model';
import { CloudError } from '../errors';
import { environmentOf } from '../util';

const EFFECT_TO_K8S: Record<string, Taint['effect']> = {
  NO_SCHEDULE: 'NoSchedule',
  PREFER_NO_SCHEDULE: 'PreferNoSchedule',
  NO_EXECUTE: 'NoExecute',
};
const EFFECT_TO_EKS: Record<Taint['effect'], TaintEffect> = {
  NoSchedule: 'NO_SCHEDULE',
  PreferNoSchedule: 'PREFER_NO_SCHEDULE',
  NoExecute: 'NO_EXECUTE',
};

/** EKS installs these itself (or the console does); they are not something a clone must add. */
export const EKS_DEFAULT_ADDONS = new Set(['vpc-cni', 'coredns', 'kube-proxy', 'eks-pod-identity-agent']);

/** Account id from an EKS ARN (arn:aws:eks:us-east-1:111111111111:cluster/name). */
export function accountOfArn(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}

export function nodegroupToPool(
  ng: Nodegroup,
  zoneOfSubnet: (id: string) => string | undefined,
): NodePoolSpec {
  const scaling = ng.scalingConfig ?? {};
  const desired = scaling.desiredSize ?? 0;
  const pool: NodePoolSpec = {
    name: ng.nodegroupName ?? '',
    machineType: ng.instanceTypes?.[0] ?? '',
    nodeCount: desired,
    spot: ng.capacityType === 'SPOT',
    labels: { ...(ng.labels ?? {}) },
    taints: (ng.taints ?? []).map((t) => {
      const out: Taint = { key: t.key ?? '', effect: EFFECT_TO_K8S[t.effect ?? ''] ?? 'NoSchedule' };
      if (t.value !== undefined && t.value !== '') out.value = t.value;
      return out;
    }),
  };
  // EKS always has min/max; a pool is autoscaled when they allow a size other than the desired one
  const min = scaling.minSize ?? desired;
  const max = scaling.maxSize ?? desired;
  if (min !== desired || max !== desired) pool.autoscaling = { minNodes: min, maxNodes: max };
  const zones = [...new Set((ng.subnets ?? []).map(zoneOfSubnet).filter((z): z is string => !!z))].sort();
  if (zones.length > 0) pool.zones = zones;
  if (ng.diskSize !== undefined) pool.diskSizeGb = ng.diskSize;
  if (ng.version) pool.kubernetesVersion = ng.version;
  const ami = ng.amiType ?? '';
  if (ami && ami !== 'CUSTOM') {
    pool.arch = /ARM/.test(ami) ? 'arm64' : 'x86_64';
    pool.os = /WINDOWS/.test(ami) ? 'windows' : 'linux';
  }
  return pool;
}

export function eksToSpec(
  cluster: Cluster,
  nodegroups: Nodegroup[],
  opts: {
    region: string;
    account: string;
    addons?: string[];
    zoneOfSubnet: (id: string) => string | undefined;
  },
): ClusterSpec {
  const labels = { ...(cluster.tags ?? {}) };
  const spec: ClusterSpec = {
    cloud: 'aws',
    scope: accountOfArn(cluster.arn) ?? opts.account,
    location: opts.region,
    name: cluster.name ?? '',
    kubernetesVersion: cluster.version ?? '',
    labels,
    nodePools: nodegroups
      .map((ng) => nodegroupToPool(ng, opts.zoneOfSubnet))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
  const env = environmentOf(labels);
  if (env) spec.environment = env;
  const vpc = cluster.resourcesVpcConfig;
  if (vpc) {
    spec.endpoint = {
      public: vpc.endpointPublicAccess ?? true,
      private: vpc.endpointPrivateAccess ?? false,
      authorizedCidrs: vpc.endpointPublicAccess === false ? [] : [...(vpc.publicAccessCidrs ?? [])],
    };
  }
  const net = cluster.kubernetesNetworkConfig;
  spec.network = { plugin: 'vpc-cni', ...(net?.serviceIpv4Cidr ? { serviceCidr: net.serviceIpv4Cidr } : {}) };
  const keyArn = cluster.encryptionConfig?.[0]?.provider?.keyArn;
  if (keyArn) spec.secretsEncryption = { keyRef: keyArn };
  const addons = (opts.addons ?? []).filter((a) => !EKS_DEFAULT_ADDONS.has(a)).sort();
  if (addons.length > 0) spec.addons = addons;
  return spec;
}

/** EKS takes minors only ("1.34"); a full version in a spec is cut to its minor. */
export function eksMinor(version: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : version;
}

export function createClusterInput(
  target: ClusterSpec,
  opts: { roleArn: string; subnetIds: string[]; tags: Record<string, string>; clientRequestToken: string },
): CreateClusterRequest {
  const input: CreateClusterRequest = {
    name: target.name,
    version: eksMinor(target.kubernetesVersion),
    roleArn: opts.roleArn,
    resourcesVpcConfig: { subnetIds: opts.subnetIds },
    tags: opts.tags,
    clientRequestToken: opts.clientRequestToken,
  };
  if (target.endpoint && input.resourcesVpcConfig) {
    input.resourcesVpcConfig.endpointPublicAccess = target.endpoint.public;
    input.resourcesVpcConfig.endpointPrivateAccess = target.endpoint.private;
    if (target.endpoint.public && target.endpoint.authorizedCidrs.length > 0) {
      input.resourcesVpcConfig.publicAccessCidrs = target.endpoint.authorizedCidrs;
    }
  }
  if (target.network?.serviceCidr)
    input.kubernetesNetworkConfig = { serviceIpv4Cidr: target.network.serviceCidr };
  if (target.secretsEncryption) {
    input.encryptionConfig = [
      { resources: ['secrets'], provider: { keyArn: target.secretsEncryption.keyRef } },
    ];
  }
  return input;
}

/**
 * The AMI type for a pool. The architecture is the pool's, else the machine type's (the catalog's):
 * without an AMI type EKS picks an x86_64 AMI, which a Graviton instance cannot boot.
 */
export function amiTypeFor(
  pool: NodePoolSpec,
  gpus: number,
  typeArch?: 'x86_64' | 'arm64',
): AMITypes | undefined {
  const arch = pool.arch ?? typeArch;
  if (pool.os === 'windows') return 'WINDOWS_CORE_2022_x86_64';
  if (arch === 'arm64') return gpus > 0 ? 'AL2023_ARM_64_NVIDIA' : 'AL2023_ARM_64_STANDARD';
  if (gpus > 0) return 'AL2023_x86_64_NVIDIA';
  if (arch === 'x86_64') return 'AL2023_x86_64_STANDARD';
  return undefined;
}

/**
 * EKS managed node groups take max pods and the volume type only from a launch template, which Dolly
 * does not create: refuse instead of creating a node group that silently differs (the planner lists
 * them under `dropped` for EKS targets, so only a hand-edited plan gets here).
 */
function refuseLaunchTemplateFields(pool: NodePoolSpec): void {
  for (const field of ['maxPods', 'diskType'] as const) {
    if (pool[field] === undefined) continue;
    throw new CloudError({
      cloud: 'aws',
      operation: 'CreateNodegroup',
      class: 'rejected',
      field: `nodePools[${pool.name}].${field}`,
      message: `pool ${pool.name}: EKS node groups set ${field} only through a launch template, which Dolly does not create; remove ${field} from the plan (EKS uses its default) or create the node group with a launch template`,
    });
  }
}

export function createNodegroupInput(
  cluster: string,
  pool: NodePoolSpec,
  opts: {
    nodeRole: string;
    subnets: string[];
    tags: Record<string, string>;
    clientRequestToken: string;
    gpus: number;
    /** The machine type's architecture from the catalog, for pools that do not state theirs. */
    arch?: 'x86_64' | 'arm64';
  },
): CreateNodegroupRequest {
  refuseLaunchTemplateFields(pool);
  const min = pool.autoscaling?.minNodes ?? pool.nodeCount;
  const max = pool.autoscaling?.maxNodes ?? Math.max(pool.nodeCount, 1);
  const input: CreateNodegroupRequest = {
    clusterName: cluster,
    nodegroupName: pool.name,
    nodeRole: opts.nodeRole,
    subnets: opts.subnets,
    instanceTypes: [pool.machineType],
    capacityType: pool.spot ? 'SPOT' : 'ON_DEMAND',
    scalingConfig: { minSize: min, maxSize: max, desiredSize: pool.nodeCount },
    labels: { ...pool.labels },
    taints: pool.taints.map((t): EksTaint => {
      const out: EksTaint = { key: t.key, effect: EFFECT_TO_EKS[t.effect] };
      if (t.value !== undefined) out.value = t.value;
      return out;
    }),
    tags: opts.tags,
    clientRequestToken: opts.clientRequestToken,
  };
  if (pool.diskSizeGb !== undefined) input.diskSize = pool.diskSizeGb;
  if (pool.kubernetesVersion) input.version = eksMinor(pool.kubernetesVersion);
  const ami = amiTypeFor(pool, opts.gpus, opts.arch);
  if (ami) input.amiType = ami;
  return input;
}
