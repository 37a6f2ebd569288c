/** The EKS control plane: operations over AwsState, with EKS's validation rules and shapes. */
import { IAM_PROPAGATION_MS, roleTrusts } from './iam.ts';
import { launchRefusal } from './service-quotas.ts';
import { randomUUID } from 'node:crypto';
import type { MachineTypeInfo } from '@dolly/model';
import type { FaultRule, KubeClusterInfo, KubeNodePool, SandboxContext } from '../context.ts';
import { ADDONS, addonVersionsFor } from './addons.ts';
import {
  type AwsState,
  addonStatus,
  clusterKey,
  clusterStatus,
  type EksAddon,
  type EksCluster,
  type EksNodegroup,
  type EksTaint,
  type EksUpdate,
  nodegroupStatus,
  updateStatus,
} from './model.ts';
import { regionSubnets, securityGroupId } from './network.ts';
import { AwsError, decodeToken, eksErrors, encodeToken } from './protocol.ts';
import type { EksRoute } from './route.ts';

/** Real durations in ms (divided by SANDBOX_SPEED). */
export const EKS_DURATIONS = {
  clusterCreate: 14 * 60_000,
  clusterDelete: 10 * 60_000,
  clusterVersionUpdate: 9 * 60_000,
  clusterConfigUpdate: 2 * 60_000,
  nodegroupCreate: 3 * 60_000,
  nodegroupDelete: 150_000,
  nodegroupConfigUpdate: 60_000,
  nodegroupVersionUpdate: 6 * 60_000,
  addonCreate: 60_000,
  addonDelete: 30_000,
  addonUpdate: 45_000,
};

/** EKS service quota: clusters per region per account */
export const MAX_CLUSTERS_PER_REGION = 100;
const NAME_RE = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const AMI_TYPES = [
  'AL2_x86_64',
  'AL2_x86_64_GPU',
  'AL2_ARM_64',
  'CUSTOM',
  'BOTTLEROCKET_ARM_64',
  'BOTTLEROCKET_x86_64',
  'BOTTLEROCKET_ARM_64_FIPS',
  'BOTTLEROCKET_x86_64_FIPS',
  'BOTTLEROCKET_ARM_64_NVIDIA',
  'BOTTLEROCKET_x86_64_NVIDIA',
  'WINDOWS_CORE_2019_x86_64',
  'WINDOWS_FULL_2019_x86_64',
  'WINDOWS_CORE_2022_x86_64',
  'WINDOWS_FULL_2022_x86_64',
  'AL2023_x86_64_STANDARD',
  'AL2023_ARM_64_STANDARD',
  'AL2023_x86_64_NEURON',
  'AL2023_x86_64_NVIDIA',
  'AL2023_ARM_64_NVIDIA',
];
const TAINT_EFFECTS = ['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE'] as const;
const LABEL_KEY_RE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const PATCH_OF: Record<string, string> = {
  '1.30': '1.30.14',
  '1.31': '1.31.13',
  '1.32': '1.32.9',
  '1.33': '1.33.5',
  '1.34': '1.34.2',
  '1.35': '1.35.1',
  '1.36': '1.36.0',
};

export interface Caller {
  account: string;
  region: string;
}

export interface EksRequest {
  route: EksRoute;
  caller: Caller;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** async-failure fault for creates, taken by the module */
  takeAsyncFailure(): FaultRule | undefined;
}

const sec = (ms: number) => ms / 1000;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function strList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw eksErrors.invalidParameter(`${field} must be a list of strings`);
  }
  return v as string[];
}
function strMap(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw eksErrors.invalidParameter(`${field} must be a map of strings`);
  }
  return { ...(v as Record<string, string>) };
}
function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

export function minorOf(version: string): string {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : version;
}

