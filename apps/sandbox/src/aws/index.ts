/**
 * The AWS cloud module: EKS (restJson1), EC2 (ec2Query), STS and IAM (awsQuery) and Service Quotas
 * (awsJson1_1), all SigV4-checked.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  CloudModule,
  FaultRule,
  AccountOptions,
  KubeIdentity,
  SandboxAccount,
  SandboxContext,
  SeedCluster,
} from '../context.ts';
import { headerMap } from '../http-util.ts';
import { credentialsFor } from './credentials.ts';
import { ec2ErrorXml, handleEc2 } from './ec2.ts';
import { awsClusterId, EksService } from './eks.ts';
import {
  type AwsAccount,
  type AwsState,
  addonStatus,
  clusterKey,
  clusterStatus,
  type EksCluster,
  type EksNodegroup,
  nextTransitionAt,
  nodegroupStatus,
  settle,
  updateStatus,
} from './model.ts';
import { defaultVpc } from './network.ts';
import { AwsError, parseForm, requestId, sendRestJson, sendRestJsonError, sendXml } from './protocol.ts';
import { routeEks } from './route.ts';
import { handleIam, iamErrorXml, rolesOf } from './iam.ts';
import { FRESH_VCPU_QUOTAS, handleServiceQuotas } from './service-quotas.ts';
import { type SessionKey, type StsDeps, handleSts, stsErrorXml } from './sts.ts';
import {
  parseQuery,
  peekScope,
  type SigV4Result,
  verifyAuthorizationHeader,
  verifyPresigned,
} from './sigv4.ts';

export { awsClusterId } from './eks.ts';
export { credentialsFor } from './credentials.ts';
export { presignGetCallerIdentity } from './sigv4.ts';

type Service = 'eks' | 'ec2' | 'sts' | 'iam' | 'servicequotas';
/** the JSON services: restJson1 (EKS) and awsJson1_1 (Service Quotas) render errors alike */
const isJson = (s: Service) => s === 'eks' || s === 'servicequotas';
const REQUEST_FAULTS = ['throttle', 'server-error', 'timeout'] as const;
const KUBE_TOKEN_PREFIX = 'k8s-aws-v1.';
/** aws-iam-authenticator accepts presigned tokens up to 15 minutes old */
const KUBE_TOKEN_MAX_AGE_MS = 15 * 60_000;

function emptyState(): AwsState {
  return { accounts: {}, clusters: {} };
}

function renderError(res: ServerResponse, service: Service, err: AwsError, reqId: string): void {
  if (isJson(service)) {
    sendRestJsonError(res, err, reqId);
    return;
  }
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  const xml =
    service === 'sts'
      ? stsErrorXml(err.code, err.message, reqId, type)
      : service === 'iam'
        ? iamErrorXml(err.code, err.message, reqId, type)
        : ec2ErrorXml(err.code, err.message, reqId);
  sendXml(res, err.status, xml, reqId, err.headers);
}

function authError(
  service: Service,
  r: Exclude<SigV4Result, { ok: true }> | { code: 'Missing'; message: string },
): AwsError {
  if (isJson(service)) {
    switch (r.code) {
      case 'UnknownKey':
        return new AwsError('UnrecognizedClientException', 403, r.message);
      case 'Missing':
        return new AwsError('MissingAuthenticationTokenException', 403, 'Missing Authentication Token');
      case 'IncompleteSignature':
        return new AwsError('IncompleteSignatureException', 403, r.message);
      default:
        return new AwsError('InvalidSignatureException', 403, r.message);
    }
  }
  if (service === 'sts' || service === 'iam') {
    switch (r.code) {
      case 'UnknownKey':
        return new AwsError('InvalidClientTokenId', 403, r.message);
      case 'Missing':
        return new AwsError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
      case 'IncompleteSignature':
        return new AwsError('IncompleteSignature', 400, r.message);
      default:
        return new AwsError('SignatureDoesNotMatch', 403, r.message);
    }
  }
  return new AwsError(
    'AuthFailure',
    401,
    r.code === 'Missing' ? 'Request is missing Authentication Token' : r.message,
  );
}

