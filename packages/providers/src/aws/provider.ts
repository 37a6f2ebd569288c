/** EKS (with the small parts of EC2 and STS a clone needs) through the official AWS SDK v3. */
import { kubeconfigDocument } from '../kubeconfig';
import { createHash } from 'node:crypto';
import type { EgressPolicy } from '@dolly/contracts/egress';
import {
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  type Cluster,
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DeleteClusterCommand,
  DeleteNodegroupCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  EKSClient,
  type EKSClientConfig,
  ListAddonsCommand,
  ListClustersCommand,
  type Nodegroup,
  paginateListClusters,
  paginateListNodegroups,
} from '@aws-sdk/client-eks';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import {
  type AwsVcpuQuota,
  awsVcpuQuota,
  bundledCatalog,
  type CatalogOverlay,
  type KubernetesVersionInfo,
  type MachineTypeInfo,
  type TargetClusterSpec,
} from '@dolly/model';
import { CloudError, classifyCloudError, cloudCall, isNotFound } from '../errors';
import type {
  CloudAccountConfig,
  CloudProvider,
  ClusterRef,
  DiscoveredCluster,
  NodePoolRef,
  OperationContext,
  PlanContext,
  PreflightCheck,
  RoleRef,
} from '../types';
import { PLAN_LABEL } from '../types';
import {
  conflict,
  credString,
  labelsFor,
  mapLimit,
  pollUntil,
  progress,
  record,
  accountAgents,
  requireCred,
  DEFAULT_POLL_MS,
  sleep,
} from '../util';
import { createClusterInput, createNodegroupInput, eksToSpec } from './map';
import { awsNetwork, NETWORK_CIDR, networkName } from './network';
import { type AwsCredentialsInput, eksToken } from './token';

type Credentials = NonNullable<EKSClientConfig['credentials']>;

/** Idempotency token for one create (EKS: clientRequestToken), stable across retries of a plan step. */
function requestToken(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/** The IAM roles EKS needs, who must trust each, and what a fresh account must do to provide them. */
const ROLES = {
  clusterRoleArn: {
    check: 'aws.cluster-role',
    service: 'eks.amazonaws.com',
    needs: 'create the cluster',
    policies: 'the AmazonEKSClusterPolicy managed policy',
    made: 'dolly-eks-cluster',
    policyArns: ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy'],
  },
  nodeRoleArn: {
    check: 'aws.node-role',
    service: 'ec2.amazonaws.com',
    needs: 'create node groups',
    policies: 'AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy and AmazonEC2ContainerRegistryReadOnly',
    made: 'dolly-eks-node',
    policyArns: [
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
    ],
  },
} as const;
type RoleKey = keyof typeof ROLES;
/** The AWS managed policy the EBS CSI driver's role needs (arn:aws:iam::aws:policy/service-role/...). */
const EBS_CSI_POLICY = 'AmazonEBSCSIDriverPolicy';

/** A role younger than this (IAM CreateDate) may not have reached EKS yet. Real time. */
const FRESH_ROLE_MS = 10 * 60_000;
/** How long a create waits for a new role to reach EKS; real time, scaled as polling is. */
const ROLE_PROPAGATION_WAIT_MS = 60_000;

/** EKS's answer for a role IAM has not propagated to it yet (the same as for one that does not exist). */
function roleNotYetAssumable(e: unknown): boolean {
  return (
    e instanceof CloudError &&
    e.cloudCode === 'InvalidParameterException' &&
    /could not be assumed|not found in the trust relationships/i.test(e.message)
  );
}

/** The name of the role Dolly makes for a plan when settings.createMissingRoles is on (stable across retries). */
export function madeRoleName(key: RoleKey, planId: string): string {
  return `${ROLES[key].made}-${createHash('sha256').update(planId).digest('hex').slice(0, 10)}`;
}

/** A trust policy letting one AWS service assume the role. */
function trustPolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

/** The one wording of "make this role", for the plan's preflight and apply's refusal alike. */
function roleFix(key: RoleKey): string {
  const r = ROLES[key];
  return `create an IAM role trusted by ${r.service} with ${r.policies} and set settings.${key} to its ARN`;
}

/** The role name of a role ARN (arn:aws:iam::<account>:role[/path]/<name>). */
function roleName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
  return m?.[1];
}

/** The service principals a role's trust policy (URL-encoded JSON, as IAM returns it) allows. */
function trustedServices(doc: string | undefined): string[] {
  if (!doc) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeURIComponent(doc));
  } catch {
    return [];
  }
  const st = (parsed as { Statement?: unknown }).Statement;
  const list = (Array.isArray(st) ? st : st ? [st] : []) as {
    Effect?: unknown;
    Action?: unknown;
    Principal?: { Service?: unknown };
  }[];
  return list
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => {
      const v = s.Principal?.Service;
      return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    });
}

