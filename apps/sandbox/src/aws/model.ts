import type { IamRoleRec } from './iam.ts';
/** EKS state as persisted (plain JSON) and the pure status derivations over it. */

export interface EksUpdate {
  id: string;
  type: 'VersionUpdate' | 'ConfigUpdate' | 'AddonUpdate' | 'EndpointAccessUpdate' | 'LoggingUpdate';
  params: { type: string; value: string }[];
  createdAt: number;
  doneAt: number;
  /** '' = the cluster itself */
  nodegroup?: string;
  addon?: string;
  clientRequestToken?: string;
  failed?: string;
  /** applied when the update completes */
  apply?: {
    version?: string;
    platformVersion?: string;
    releaseVersion?: string;
    scaling?: { minSize: number; maxSize: number; desiredSize: number };
    addLabels?: Record<string, string>;
    removeLabels?: string[];
    addTaints?: EksTaint[];
    removeTaints?: EksTaint[];
    addonVersion?: string;
  };
  applied?: boolean;
}

export interface EksTaint {
  key: string;
  value?: string;
  effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE';
}

export interface EksNodegroup {
  name: string;
  arn: string;
  uuid: string;
  createdAt: number;
  modifiedAt: number;
  readyAt: number;
  failed?: string;
  deleteStartedAt?: number;
  deleteDoneAt?: number;
  version: string;
  releaseVersion: string;
  capacityType: 'ON_DEMAND' | 'SPOT' | 'CAPACITY_BLOCK';
  scaling: { minSize: number; maxSize: number; desiredSize: number };
  instanceTypes: string[];
  subnets: string[];
  amiType: string;
  nodeRole: string;
  labels: Record<string, string>;
  taints: EksTaint[];
  diskSize: number;
  tags: Record<string, string>;
  updateConfig: { maxUnavailable?: number; maxUnavailablePercentage?: number };
  remoteAccess?: { ec2SshKey?: string; sourceSecurityGroups?: string[] };
  clientRequestToken?: string;
}

export interface EksAddon {
  name: string;
  arn: string;
  version: string;
  createdAt: number;
  modifiedAt: number;
  readyAt: number;
  failed?: string;
  deleteStartedAt?: number;
  deleteDoneAt?: number;
  serviceAccountRoleArn?: string;
  configurationValues?: string;
  tags: Record<string, string>;
  clientRequestToken?: string;
}

export interface EksCluster {
  account: string;
  region: string;
  name: string;
  arn: string;
  id: string;
  createdAt: number;
  readyAt: number;
  failed?: string;
  deleteStartedAt?: number;
  deleteDoneAt?: number;
  version: string;
  platformVersion: string;
  roleArn: string;
  vpc: {
    subnetIds: string[];
    securityGroupIds: string[];
    clusterSecurityGroupId: string;
    vpcId: string;
    endpointPublicAccess: boolean;
    endpointPrivateAccess: boolean;
    publicAccessCidrs: string[];
  };
  serviceIpv4Cidr: string;
  ipFamily: string;
  logging: { types: string[]; enabled: boolean }[];
  authenticationMode: string;
  bootstrapClusterCreatorAdminPermissions: boolean;
  supportType: string;
  deletionProtection: boolean;
  tags: Record<string, string>;
  clientRequestToken?: string;
  updates: EksUpdate[];
  nodegroups: Record<string, EksNodegroup>;
  addons: Record<string, EksAddon>;
  /** demo fleet: install the demo workloads once the kube cluster exists */
  demoWorkloads?: 'pending' | 'done';
}

/** A VPC the account made (CreateVpc); the default VPC is derived, never stored (network.ts). */
export interface Ec2Vpc {
  vpcId: string;
  cidr: string;
  dhcpOptionsId: string;
  mainRouteTableId: string;
  tags: Record<string, string>;
}

export interface Ec2Subnet {
  subnetId: string;
  vpcId: string;
  zone: string;
  zoneId: string;
  cidr: string;
  mapPublicIpOnLaunch: boolean;
  tags: Record<string, string>;
}

export interface Ec2InternetGateway {
  internetGatewayId: string;
  /** the VPC it is attached to */
  vpcId?: string;
  tags: Record<string, string>;
}

export interface Ec2Route {
  destinationCidrBlock: string;
  /** `local` for the VPC's own range */
  gatewayId: string;
}

export interface Ec2RouteTable {
  routeTableId: string;
  vpcId: string;
  main: boolean;
  routes: Ec2Route[];
  tags: Record<string, string>;
}

/** What an account made in EC2 in one region. */
export interface Ec2Region {
  vpcs: Record<string, Ec2Vpc>;
  subnets: Record<string, Ec2Subnet>;
  internetGateways: Record<string, Ec2InternetGateway>;
  routeTables: Record<string, Ec2RouteTable>;
}

export interface AwsAccount {
  id: string;
  displayName: string;
  /** regions whose default VPC this account no longer has (deleted, as some organisations do) */
  noDefaultVpc?: string[];
  /** VPCs, subnets, gateways and route tables made through EC2, per region */
  ec2?: Record<string, Ec2Region>;
  /** IAM roles by name; absent: the roles a prepared account has (see iam.ts) */
  roles?: Record<string, IamRoleRec>;
  /** EC2 vCPU quotas by Service Quotas code (L-1216C47A ...); absent: a prepared account's (see service-quotas.ts) */
  vcpuQuotas?: Record<string, number>;
}

export interface AwsState {
  accounts: Record<string, AwsAccount>;
  /** key: `${account}/${region}/${name}` */
  clusters: Record<string, EksCluster>;
}