function faultError(service: Service, rule: FaultRule): AwsError {
  const retryAfter = String(rule.retryAfterSeconds ?? 1);
  if (rule.kind === 'throttle') {
    const headers = { 'retry-after': retryAfter };
    if (isJson(service))
      return new AwsError('ThrottlingException', 429, rule.message ?? 'Rate exceeded', {}, headers);
    if (service === 'sts' || service === 'iam')
      return new AwsError('Throttling', 400, rule.message ?? 'Rate exceeded', {}, headers);
    return new AwsError('RequestLimitExceeded', 503, rule.message ?? 'Request limit exceeded.', {}, headers);
  }
  if (isJson(service))
    return new AwsError(
      service === 'eks' ? 'ServerException' : 'ServiceException',
      500,
      rule.message ?? 'An internal error occurred (sandbox fault).',
    );
  if (service === 'sts' || service === 'iam')
    return new AwsError(
      'InternalFailure',
      500,
      rule.message ?? 'An internal error occurred (sandbox fault).',
    );
  return new AwsError(
    'InternalError',
    500,
    rule.message ?? 'An internal error has occurred (sandbox fault).',
  );
}

export interface AwsModule extends CloudModule {
  /** the EKS service (tests, introspection) */
  eks: EksService;
  state(): AwsState;
}