export function createAwsProvider(account: CloudAccountConfig, egress: EgressPolicy): CloudProvider {
  const ep = account.endpoints ?? {};
  const endpoint = {
    eks: ep.eks ?? account.endpoint ?? undefined,
    ec2: ep.ec2 ?? account.endpoint ?? undefined,
    sts: ep.sts ?? account.endpoint ?? undefined,
    iam: ep.iam ?? account.endpoint ?? undefined,
    servicequotas: ep.servicequotas ?? account.endpoint ?? undefined,
  };
  // The agents go to the SDK's NodeHttpHandler through its options: no direct dependency on
  // @smithy/node-http-handler needed.
  const agents = accountAgents(account, egress);
  const requestHandler = { httpAgent: agents.http, httpsAgent: agents.https };
  const defaultRegion = account.settings.regions?.[0] ?? credString(account, 'defaultRegion') ?? 'us-east-1';

  let credentials: Credentials | undefined;
  const creds = (): Credentials => {
    if (credentials) return credentials;
    switch (account.credentialKind) {
      case 'aws-access-key': {
        const sessionToken = credString(account, 'sessionToken');
        credentials = {
          accessKeyId: requireCred(account, 'accessKeyId'),
          secretAccessKey: requireCred(account, 'secretAccessKey'),
          ...(sessionToken ? { sessionToken } : {}),
        };
        break;
      }
      case 'aws-assume-role': {
        // Dolly generates one per account (confused deputy): a role assumed without it would trust anyone
        // who knows its ARN, so an account without one is refused rather than connected.
        const externalId = requireCred(account, 'externalId');
        // The principal that assumes the role is the one the tenant gave, never the host's chain.
        const sourceKey = requireCred(account, 'sourceAccessKeyId');
        const sourceSessionToken = credString(account, 'sourceSessionToken');
        credentials = fromTemporaryCredentials({
          params: {
            RoleArn: requireCred(account, 'roleArn'),
            RoleSessionName: credString(account, 'sessionName') ?? `dolly-${account.id}`.slice(0, 64),
            ExternalId: externalId,
          },
          masterCredentials: {
            accessKeyId: sourceKey,
            secretAccessKey: requireCred(account, 'sourceSecretAccessKey'),
            ...(sourceSessionToken ? { sessionToken: sourceSessionToken } : {}),
          },
          clientConfig: {
            region: defaultRegion,
            ...(endpoint.sts ? { endpoint: endpoint.sts } : {}),
            requestHandler,
          },
        });
        break;
      }
      case 'aws-default-chain':
        credentials = fromNodeProviderChain();
        break;
      default:
        throw new CloudError({
          cloud: 'aws',
          operation: 'credentials',
          class: 'auth',
          message: `credential kind ${account.credentialKind} is not an AWS kind`,
        });
    }
    return credentials;
  };

  const base = (region: string, url: string | undefined) => ({
    region,
    credentials: creds(),
    ...(url ? { endpoint: url } : {}),
    requestHandler,
  });
  const eksClients = new Map<string, EKSClient>();
  const ec2Clients = new Map<string, EC2Client>();
  const eks = (region: string) => {
    const c = eksClients.get(region) ?? new EKSClient(base(region, endpoint.eks));
    eksClients.set(region, c);
    return c;
  };
  const ec2 = (region: string) => {
    const c = ec2Clients.get(region) ?? new EC2Client(base(region, endpoint.ec2));
    ec2Clients.set(region, c);
    return c;
  };
  const call = <T>(operation: string, fn: () => Promise<T>) => cloudCall('aws', operation, fn);
  const opt = (ctx?: OperationContext) => (ctx?.signal ? { abortSignal: ctx.signal } : {});

  let accountId: string | undefined = account.scope ?? undefined;
  const whoAmI = async (ctx?: OperationContext) => {
    const sts = new STSClient(base(defaultRegion, endpoint.sts));
    try {
      const me = await call('GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({}), opt(ctx)));
      accountId = me.Account ?? accountId;
      return me;
    } finally {
      sts.destroy();
    }
  };
  const scopeOf = async (ctx?: OperationContext) => accountId ?? (await whoAmI(ctx)).Account ?? '';

  // subnet id -> availability zone, per region (subnets do not move)
  const subnetZones = new Map<string, string>();
  const zonesOf = async (region: string, subnetIds: string[], ctx?: OperationContext) => {
    const unknown = [...new Set(subnetIds)].filter((s) => !subnetZones.has(s));
    if (unknown.length > 0) {
      const out = await call('DescribeSubnets', () =>
        ec2(region).send(new DescribeSubnetsCommand({ SubnetIds: unknown }), opt(ctx)),
      );
      for (const s of out.Subnets ?? [])
        if (s.SubnetId && s.AvailabilityZone) subnetZones.set(s.SubnetId, s.AvailabilityZone);
    }
    return (id: string) => subnetZones.get(id);
  };

  const describeCluster = async (
    region: string,
    name: string,
    ctx?: OperationContext,
  ): Promise<Cluster | undefined> => {
    try {
      const out = await call('DescribeCluster', () =>
        eks(region).send(new DescribeClusterCommand({ name }), opt(ctx)),
      );
      return out.cluster;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const describeNodegroup = async (region: string, cluster: string, name: string, ctx?: OperationContext) => {
    try {
      const out = await call('DescribeNodegroup', () =>
        eks(region).send(
          new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: name }),
          opt(ctx),
        ),
      );
      return out.nodegroup;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const listNodegroupNames = async (region: string, cluster: string, ctx?: OperationContext) => {
    const names: string[] = [];
    await call('ListNodegroups', async () => {
      for await (const page of paginateListNodegroups({ client: eks(region) }, { clusterName: cluster }))
        names.push(...(page.nodegroups ?? []));
    });
    void ctx;
    return names;
  };

  const listAddonNames = async (region: string, cluster: string, ctx?: OperationContext) =>
    call('ListAddons', () =>
      eks(region).send(new ListAddonsCommand({ clusterName: cluster }), opt(ctx)),
    ).then((o) => o.addons ?? []);

  /**
   * `known` carries the node group and add-on names when the caller listed them already (discovery
   * lists them alongside DescribeCluster, as each is a round trip of its own).
   */
  const toDiscovered = async (
    region: string,
    cluster: Cluster,
    ctx?: OperationContext,
    known?: { nodegroups: string[]; addons: string[] },
  ): Promise<DiscoveredCluster> => {
    const name = cluster.name ?? '';
    const [names, addons] = known
      ? [known.nodegroups, known.addons]
      : await Promise.all([listNodegroupNames(region, name, ctx), listAddonNames(region, name, ctx)]);
    const nodegroups = (await mapLimit(names, 5, (n) => describeNodegroup(region, name, n, ctx))).filter(
      (n): n is Nodegroup => n !== undefined,
    );
    const zoneOf = await zonesOf(
      region,
      nodegroups.flatMap((n) => n.subnets ?? []),
      ctx,
    );
    const spec = eksToSpec(cluster, nodegroups, {
      region,
      account: accountId ?? '',
      addons,
      zoneOfSubnet: zoneOf,
    });
    return { spec, raw: { cluster, nodegroups, addons }, status: cluster.status ?? 'UNKNOWN' };
  };

  const discoverRegions = async (ctx?: OperationContext): Promise<string[]> => {
    if (account.settings.regions?.length) return account.settings.regions;
    // Only regions this account has enabled (DescribeRegions) and that offer EKS (the catalog).
    const out = await call('DescribeRegions', () =>
      ec2(defaultRegion).send(new DescribeRegionsCommand({}), opt(ctx)),
    );
    const withEks = new Set(bundledCatalog.regions('aws').map((r) => r.id));
    return (out.Regions ?? [])
      .map((r) => r.RegionName ?? '')
      .filter((r) => withEks.has(r))
      .sort();
  };

  const defaultSubnets = async (region: string, ctx?: OperationContext): Promise<string[]> => {
    const configured = account.settings.subnetIds?.[region];
    if (configured?.length) return configured;
    const out = await call('DescribeSubnets', () =>
      ec2(region).send(
        new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }),
        opt(ctx),
      ),
    );
    const subnets = (out.Subnets ?? []).filter((s) => s.SubnetId);
    for (const s of subnets)
      if (s.SubnetId && s.AvailabilityZone) subnetZones.set(s.SubnetId, s.AvailabilityZone);
    if (subnets.length === 0) {
      throw new CloudError({
        cloud: 'aws',
        operation: 'CreateCluster',
        class: 'rejected',
        field: `settings.subnetIds.${region}`,
        message: `no subnets for ${region}: set settings.subnetIds.${region} or create a default VPC there`,
      });
    }
    return subnets.map((s) => s.SubnetId as string);
  };

  /** Opt-in (settings.createMissingNetwork): apply makes a VPC where a region has none to offer. */
  const createMissingNetwork = account.settings.createMissingNetwork === true;
  const network = awsNetwork({ ec2, call, opt });
  /** "no subnets" from defaultSubnets: the region has neither settings.subnetIds nor a default VPC. */
  const noSubnets = (e: unknown, region: string) =>
    e instanceof CloudError && e.class === 'rejected' && e.field === `settings.subnetIds.${region}`;
  /** The subnets a new cluster goes into: configured, the default VPC's, or (opt-in) a VPC Dolly makes. */
  const subnetsForCluster = async (target: TargetClusterSpec, ctx: PlanContext): Promise<string[]> => {
    const region = target.location;
    try {
      return await defaultSubnets(region, ctx);
    } catch (e) {
      if (!createMissingNetwork || !noSubnets(e, region)) throw e;
    }
    const scope = await scopeOf(ctx);
    return network.ensureNetwork(region, target.name, ctx, (vpcId) =>
      record(ctx, {
        cloud: 'aws',
        kind: 'network',
        scope,
        location: region,
        cluster: target.name,
        name: vpcId,
      }),
    );
  };

  const requireSetting = (key: RoleKey, operation: string): string => {
    const v = account.settings[key];
    if (typeof v === 'string' && v !== '') return v;
    throw new CloudError({
      cloud: 'aws',
      operation,
      class: 'rejected',
      field: `settings.${key}`,
      message: `the AWS account needs settings.${key} (an IAM role ARN) to ${ROLES[key].needs}; fix: ${roleFix(key)}`,
    });
  };

  /** Opt-in (settings.createMissingRoles): apply makes the EKS roles a fresh account lacks. */
  const createMissingRoles = account.settings.createMissingRoles === true;
  const iamClient = () => new IAMClient(base(defaultRegion, endpoint.iam));

  /** When each role apply read or made was created (IAM's CreateDate, ms), by ARN. */
  const roleBirth = new Map<string, number>();
  const noteBirth = (role: { Arn?: string; CreateDate?: Date } | undefined) => {
    if (role?.Arn && role.CreateDate) roleBirth.set(role.Arn, role.CreateDate.getTime());
  };

  /** Whether IAM has a role of that name (NoSuchEntity = no). */
  const roleExists = async (iam: IAMClient, name: string, ctx?: OperationContext) =>
    call('GetRole', () => iam.send(new GetRoleCommand({ RoleName: name }), opt(ctx))).then(
      (out) => {
        noteBirth(out.Role);
        return out.Role?.Arn ?? true;
      },
      (e: unknown) => {
        if (isNotFound(e)) return false;
        throw e;
      },
    );

  /**
   * The ARN of the role a create needs. Without the opt-in it is the setting (or the refusal with
   * the fix). With it, a configured role that exists is used as it is; otherwise Dolly makes
   * `dolly-eks-{cluster,node}-<plan hash>` with the trust and managed policies EKS needs, recorded in
   * the ledger before the create so rollback deletes it. A role of that name already there (another
   * step or run of the plan made it) is recorded `adopted`, never `created`.
   */
  const rolesInFlight = new Map<string, Promise<string>>();
  const ensureRole = (
    key: RoleKey,
    target: TargetClusterSpec,
    ctx: PlanContext,
    operation: string,
  ): Promise<string> => {
    if (!createMissingRoles) return Promise.resolve(requireSetting(key, operation));
    // the pools of one cluster are created side by side: one of them makes the role, the others wait
    const k = `${key}\n${ctx.planId}\n${target.name}`;
    const running = rolesInFlight.get(k);
    if (running) return running;
    const p = makeRole(key, target, ctx).finally(() => rolesInFlight.delete(k));
    rolesInFlight.set(k, p);
    return p;
  };
  const makeRole = async (key: RoleKey, target: TargetClusterSpec, ctx: PlanContext): Promise<string> => {
    const r = ROLES[key];
    const configured = account.settings[key];
    const iam = iamClient();
    try {
      if (typeof configured === 'string' && configured !== '') {
        const name = roleName(configured);
        if (name && (await roleExists(iam, name, ctx)) !== false) return configured;
      }
      const name = madeRoleName(key, ctx.planId);
      const scope = await scopeOf(ctx);
      const ref = {
        cloud: 'aws' as const,
        kind: 'iamRole' as const,
        scope,
        location: 'global',
        cluster: target.name,
        name,
      };
      const policies = [
        ...r.policyArns,
        ...(key === 'nodeRoleArn' && target.addons?.includes('aws-ebs-csi-driver')
          ? [`arn:aws:iam::aws:policy/service-role/${EBS_CSI_POLICY}`]
          : []),
      ];
      const found = await roleExists(iam, name, ctx);
      let arn = typeof found === 'string' ? found : undefined;
      if (found === false) {
        await record(ctx, ref);
        progress(ctx, 'iam-role', `creating IAM role ${name} (trusted by ${r.service})`);
        arn = await call('CreateRole', () =>
          iam.send(
            new CreateRoleCommand({
              RoleName: name,
              AssumeRolePolicyDocument: trustPolicy(r.service),
              Description: `EKS role Dolly created for plan ${ctx.planId}`,
              Tags: [{ Key: PLAN_LABEL, Value: ctx.planId }],
            }),
            opt(ctx),
          ),
        ).then(
          (out) => {
            noteBirth(out.Role);
            return out.Role?.Arn;
          },
          async (e: unknown) => {
            // a concurrent step of the same plan made it first: use it
            if (e instanceof CloudError && e.cloudCode?.startsWith('EntityAlreadyExists')) {
              const again = await roleExists(iam, name, ctx);
              return typeof again === 'string' ? again : undefined;
            }
            throw e;
          },
        );
      } else {
        await record(ctx, ref, 'adopted');
      }
      // attaching is idempotent, so a role of the plan's own name always ends up complete
      for (const policyArn of policies)
        await call('AttachRolePolicy', () =>
          iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policyArn }), opt(ctx)),
        );
      return arn ?? `arn:aws:iam::${scope}:role/${name}`;
    } finally {
      iam.destroy();
    }
  };

  /**
   * Runs a create that passes EKS `roleArn`, waiting out IAM's eventual consistency: for some
   * seconds after CreateRole, EKS answers InvalidParameterException as if the role did not exist.
   * Only a role IAM says is young (created within FRESH_ROLE_MS: one apply just made, or an
   * earlier attempt of it did) is waited for; the same refusal for an older role is a real
   * misconfiguration (wrong ARN, wrong trust, which preflight reports), and waiting a minute on
   * it would only delay the fix. Bounded by ROLE_PROPAGATION_WAIT_MS, scaled as polling is.
   */
  const whenAssumable = async <T>(
    roleArn: string,
    ctx: OperationContext,
    phase: string,
    fn: () => Promise<T>,
  ): Promise<T> => {
    const born = roleBirth.get(roleArn);
    if (born === undefined || Date.now() - born > FRESH_ROLE_MS) return fn();
    const scale = (ctx.pollIntervalMs ?? DEFAULT_POLL_MS) / DEFAULT_POLL_MS;
    const deadline = Date.now() + ROLE_PROPAGATION_WAIT_MS * scale;
    let wait = Math.max(1, Math.round(1_000 * scale));
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (!roleNotYetAssumable(e) || Date.now() + wait > deadline) throw e;
        progress(
          ctx,
          phase,
          `IAM role ${roleArn} is not visible to EKS yet (IAM propagates new roles in seconds); retrying`,
        );
        const pause = () => sleep(wait, ctx.signal);
        await (ctx.idle ? ctx.idle(pause) : pause());
        wait = Math.min(wait * 2, Math.max(1, Math.round(10_000 * scale)));
      }
    }
  };

  /** Deletes a role Dolly created: IAM refuses DeleteRole while policies are attached. */
  const deleteRole = async (ref: RoleRef, ctx: OperationContext): Promise<void> => {
    const iam = iamClient();
    try {
      const attached: string[] = [];
      try {
        let marker: string | undefined;
        do {
          const out = await call('ListAttachedRolePolicies', () =>
            iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ref.name, Marker: marker }), opt(ctx)),
          );
          for (const p of out.AttachedPolicies ?? []) if (p.PolicyArn) attached.push(p.PolicyArn);
          marker = out.IsTruncated ? out.Marker : undefined;
        } while (marker);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      progress(ctx, 'delete-iam-role', `deleting IAM role ${ref.name}`);
      for (const policyArn of attached)
        await call('DetachRolePolicy', () =>
          iam.send(new DetachRolePolicyCommand({ RoleName: ref.name, PolicyArn: policyArn }), opt(ctx)),
        ).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      await call('DeleteRole', () => iam.send(new DeleteRoleCommand({ RoleName: ref.name }), opt(ctx))).catch(
        (e: unknown) => {
          if (!isNotFound(e)) throw e;
        },
      );
    } finally {
      iam.destroy();
    }
  };

  /** What the account lacks for one role setting: unset, no such role, or a role EKS may not assume. */
  const checkRole = async (key: RoleKey, ctx?: OperationContext): Promise<PreflightCheck | undefined> => {
    const r = ROLES[key];
    const finding = { check: r.check, severity: 'blocker' as const, field: `settings.${key}` };
    const arn = account.settings[key];
    // with the opt-in, a role that is not there is made at apply: say so, do not block
    const willCreate = (why: string): PreflightCheck => ({
      ...finding,
      severity: 'warning',
      message: `${why}; settings.createMissingRoles is on, so apply will create IAM role ${r.made}-<plan> trusted by ${r.service} with ${r.policies}${key === 'nodeRoleArn' ? ` (and ${EBS_CSI_POLICY} when the EBS CSI add-on is planned)` : ''}, and rollback deletes it`,
      fix: `nothing to do, or ${roleFix(key)}`,
    });
    if ((typeof arn !== 'string' || arn === '') && createMissingRoles)
      return willCreate(`the account has no settings.${key}`);
    if (typeof arn !== 'string' || arn === '')
      return {
        ...finding,
        message: `the account has no settings.${key}, which EKS needs to ${r.needs}`,
        fix: roleFix(key),
      };
    const name = roleName(arn);
    if (!name)
      return { ...finding, message: `settings.${key} is not an IAM role ARN: ${arn}`, fix: roleFix(key) };
    // IAM is global: one client, in the default region's partition
    const iam = new IAMClient(base(defaultRegion, endpoint.iam));
    try {
      const out = await call('GetRole', () => iam.send(new GetRoleCommand({ RoleName: name }), opt(ctx)));
      const trusted = trustedServices(out.Role?.AssumeRolePolicyDocument);
      if (trusted.includes(r.service)) return undefined;
      return {
        ...finding,
        message: `IAM role ${name} (settings.${key}) does not trust ${r.service}, so EKS cannot ${r.needs}`,
        fix: `add ${r.service} as a trusted service principal to the trust policy of role ${name} (aws iam update-assume-role-policy --role-name ${name} ...), or ${roleFix(key)}`,
      };
    } catch (e) {
      if (isNotFound(e) && createMissingRoles)
        return willCreate(`IAM role ${name} (settings.${key}) does not exist in the account`);
      if (isNotFound(e))
        return {
          ...finding,
          message: `IAM role ${name} (settings.${key}) does not exist in the account`,
          fix: roleFix(key),
        };
      if (e instanceof CloudError && e.class === 'auth')
        return {
          ...finding,
          severity: 'warning',
          message: `the credentials may not read IAM role ${name} (iam:GetRole), so Dolly cannot tell whether EKS may assume it`,
          fix: `allow iam:GetRole on ${arn} for Dolly's credentials, or check that the role is trusted by ${r.service}`,
        };
      throw e;
    } finally {
      iam.destroy();
    }
  };

  /**
   * The planned node groups' vCPUs per EC2 vCPU quota (Service Quotas, per instance class and
   * purchase option) against the region's applied quota. Instances already running in the class
   * count too, but reading them costs a scan of the region: the message says so instead.
   */
  const checkVcpuQuota = async (
    target: TargetClusterSpec,
    ctx?: OperationContext,
  ): Promise<PreflightCheck[]> => {
    const region = target.location;
    const need = new Map<string, { quota: AwsVcpuQuota; nodes: number; max: number }>();
    for (const pool of target.nodePools) {
      const vcpus =
        bundledCatalog.machineType('aws', pool.machineType, region)?.vcpus ??
        bundledCatalog.machineType('aws', pool.machineType)?.vcpus ??
        0;
      const quota = awsVcpuQuota(pool.machineType, pool.spot);
      if (!quota || vcpus === 0) continue;
      const n = need.get(quota.code) ?? { quota, nodes: 0, max: 0 };
      n.nodes += vcpus * pool.nodeCount;
      n.max += vcpus * Math.max(pool.nodeCount, pool.autoscaling?.maxNodes ?? 0);
      need.set(quota.code, n);
    }
    if (need.size === 0) return [];
    const sq = new ServiceQuotasClient(base(region, endpoint.servicequotas));
    const found: PreflightCheck[] = [];
    try {
      for (const { quota, nodes, max } of need.values()) {
        let value: number | undefined;
        try {
          const out = await call('GetServiceQuota', () =>
            sq.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: quota.code }), opt(ctx)),
          );
          value = out.Quota?.Value;
        } catch (e) {
          if (e instanceof CloudError && e.class === 'auth') {
            found.push({
              check: 'aws.vcpu-quota',
              severity: 'warning',
              message: `the credentials may not read the EC2 vCPU quotas (servicequotas:GetServiceQuota), so Dolly cannot tell whether ${region} has room for the planned node groups`,
              fix: `allow servicequotas:GetServiceQuota for Dolly's credentials, or check "${quota.name}" (${quota.code}) in the Service Quotas console for ${region}`,
            });
            return found;
          }
          // a quota Service Quotas does not know in this region: EC2 decides at launch
          if (e instanceof CloudError && e.cloudCode === 'NoSuchResourceException') continue;
          throw e;
        }
        if (value === undefined || max <= value) continue;
        const over = nodes > value;
        const desired = over ? nodes : max;
        found.push({
          check: 'aws.vcpu-quota',
          severity: over ? 'blocker' : 'warning',
          message: over
            ? `the planned node groups need ${nodes} vCPUs of "${quota.name}" in ${region}; the account's quota (${quota.code}) is ${value}, and instances already running in that class count against it too`
            : `the planned node groups start within "${quota.name}" in ${region} (quota ${quota.code}: ${value}), but autoscaling to their maximum needs ${max} vCPUs, so they stop short`,
          fix: `aws service-quotas request-service-quota-increase --service-code ec2 --quota-code ${quota.code} --desired-value ${desired} --region ${region} (add the vCPUs already running in that class), or plan fewer or smaller nodes there`,
        });
      }
    } finally {
      sq.destroy();
    }
    return found;
  };

  /**
   * The EBS CSI add-on runs with the node role (Dolly passes it no role of its own), so that role
   * needs AmazonEBSCSIDriverPolicy or volumes stay Pending after the clone.
   */
  const checkCsiPolicy = async (
    target: TargetClusterSpec,
    ctx?: OperationContext,
  ): Promise<PreflightCheck[]> => {
    if (!target.addons?.includes('aws-ebs-csi-driver')) return [];
    const arn = account.settings.nodeRoleArn;
    const name = typeof arn === 'string' ? roleName(arn) : undefined;
    // no usable node role: aws.node-role already says so
    if (!name) return [];
    const iam = new IAMClient(base(defaultRegion, endpoint.iam));
    try {
      const attached: string[] = [];
      let marker: string | undefined;
      do {
        const out = await call('ListAttachedRolePolicies', () =>
          iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker: marker }), opt(ctx)),
        );
        for (const p of out.AttachedPolicies ?? []) if (p.PolicyArn) attached.push(p.PolicyArn);
        marker = out.IsTruncated ? out.Marker : undefined;
      } while (marker);
      if (attached.some((p) => p.endsWith(`:policy/service-role/${EBS_CSI_POLICY}`))) return [];
      return [
        {
          check: 'aws.ebs-csi-policy',
          severity: 'blocker',
          field: 'settings.nodeRoleArn',
          message: `node role ${name} (settings.nodeRoleArn) lacks ${EBS_CSI_POLICY}, so the aws-ebs-csi-driver add-on cannot create the persistent volumes the clone needs`,
          fix: `aws iam attach-role-policy --role-name ${name} --policy-arn arn:aws:iam::aws:policy/service-role/${EBS_CSI_POLICY}`,
        },
      ];
    } catch (e) {
      // a missing role is aws.node-role's finding
      if (isNotFound(e)) return [];
      if (e instanceof CloudError && e.class === 'auth')
        return [
          {
            check: 'aws.ebs-csi-policy',
            severity: 'warning',
            field: 'settings.nodeRoleArn',
            message: `the credentials may not list the policies of IAM role ${name} (iam:ListAttachedRolePolicies), so Dolly cannot tell whether the EBS CSI driver may create volumes`,
            fix: `allow iam:ListAttachedRolePolicies on ${String(arn)} for Dolly's credentials, or check that ${EBS_CSI_POLICY} is attached to role ${name}`,
          },
        ];
      throw e;
    } finally {
      iam.destroy();
    }
  };

  const waitClusterActive = (target: { location: string; name: string }, ctx: OperationContext) =>
    pollUntil('aws', 'DescribeCluster', ctx, async () => {
      const c = await describeCluster(target.location, target.name, ctx);
      if (!c)
        throw new CloudError({
          cloud: 'aws',
          operation: 'DescribeCluster',
          class: 'not_found',
          message: `No cluster found for name: ${target.name}.`,
        });
      progress(ctx, 'control-plane', `cluster ${target.name} is ${c.status}`);
      if (c.status === 'FAILED')
        throw failed('CreateCluster', `cluster ${target.name}`, c.health?.issues?.[0]?.message);
      return c.status === 'ACTIVE' ? c : undefined;
    });

  const failed = (operation: string, what: string, detail?: string) => {
    // EC2 refusing the node group's instances for the vCPU quota is not worth retrying
    const quota = /\b(VcpuLimitExceeded|MaxSpotInstanceCountExceeded)\b/.exec(detail ?? '')?.[1];
    return new CloudError({
      cloud: 'aws',
      operation,
      class: quota ? 'quota' : 'transient',
      cloudCode: quota ?? 'ProvisioningFailed',
      message: `${what} ended FAILED${detail ? `: ${detail}` : ''}`,
    });
  };

  const deleteNodePool = async (ref: NodePoolRef, ctx: OperationContext): Promise<void> => {
    try {
      await call('DeleteNodegroup', () =>
        eks(ref.location).send(
          new DeleteNodegroupCommand({ clusterName: ref.cluster, nodegroupName: ref.name }),
          opt(ctx),
        ),
      );
    } catch (e) {
      // gone is done; ResourceInUse means a delete (or create) is already running: wait below
      if (!isNotFound(e) && !(e instanceof CloudError && e.class === 'conflict')) throw e;
    }
    progress(ctx, 'delete-node-pool', `deleting node group ${ref.name}`);
    await pollUntil('aws', 'DeleteNodegroup', ctx, async () => {
      const ng = await describeNodegroup(ref.location, ref.cluster, ref.name, ctx);
      if (!ng) return true;
      // a create that was still running when rollback began: delete once it settles
      if (ng.status === 'ACTIVE' || ng.status === 'CREATE_FAILED' || ng.status === 'DEGRADED') {
        await call('DeleteNodegroup', () =>
          eks(ref.location).send(
            new DeleteNodegroupCommand({ clusterName: ref.cluster, nodegroupName: ref.name }),
            opt(ctx),
          ),
        ).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      }
      return undefined;
    });
  };

  const provider: CloudProvider = {
    cloud: 'aws',

    async testConnection(ctx) {
      const missing: string[] = [];
      let identity: string | undefined;
      let scope: string | undefined;
      try {
        const me = await whoAmI(ctx);
        identity = me.Arn;
        scope = me.Account;
      } catch (e) {
        const err = classifyCloudError('aws', 'GetCallerIdentity', e);
        return { ok: false, scopes: [], missing, message: `${err.class}: ${err.message}` };
      }
      if (account.scope && scope && account.scope !== scope) {
        return {
          ok: false,
          ...(identity ? { identity } : {}),
          scopes: scope ? [scope] : [],
          missing,
          message: `the credentials belong to account ${scope}, not ${account.scope}`,
        };
      }
      try {
        await call('ListClusters', () =>
          eks(defaultRegion).send(new ListClustersCommand({ maxResults: 1 }), opt(ctx)),
        );
      } catch (e) {
        const err = classifyCloudError('aws', 'ListClusters', e);
        if (err.class === 'auth') missing.push(`permission eks:ListClusters in ${defaultRegion}`);
        else throw err;
      }
      // with settings.createMissingRoles apply makes the roles, so an unset ARN is not missing
      if (!account.settings.clusterRoleArn && !createMissingRoles)
        missing.push('settings.clusterRoleArn (IAM role for EKS control planes; needed to create clusters)');
      if (!account.settings.nodeRoleArn && !createMissingRoles)
        missing.push('settings.nodeRoleArn (IAM role for node groups; needed to create node pools)');
      if (!account.settings.regions?.length)
        missing.push('settings.regions (optional: discovery then scans every enabled EKS region)');
      return {
        ok: true,
        ...(identity ? { identity } : {}),
        scopes: scope ? [scope] : [],
        missing,
      };
    },

    async discover(opts = {}) {
      const regions = opts.regions?.length ? opts.regions : await discoverRegions(opts);
      await scopeOf(opts);
      const perRegion = await mapLimit(regions, 8, async (region) => {
        const names: string[] = [];
        await call('ListClusters', async () => {
          for await (const page of paginateListClusters({ client: eks(region) }, {}))
            names.push(...(page.clusters ?? []));
        });
        progress(opts, 'discover', `${region}: ${names.length} cluster(s)`);
        // EKS has no "list with details": each cluster costs a few calls, so several at a time.
        // Describe, node group names and add-on names need only the cluster's name: one round trip
        // for the three instead of three in a row, which is most of a cluster's time at cloud latency.
        // A cluster deleted since ListClusters answers NotFound to each; it is skipped.
        const found = await mapLimit(names.sort(), 8, async (name) => {
          const gone = (e: unknown) => {
            if (isNotFound(e)) return undefined;
            throw e;
          };
          const [c, nodegroups, addons] = await Promise.all([
            describeCluster(region, name, opts),
            listNodegroupNames(region, name, opts).catch(gone),
            listAddonNames(region, name, opts).catch(gone),
          ]);
          if (!c || !nodegroups || !addons) return undefined;
          return toDiscovered(region, c, opts, { nodegroups, addons });
        });
        return found.filter((c): c is DiscoveredCluster => c !== undefined);
      });
      return perRegion.flat();
    },

    async regionCatalog(region, ctx) {
      const versionsOut = await call('DescribeClusterVersions', () =>
        eks(region).send(new DescribeClusterVersionsCommand({}), opt(ctx)),
      );
      const versions: KubernetesVersionInfo[] = (versionsOut.clusterVersions ?? [])
        .filter((v) => v.clusterVersion && v.versionStatus !== 'UNSUPPORTED' && v.status !== 'unsupported')
        .map((v) => ({
          cloud: 'aws',
          minor: v.clusterVersion as string,
          versions: [v.clusterVersion as string],
          default: v.defaultVersion === true,
          support:
            v.status === 'extended-support' || v.versionStatus === 'EXTENDED_SUPPORT'
              ? 'extended'
              : 'standard',
        }));
      // DescribeInstanceTypes answers with the types offered in the client's region
      const offered: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await call('DescribeInstanceTypes', () =>
          ec2(region).send(
            new DescribeInstanceTypesCommand({ MaxResults: 100, NextToken: nextToken }),
            opt(ctx),
          ),
        );
        for (const t of page.InstanceTypes ?? []) if (t.InstanceType) offered.push(t.InstanceType);
        nextToken = page.NextToken;
      } while (nextToken);
      const machineTypes: MachineTypeInfo[] = offered
        .map((n) => bundledCatalog.machineType('aws', n))
        .filter((t): t is MachineTypeInfo => t !== undefined);
      const overlay: CatalogOverlay = {
        clouds: {
          aws: {
            ...(versions.length ? { kubernetesVersions: { [region]: versions } } : {}),
            ...(machineTypes.length ? { machineTypes: { [region]: machineTypes } } : {}),
          },
        },
        sources: [
          {
            cloud: 'aws',
            data: 'kubernetes-versions',
            source: `eks:DescribeClusterVersions ${region} (account ${account.id})`,
            dataAsOf: new Date().toISOString().slice(0, 10),
          },
          {
            cloud: 'aws',
            data: 'machine-types',
            source: `ec2:DescribeInstanceTypes ${region} (account ${account.id})`,
            dataAsOf: new Date().toISOString().slice(0, 10),
          },
        ],
      };
      return overlay;
    },

    async preflight(target, ctx) {
      const found: PreflightCheck[] = [];
      for (const key of Object.keys(ROLES) as RoleKey[]) {
        const missing = await checkRole(key, ctx);
        if (missing) found.push(missing);
      }
      const region = target.location;
      let subnets: string[];
      try {
        subnets = await defaultSubnets(region, ctx);
      } catch (e) {
        // "no subnets" is an answer about the account; anything else is the caller's to report
        if (!(e instanceof CloudError) || e.class !== 'rejected') throw e;
        found.push(
          createMissingNetwork
            ? {
                check: 'aws.subnets',
                severity: 'warning',
                field: `settings.subnetIds.${region}`,
                message: `no default VPC subnets in ${region}; settings.createMissingNetwork is on, so apply will create VPC ${networkName(target.name)} (${NETWORK_CIDR}) with public subnets in up to three Availability Zones, an internet gateway and a default route, and rollback deletes them`,
                fix: `nothing to do, or create subnets in at least two Availability Zones of ${region} and set settings.subnetIds.${region} to their ids`,
              }
            : {
                check: 'aws.subnets',
                severity: 'blocker',
                field: `settings.subnetIds.${region}`,
                message: `no default VPC subnets in ${region}`,
                fix: `create subnets in at least two Availability Zones of ${region} and set settings.subnetIds.${region} to their ids (or create a default VPC there, or set settings.createMissingNetwork to let apply create a VPC)`,
              },
        );
        found.push(...(await checkCsiPolicy(target, ctx)), ...(await checkVcpuQuota(target, ctx)));
        return found;
      }
      const zoneOf = await zonesOf(region, subnets, ctx);
      const zones = new Set(subnets.map((id) => zoneOf(id)).filter((z): z is string => !!z));
      if (zones.size < 2) {
        found.push({
          check: 'aws.subnet-zones',
          severity: 'blocker',
          field: `settings.subnetIds.${region}`,
          message: `the subnets Dolly would use in ${region} are in ${zones.size} Availability Zone(s); EKS requires two or more`,
          fix: `set settings.subnetIds.${region} to subnets in at least two Availability Zones`,
        });
      }
      found.push(...(await checkCsiPolicy(target, ctx)), ...(await checkVcpuQuota(target, ctx)));
      return found;
    },

    async ensureControlPlane(target, ctx) {
      const region = target.location;
      const scope = await scopeOf(ctx);
      const existing = await describeCluster(region, target.name, ctx);
      const ref = {
        cloud: 'aws' as const,
        kind: 'cluster' as const,
        scope,
        location: region,
        cluster: target.name,
      };
      if (existing) {
        if (existing.tags?.[PLAN_LABEL] !== ctx.planId)
          throw conflict('aws', 'CreateCluster', `EKS cluster ${target.name} in ${region}`, ctx.planId);
        await record(ctx, ref, 'adopted');
        progress(ctx, 'control-plane', `adopted cluster ${target.name} (${existing.status})`);
        // The step ends when the control plane is up, so its duration (the timing chart) is the cloud's.
        return { status: (await waitClusterActive(target, ctx)).status ?? 'ACTIVE' };
      }
      // the network first: its calls give IAM time to propagate a role made just after
      const subnetIds = await subnetsForCluster(target, ctx);
      const roleArn = await ensureRole('clusterRoleArn', target, ctx, 'CreateCluster');
      const input = createClusterInput(target, {
        roleArn,
        subnetIds,
        tags: labelsFor(target, ctx.planId),
        clientRequestToken: requestToken(ctx.planId, 'cluster', region, target.name),
      });
      // recorded before the call: a crash between create and record must not leak a cluster
      await record(ctx, ref);
      const out = await whenAssumable(roleArn, ctx, 'control-plane', () =>
        call('CreateCluster', () => eks(region).send(new CreateClusterCommand(input), opt(ctx))),
      );
      const requestId = out.$metadata.requestId;
      ctx.onProgress?.({
        phase: 'control-plane',
        message: `creating cluster ${target.name}`,
        ...(requestId ? { cloudRequestId: requestId } : {}),
      });
      const active = await waitClusterActive(target, ctx);
      return { status: active.status ?? 'ACTIVE', ...(requestId ? { cloudRequestId: requestId } : {}) };
    },

    async ensureNodePool(target, poolName, ctx) {
      const region = target.location;
      const pool = target.nodePools.find((p) => p.name === poolName);
      if (!pool) {
        throw new CloudError({
          cloud: 'aws',
          operation: 'CreateNodegroup',
          class: 'rejected',
          field: 'nodePools',
          message: `no node pool ${poolName} in the target spec`,
        });
      }
      const scope = await scopeOf(ctx);
      // EKS takes node groups only on ACTIVE clusters
      const cluster = await waitClusterActive(target, ctx);
      const ref = {
        cloud: 'aws' as const,
        kind: 'nodePool' as const,
        scope,
        location: region,
        cluster: target.name,
        name: poolName,
      };
      let ng = await describeNodegroup(region, target.name, poolName, ctx);
      if (ng) {
        if (ng.tags?.[PLAN_LABEL] !== ctx.planId && cluster.tags?.[PLAN_LABEL] !== ctx.planId) {
          throw conflict('aws', 'CreateNodegroup', `node group ${poolName} of ${target.name}`, ctx.planId);
        }
        await record(ctx, ref, 'adopted');
        if (ng.status === 'CREATE_FAILED') {
          // a failed create of ours: delete it and create again
          await deleteNodePool({ scope, location: region, cluster: target.name, name: poolName }, ctx);
          ng = undefined;
        }
      }
      if (!ng) {
        const clusterSubnets = cluster.resourcesVpcConfig?.subnetIds ?? [];
        let subnets = clusterSubnets;
        if (pool.zones?.length) {
          const zoneOf = await zonesOf(region, clusterSubnets, ctx);
          const inZones = clusterSubnets.filter((s) => pool.zones?.includes(zoneOf(s) ?? ''));
          if (inZones.length > 0) subnets = inZones;
        }
        const nodeRole = await ensureRole('nodeRoleArn', target, ctx, 'CreateNodegroup');
        const input = createNodegroupInput(target.name, pool, {
          nodeRole,
          subnets,
          tags: labelsFor(target, ctx.planId),
          clientRequestToken: requestToken(ctx.planId, 'nodegroup', region, target.name, poolName),
          gpus: bundledCatalog.machineType('aws', pool.machineType, region)?.gpus ?? 0,
          arch: bundledCatalog.machineType('aws', pool.machineType, region)?.arch,
        });
        await record(ctx, ref);
        await whenAssumable(nodeRole, ctx, 'node-pool', () =>
          call('CreateNodegroup', () => eks(region).send(new CreateNodegroupCommand(input), opt(ctx))),
        );
        progress(ctx, 'node-pool', `creating node group ${poolName}`);
      }
      const done = await pollUntil('aws', 'DescribeNodegroup', ctx, async () => {
        const cur = await describeNodegroup(region, target.name, poolName, ctx);
        if (!cur) return undefined;
        if (cur.status === 'CREATE_FAILED') {
          throw failed('CreateNodegroup', `node group ${poolName}`, cur.health?.issues?.[0]?.message);
        }
        return cur.status === 'ACTIVE' ? cur : undefined;
      });
      return { status: done.status ?? 'ACTIVE' };
    },

    async ensureAddons(target, ctx) {
      const region = target.location;
      const wanted = target.addons ?? [];
      if (wanted.length === 0) return { installed: [] };
      const scope = await scopeOf(ctx);
      const cluster = await waitClusterActive(target, ctx);
      const owned = cluster.tags?.[PLAN_LABEL] === ctx.planId;
      const installed: string[] = [];
      const creating: string[] = [];
      for (const addonName of wanted) {
        const ref = {
          cloud: 'aws' as const,
          kind: 'addon' as const,
          scope,
          location: region,
          cluster: target.name,
          name: addonName,
        };
        let existing = await call('DescribeAddon', () =>
          eks(region).send(new DescribeAddonCommand({ clusterName: target.name, addonName }), opt(ctx)),
        ).then(
          (o) => o.addon,
          (e: unknown) => {
            if (isNotFound(e)) return undefined;
            throw e;
          },
        );
        if (existing && !owned && existing.tags?.[PLAN_LABEL] !== ctx.planId) {
          // an add-on someone else installed is what we wanted anyway: use it, do not own it
          installed.push(addonName);
          continue;
        }
        if (!existing) {
          await record(ctx, ref);
          existing = (
            await call('CreateAddon', () =>
              eks(region).send(
                new CreateAddonCommand({
                  clusterName: target.name,
                  addonName,
                  tags: { [PLAN_LABEL]: ctx.planId },
                  clientRequestToken: requestToken(ctx.planId, 'addon', region, target.name, addonName),
                }),
                opt(ctx),
              ),
            )
          ).addon;
        } else {
          await record(ctx, ref, 'adopted');
        }
        creating.push(addonName);
      }
      // EKS installs add-ons side by side: waiting for each before asking for the next added their times up
      await Promise.all(
        creating.map((addonName) =>
          pollUntil('aws', 'DescribeAddon', ctx, async () => {
            const a = (
              await call('DescribeAddon', () =>
                eks(region).send(new DescribeAddonCommand({ clusterName: target.name, addonName }), opt(ctx)),
              )
            ).addon;
            if (a?.status === 'CREATE_FAILED')
              throw failed('CreateAddon', `add-on ${addonName}`, a.health?.issues?.[0]?.message);
            return a?.status === 'ACTIVE' || a?.status === 'DEGRADED' ? a : undefined;
          }),
        ),
      );
      return { installed: wanted.filter((n) => installed.includes(n) || creating.includes(n)) };
    },

    async waitClusterReady(target, ctx) {
      const cluster = await waitClusterActive(target, ctx);
      const names = await listNodegroupNames(target.location, target.name, ctx);
      for (const n of names) {
        await pollUntil('aws', 'DescribeNodegroup', ctx, async () => {
          const ng = await describeNodegroup(target.location, target.name, n, ctx);
          if (!ng) return true;
          if (ng.status === 'CREATE_FAILED')
            throw failed('CreateNodegroup', `node group ${n}`, ng.health?.issues?.[0]?.message);
          return ng.status === 'ACTIVE' || ng.status === 'DEGRADED' ? true : undefined;
        });
      }
      await scopeOf(ctx);
      return toDiscovered(target.location, cluster, ctx);
    },

    deleteNodePool,
    deleteRole,
    deleteNetwork: network.deleteNetwork,

    async deleteCluster(ref, ctx) {
      const region = ref.location;
      if (!(await describeCluster(region, ref.cluster, ctx))) return;
      // EKS refuses to delete a cluster that still has node groups
      const names = await listNodegroupNames(region, ref.cluster, ctx).catch((e: unknown) => {
        if (isNotFound(e)) return [];
        throw e;
      });
      await Promise.all(names.map((name) => deleteNodePool({ ...ref, name }, ctx)));
      progress(ctx, 'delete-cluster', `deleting cluster ${ref.cluster}`);
      await pollUntil('aws', 'DeleteCluster', ctx, async () => {
        const c = await describeCluster(region, ref.cluster, ctx);
        if (!c) return true;
        if (c.status === 'DELETING') return undefined;
        try {
          await call('DeleteCluster', () =>
            eks(region).send(new DeleteClusterCommand({ name: ref.cluster }), opt(ctx)),
          );
        } catch (e) {
          if (isNotFound(e)) return true;
          // still CREATING / UPDATING: EKS answers ResourceInUse; try again on the next poll
          if (!(e instanceof CloudError && e.class === 'conflict')) throw e;
        }
        return undefined;
      });
    },

    async kubeconfig(ref: ClusterRef, ctx?: OperationContext) {
      const c = await describeCluster(ref.location, ref.cluster, ctx);
      if (!c?.endpoint) {
        throw new CloudError({
          cloud: 'aws',
          operation: 'DescribeCluster',
          class: c ? 'rejected' : 'not_found',
          message: c
            ? `cluster ${ref.cluster} has no API endpoint yet (${c.status})`
            : `No cluster found for name: ${ref.cluster}.`,
        });
      }
      const token = await eksToken({
        cluster: ref.cluster,
        region: ref.location,
        credentials: creds() as AwsCredentialsInput,
        ...(endpoint.sts ? { stsEndpoint: endpoint.sts } : {}),
      });
      return kubeconfigDocument({
        name: c.arn ?? ref.cluster,
        server: c.endpoint,
        ...(c.certificateAuthority?.data ? { caPemBase64: c.certificateAuthority.data } : {}),
        token,
      });
    },
  };
  return provider;
}