export type ClusterStatus = 'CREATING' | 'ACTIVE' | 'DELETING' | 'FAILED' | 'UPDATING';
export type NodegroupStatus =
  | 'CREATING'
  | 'ACTIVE'
  | 'UPDATING'
  | 'DELETING'
  | 'CREATE_FAILED'
  | 'DELETE_FAILED'
  | 'DEGRADED';
export type AddonStatus =
  | 'CREATING'
  | 'ACTIVE'
  | 'CREATE_FAILED'
  | 'UPDATING'
  | 'DELETING'
  | 'DELETE_FAILED'
  | 'DEGRADED'
  | 'UPDATE_FAILED';

export const clusterKey = (account: string, region: string, name: string): string =>
  `${account}/${region}/${name}`;

function updateInProgress(c: EksCluster, now: number, pred: (u: EksUpdate) => boolean): boolean {
  return c.updates.some((u) => pred(u) && now < u.doneAt);
}

export function clusterStatus(c: EksCluster, now: number): ClusterStatus {
  if (c.deleteStartedAt !== undefined) return 'DELETING';
  if (now < c.readyAt) return 'CREATING';
  if (c.failed !== undefined) return 'FAILED';
  if (updateInProgress(c, now, (u) => !u.nodegroup && !u.addon)) return 'UPDATING';
  return 'ACTIVE';
}

export function nodegroupStatus(c: EksCluster, ng: EksNodegroup, now: number): NodegroupStatus {
  if (ng.deleteStartedAt !== undefined) return 'DELETING';
  if (now < ng.readyAt) return 'CREATING';
  if (ng.failed !== undefined) return 'CREATE_FAILED';
  if (updateInProgress(c, now, (u) => u.nodegroup === ng.name)) return 'UPDATING';
  return 'ACTIVE';
}

export function addonStatus(c: EksCluster, a: EksAddon, now: number): AddonStatus {
  if (a.deleteStartedAt !== undefined) return 'DELETING';
  if (now < a.readyAt) return 'CREATING';
  if (a.failed !== undefined) return 'CREATE_FAILED';
  if (updateInProgress(c, now, (u) => u.addon === a.name)) return 'UPDATING';
  return 'ACTIVE';
}

export function updateStatus(u: EksUpdate, now: number): 'InProgress' | 'Successful' | 'Failed' {
  if (now < u.doneAt) return 'InProgress';
  return u.failed ? 'Failed' : 'Successful';
}

/**
 * The earliest moment after `now` at which a status the kube hub depends on changes by itself
 * (a cluster, node group or add-on becomes ready, an update finishes, a deletion completes), or
 * Infinity when nothing is in flight. Until then only a write can change what the hub shows.
 */
export function nextTransitionAt(state: AwsState, now: number): number {
  let next = Number.POSITIVE_INFINITY;
  const consider = (t: number | undefined) => {
    if (t !== undefined && t > now && t < next) next = t;
  };
  for (const c of Object.values(state.clusters)) {
    consider(c.readyAt);
    consider(c.deleteDoneAt);
    for (const u of c.updates) if (!u.applied) consider(u.doneAt);
    for (const ng of Object.values(c.nodegroups)) {
      consider(ng.readyAt);
      consider(ng.deleteDoneAt);
    }
    for (const a of Object.values(c.addons)) {
      consider(a.readyAt);
      consider(a.deleteDoneAt);
    }
  }
  return next;
}

/**
 * Advance the simulated world to `now`: apply finished updates, drop finished deletions.
 * Returns true when the state changed (persist it).
 */
export function settle(state: AwsState, now: number, onClusterGone: (c: EksCluster) => void): boolean {
  let changed = false;
  for (const [key, c] of Object.entries(state.clusters)) {
    if (c.deleteDoneAt !== undefined && now >= c.deleteDoneAt) {
      delete state.clusters[key];
      onClusterGone(c);
      changed = true;
      continue;
    }
    for (const u of c.updates) {
      if (u.applied || now < u.doneAt) continue;
      u.applied = true;
      changed = true;
      if (u.failed || !u.apply) continue;
      const a = u.apply;
      if (u.addon) {
        const addon = c.addons[u.addon];
        if (addon && a.addonVersion) {
          addon.version = a.addonVersion;
          addon.modifiedAt = u.doneAt;
        }
        continue;
      }
      if (u.nodegroup) {
        const ng = c.nodegroups[u.nodegroup];
        if (!ng) continue;
        ng.modifiedAt = u.doneAt;
        if (a.version) ng.version = a.version;
        if (a.releaseVersion) ng.releaseVersion = a.releaseVersion;
        if (a.scaling) ng.scaling = { ...a.scaling };
        for (const k of a.removeLabels ?? []) delete ng.labels[k];
        Object.assign(ng.labels, a.addLabels ?? {});
        const taintKey = (t: EksTaint) => `${t.key}:${t.effect}`;
        const removed = new Set((a.removeTaints ?? []).map(taintKey));
        const added = a.addTaints ?? [];
        const addedKeys = new Set(added.map(taintKey));
        ng.taints = [
          ...ng.taints.filter((t) => !removed.has(taintKey(t)) && !addedKeys.has(taintKey(t))),
          ...added,
        ];
        continue;
      }
      if (a.version) c.version = a.version;
      if (a.platformVersion) c.platformVersion = a.platformVersion;
    }
    for (const [name, ng] of Object.entries(c.nodegroups)) {
      if (ng.deleteDoneAt !== undefined && now >= ng.deleteDoneAt) {
        delete c.nodegroups[name];
        changed = true;
      }
    }
    for (const [name, a] of Object.entries(c.addons)) {
      if (a.deleteDoneAt !== undefined && now >= a.deleteDoneAt) {
        delete c.addons[name];
        changed = true;
      }
    }
  }
  return changed;
}