export function createAwsModule(ctx: SandboxContext): AwsModule {
  let state = emptyState();
  const eks = new EksService(ctx, () => state);
  const keyIndex = new Map<string, string>();
  const reindex = () => {
    keyIndex.clear();
    for (const id of Object.keys(state.accounts)) keyIndex.set(credentialsFor(id).accessKeyId, id);
  };
  // Keys STS AssumeRole handed out; in memory only, as a restart of STS would not keep them either.
  const sessions = new Map<string, SessionKey>();
  const liveSession = (akid: string) => {
    const key = sessions.get(akid);
    if (key && key.expiresAt <= Date.now()) sessions.delete(akid);
    return sessions.get(akid);
  };
  const secretFor = (akid: string) => {
    const session = liveSession(akid);
    if (session) return session.secretAccessKey;
    const account = keyIndex.get(akid);
    return account ? credentialsFor(account).secretAccessKey : undefined;
  };
  const stsDeps: StsDeps = {
    rolesOf: (id) => {
      const a = state.accounts[id];
      return a ? rolesOf(a) : undefined;
    },
    issue: (akid, key) => sessions.set(akid, key),
    now: () => Date.now(),
  };

  // Rebuilding the kube hub's view of every cluster costs O(fleet); doing it on every read made
  // discovering a large fleet quadratic. A read can skip it until a write happens or the next
  // simulated transition is due, because nothing else changes what the hub shows.
  let hubDueAt = 0;
  const advance = (opts: { read?: boolean } = {}) => {
    const now = ctx.now();
    const changed = settle(state, now, (c) => {
      const id = awsClusterId(c.account, c.region, c.name);
      if (ctx.kube.hasCluster(id)) ctx.kube.removeCluster(id);
    });
    let synced = false;
    if (!opts.read || changed || now >= hubDueAt) {
      synced = eks.syncHub();
      hubDueAt = nextTransitionAt(state, now);
    }
    if (changed || synced) ctx.markDirty();
  };
  /** After a write the hub must be rebuilt at the next request or tick. */
  const hubStale = () => {
    hubDueAt = 0;
  };

  const account = (id: string): SandboxAccount => {
    const a = state.accounts[id];
    const creds = credentialsFor(id);
    const endpoint = `${ctx.urls.http}/aws`;
    return {
      cloud: 'aws',
      id,
      displayName: a?.displayName ?? id,
      endpoints: { eks: endpoint, ec2: endpoint, sts: endpoint, iam: endpoint, servicequotas: endpoint },
      credentials: {
        accessKeyId: creds.accessKeyId,
        secretAccessKey: creds.secretAccessKey,
        arn: creds.userArn,
        defaultRegion: 'us-east-1',
      },
      caCertPem: ctx.caCertPem,
    };
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    _url: URL,
    _transport: 'http' | 'https',
  ): Promise<boolean> => {
    const rawUrl = req.url ?? '/';
    const qi = rawUrl.indexOf('?');
    const rawPath = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
    const rawQuery = qi < 0 ? '' : rawUrl.slice(qi + 1);
    const headers = headerMap(req);
    const query = parseQuery(rawQuery);
    const prefixed = rawPath === '/aws' || rawPath.startsWith('/aws/');
    const scope = peekScope(headers.authorization, query);
    if (!prefixed && !scope) return false;
    const servicePath = prefixed ? rawPath.slice(4) || '/' : rawPath;
    const method = (req.method ?? 'GET').toUpperCase();
    const reqId = requestId();

    // which service / operation
    const form =
      method === 'POST' && /x-www-form-urlencoded/.test(headers['content-type'] ?? '')
        ? parseForm(body)
        : undefined;
    const queryMap = new Map(query);
    const action = form?.get('Action') ?? queryMap.get('Action');
    const version = form?.get('Version') ?? queryMap.get('Version');
    const target = headers['x-amz-target'] ?? '';
    let service: Service;
    if (
      scope?.service === 'sts' ||
      scope?.service === 'ec2' ||
      scope?.service === 'eks' ||
      scope?.service === 'iam' ||
      scope?.service === 'servicequotas'
    )
      service = scope.service;
    else if (target.startsWith('ServiceQuotasV20190624.')) service = 'servicequotas';
    else if (action && version === '2011-06-15') service = 'sts';
    else if (action && version === '2010-05-08') service = 'iam';
    else if (action) service = 'ec2';
    else service = 'eks';
    const route = service === 'eks' ? routeEks(method, servicePath) : undefined;
    const op =
      service === 'eks'
        ? (route?.op ?? 'Unknown')
        : service === 'servicequotas'
          ? target.slice(target.indexOf('.') + 1) || 'Unknown'
          : (action ?? 'Unknown');

    try {
      // authentication
      let verified: SigV4Result;
      if (headers.authorization?.startsWith('AWS4-HMAC-SHA256')) {
        verified = verifyAuthorizationHeader({
          method,
          rawPath,
          query,
          headers,
          body,
          secretFor,
          now: Date.now(),
        });
      } else if (queryMap.has('X-Amz-Credential')) {
        verified = verifyPresigned({ method, rawPath, query, headers, body, secretFor, now: Date.now() });
      } else {
        throw authError(service, { code: 'Missing', message: 'Missing Authentication Token' });
      }
      if (!verified.ok) throw authError(service, verified);
      const session = liveSession(verified.scope.accessKeyId);
      // Temporary keys are only half a credential: the session token must come with every request.
      if (
        session &&
        (headers['x-amz-security-token'] ?? queryMap.get('X-Amz-Security-Token')) !== session.sessionToken
      )
        throw authError(service, {
          ok: false,
          code: 'UnknownKey',
          message: 'The security token included in the request is invalid.',
        });
      const accountId = session?.account ?? (keyIndex.get(verified.scope.accessKeyId) as string);
      const caller = { account: accountId, region: verified.scope.region };

      // injected request-level faults
      const fault = ctx.faults.take('aws', op, REQUEST_FAULTS);
      if (fault?.kind === 'timeout') {
        ctx.log.debug({ op }, 'aws: injected timeout');
        await new Promise((r) => setTimeout(r, (fault.retryAfterSeconds ?? 30) * 1000));
        req.socket.destroy();
        return true;
      }
      if (fault) throw faultError(service, fault);

      const read =
        service === 'eks'
          ? method === 'GET'
          : /^(Describe|Get|List)/.test((service === 'servicequotas' ? op : action) ?? '');
      advance({ read });
      if (!read) hubStale();
      if (service === 'sts') {
        const stsCaller = { account: accountId, ...(session ? { session } : {}) };
        sendXml(res, 200, handleSts(stsCaller, action ?? '', form ?? new Map(query), reqId, stsDeps), reqId);
      } else if (service === 'iam') {
        state.accounts[accountId] ??= { id: accountId, displayName: accountId };
        const acct = state.accounts[accountId];
        sendXml(res, 200, handleIam(acct, action ?? '', form ?? new Map(query), reqId, ctx.now()), reqId);
        if (!read) ctx.markDirty();
      } else if (service === 'servicequotas') {
        const acct = state.accounts[accountId] ?? { id: accountId, displayName: accountId };
        let parsed: Record<string, unknown> = {};
        try {
          const j = body.length > 0 ? (JSON.parse(body.toString('utf8')) as unknown) : {};
          if (typeof j === 'object' && j !== null && !Array.isArray(j)) parsed = j as Record<string, unknown>;
        } catch {
          throw new AwsError('SerializationException', 400, 'Request body is not valid JSON');
        }
        sendRestJson(res, 200, handleServiceQuotas(acct, caller.region, target, parsed), reqId);
      } else if (service === 'ec2') {
        sendXml(res, 200, handleEc2(ctx, caller, action ?? '', form ?? new Map(query), reqId, state), reqId);
      } else {
        if (!route) {
          throw new AwsError(
            'UnknownOperationException',
            404,
            `The sandbox does not implement ${method} ${servicePath}`,
          );
        }
        let parsed: Record<string, unknown> = {};
        if (body.length > 0) {
          try {
            const j = JSON.parse(body.toString('utf8')) as unknown;
            if (typeof j === 'object' && j !== null && !Array.isArray(j))
              parsed = j as Record<string, unknown>;
          } catch {
            throw new AwsError('BadRequestException', 400, 'Request body is not valid JSON');
          }
        }
        const out = eks.handle({
          route,
          caller,
          query: new URLSearchParams(rawQuery),
          body: parsed,
          takeAsyncFailure: () => ctx.faults.take('aws', op, ['async-failure']),
        });
        sendRestJson(res, 200, out, reqId);
      }
    } catch (err) {
      if (err instanceof AwsError) {
        renderError(res, service, err, reqId);
      } else {
        ctx.log.error(
          { err: err instanceof Error ? (err.stack ?? err.message) : String(err), op },
          'aws handler failed',
        );
        renderError(
          res,
          service,
          new AwsError(service === 'eks' ? 'ServerException' : 'InternalFailure', 500, 'internal error'),
          reqId,
        );
      }
    }
    return true;
  };

  const findByClusterId = (clusterId: string): EksCluster | undefined =>
    Object.values(state.clusters).find((c) => awsClusterId(c.account, c.region, c.name) === clusterId);

  const authenticateKube = (clusterId: string, token: string): KubeIdentity | undefined => {
    if (!token.startsWith(KUBE_TOKEN_PREFIX)) return undefined;
    const c = findByClusterId(clusterId);
    if (!c) return undefined;
    let url: URL;
    try {
      url = new URL(Buffer.from(token.slice(KUBE_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const query = parseQuery(url.search.slice(1));
    const q = new Map(query);
    if (q.get('Action') !== 'GetCallerIdentity') return undefined;
    const signed = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
    if (!signed.includes('x-k8s-aws-id') || !signed.includes('host')) return undefined;
    const r = verifyPresigned({
      method: 'GET',
      rawPath: url.pathname,
      query,
      headers: { host: url.host, 'x-k8s-aws-id': c.name },
      body: Buffer.alloc(0),
      secretFor,
      now: Date.now(),
      maxAgeMs: KUBE_TOKEN_MAX_AGE_MS,
    });
    if (!r.ok || r.scope.service !== 'sts') return undefined;
    const caller = keyIndex.get(r.scope.accessKeyId);
    if (caller !== c.account) return undefined;
    const creds = credentialsFor(caller);
    return { username: creds.userArn, groups: ['system:masters', 'system:authenticated'] };
  };

  const seedCluster = (accountId: string, seed: SeedCluster): void => {
    if (!state.accounts[accountId]) state.accounts[accountId] = { id: accountId, displayName: accountId };
    reindex();
    const key = clusterKey(accountId, seed.location, seed.name);
    if (state.clusters[key]) return;
    const zones = eks.zones(seed.location);
    if (zones.length === 0) throw new Error(`unknown AWS region ${seed.location}`);
    if (!ctx.catalog.isSupportedVersion('aws', seed.kubernetesVersion, seed.location)) {
      throw new Error(`unsupported EKS version ${seed.kubernetesVersion}`);
    }
    const vpc = defaultVpc(accountId, seed.location, zones);
    const subnets = vpc.subnets.slice(0, 3).map((s) => s.subnetId);
    const now = ctx.now();
    const created = now - 3_600_000;
    const c: EksCluster = {
      account: accountId,
      region: seed.location,
      name: seed.name,
      arn: `arn:aws:eks:${seed.location}:${accountId}:cluster/${seed.name}`,
      id: randomUUID(),
      createdAt: created,
      readyAt: created,
      version: seed.kubernetesVersion,
      platformVersion: 'eks.10',
      roleArn: `arn:aws:iam::${accountId}:role/eks-cluster-role`,
      vpc: {
        subnetIds: subnets,
        securityGroupIds: [],
        clusterSecurityGroupId: `sg-${vpc.vpcId.slice(4)}`,
        vpcId: vpc.vpcId,
        endpointPublicAccess: true,
        endpointPrivateAccess: false,
        publicAccessCidrs: ['0.0.0.0/0'],
      },
      serviceIpv4Cidr: '10.100.0.0/16',
      ipFamily: 'ipv4',
      logging: [
        { types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false },
      ],
      authenticationMode: 'API_AND_CONFIG_MAP',
      bootstrapClusterCreatorAdminPermissions: true,
      supportType: 'EXTENDED',
      deletionProtection: false,
      tags: { ...seed.labels },
      updates: [],
      nodegroups: {},
      addons: {},
    };
    if (seed.withDemoWorkloads) c.demoWorkloads = 'pending';
    for (const p of seed.nodePools) {
      const m = ctx.catalog.machineType('aws', p.machineType, seed.location);
      if (!m) throw new Error(`unknown instance type ${p.machineType} in ${seed.location}`);
      const poolSubnets = p.zones?.length
        ? vpc.subnets.filter((s) => p.zones?.includes(s.zone)).map((s) => s.subnetId)
        : subnets;
      const uuid = randomUUID();
      const ng: EksNodegroup = {
        name: p.name,
        arn: `arn:aws:eks:${seed.location}:${accountId}:nodegroup/${seed.name}/${p.name}/${uuid}`,
        uuid,
        createdAt: created,
        modifiedAt: created,
        readyAt: created,
        version: seed.kubernetesVersion,
        releaseVersion: eks.releaseVersion(seed.kubernetesVersion),
        capacityType: p.spot ? 'SPOT' : 'ON_DEMAND',
        scaling: {
          minSize: p.autoscaling?.minNodes ?? p.nodeCount,
          maxSize: p.autoscaling?.maxNodes ?? Math.max(p.nodeCount, 1),
          desiredSize: p.nodeCount,
        },
        instanceTypes: [p.machineType],
        subnets: poolSubnets,
        amiType:
          m.arch === 'arm64'
            ? 'AL2023_ARM_64_STANDARD'
            : m.gpus > 0
              ? 'AL2023_x86_64_NVIDIA'
              : 'AL2023_x86_64_STANDARD',
        nodeRole: `arn:aws:iam::${accountId}:role/eks-node-role`,
        labels: { ...(p.labels ?? {}) },
        taints: (p.taints ?? []).map((t) => {
          const effect =
            t.effect === 'NoSchedule'
              ? 'NO_SCHEDULE'
              : t.effect === 'NoExecute'
                ? 'NO_EXECUTE'
                : 'PREFER_NO_SCHEDULE';
          return t.value === undefined ? { key: t.key, effect } : { key: t.key, value: t.value, effect };
        }),
        diskSize: p.diskSizeGb ?? 20,
        tags: { ...seed.labels },
        updateConfig: { maxUnavailable: 1 },
      };
      c.nodegroups[p.name] = ng;
    }
    for (const addonName of ['vpc-cni', 'coredns', 'kube-proxy', 'eks-pod-identity-agent']) {
      c.addons[addonName] = {
        name: addonName,
        arn: `arn:aws:eks:${seed.location}:${accountId}:addon/${seed.name}/${addonName}/${randomUUID()}`,
        version: '',
        createdAt: created,
        modifiedAt: created,
        readyAt: created,
        tags: {},
      };
    }
    state.clusters[key] = c;
    // add-on default versions for the cluster's minor
    for (const a of Object.values(c.addons)) {
      const out = eks.describeAddonVersions({
        route: { op: 'DescribeAddonVersions' },
        caller: { account: accountId, region: seed.location },
        query: new URLSearchParams({ kubernetesVersion: seed.kubernetesVersion, addonName: a.name }),
        body: {},
        takeAsyncFailure: () => undefined,
      }) as {
        addons: {
          addonVersions: { addonVersion: string; compatibilities: { defaultVersion: boolean }[] }[];
        }[];
      };
      const versions = out.addons[0]?.addonVersions ?? [];
      a.version =
        (versions.find((v) => v.compatibilities.some((x) => x.defaultVersion)) ?? versions[0])
          ?.addonVersion ?? 'v1.0.0-eksbuild.1';
    }
    ctx.markDirty();
    advance();
  };

  const stateView = () => {
    const now = ctx.now();
    return {
      accounts: Object.values(state.accounts).map((a) => ({ id: a.id, displayName: a.displayName })),
      clusters: Object.values(state.clusters).map((c) => {
        const status = clusterStatus(c, now);
        return {
          clusterId: awsClusterId(c.account, c.region, c.name),
          account: c.account,
          region: c.region,
          name: c.name,
          status,
          version: c.version,
          arn: c.arn,
          tags: c.tags,
          createdAt: new Date(c.createdAt).toISOString(),
          readyAt: new Date(c.readyAt).toISOString(),
          progress:
            status === 'CREATING'
              ? Math.min(1, (now - c.createdAt) / Math.max(1, c.readyAt - c.createdAt))
              : undefined,
          deleteDoneAt: c.deleteDoneAt ? new Date(c.deleteDoneAt).toISOString() : undefined,
          nodegroups: Object.values(c.nodegroups).map((ng) => ({
            name: ng.name,
            status: nodegroupStatus(c, ng, now),
            // simulated timing, so benchmarks can tell the cloud's time from Dolly's overhead
            createdAt: new Date(ng.createdAt).toISOString(),
            readyAt: new Date(ng.readyAt).toISOString(),
            instanceTypes: ng.instanceTypes,
            capacityType: ng.capacityType,
            scaling: ng.scaling,
            version: ng.version,
            labels: ng.labels,
            taints: ng.taints,
          })),
          addons: Object.values(c.addons).map((a) => ({
            name: a.name,
            version: a.version,
            status: addonStatus(c, a, now),
            createdAt: new Date(a.createdAt).toISOString(),
            readyAt: new Date(a.readyAt).toISOString(),
          })),
          updates: c.updates.map((u) => ({
            id: u.id,
            type: u.type,
            status: updateStatus(u, now),
            nodegroup: u.nodegroup,
            addon: u.addon,
            params: u.params,
          })),
        };
      }),
    };
  };

  return {
    cloud: 'aws',
    eks,
    state: () => state,
    handle,
    authenticateKube,
    ensureAccount(id: string, displayName: string, opts: AccountOptions = {}): SandboxAccount {
      if (!/^\d{12}$/.test(id)) throw new Error(`AWS account ids have 12 digits: ${id}`);
      const existing = state.accounts[id];
      if (!existing || existing.displayName !== displayName) {
        state.accounts[id] = { ...existing, id, displayName };
        reindex();
        ctx.markDirty();
      }
      if (opts.fresh) {
        // a new AWS account: no IAM roles for EKS until someone creates them, and EC2's default
        // vCPU quotas
        (state.accounts[id] as AwsAccount).roles = {};
        (state.accounts[id] as AwsAccount).vcpuQuotas = { ...FRESH_VCPU_QUOTAS };
        ctx.markDirty();
      }
      if (opts.noDefaultVpc) {
        // an account whose default VPC is gone in these regions (deleted, or never made there)
        (state.accounts[id] as AwsAccount).noDefaultVpc = [...opts.noDefaultVpc];
        ctx.markDirty();
      }
      return account(id);
    },
    accounts: () => Object.keys(state.accounts).sort().map(account),
    seedCluster,
    clusterId: (scope, location, name) => awsClusterId(scope, location, name),
    // The timer settles due transitions; like a read, it rebuilds the hub only when something
    // changed, a transition fell due or a write happened, or the timer alone would cost O(fleet)
    // four times a second.
    tick: () => advance({ read: true }),
    snapshot: () => structuredClone(state),
    restore(saved: unknown) {
      const s = saved as Partial<AwsState> | undefined;
      state = { accounts: { ...(s?.accounts ?? {}) }, clusters: { ...(s?.clusters ?? {}) } };
      reindex();
      eks.forgetSynced();
      hubStale();
    },
    reset() {
      state = emptyState();
      reindex();
      eks.forgetSynced();
      hubStale();
      ctx.markDirty();
    },
    stateView,
  };
}