export function awsClusterId(account: string, region: string, name: string): string {
  return `aws-${account}-${region}-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

export class EksService {
  /** last KubeClusterInfo sent to the hub per clusterId (JSON), to call ensureCluster only on change */
  private readonly synced = new Map<string, string>();

  constructor(
    private readonly ctx: SandboxContext,
    private readonly state: () => AwsState,
  ) {}

  private now(): number {
    return this.ctx.now();
  }
  private dur(ms: number): number {
    return Math.max(1, Math.round(ms / this.ctx.speed()));
  }
  /** Deletes are idempotent: a second DELETE while one runs returns the same in-flight state. */
  private startDelete(
    r: { deleteStartedAt?: number; deleteDoneAt?: number; modifiedAt: number },
    realMs: number,
  ) {
    if (r.deleteStartedAt !== undefined) return;
    const now = this.now();
    r.deleteStartedAt = now;
    r.deleteDoneAt = now + this.dur(realMs);
    r.modifiedAt = now;
    this.ctx.markDirty();
  }

  // ---------- helpers ----------
  /** Roles CreateRole made after this moment have not reached EKS yet. */
  private propagatedBefore(): number {
    return this.now() - this.dur(IAM_PROPAGATION_MS);
  }

  zones(region: string): string[] {
    return this.ctx.catalog.region('aws', region)?.zones ?? [];
  }

  requireRegion(region: string): void {
    if (!this.ctx.catalog.region('aws', region)) {
      throw new AwsError(
        'UnrecognizedClientException',
        403,
        `Amazon EKS is not available in region ${region}.`,
      );
    }
  }

  private getCluster(caller: Caller, name: string | undefined): EksCluster {
    const c = name ? this.state().clusters[clusterKey(caller.account, caller.region, name)] : undefined;
    if (!c) throw eksErrors.notFound(`No cluster found for name: ${name}.`, { clusterName: name });
    return c;
  }

  private getNodegroup(c: EksCluster, name: string | undefined): EksNodegroup {
    const ng = name ? c.nodegroups[name] : undefined;
    if (!ng) {
      throw eksErrors.notFound(`No node group found for name: ${name}.`, {
        clusterName: c.name,
        nodegroupName: name,
      });
    }
    return ng;
  }

  private getAddon(c: EksCluster, name: string | undefined): EksAddon {
    const a = name ? c.addons[name] : undefined;
    if (!a) {
      throw eksErrors.notFound(`No addon: ${name} found in cluster: ${c.name}`, {
        clusterName: c.name,
        addonName: name,
      });
    }
    return a;
  }

  private supportedMinors(region: string): string[] {
    return this.ctx.catalog.kubernetesVersions('aws', region).map((v) => v.minor);
  }

  private defaultMinor(region: string): string {
    const list = this.ctx.catalog.kubernetesVersions('aws', region);
    return (list.find((v) => v.default) ?? list[0])?.minor ?? '1.34';
  }

  private validateTags(tags: Record<string, string> | undefined): Record<string, string> {
    const t = tags ?? {};
    if (Object.keys(t).length > 50)
      throw eksErrors.invalidParameter('Number of tags exceeds the limit of 50');
    for (const [k, v] of Object.entries(t)) {
      if (k.length === 0 || k.length > 128)
        throw eksErrors.invalidParameter(`Tag key ${k} must be 1 to 128 characters`);
      if (v.length > 256)
        throw eksErrors.invalidParameter(`Tag value for key ${k} must be at most 256 characters`);
      if (k.toLowerCase().startsWith('aws:'))
        throw eksErrors.invalidParameter('Tag keys starting with aws: are reserved');
    }
    return { ...t };
  }

  private subnetZones(caller: Caller, subnetIds: string[]): { vpcId: string; zones: string[] } {
    const all = regionSubnets(
      this.state().accounts[caller.account],
      caller.account,
      caller.region,
      this.zones(caller.region),
    );
    const zones: string[] = [];
    const vpcs = new Set<string>();
    for (const id of subnetIds) {
      const s = all.find((x) => x.subnetId === id);
      if (!s) throw eksErrors.invalidParameter(`The subnet ID '${id}' does not exist`);
      zones.push(s.zone);
      vpcs.add(s.vpcId);
    }
    if (vpcs.size > 1) throw eksErrors.invalidParameter('Subnets specified must belong to the same VPC');
    return { vpcId: [...vpcs][0] ?? '', zones: [...new Set(zones)] };
  }

  private platformVersion(minor: string): string {
    const n = Number(minor.split('.')[1] ?? 0);
    return `eks.${Math.max(1, 40 - n)}`;
  }

  releaseVersion(minor: string): string {
    return `${PATCH_OF[minor] ?? `${minor}.0`}-20251120`;
  }

  // ---------- shapes ----------
  clusterJson(c: EksCluster): Record<string, unknown> {
    const now = this.now();
    const status = clusterStatus(c, now);
    const up =
      status === 'ACTIVE' ||
      status === 'UPDATING' ||
      (status === 'DELETING' && now >= c.readyAt && !c.failed);
    const clusterId = awsClusterId(c.account, c.region, c.name);
    const out: Record<string, unknown> = {
      name: c.name,
      arn: c.arn,
      createdAt: sec(c.createdAt),
      version: c.version,
      roleArn: c.roleArn,
      resourcesVpcConfig: { ...c.vpc },
      kubernetesNetworkConfig: {
        serviceIpv4Cidr: c.serviceIpv4Cidr,
        ipFamily: c.ipFamily,
        elasticLoadBalancing: { enabled: false },
      },
      logging: { clusterLogging: c.logging },
      identity: {
        oidc: {
          issuer: `https://oidc.eks.${c.region}.amazonaws.com/id/${c.id.replace(/-/g, '').toUpperCase()}`,
        },
      },
      status,
      certificateAuthority: up ? { data: Buffer.from(this.ctx.caCertPem).toString('base64') } : {},
      platformVersion: c.platformVersion,
      tags: { ...c.tags },
      health: {
        issues:
          c.failed && status === 'FAILED'
            ? [{ code: 'InternalFailure', message: c.failed, resourceIds: [c.name] }]
            : [],
      },
      accessConfig: {
        bootstrapClusterCreatorAdminPermissions: c.bootstrapClusterCreatorAdminPermissions,
        authenticationMode: c.authenticationMode,
      },
      upgradePolicy: { supportType: c.supportType },
      deletionProtection: c.deletionProtection,
    };
    if (up) out.endpoint = this.ctx.kube.serverUrl(clusterId);
    if (c.clientRequestToken) out.clientRequestToken = c.clientRequestToken;
    return out;
  }

  nodegroupJson(c: EksCluster, ng: EksNodegroup): Record<string, unknown> {
    const now = this.now();
    const status = nodegroupStatus(c, ng, now);
    const out: Record<string, unknown> = {
      nodegroupName: ng.name,
      nodegroupArn: ng.arn,
      clusterName: c.name,
      version: ng.version,
      releaseVersion: ng.releaseVersion,
      createdAt: sec(ng.createdAt),
      modifiedAt: sec(Math.max(ng.modifiedAt, now >= ng.readyAt ? ng.readyAt : ng.createdAt)),
      status,
      capacityType: ng.capacityType,
      scalingConfig: { ...ng.scaling },
      instanceTypes: [...ng.instanceTypes],
      subnets: [...ng.subnets],
      amiType: ng.amiType,
      nodeRole: ng.nodeRole,
      labels: { ...ng.labels },
      taints: ng.taints.map((t) => ({ ...t })),
      diskSize: ng.diskSize,
      health: {
        issues:
          status === 'CREATE_FAILED'
            ? [
                {
                  code: 'AsgInstanceLaunchFailures',
                  message: ng.failed,
                  resourceIds: [`eks-${ng.name}-${ng.uuid}`],
                },
              ]
            : [],
      },
      updateConfig: { ...ng.updateConfig },
      tags: { ...ng.tags },
    };
    if (ng.remoteAccess) out.remoteAccess = ng.remoteAccess;
    if (status !== 'CREATING') out.resources = { autoScalingGroups: [{ name: `eks-${ng.name}-${ng.uuid}` }] };
    return out;
  }

  addonJson(c: EksCluster, a: EksAddon): Record<string, unknown> {
    const status = addonStatus(c, a, this.now());
    const out: Record<string, unknown> = {
      addonName: a.name,
      clusterName: c.name,
      status,
      addonVersion: a.version,
      health: {
        issues:
          status === 'CREATE_FAILED' ? [{ code: 'InternalFailure', message: a.failed, resourceIds: [] }] : [],
      },
      addonArn: a.arn,
      createdAt: sec(a.createdAt),
      modifiedAt: sec(a.modifiedAt),
      tags: { ...a.tags },
      publisher: 'eks',
      owner: 'aws',
    };
    if (a.serviceAccountRoleArn) out.serviceAccountRoleArn = a.serviceAccountRoleArn;
    if (a.configurationValues) out.configurationValues = a.configurationValues;
    return out;
  }

  updateJson(u: EksUpdate): Record<string, unknown> {
    const status = updateStatus(u, this.now());
    return {
      id: u.id,
      status,
      type: u.type,
      params: u.params.map((p) => ({ ...p })),
      createdAt: sec(u.createdAt),
      errors: status === 'Failed' ? [{ errorCode: 'Unknown', errorMessage: u.failed, resourceIds: [] }] : [],
    };
  }

  private page<T>(
    items: T[],
    query: URLSearchParams,
    salt: string,
    max = 100,
  ): { items: T[]; nextToken?: string } {
    const raw = query.get('maxResults');
    const maxResults = raw === null ? max : Number(raw);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max) {
      throw eksErrors.invalidParameter(`maxResults must be between 1 and ${max}`);
    }
    const offset = decodeToken(query.get('nextToken'), salt);
    if (offset === undefined) throw eksErrors.invalidParameter('The nextToken provided is invalid');
    const slice = items.slice(offset, offset + maxResults);
    const next = offset + maxResults < items.length ? encodeToken(offset + maxResults, salt) : undefined;
    return next ? { items: slice, nextToken: next } : { items: slice };
  }

  // ---------- operations ----------
  handle(req: EksRequest): unknown {
    const { route, caller } = req;
    this.requireRegion(caller.region);
    switch (route.op) {
      case 'CreateCluster':
        return { cluster: this.clusterJson(this.createCluster(req)) };
      case 'ListClusters': {
        const names = Object.values(this.state().clusters)
          .filter((c) => c.account === caller.account && c.region === caller.region)
          .map((c) => c.name)
          .sort();
        const p = this.page(names, req.query, `clusters/${caller.account}/${caller.region}`);
        return { clusters: p.items, nextToken: p.nextToken };
      }
      case 'DescribeCluster':
        return { cluster: this.clusterJson(this.getCluster(caller, route.cluster)) };
      case 'DeleteCluster':
        return { cluster: this.clusterJson(this.deleteCluster(caller, route.cluster)) };
      case 'UpdateClusterVersion':
        return { update: this.updateJson(this.updateClusterVersion(req)) };
      case 'UpdateClusterConfig':
        return { update: this.updateJson(this.updateClusterConfig(req)) };
      case 'ListUpdates': {
        const c = this.getCluster(caller, route.cluster);
        const ngName = req.query.get('nodegroupName') ?? undefined;
        const addonName = req.query.get('addonName') ?? undefined;
        if (ngName) this.getNodegroup(c, ngName);
        if (addonName) this.getAddon(c, addonName);
        const ids = c.updates
          .filter((u) =>
            ngName ? u.nodegroup === ngName : addonName ? u.addon === addonName : !u.nodegroup && !u.addon,
          )
          .map((u) => u.id);
        const p = this.page(ids, req.query, `updates/${c.arn}`);
        return { updateIds: p.items, nextToken: p.nextToken };
      }
      case 'DescribeUpdate': {
        const c = this.getCluster(caller, route.cluster);
        const u = c.updates.find((x) => x.id === route.updateId);
        if (!u)
          throw eksErrors.notFound(`No update found for ID: ${route.updateId}`, { clusterName: c.name });
        return { update: this.updateJson(u) };
      }
      case 'CreateNodegroup': {
        const { cluster, nodegroup } = this.createNodegroup(req);
        return { nodegroup: this.nodegroupJson(cluster, nodegroup) };
      }
      case 'ListNodegroups': {
        const c = this.getCluster(caller, route.cluster);
        const p = this.page(Object.keys(c.nodegroups).sort(), req.query, `nodegroups/${c.arn}`);
        return { nodegroups: p.items, nextToken: p.nextToken };
      }
      case 'DescribeNodegroup': {
        const c = this.getCluster(caller, route.cluster);
        return { nodegroup: this.nodegroupJson(c, this.getNodegroup(c, route.nodegroup)) };
      }
      case 'DeleteNodegroup': {
        const c = this.getCluster(caller, route.cluster);
        const ng = this.getNodegroup(c, route.nodegroup);
        this.startDelete(ng, EKS_DURATIONS.nodegroupDelete);
        return { nodegroup: this.nodegroupJson(c, ng) };
      }
      case 'UpdateNodegroupConfig':
        return { update: this.updateJson(this.updateNodegroupConfig(req)) };
      case 'UpdateNodegroupVersion':
        return { update: this.updateJson(this.updateNodegroupVersion(req)) };
      case 'CreateAddon': {
        const { cluster, addon } = this.createAddon(req);
        return { addon: this.addonJson(cluster, addon) };
      }
      case 'ListAddons': {
        const c = this.getCluster(caller, route.cluster);
        const p = this.page(Object.keys(c.addons).sort(), req.query, `addons/${c.arn}`);
        return { addons: p.items, nextToken: p.nextToken };
      }
      case 'DescribeAddon': {
        const c = this.getCluster(caller, route.cluster);
        return { addon: this.addonJson(c, this.getAddon(c, route.addon)) };
      }
      case 'DeleteAddon': {
        const c = this.getCluster(caller, route.cluster);
        const a = this.getAddon(c, route.addon);
        this.startDelete(a, EKS_DURATIONS.addonDelete);
        return { addon: this.addonJson(c, a) };
      }
      case 'UpdateAddon':
        return { update: this.updateJson(this.updateAddon(req)) };
      case 'DescribeAddonVersions':
        return this.describeAddonVersions(req);
      case 'DescribeClusterVersions':
        return this.describeClusterVersions(req);
      case 'TagResource': {
        const target = this.resolveArn(caller, route.resourceArn);
        const tags = this.validateTags(strMap(req.body.tags, 'tags'));
        if (Object.keys(tags).length === 0)
          throw new AwsError('BadRequestException', 400, 'tags must not be empty');
        Object.assign(target.tags, tags);
        this.validateTags(target.tags);
        this.ctx.markDirty();
        return {};
      }
      case 'UntagResource': {
        const target = this.resolveArn(caller, route.resourceArn);
        for (const k of req.query.getAll('tagKeys')) delete target.tags[k];
        this.ctx.markDirty();
        return {};
      }
      case 'ListTagsForResource':
        return { tags: { ...this.resolveArn(caller, route.resourceArn).tags } };
      default:
        throw new AwsError(
          'UnknownOperationException',
          404,
          `The sandbox does not implement EKS ${route.op}`,
        );
    }
  }

  private resolveArn(caller: Caller, arn: string | undefined): { tags: Record<string, string> } {
    const m =
      /^arn:aws:eks:([a-z0-9-]+):(\d{12}):(cluster|nodegroup|addon)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(
        arn ?? '',
      );
    if (!m) throw new AwsError('BadRequestException', 400, `Invalid ARN: ${arn}`);
    const [, region, account, kind, clusterName, sub] = m;
    if (account !== caller.account || region !== caller.region) {
      throw new AwsError('NotFoundException', 404, `Resource was not found: ${arn}`);
    }
    const c = this.state().clusters[clusterKey(account, region, clusterName ?? '')];
    const target =
      kind === 'cluster'
        ? c?.arn === arn
          ? c
          : undefined
        : kind === 'nodegroup'
          ? c && sub
            ? c.nodegroups[sub]
            : undefined
          : c && sub
            ? c.addons[sub]
            : undefined;
    if (!target || ('arn' in target && target.arn !== arn)) {
      throw new AwsError('NotFoundException', 404, `Resource was not found: ${arn}`);
    }
    return target;
  }

  private validateVersion(region: string, version: string, field = 'version'): string {
    if (!/^\d+\.\d+$/.test(version) || !this.ctx.catalog.isSupportedVersion('aws', version, region)) {
      throw eksErrors.invalidParameter(
        `unsupported Kubernetes version ${version}. Supported versions: ${this.supportedMinors(region).join(', ')}`,
        field === 'version' ? {} : {},
      );
    }
    return version;
  }

  createCluster(req: EksRequest): EksCluster {
    const { caller, body } = req;
    const name = str(body.name);
    if (!name) throw eksErrors.invalidParameter('name is required');
    if (name.length > 100 || !NAME_RE.test(name)) {
      throw eksErrors.invalidParameter(
        `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9A-Za-z][A-Za-z0-9\\-_]*`,
        { clusterName: name },
      );
    }
    const token = str(body.clientRequestToken);
    const key = clusterKey(caller.account, caller.region, name);
    const existing = this.state().clusters[key];
    if (existing) {
      if (token && existing.clientRequestToken === token) return existing;
      throw eksErrors.inUse(`Cluster already exists with name: ${name}`, { clusterName: name });
    }
    const inRegion = Object.values(this.state().clusters).filter(
      (x) => x.account === caller.account && x.region === caller.region,
    ).length;
    if (inRegion >= MAX_CLUSTERS_PER_REGION) {
      throw eksErrors.limitExceeded(
        `Cluster limit exceeded: an account can have at most ${MAX_CLUSTERS_PER_REGION} clusters per region`,
        { clusterName: name },
      );
    }
    const roleArn = str(body.roleArn);
    if (!roleArn || !ROLE_ARN_RE.test(roleArn)) {
      throw eksErrors.invalidParameter(`roleArn must be a valid IAM role ARN, got: ${roleArn ?? '(none)'}`, {
        clusterName: name,
      });
    }
    // EKS assumes the role before it creates anything: it must exist and trust eks.amazonaws.com
    if (
      !roleTrusts(
        this.state().accounts[caller.account],
        roleArn,
        'eks.amazonaws.com',
        this.propagatedBefore(),
      )
    ) {
      throw eksErrors.invalidParameter(
        `Role with arn: ${roleArn}, could not be assumed because it does not exist or the trusted entity is not correct`,
        { clusterName: name },
      );
    }
    const vpcReq = obj(body.resourcesVpcConfig) ?? {};
    const subnetIds = strList(vpcReq.subnetIds, 'resourcesVpcConfig.subnetIds') ?? [];
    if (subnetIds.length === 0) {
      throw eksErrors.invalidParameter('resourcesVpcConfig.subnetIds is required', { clusterName: name });
    }
    const { vpcId, zones } = this.subnetZones(caller, subnetIds);
    if (zones.length < 2) {
      throw eksErrors.invalidParameter('Subnets specified must be in at least two different AZs', {
        clusterName: name,
      });
    }
    const version = this.validateVersion(
      caller.region,
      str(body.version) ?? this.defaultMinor(caller.region),
    );
    const tags = this.validateTags(strMap(body.tags, 'tags'));
    const k8sNet = obj(body.kubernetesNetworkConfig) ?? {};
    const access = obj(body.accessConfig) ?? {};
    const logging = obj(body.logging);
    const now = this.now();
    const fault = req.takeAsyncFailure();
    const id = randomUUID();
    const c: EksCluster = {
      account: caller.account,
      region: caller.region,
      name,
      arn: `arn:aws:eks:${caller.region}:${caller.account}:cluster/${name}`,
      id,
      createdAt: now,
      readyAt: now + this.dur(EKS_DURATIONS.clusterCreate),
      version,
      platformVersion: this.platformVersion(version),
      roleArn,
      vpc: {
        subnetIds,
        securityGroupIds: strList(vpcReq.securityGroupIds, 'resourcesVpcConfig.securityGroupIds') ?? [],
        clusterSecurityGroupId: securityGroupId(caller.account, caller.region, `eks-cluster-sg-${name}`),
        vpcId,
        endpointPublicAccess:
          typeof vpcReq.endpointPublicAccess === 'boolean' ? vpcReq.endpointPublicAccess : true,
        endpointPrivateAccess:
          typeof vpcReq.endpointPrivateAccess === 'boolean' ? vpcReq.endpointPrivateAccess : false,
        publicAccessCidrs: strList(vpcReq.publicAccessCidrs, 'resourcesVpcConfig.publicAccessCidrs') ?? [
          '0.0.0.0/0',
        ],
      },
      serviceIpv4Cidr: str(k8sNet.serviceIpv4Cidr) ?? '10.100.0.0/16',
      ipFamily: str(k8sNet.ipFamily) ?? 'ipv4',
      logging: Array.isArray(logging?.clusterLogging)
        ? (logging.clusterLogging as { types: string[]; enabled: boolean }[])
        : [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }],
      authenticationMode: str(access.authenticationMode) ?? 'API_AND_CONFIG_MAP',
      bootstrapClusterCreatorAdminPermissions:
        typeof access.bootstrapClusterCreatorAdminPermissions === 'boolean'
          ? access.bootstrapClusterCreatorAdminPermissions
          : true,
      supportType: str(obj(body.upgradePolicy)?.supportType) ?? 'EXTENDED',
      deletionProtection: body.deletionProtection === true,
      tags,
      updates: [],
      nodegroups: {},
      addons: {},
    };
    if (token) c.clientRequestToken = token;
    if (fault) c.failed = fault.message ?? 'The cluster could not be created (sandbox injected failure).';
    this.state().clusters[key] = c;
    this.ctx.markDirty();
    return c;
  }

  deleteCluster(caller: Caller, name: string | undefined): EksCluster {
    const c = this.getCluster(caller, name);
    if (c.deleteStartedAt !== undefined) return c;
    if (Object.keys(c.nodegroups).length > 0) {
      throw eksErrors.inUse(`Cluster has nodegroups attached`, { clusterName: c.name });
    }
    if (c.deletionProtection) {
      throw eksErrors.invalidRequest(`Cluster ${c.name} has deletion protection enabled`, {
        clusterName: c.name,
      });
    }
    const now = this.now();
    c.deleteStartedAt = now;
    c.deleteDoneAt = now + this.dur(EKS_DURATIONS.clusterDelete);
    for (const a of Object.values(c.addons)) {
      a.deleteStartedAt ??= now;
      a.deleteDoneAt ??= now + this.dur(EKS_DURATIONS.addonDelete);
    }
    this.ctx.markDirty();
    return c;
  }

  private requireActive(c: EksCluster, what: string): void {
    const status = clusterStatus(c, this.now());
    if (status !== 'ACTIVE') {
      throw eksErrors.invalidRequest(
        `Cluster '${c.name}' is not in ACTIVE status (${status}); cannot ${what}`,
        {
          clusterName: c.name,
        },
      );
    }
  }

  private newUpdate(c: EksCluster, u: Omit<EksUpdate, 'id' | 'createdAt'>): EksUpdate {
    const update: EksUpdate = { id: randomUUID(), createdAt: this.now(), ...u };
    c.updates.push(update);
    this.ctx.markDirty();
    return update;
  }

  private findByToken(c: EksCluster, token: string | undefined): EksUpdate | undefined {
    return token ? c.updates.find((u) => u.clientRequestToken === token) : undefined;
  }

  updateClusterVersion(req: EksRequest): EksUpdate {
    const c = this.getCluster(req.caller, req.route.cluster);
    const token = str(req.body.clientRequestToken);
    const again = this.findByToken(c, token);
    if (again) return again;
    const target = str(req.body.version);
    if (!target) throw eksErrors.invalidParameter('version is required', { clusterName: c.name });
    if (c.updates.some((u) => !u.nodegroup && !u.addon && this.now() < u.doneAt)) {
      throw eksErrors.inUse('An update is already in progress for this cluster', { clusterName: c.name });
    }
    this.requireActive(c, 'update its version');
    this.validateVersion(c.region, target);
    const [cMaj, cMin] = c.version.split('.').map(Number);
    const [tMaj, tMin] = target.split('.').map(Number);
    if (target === c.version) {
      throw eksErrors.invalidParameter(
        `Cluster is already at the desired configuration with version: ${target}`,
        {
          clusterName: c.name,
        },
      );
    }
    if (tMaj !== cMaj || (tMin ?? 0) !== (cMin ?? 0) + 1) {
      throw eksErrors.invalidParameter(
        `Unsupported Kubernetes minor version update from ${c.version} to ${target}`,
        {
          clusterName: c.name,
        },
      );
    }
    const tooOld = Object.values(c.nodegroups).find((ng) => {
      const [, nMin] = ng.version.split('.').map(Number);
      return (nMin ?? 0) < (cMin ?? 0) - 2;
    });
    if (tooOld && req.body.force !== true) {
      throw eksErrors.invalidRequest(
        `Nodegroup ${tooOld.name} version ${tooOld.version} must be updated before the cluster can be upgraded to ${target}`,
        { clusterName: c.name },
      );
    }
    const platformVersion = this.platformVersion(target);
    return this.newUpdate(c, {
      type: 'VersionUpdate',
      params: [
        { type: 'Version', value: target },
        { type: 'PlatformVersion', value: platformVersion },
      ],
      doneAt: this.now() + this.dur(EKS_DURATIONS.clusterVersionUpdate),
      apply: { version: target, platformVersion },
      ...(token ? { clientRequestToken: token } : {}),
    });
  }

  updateClusterConfig(req: EksRequest): EksUpdate {
    const c = this.getCluster(req.caller, req.route.cluster);
    const token = str(req.body.clientRequestToken);
    const again = this.findByToken(c, token);
    if (again) return again;
    this.requireActive(c, 'update its configuration');
    const params: { type: string; value: string }[] = [];
    const vpc = obj(req.body.resourcesVpcConfig);
    if (vpc) {
      if (typeof vpc.endpointPublicAccess === 'boolean') {
        c.vpc.endpointPublicAccess = vpc.endpointPublicAccess;
        params.push({ type: 'EndpointPublicAccess', value: String(vpc.endpointPublicAccess) });
      }
      if (typeof vpc.endpointPrivateAccess === 'boolean') {
        c.vpc.endpointPrivateAccess = vpc.endpointPrivateAccess;
        params.push({ type: 'EndpointPrivateAccess', value: String(vpc.endpointPrivateAccess) });
      }
    }
    const logging = obj(req.body.logging);
    if (Array.isArray(logging?.clusterLogging)) {
      c.logging = logging.clusterLogging as { types: string[]; enabled: boolean }[];
      params.push({ type: 'ClusterLogging', value: JSON.stringify(c.logging) });
    }
    if (typeof req.body.deletionProtection === 'boolean') {
      c.deletionProtection = req.body.deletionProtection;
      params.push({ type: 'DeletionProtection', value: String(c.deletionProtection) });
    }
    if (params.length === 0) {
      throw eksErrors.invalidParameter('No changes needed for the logging config provided', {
        clusterName: c.name,
      });
    }
    return this.newUpdate(c, {
      type: vpc ? 'EndpointAccessUpdate' : 'LoggingUpdate',
      params,
      doneAt: this.now() + this.dur(EKS_DURATIONS.clusterConfigUpdate),
      ...(token ? { clientRequestToken: token } : {}),
    });
  }

  private parseScaling(
    v: unknown,
    base: { minSize: number; maxSize: number; desiredSize: number },
    names: { cluster: string; nodegroup: string },
  ): { minSize: number; maxSize: number; desiredSize: number } {
    const s = obj(v) ?? {};
    const num = (x: unknown, field: string, dflt: number): number => {
      if (x === undefined || x === null) return dflt;
      if (typeof x !== 'number' || !Number.isInteger(x))
        throw eksErrors.invalidParameter(`${field} must be an integer`);
      return x;
    };
    const minSize = num(s.minSize, 'scalingConfig.minSize', base.minSize);
    const maxSize = num(s.maxSize, 'scalingConfig.maxSize', base.maxSize);
    const desiredSize = num(s.desiredSize, 'scalingConfig.desiredSize', base.desiredSize);
    const fields = { clusterName: names.cluster, nodegroupName: names.nodegroup };
    if (minSize < 0)
      throw eksErrors.invalidParameter('Minimum capacity must be greater than or equal to 0', fields);
    if (maxSize < 1)
      throw eksErrors.invalidParameter('Maximum capacity must be greater than or equal to 1', fields);
    if (maxSize > 1000)
      throw eksErrors.invalidParameter('Maximum capacity must be less than or equal to 1000', fields);
    if (minSize > maxSize) {
      throw eksErrors.invalidParameter(
        `Minimum capacity ${minSize} can't be greater than maximum capacity ${maxSize}`,
        fields,
      );
    }
    if (desiredSize < minSize) {
      throw eksErrors.invalidParameter(
        `Desired capacity ${desiredSize} can't be lower than minimum capacity ${minSize}`,
        fields,
      );
    }
    if (desiredSize > maxSize) {
      throw eksErrors.invalidParameter(
        `Desired capacity ${desiredSize} can't be greater than maximum capacity ${maxSize}`,
        fields,
      );
    }
    return { minSize, maxSize, desiredSize };
  }

  private parseTaints(v: unknown, fields: Record<string, unknown>): EksTaint[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw eksErrors.invalidParameter('taints must be a list', fields);
    if (v.length > 50) throw eksErrors.invalidParameter('Number of taints exceeds the limit of 50', fields);
    return v.map((t) => {
      const o = obj(t) ?? {};
      const key = str(o.key);
      const effect = str(o.effect);
      if (!key || !LABEL_KEY_RE.test(key))
        throw eksErrors.invalidParameter(`Taint key ${key ?? ''} is invalid`, fields);
      if (!effect || !(TAINT_EFFECTS as readonly string[]).includes(effect)) {
        throw eksErrors.invalidParameter(
          `Taint effect ${effect ?? '(none)'} is invalid; valid values: ${TAINT_EFFECTS.join(', ')}`,
          fields,
        );
      }
      const value = str(o.value);
      if (value !== undefined && !LABEL_VALUE_RE.test(value)) {
        throw eksErrors.invalidParameter(`Taint value ${value} is invalid`, fields);
      }
      const taint: EksTaint = { key, effect: effect as EksTaint['effect'] };
      if (value !== undefined) taint.value = value;
      return taint;
    });
  }

  private validateLabels(
    labels: Record<string, string>,
    fields: Record<string, unknown>,
  ): Record<string, string> {
    if (Object.keys(labels).length > 100)
      throw eksErrors.invalidParameter('Number of labels exceeds the limit', fields);
    for (const [k, v] of Object.entries(labels)) {
      if (k.length > 316 || !LABEL_KEY_RE.test(k))
        throw eksErrors.invalidParameter(`Label key ${k} is invalid`, fields);
      if (v.length > 63 || !LABEL_VALUE_RE.test(v))
        throw eksErrors.invalidParameter(`Label value ${v} is invalid`, fields);
      if (
        /(^|\.)(kubernetes\.io|k8s\.io|amazonaws\.com)\//.test(k) &&
        !k.startsWith('node-role.kubernetes.io/')
      ) {
        throw eksErrors.invalidParameter(`Label key ${k} uses a reserved prefix`, fields);
      }
    }
    return labels;
  }

  private machine(region: string, name: string, fields: Record<string, unknown>): MachineTypeInfo {
    const m = this.ctx.catalog.machineType('aws', name, region);
    if (!m)
      throw eksErrors.invalidParameter(`Instance type ${name} is not supported in region ${region}`, fields);
    return m;
  }

  createNodegroup(req: EksRequest): { cluster: EksCluster; nodegroup: EksNodegroup } {
    const { caller, body } = req;
    const c = this.getCluster(caller, req.route.cluster);
    const name = str(body.nodegroupName);
    const fields = { clusterName: c.name, nodegroupName: name };
    if (!name) throw eksErrors.invalidParameter('nodegroupName is required', fields);
    if (name.length > 63 || !NAME_RE.test(name)) {
      throw eksErrors.invalidParameter(
        `1 validation error detected: Value '${name}' at 'nodegroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9A-Za-z][A-Za-z0-9\\-_]*`,
        fields,
      );
    }
    const token = str(body.clientRequestToken);
    const existing = c.nodegroups[name];
    if (existing) {
      if (token && existing.clientRequestToken === token) return { cluster: c, nodegroup: existing };
      throw eksErrors.inUse(`NodeGroup already exists with name ${name} and cluster name ${c.name}`, fields);
    }
    this.requireActive(c, 'create a node group');
    if (Object.keys(c.nodegroups).length >= 30) {
      throw eksErrors.limitExceeded(
        `Cluster ${c.name} already has the maximum number of node groups (30)`,
        fields,
      );
    }
    const nodeRole = str(body.nodeRole);
    if (!nodeRole || !ROLE_ARN_RE.test(nodeRole)) {
      throw eksErrors.invalidParameter(
        `nodeRole must be a valid IAM role ARN, got: ${nodeRole ?? '(none)'}`,
        fields,
      );
    }
    if (
      !roleTrusts(
        this.state().accounts[caller.account],
        nodeRole,
        'ec2.amazonaws.com',
        this.propagatedBefore(),
      )
    ) {
      throw eksErrors.invalidParameter(
        `Following required service principals [ec2.amazonaws.com] were not found in the trust relationships of nodeRole ${nodeRole}`,
        fields,
      );
    }
    const subnets = strList(body.subnets, 'subnets') ?? [];
    if (subnets.length === 0) throw eksErrors.invalidParameter('subnets is required', fields);
    const { vpcId } = this.subnetZones(caller, subnets);
    if (vpcId !== c.vpc.vpcId)
      throw eksErrors.invalidParameter('Subnets must belong to the cluster VPC', fields);
    const capacityType = str(body.capacityType) ?? 'ON_DEMAND';
    if (!['ON_DEMAND', 'SPOT', 'CAPACITY_BLOCK'].includes(capacityType)) {
      throw eksErrors.invalidParameter(
        `capacityType ${capacityType} is invalid; valid values: ON_DEMAND, SPOT, CAPACITY_BLOCK`,
        fields,
      );
    }
    const instanceTypes = strList(body.instanceTypes, 'instanceTypes') ?? ['t3.medium'];
    if (instanceTypes.length === 0 || instanceTypes.length > 20) {
      throw eksErrors.invalidParameter('instanceTypes must list between 1 and 20 instance types', fields);
    }
    const machines = instanceTypes.map((t) => this.machine(c.region, t, fields));
    const arches = new Set(machines.map((m) => m.arch));
    if (arches.size > 1)
      throw eksErrors.invalidParameter('All instance types must have the same architecture', fields);
    const arch = machines[0]?.arch ?? 'x86_64';
    const gpu = machines.some((m) => m.gpus > 0);
    const amiType =
      str(body.amiType) ??
      (arch === 'arm64' ? 'AL2023_ARM_64_STANDARD' : gpu ? 'AL2023_x86_64_NVIDIA' : 'AL2023_x86_64_STANDARD');
    if (!AMI_TYPES.includes(amiType)) {
      throw eksErrors.invalidParameter(
        `amiType ${amiType} is invalid; valid values: ${AMI_TYPES.join(', ')}`,
        fields,
      );
    }
    const amiArm = /ARM/.test(amiType);
    if (amiType !== 'CUSTOM' && amiArm !== (arch === 'arm64')) {
      throw eksErrors.invalidParameter(
        `[${instanceTypes.join(', ')}] is not a valid instance type for requested amiType ${amiType}`,
        fields,
      );
    }
    const diskSize = body.diskSize === undefined || body.diskSize === null ? 20 : body.diskSize;
    if (typeof diskSize !== 'number' || !Number.isInteger(diskSize) || diskSize < 1 || diskSize > 16384) {
      throw eksErrors.invalidParameter('diskSize must be an integer between 1 and 16384', fields);
    }
    const version = str(body.version) ?? c.version;
    this.validateVersion(c.region, version);
    const [, vMin] = version.split('.').map(Number);
    const [, cMin] = c.version.split('.').map(Number);
    if ((vMin ?? 0) > (cMin ?? 0) || (vMin ?? 0) < (cMin ?? 0) - 3) {
      throw eksErrors.invalidParameter(
        `Requested Nodegroup version ${version} is invalid. Allowed versions are ${c.version} and up to 3 minor versions older`,
        fields,
      );
    }
    const scaling = this.parseScaling(
      body.scalingConfig,
      { minSize: 1, maxSize: 2, desiredSize: 2 },
      {
        cluster: c.name,
        nodegroup: name,
      },
    );
    const labels = this.validateLabels(strMap(body.labels, 'labels') ?? {}, fields);
    const taints = this.parseTaints(body.taints, fields);
    const tags = this.validateTags(strMap(body.tags, 'tags'));
    const upd = obj(body.updateConfig);
    const now = this.now();
    const fault = req.takeAsyncFailure();
    const uuid = randomUUID();
    const ng: EksNodegroup = {
      name,
      arn: `arn:aws:eks:${c.region}:${c.account}:nodegroup/${c.name}/${name}/${uuid}`,
      uuid,
      createdAt: now,
      modifiedAt: now,
      readyAt: now + this.dur(EKS_DURATIONS.nodegroupCreate),
      version,
      releaseVersion: str(body.releaseVersion) ?? this.releaseVersion(version),
      capacityType: capacityType as EksNodegroup['capacityType'],
      scaling,
      instanceTypes,
      subnets,
      amiType,
      nodeRole,
      labels,
      taints,
      diskSize,
      tags,
      updateConfig:
        typeof upd?.maxUnavailablePercentage === 'number'
          ? { maxUnavailablePercentage: upd.maxUnavailablePercentage }
          : { maxUnavailable: typeof upd?.maxUnavailable === 'number' ? upd.maxUnavailable : 1 },
    };
    const ra = obj(body.remoteAccess);
    if (ra) {
      ng.remoteAccess = {};
      const key = str(ra.ec2SshKey);
      if (key) ng.remoteAccess.ec2SshKey = key;
      const sgs = strList(ra.sourceSecurityGroups, 'remoteAccess.sourceSecurityGroups');
      if (sgs) ng.remoteAccess.sourceSecurityGroups = sgs;
    }
    if (token) ng.clientRequestToken = token;
    // EKS accepts the node group; its Auto Scaling group then meets EC2's vCPU quota for the class
    const refused = launchRefusal(
      this.state(),
      c.account,
      c.region,
      { instanceType: instanceTypes[0] ?? '', spot: capacityType === 'SPOT', nodes: scaling.desiredSize },
      { vcpusOf: (t, region) => this.ctx.catalog.machineType('aws', t, region)?.vcpus ?? 0 },
    );
    if (fault)
      ng.failed =
        fault.message ?? 'Instances failed to join the kubernetes cluster (sandbox injected failure).';
    else if (refused) ng.failed = refused;
    c.nodegroups[name] = ng;
    this.ctx.markDirty();
    return { cluster: c, nodegroup: ng };
  }

  updateNodegroupConfig(req: EksRequest): EksUpdate {
    const c = this.getCluster(req.caller, req.route.cluster);
    const ng = this.getNodegroup(c, req.route.nodegroup);
    const fields = { clusterName: c.name, nodegroupName: ng.name };
    const token = str(req.body.clientRequestToken);
    const again = this.findByToken(c, token);
    if (again) return again;
    const status = nodegroupStatus(c, ng, this.now());
    if (status === 'UPDATING')
      throw eksErrors.inUse('An update is already in progress for this node group', fields);
    if (status !== 'ACTIVE') {
      throw eksErrors.invalidRequest(`Nodegroup ${ng.name} is not in ACTIVE status (${status})`, fields);
    }
    const params: { type: string; value: string }[] = [];
    const apply: NonNullable<EksUpdate['apply']> = {};
    if (req.body.scalingConfig !== undefined && req.body.scalingConfig !== null) {
      const scaling = this.parseScaling(req.body.scalingConfig, ng.scaling, {
        cluster: c.name,
        nodegroup: ng.name,
      });
      const raw = obj(req.body.scalingConfig) ?? {};
      if (raw.minSize !== undefined) params.push({ type: 'MinSize', value: String(scaling.minSize) });
      if (raw.maxSize !== undefined) params.push({ type: 'MaxSize', value: String(scaling.maxSize) });
      if (raw.desiredSize !== undefined)
        params.push({ type: 'DesiredSize', value: String(scaling.desiredSize) });
      apply.scaling = scaling;
    }
    const labels = obj(req.body.labels);
    if (labels) {
      const add = this.validateLabels(
        strMap(labels.addOrUpdateLabels, 'labels.addOrUpdateLabels') ?? {},
        fields,
      );
      const remove = strList(labels.removeLabels, 'labels.removeLabels') ?? [];
      if (Object.keys(add).length > 0) {
        apply.addLabels = add;
        params.push({ type: 'LabelsToAdd', value: JSON.stringify(add) });
      }
      if (remove.length > 0) {
        apply.removeLabels = remove;
        params.push({ type: 'LabelsToRemove', value: JSON.stringify(remove) });
      }
    }
    const taints = obj(req.body.taints);
    if (taints) {
      const add = this.parseTaints(taints.addOrUpdateTaints, fields);
      const remove = this.parseTaints(taints.removeTaints, fields);
      if (add.length > 0) {
        apply.addTaints = add;
        params.push({ type: 'TaintsToAdd', value: JSON.stringify(add) });
      }
      if (remove.length > 0) {
        apply.removeTaints = remove;
        params.push({ type: 'TaintsToRemove', value: JSON.stringify(remove) });
      }
    }
    const uc = obj(req.body.updateConfig);
    if (uc) {
      if (typeof uc.maxUnavailable === 'number') ng.updateConfig = { maxUnavailable: uc.maxUnavailable };
      if (typeof uc.maxUnavailablePercentage === 'number') {
        ng.updateConfig = { maxUnavailablePercentage: uc.maxUnavailablePercentage };
      }
      params.push({ type: 'MaxUnavailable', value: JSON.stringify(ng.updateConfig) });
    }
    if (params.length === 0)
      throw eksErrors.invalidParameter('No changes needed for the nodegroup config provided', fields);
    return this.newUpdate(c, {
      type: 'ConfigUpdate',
      params,
      nodegroup: ng.name,
      doneAt: this.now() + this.dur(EKS_DURATIONS.nodegroupConfigUpdate),
      apply,
      ...(token ? { clientRequestToken: token } : {}),
    });
  }

  updateNodegroupVersion(req: EksRequest): EksUpdate {
    const c = this.getCluster(req.caller, req.route.cluster);
    const ng = this.getNodegroup(c, req.route.nodegroup);
    const fields = { clusterName: c.name, nodegroupName: ng.name };
    const token = str(req.body.clientRequestToken);
    const again = this.findByToken(c, token);
    if (again) return again;
    const status = nodegroupStatus(c, ng, this.now());
    if (status === 'UPDATING')
      throw eksErrors.inUse('An update is already in progress for this node group', fields);
    if (status !== 'ACTIVE') {
      throw eksErrors.invalidRequest(`Nodegroup ${ng.name} is not in ACTIVE status (${status})`, fields);
    }
    const version = str(req.body.version) ?? c.version;
    this.validateVersion(c.region, version);
    const [, vMin] = version.split('.').map(Number);
    const [, cMin] = c.version.split('.').map(Number);
    const [, nMin] = ng.version.split('.').map(Number);
    if ((vMin ?? 0) > (cMin ?? 0)) {
      throw eksErrors.invalidParameter(
        `Requested Nodegroup version ${version} is newer than the cluster version ${c.version}`,
        fields,
      );
    }
    if ((vMin ?? 0) < (nMin ?? 0))
      throw eksErrors.invalidParameter('Nodegroup version downgrades are not supported', fields);
    const releaseVersion = str(req.body.releaseVersion) ?? this.releaseVersion(version);
    return this.newUpdate(c, {
      type: 'VersionUpdate',
      params: [
        { type: 'Version', value: version },
        { type: 'ReleaseVersion', value: releaseVersion },
      ],
      nodegroup: ng.name,
      doneAt: this.now() + this.dur(EKS_DURATIONS.nodegroupVersionUpdate),
      apply: { version, releaseVersion },
      ...(token ? { clientRequestToken: token } : {}),
    });
  }

  createAddon(req: EksRequest): { cluster: EksCluster; addon: EksAddon } {
    const { body } = req;
    const c = this.getCluster(req.caller, req.route.cluster);
    const name = str(body.addonName);
    const fields = { clusterName: c.name, addonName: name };
    if (!name) throw eksErrors.invalidParameter('addonName is required', fields);
    const token = str(body.clientRequestToken);
    const existing = c.addons[name];
    if (existing) {
      if (token && existing.clientRequestToken === token) return { cluster: c, addon: existing };
      throw eksErrors.inUse('Addon already exists.', fields);
    }
    const def = ADDONS.find((a) => a.addonName === name);
    if (!def) throw eksErrors.invalidParameter(`Addon ${name} specified is not supported`, fields);
    const status = clusterStatus(c, this.now());
    if (status !== 'ACTIVE' && status !== 'UPDATING') {
      throw eksErrors.invalidRequest(`Cluster '${c.name}' is not in ACTIVE status (${status})`, fields);
    }
    const versions = addonVersionsFor(def, this.supportedMinors(c.region), minorOf(c.version));
    const version = str(body.addonVersion) ?? (versions.find((v) => v.isDefault) ?? versions[0])?.version;
    if (!version || !versions.some((v) => v.version === version)) {
      throw eksErrors.invalidParameter(
        `Addon version ${version ?? '(none)'} specified is not supported for ${name} on Kubernetes ${c.version}`,
        fields,
      );
    }
    const now = this.now();
    const fault = req.takeAsyncFailure();
    const addon: EksAddon = {
      name,
      arn: `arn:aws:eks:${c.region}:${c.account}:addon/${c.name}/${name}/${randomUUID()}`,
      version,
      createdAt: now,
      modifiedAt: now,
      readyAt: now + this.dur(EKS_DURATIONS.addonCreate),
      tags: this.validateTags(strMap(body.tags, 'tags')),
    };
    const sa = str(body.serviceAccountRoleArn);
    if (sa) addon.serviceAccountRoleArn = sa;
    const cfg = str(body.configurationValues);
    if (cfg) addon.configurationValues = cfg;
    if (token) addon.clientRequestToken = token;
    if (fault) addon.failed = fault.message ?? 'Add-on failed to install (sandbox injected failure).';
    c.addons[name] = addon;
    this.ctx.markDirty();
    return { cluster: c, addon };
  }

  updateAddon(req: EksRequest): EksUpdate {
    const c = this.getCluster(req.caller, req.route.cluster);
    const a = this.getAddon(c, req.route.addon);
    const fields = { clusterName: c.name, addonName: a.name };
    const token = str(req.body.clientRequestToken);
    const again = this.findByToken(c, token);
    if (again) return again;
    const status = addonStatus(c, a, this.now());
    if (status !== 'ACTIVE')
      throw eksErrors.invalidRequest(`Addon ${a.name} is not in ACTIVE status (${status})`, fields);
    const def = ADDONS.find((d) => d.addonName === a.name);
    const params: { type: string; value: string }[] = [];
    const apply: NonNullable<EksUpdate['apply']> = {};
    const version = str(req.body.addonVersion);
    if (version && def) {
      const versions = addonVersionsFor(def, this.supportedMinors(c.region), minorOf(c.version));
      if (!versions.some((v) => v.version === version)) {
        throw eksErrors.invalidParameter(`Addon version ${version} specified is not supported`, fields);
      }
      apply.addonVersion = version;
      params.push({ type: 'AddonVersion', value: version });
    }
    const sa = str(req.body.serviceAccountRoleArn);
    if (sa) {
      a.serviceAccountRoleArn = sa;
      params.push({ type: 'ServiceAccountRoleArn', value: sa });
    }
    const cfg = str(req.body.configurationValues);
    if (cfg !== undefined) {
      a.configurationValues = cfg;
      params.push({ type: 'ConfigurationValues', value: cfg });
    }
    const rc = str(req.body.resolveConflicts);
    if (rc) params.push({ type: 'ResolveConflicts', value: rc });
    return this.newUpdate(c, {
      type: 'AddonUpdate',
      params,
      addon: a.name,
      doneAt: this.now() + this.dur(EKS_DURATIONS.addonUpdate),
      apply,
      ...(token ? { clientRequestToken: token } : {}),
    });
  }

  describeAddonVersions(req: EksRequest): unknown {
    const minors = this.supportedMinors(req.caller.region);
    const k8s = req.query.get('kubernetesVersion') ?? undefined;
    const name = req.query.get('addonName') ?? undefined;
    const types = req.query.getAll('types');
    if (k8s && !minors.includes(minorOf(k8s))) {
      throw eksErrors.invalidParameter(`Kubernetes version ${k8s} is not supported`);
    }
    const infos = ADDONS.filter(
      (d) => (!name || d.addonName === name) && (types.length === 0 || types.includes(d.type)),
    ).map((d) => ({
      addonName: d.addonName,
      type: d.type,
      publisher: d.publisher,
      owner: d.owner,
      defaultNamespace: d.defaultNamespace,
      addonVersions: addonVersionsFor(d, minors, k8s ? minorOf(k8s) : undefined).map((v) => ({
        addonVersion: v.version,
        architecture: ['amd64', 'arm64'],
        computeTypes: ['ec2'],
        compatibilities: v.minors
          .filter((m) => !k8s || m === minorOf(k8s))
          .map((m) => ({
            clusterVersion: m,
            platformVersions: ['*'],
            defaultVersion: k8s
              ? v.isDefault
              : addonVersionsFor(d, minors, m).find((x) => x.version === v.version)?.isDefault === true,
          })),
        requiresConfiguration: false,
        requiresIamPermissions: d.addonName === 'vpc-cni' || d.addonName === 'aws-ebs-csi-driver',
      })),
    }));
    const p = this.page(infos, req.query, 'addon-versions');
    return { addons: p.items, nextToken: p.nextToken };
  }

  describeClusterVersions(req: EksRequest): unknown {
    const list = this.ctx.catalog.kubernetesVersions('aws', req.caller.region);
    const only = req.query.getAll('clusterVersions');
    const defaultOnly = req.query.get('defaultOnly') === 'true';
    const status = req.query.get('versionStatus') ?? req.query.get('status');
    const items = list
      .map((v) => {
        const st = v.support === 'standard' ? 'STANDARD_SUPPORT' : 'EXTENDED_SUPPORT';
        return {
          clusterVersion: v.minor,
          clusterType: 'eks',
          defaultPlatformVersion: this.platformVersion(v.minor),
          defaultVersion: v.default,
          status: st,
          versionStatus: st,
          kubernetesPatchVersion: PATCH_OF[v.minor] ?? `${v.minor}.0`,
        };
      })
      .filter(
        (v) => (only.length === 0 || only.includes(v.clusterVersion)) && (!defaultOnly || v.defaultVersion),
      )
      .filter((v) => !status || v.versionStatus === status || v.status === status);
    const p = this.page(items, req.query, 'cluster-versions');
    return { clusterVersions: p.items, nextToken: p.nextToken };
  }

  // ---------- kube hub ----------
  nodePool(c: EksCluster, ng: EksNodegroup): KubeNodePool {
    const m = this.ctx.catalog.machineType('aws', ng.instanceTypes[0] ?? '', c.region);
    const arch = m?.arch ?? (/ARM/.test(ng.amiType) ? 'arm64' : 'x86_64');
    const os = /WINDOWS/.test(ng.amiType) ? 'windows' : 'linux';
    const zones = this.subnetZonesSafe(c, ng.subnets);
    const k8sArch = arch === 'arm64' ? 'arm64' : 'amd64';
    const labels: Record<string, string> = {
      ...ng.labels,
      'eks.amazonaws.com/nodegroup': ng.name,
      'eks.amazonaws.com/capacityType': ng.capacityType,
      'eks.amazonaws.com/nodegroup-image': `ami-${ng.uuid.replace(/-/g, '').slice(0, 17)}`,
      'eks.amazonaws.com/sourceLaunchTemplateVersion': '1',
      'node.kubernetes.io/instance-type': ng.instanceTypes[0] ?? '',
      'beta.kubernetes.io/instance-type': ng.instanceTypes[0] ?? '',
      'topology.kubernetes.io/region': c.region,
      'failure-domain.beta.kubernetes.io/region': c.region,
      'kubernetes.io/arch': k8sArch,
      'beta.kubernetes.io/arch': k8sArch,
      'kubernetes.io/os': os,
      'beta.kubernetes.io/os': os,
    };
    if (zones.length === 1 && zones[0]) {
      labels['topology.kubernetes.io/zone'] = zones[0];
      labels['failure-domain.beta.kubernetes.io/zone'] = zones[0];
    }
    return {
      name: ng.name,
      machineType: ng.instanceTypes[0] ?? '',
      nodeCount: ng.scaling.desiredSize,
      zones,
      vcpus: m?.vcpus ?? 2,
      memoryGiB: m?.memoryGiB ?? 4,
      arch,
      os,
      spot: ng.capacityType === 'SPOT',
      labels,
      taints: ng.taints.map((t) => {
        const effect =
          t.effect === 'NO_SCHEDULE'
            ? 'NoSchedule'
            : t.effect === 'NO_EXECUTE'
              ? 'NoExecute'
              : 'PreferNoSchedule';
        return t.value === undefined ? { key: t.key, effect } : { key: t.key, value: t.value, effect };
      }),
    };
  }

  private subnetZonesSafe(c: EksCluster, subnets: string[]): string[] {
    const all = regionSubnets(this.state().accounts[c.account], c.account, c.region, this.zones(c.region));
    return [
      ...new Set(
        subnets.map((id) => all.find((s) => s.subnetId === id)?.zone).filter((z): z is string => !!z),
      ),
    ];
  }

  kubeInfo(c: EksCluster): KubeClusterInfo {
    const now = this.now();
    return {
      cloud: 'aws',
      scope: c.account,
      location: c.region,
      name: c.name,
      kubernetesVersion: c.version,
      nodePools: Object.values(c.nodegroups)
        .filter((ng) => {
          const s = nodegroupStatus(c, ng, now);
          return s === 'ACTIVE' || s === 'UPDATING';
        })
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((ng) => this.nodePool(c, ng)),
    };
  }

  /** Push cluster/node changes to the kube hub; returns true when something was sent. */
  syncHub(): boolean {
    const now = this.now();
    const hub = this.ctx.kube;
    let changed = false;
    const live = new Set<string>();
    for (const c of Object.values(this.state().clusters)) {
      const id = awsClusterId(c.account, c.region, c.name);
      const status = clusterStatus(c, now);
      const running =
        status === 'ACTIVE' ||
        status === 'UPDATING' ||
        (status === 'DELETING' && now >= c.readyAt && !c.failed);
      if (!running) continue;
      live.add(id);
      const info = this.kubeInfo(c);
      const key = JSON.stringify(info);
      if (this.synced.get(id) !== key || !hub.hasCluster(id)) {
        hub.ensureCluster(id, info);
        this.synced.set(id, key);
        changed = true;
      }
      if (c.demoWorkloads === 'pending') {
        hub.seedDemoWorkloads(id);
        c.demoWorkloads = 'done';
        changed = true;
      }
    }
    for (const id of [...this.synced.keys()]) {
      if (!live.has(id)) {
        this.synced.delete(id);
        if (hub.hasCluster(id)) hub.removeCluster(id);
        changed = true;
      }
    }
    return changed;
  }

  /** A restored or reset world: forget what was sent (the hub has its own snapshot). */
  forgetSynced(): void {
    this.synced.clear();
  }

  markSynced(ids: Iterable<string>): void {
    for (const id of ids) if (!this.synced.has(id)) this.synced.set(id, '');
  }
}
