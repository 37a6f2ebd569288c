/** GKE through @google-cloud/container v1 (REST fallback) and google-auth-library. */
import { kubeconfigDocument } from '../kubeconfig';
import { ClusterManagerClient, type protos } from '@google-cloud/container';
import {
  bundledCatalog,
  type CatalogOverlay,
  type TargetClusterSpec,
  compareVersionStrings,
  gcpCpuQuotaMetric,
  type KubernetesVersionInfo,
  minorOf,
} from '@dolly/model';
import { type AuthClient, GoogleAuth, JWT } from 'google-auth-library';
import type { EgressPolicy } from '@dolly/contracts/egress';
import { CloudError, classifyCloudError, cloudCall, grpcClass, isNotFound } from '../errors';
import type {
  CloudAccountConfig,
  CloudProvider,
  ClusterRef,
  DiscoveredCluster,
  NetworkRef,
  NodePoolRef,
  OperationContext,
  PlanContext,
  PreflightCheck,
  ResourceGroupDeletion,
} from '../types';
import { PLAN_LABEL } from '../types';
import {
  conflict,
  credString,
  KeyedMutex,
  labelsFor,
  pollUntil,
  progress,
  record,
  requireCred,
  accountAgents,
} from '../util';
import {
  enumName,
  gcpLabelValue,
  gkeClusterBody,
  gkePoolBody,
  gkeToSpec,
  initialPool,
  poolZones,
  regionOf,
} from './map';

type GkeCluster = protos.google.container.v1.ICluster;
type GkeNodePool = protos.google.container.v1.INodePool;
type GkeOperation = protos.google.container.v1.IOperation;

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const PUBLIC_SERVICEUSAGE = 'https://serviceusage.googleapis.com';
const PUBLIC_COMPUTE = 'https://compute.googleapis.com';
/** The service GKE's API is; a new project has it disabled. */
const CONTAINER_SERVICE = 'container.googleapis.com';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const CLUSTER_STATUS: Record<number, string> = {
  0: 'STATUS_UNSPECIFIED',
  1: 'PROVISIONING',
  2: 'RUNNING',
  3: 'RECONCILING',
  4: 'STOPPING',
  5: 'ERROR',
  6: 'DEGRADED',
};
const POOL_STATUS: Record<number, string> = {
  0: 'STATUS_UNSPECIFIED',
  1: 'PROVISIONING',
  2: 'RUNNING',
  3: 'RUNNING_WITH_ERROR',
  4: 'RECONCILING',
  5: 'STOPPING',
  6: 'ERROR',
};
const OP_STATUS: Record<number, string> = {
  0: 'STATUS_UNSPECIFIED',
  1: 'PENDING',
  2: 'RUNNING',
  3: 'DONE',
  4: 'ABORTING',
};

function lastSegment(v: string): string {
  return v.split('/').pop() ?? v;
}

/** An IPv4 CIDR as [first, last] address numbers. */
function cidrBounds(v: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(v);
  if (!m) return undefined;
  const addr = m.slice(1, 5).reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(m[5]));
  return [addr, addr + size - 1];
}

function provisioningFailed(operation: string, what: string, detail?: string, code?: number): CloudError {
  const cls = code !== undefined ? grpcClass(code, detail ?? '') : 'transient';
  return new CloudError({
    cloud: 'gcp',
    operation,
    class: cls === 'throttled' ? 'transient' : cls,
    cloudCode: 'ProvisioningFailed',
    message: `${what} failed${detail ? `: ${detail}` : ''}`,
  });
}

export function createGcpProvider(account: CloudAccountConfig, egress: EgressPolicy): CloudProvider {
  const ep = account.endpoints ?? {};
  const agents = accountAgents(account, egress);
  // gaxios takes an agent per URL: token and GKE requests connect through the egress-checked agents
  const agent = (url: URL) => (url.protocol === 'https:' ? agents.https : agents.http);
  const project = account.scope ?? credString(account, 'project_id') ?? '';
  const tokenUrl = ep.token ?? credString(account, 'token_uri');

  // google-gax 5 REST fallback: without validateStatus, gaxios throws a GaxiosError before gax can
  // decode the Google error, and errors lose their gRPC code. Token requests keep the normal check.
  const transporterOptions = { validateStatus: () => true, agent };
  const tokenRequests = (client: AuthClient) => {
    client.transporter.interceptors.request.add({
      resolved: async (config) => {
        const url = String(config.url);
        if (url.startsWith(GOOGLE_TOKEN_URL) || (tokenUrl && url.startsWith(tokenUrl))) {
          // google-auth-library always posts to oauth2.googleapis.com; honour the key's token_uri
          if (tokenUrl) config.url = new URL(tokenUrl);
          config.validateStatus = (s: number) => s >= 200 && s < 300;
        }
        return config;
      },
    });
    return client;
  };

  let authClient: Promise<AuthClient> | undefined;
  const auth = (): Promise<AuthClient> => {
    authClient ??= (async () => {
      if (account.credentialKind === 'gcp-service-account-key') {
        const jwt = new JWT({
          email: requireCred(account, 'client_email'),
          key: requireCred(account, 'private_key'),
          ...(credString(account, 'private_key_id') ? { keyId: credString(account, 'private_key_id') } : {}),
          scopes: [CLOUD_PLATFORM],
          transporterOptions,
        });
        return tokenRequests(jwt);
      }
      if (account.credentialKind === 'gcp-application-default') {
        const ga = new GoogleAuth({ scopes: [CLOUD_PLATFORM], clientOptions: { transporterOptions } });
        return tokenRequests((await ga.getClient()) as AuthClient);
      }
      throw new CloudError({
        cloud: 'gcp',
        operation: 'credentials',
        class: 'auth',
        message: `credential kind ${account.credentialKind} is not a GCP kind`,
      });
    })();
    return authClient;
  };

  let gkeClient: Promise<ClusterManagerClient> | undefined;
  const gke = (): Promise<ClusterManagerClient> => {
    gkeClient ??= (async () => {
      const base = ep.container ?? account.endpoint ?? undefined;
      const url = base ? new URL(base) : undefined;
      return new ClusterManagerClient({
        fallback: true,
        ...(url
          ? {
              apiEndpoint: url.hostname,
              port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)),
              protocol: url.protocol.replace(':', ''),
            }
          : {}),
        authClient: await auth(),
        projectId: project,
      });
    })();
    return gkeClient;
  };

  const call = <T>(operation: string, fn: () => Promise<T>) => cloudCall('gcp', operation, fn);
  const mutex = new KeyedMutex();

  /**
   * A request to one of the project-setup APIs (serviceusage, compute) through the account's
   * authenticated client, so tokens, agents and endpoint overrides are those GKE calls use.
   * Answers undefined for 404; other failures are CloudErrors whose cloudCode is the API's status
   * or, for compute, its `errors[].reason` (alreadyExists, resourceInUseByAnotherResource, ...).
   */
  const setupRequest = async (
    operation: string,
    base: string,
    path: string,
    ctx?: OperationContext,
    write?: { method: 'POST' | 'DELETE'; data?: unknown },
  ): Promise<Record<string, unknown> | undefined> => {
    const client = await auth();
    const res = await call(operation, () =>
      client.request<unknown>({
        url: `${base.replace(/\/+$/, '')}${path}`,
        method: write?.method ?? 'GET',
        ...(write?.data !== undefined ? { data: write.data } : {}),
        ...(ctx?.signal ? { signal: ctx.signal } : {}),
      }),
    );
    const data = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as Record<
      string,
      unknown
    >;
    if (res.status >= 200 && res.status < 300) return data;
    if (res.status === 404) return undefined;
    const error = (data.error ?? {}) as { message?: unknown; status?: unknown; errors?: unknown };
    const reason = Array.isArray(error.errors)
      ? (error.errors as { reason?: unknown }[]).find((x) => typeof x.reason === 'string')?.reason
      : undefined;
    const code = typeof error.status === 'string' ? error.status : reason;
    throw new CloudError({
      cloud: 'gcp',
      operation,
      class:
        res.status === 401 || res.status === 403
          ? 'auth'
          : res.status === 409
            ? 'conflict'
            : res.status === 429
              ? 'throttled'
              : res.status >= 500
                ? 'transient'
                : 'rejected',
      message: typeof error.message === 'string' ? error.message : `HTTP ${res.status}`,
      ...(typeof code === 'string' ? { cloudCode: code } : {}),
    });
  };
  const setupGet = (operation: string, base: string, path: string, ctx?: OperationContext) =>
    setupRequest(operation, base, path, ctx);
  const computeBase = () => ep.compute ?? PUBLIC_COMPUTE;
  const computePath = (rest: string) => `/compute/v1/projects/${encodeURIComponent(project)}/${rest}`;

  /**
   * Waits for a compute Operation as gcloud does (operations.wait, which answers when it is DONE or
   * after about two minutes), then turns an operation that ended with errors into a CloudError.
   */
  const waitComputeOperation = async (
    op: Record<string, unknown> | undefined,
    what: string,
    ctx: OperationContext,
  ) => {
    const name = typeof op?.name === 'string' ? op.name : undefined;
    if (!name) return;
    const region = typeof op?.region === 'string' ? lastSegment(op.region) : undefined;
    const kind = region ? 'regionOperations' : 'globalOperations';
    const path = computePath(
      `${region ? `regions/${encodeURIComponent(region)}` : 'global'}/operations/${encodeURIComponent(name)}/wait`,
    );
    ctx.onProgress?.({ phase: 'network', message: `${what}: ${name}`, cloudRequestId: name });
    const done = await pollUntil('gcp', `${kind}.wait`, ctx, async () => {
      const cur = await setupRequest(`${kind}.wait`, computeBase(), path, ctx, { method: 'POST' });
      return cur?.status === 'DONE' ? cur : undefined;
    });
    const error = (done.error ?? {}) as { errors?: unknown };
    const errors = Array.isArray(error.errors)
      ? (error.errors as { code?: unknown; message?: unknown }[])
      : [];
    if (errors.length) {
      throw new CloudError({
        cloud: 'gcp',
        operation: `${kind}.wait`,
        class: 'rejected',
        message: `${what} failed: ${errors.map((e) => String(e.message ?? e.code)).join('; ')}`,
        ...(typeof errors[0]?.code === 'string' ? { cloudCode: errors[0].code } : {}),
      });
    }
  };

  /**
   * The planned pools' vCPUs per Compute Engine quota metric against the region's quota
   * (regions.get): a create over quota fails at apply, so the plan says so first.
   */
  const checkCpuQuota = async (
    target: TargetClusterSpec,
    ctx?: OperationContext,
  ): Promise<PreflightCheck[]> => {
    const region = regionOf(target.location);
    const need = new Map<string, number>();
    for (const pool of target.nodePools) {
      const vcpus =
        bundledCatalog.machineType('gcp', pool.machineType, region)?.vcpus ??
        bundledCatalog.machineType('gcp', pool.machineType)?.vcpus ??
        0;
      const metric = gcpCpuQuotaMetric(pool.machineType);
      need.set(metric, (need.get(metric) ?? 0) + vcpus * pool.nodeCount);
    }
    const r = await setupGet(
      'regions.get',
      ep.compute ?? PUBLIC_COMPUTE,
      `/compute/v1/projects/${encodeURIComponent(project)}/regions/${encodeURIComponent(region)}`,
      ctx,
    );
    const quotas = Array.isArray(r?.quotas)
      ? (r.quotas as { metric?: unknown; limit?: unknown; usage?: unknown }[])
      : [];
    const found: PreflightCheck[] = [];
    for (const [metric, vcpus] of need) {
      const q = quotas.find((x) => x.metric === metric);
      // a metric the region does not list is not one Dolly can judge; GKE still checks at create
      if (!q || typeof q.limit !== 'number') continue;
      const available = Math.max(0, q.limit - (typeof q.usage === 'number' ? q.usage : 0));
      if (vcpus <= available) continue;
      found.push({
        check: 'gcp.cpu-quota',
        severity: 'blocker',
        message: `the planned node pools need ${vcpus} ${metric} vCPUs in ${region}; project ${project} has a quota of ${q.limit} with ${available} available`,
        fix: `ask for a ${metric} quota of at least ${q.limit - available + vcpus} in ${region} (https://console.cloud.google.com/iam-admin/quotas?usage=USED&project=${project}), or plan fewer or smaller nodes there`,
      });
    }
    return found;
  };

  /** The VPC network new clusters join: settings.network (a name, path or URL) or `default`. */
  const networkName = () =>
    (typeof account.settings.network === 'string' && account.settings.network !== ''
      ? account.settings.network
      : 'default'
    )
      .split('/')
      .pop() ?? 'default';
  const planLabel = (planId: string) => gcpLabelValue(planId);

  /** Opt-in (settings.createMissingNetwork): apply makes the network a fresh project lacks. */
  const createMissingNetwork = account.settings.createMissingNetwork === true;
  /** Compute networks and subnets carry no labels: Dolly's provenance goes in their description. */
  const planMarker = (planId: string) => `${PLAN_LABEL}=${planLabel(planId)}`;
  const madeByDolly = (r: Record<string, unknown> | undefined) =>
    typeof r?.description === 'string' && r.description.includes(`${PLAN_LABEL}=`);
  const networkPath = (name: string) => computePath(`global/networks/${encodeURIComponent(name)}`);
  const subnetPath = (region: string, name: string) =>
    computePath(`regions/${encodeURIComponent(region)}/subnetworks/${encodeURIComponent(name)}`);

  /**
   * The /20 primary range for a new subnet of a network Dolly made: the first one no other subnet
   * of that network holds (ranges must be disjoint across all its regions).
   */
  const freeRange = async (net: Record<string, unknown> | undefined, ctx: OperationContext) => {
    const taken: [number, number][] = [];
    for (const link of Array.isArray(net?.subnetworks) ? net.subnetworks : []) {
      const m = /\/regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(String(link));
      if (!m?.[1] || !m[2]) continue;
      const sub = await setupGet('subnetworks.get', computeBase(), subnetPath(m[1], m[2]), ctx);
      const r = typeof sub?.ipCidrRange === 'string' ? cidrBounds(sub.ipCidrRange) : undefined;
      if (r) taken.push(r);
    }
    for (let i = 0; i < 256; i++) {
      const range = `10.${10 + (i >> 4)}.${(i & 15) << 4}.0/20`;
      const [lo, hi] = cidrBounds(range) ?? [0, 0];
      if (!taken.some(([a, b]) => lo <= b && a <= hi)) return range;
    }
    throw new CloudError({
      cloud: 'gcp',
      operation: 'subnetworks.insert',
      class: 'rejected',
      message: 'no free /20 range left in 10.10.0.0/12 for a new subnet',
    });
  };

  /**
   * A custom-mode network that exists (the operator's, or one another plan made) has no subnet GKE
   * picks by itself: join the first one it has in the cluster's region (none: GKE's refusal stands).
   */
  const existingSubnet = (net: Record<string, unknown>, region: string): { subnetwork?: string } => {
    if (net.autoCreateSubnetworks !== false) return {};
    for (const link of Array.isArray(net.subnetworks) ? net.subnetworks : []) {
      const m = /\/regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(String(link));
      if (m?.[1] === region && m[2]) return { subnetwork: m[2] };
    }
    return {};
  };

  /**
   * The network and subnetwork a new cluster joins. Without the opt-in, settings.network as it is
   * (GKE refuses one that does not exist). With it, a network that exists and is not this plan's is
   * used as it is (with its subnet in the region when it is custom-mode); otherwise Dolly makes it
   * in custom mode with a subnet of the same name in the cluster's region, recorded in the ledger
   * before the inserts. A retry of the plan that finds both (its marker in their description)
   * records them `adopted`.
   */
  const ensureNetwork = async (
    target: TargetClusterSpec,
    ctx: PlanContext,
  ): Promise<{ network?: string; subnetwork?: string }> => {
    const configured = typeof account.settings.network === 'string' ? account.settings.network : undefined;
    if (!createMissingNetwork) return configured ? { network: configured } : {};
    const name = networkName();
    const region = regionOf(target.location);
    // the clusters of one plan may share the network: one of them makes it, the others wait
    return mutex.run(`network/${name}`, async () => {
      const marker = planMarker(ctx.planId);
      const ours = (r: Record<string, unknown> | undefined) =>
        typeof r?.description === 'string' && r.description.includes(marker);
      let net = await setupGet('networks.get', computeBase(), networkPath(name), ctx);
      if (net && !ours(net)) return { network: name, ...existingSubnet(net, region) };
      const sub = net
        ? await setupGet('subnetworks.get', computeBase(), subnetPath(region, name), ctx)
        : undefined;
      const ref = {
        cloud: 'gcp' as const,
        kind: 'network' as const,
        scope: project,
        location: region,
        cluster: target.name,
        name,
      };
      if (net && sub) {
        await record(ctx, ref, 'adopted');
        return { network: name, subnetwork: name };
      }
      await record(ctx, ref);
      const description = `Created by Dolly for plan ${ctx.planId} (${marker}); rollback deletes it`;
      if (!net) {
        progress(ctx, 'network', `creating VPC network ${name} (custom subnet mode)`);
        const op = await setupRequest('networks.insert', computeBase(), computePath('global/networks'), ctx, {
          method: 'POST',
          data: {
            name,
            description,
            autoCreateSubnetworks: false,
            routingConfig: { routingMode: 'REGIONAL' },
          },
        }).catch(async (e: unknown) => {
          if (!(e instanceof CloudError) || e.cloudCode !== 'alreadyExists') throw e;
          // made meanwhile: by this plan (another worker) it is used, by anyone else it is not ours
          const again = await setupGet('networks.get', computeBase(), networkPath(name), ctx);
          if (again && ours(again)) return undefined;
          throw conflict('gcp', 'networks.insert', `VPC network ${name}`, ctx.planId);
        });
        await waitComputeOperation(op, `create network ${name}`, ctx);
        net = await setupGet('networks.get', computeBase(), networkPath(name), ctx);
      }
      if (!sub) {
        for (let attempt = 0; ; attempt++) {
          const range = await freeRange(net, ctx);
          progress(ctx, 'network', `creating subnet ${name} (${range}) in ${region}`);
          try {
            const op = await setupRequest(
              'subnetworks.insert',
              computeBase(),
              computePath(`regions/${encodeURIComponent(region)}/subnetworks`),
              ctx,
              {
                method: 'POST',
                data: {
                  name,
                  description,
                  network: `projects/${project}/global/networks/${name}`,
                  ipCidrRange: range,
                },
              },
            );
            await waitComputeOperation(op, `create subnet ${name} in ${region}`, ctx);
            break;
          } catch (e) {
            if (e instanceof CloudError && e.cloudCode === 'alreadyExists') break;
            // another region's subnet took the range meanwhile: pick the next free one
            const overlap =
              e instanceof CloudError && e.cloudCode === 'invalid' && /conflicts/.test(e.message);
            if (!overlap || attempt >= 3) throw e;
            net = await setupGet('networks.get', computeBase(), networkPath(name), ctx);
          }
        }
      }
      return { network: name, subnetwork: name };
    });
  };

  /**
   * Deletes the subnets Dolly made in the network, then the network. What compute refuses because
   * something else still uses it (resourceInUseByAnotherResource) is left in place, named.
   */
  const deleteNetwork = async (ref: NetworkRef, ctx: OperationContext): Promise<ResourceGroupDeletion> => {
    const net = await setupGet('networks.get', computeBase(), networkPath(ref.name), ctx);
    if (!net) return { deleted: true };
    const inUse = (e: unknown) =>
      e instanceof CloudError &&
      (e.cloudCode === 'resourceInUseByAnotherResource' ||
        e.cloudCode === 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE');
    const users = (e: CloudError) =>
      [...e.message.matchAll(/is already being used by '([^']+)'/g)].map((m) => m[1] ?? '');
    const kept: string[] = [];
    for (const link of Array.isArray(net.subnetworks) ? net.subnetworks : []) {
      const m = /\/regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(String(link));
      if (!m?.[1] || !m[2]) continue;
      const [region, name] = [m[1], m[2]];
      const sub = await setupGet('subnetworks.get', computeBase(), subnetPath(region, name), ctx);
      if (!sub) continue;
      const path = `projects/${ref.scope}/regions/${region}/subnetworks/${name}`;
      if (!madeByDolly(sub)) {
        kept.push(path);
        continue;
      }
      progress(ctx, 'delete-network', `deleting subnet ${name} in ${region}`);
      try {
        const op = await setupRequest('subnetworks.delete', computeBase(), subnetPath(region, name), ctx, {
          method: 'DELETE',
        });
        await waitComputeOperation(op, `delete subnet ${name} in ${region}`, ctx);
      } catch (e) {
        if (!inUse(e)) throw e;
        kept.push(path, ...users(e as CloudError));
      }
    }
    progress(ctx, 'delete-network', `deleting VPC network ${ref.name}`);
    try {
      const op = await setupRequest('networks.delete', computeBase(), networkPath(ref.name), ctx, {
        method: 'DELETE',
      });
      await waitComputeOperation(op, `delete network ${ref.name}`, ctx);
      return { deleted: true };
    } catch (e) {
      if (!inUse(e)) throw e;
      const resources = [...new Set([...kept, ...users(e as CloudError)])];
      return {
        deleted: false,
        reason: `VPC network ${ref.name} is left in place: it is still used by ${resources.join(', ')}; once those can go, gcloud compute networks delete ${ref.name} --project ${ref.scope}`,
        resources,
      };
    }
  };
  const parent = (location: string) => `projects/${project}/locations/${location}`;
  const clusterName = (location: string, name: string) => `${parent(location)}/clusters/${name}`;
  const regionZones = (location: string) => bundledCatalog.region('gcp', regionOf(location))?.zones ?? [];

  const getCluster = async (location: string, name: string): Promise<GkeCluster | undefined> => {
    try {
      const c = await gke();
      const [cluster] = await call('projects.locations.clusters.get', () =>
        c.getCluster({ name: clusterName(location, name) }),
      );
      return cluster;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const getPool = async (
    location: string,
    cluster: string,
    name: string,
  ): Promise<GkeNodePool | undefined> => {
    try {
      const c = await gke();
      const [pool] = await call('projects.locations.clusters.nodePools.get', () =>
        c.getNodePool({ name: `${clusterName(location, cluster)}/nodePools/${name}` }),
      );
      return pool;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const clusterStatus = (c: GkeCluster) => enumName(c.status, CLUSTER_STATUS) ?? 'STATUS_UNSPECIFIED';
  const poolStatus = (p: GkeNodePool) => enumName(p.status, POOL_STATUS) ?? 'STATUS_UNSPECIFIED';
  const discovered = (c: GkeCluster): DiscoveredCluster => ({
    spec: gkeToSpec(c, project),
    raw: c,
    status: clusterStatus(c),
  });

  const waitOperation = async (
    location: string,
    op: GkeOperation | undefined,
    what: string,
    ctx: OperationContext,
  ) => {
    if (!op?.name) return;
    const name = op.name.includes('/') ? op.name : `${parent(location)}/operations/${op.name}`;
    ctx.onProgress?.({ phase: 'operation', message: `${what}: ${op.name}`, cloudRequestId: op.name });
    const done = await pollUntil('gcp', 'projects.locations.operations.get', ctx, async () => {
      const c = await gke();
      const [cur] = await call('projects.locations.operations.get', () => c.getOperation({ name }));
      return enumName(cur.status, OP_STATUS) === 'DONE' ? cur : undefined;
    });
    if (done.error && (done.error.code ?? 0) !== 0) {
      throw provisioningFailed(
        enumName(done.operationType, {}) ?? 'operation',
        what,
        done.error.message ?? undefined,
        done.error.code ?? undefined,
      );
    }
  };

  /** One mutating operation per cluster at a time: wait until GKE is not busy with this cluster. */
  const waitClusterIdle = (location: string, name: string, ctx: OperationContext) =>
    pollUntil('gcp', 'projects.locations.clusters.get', ctx, async () => {
      const c = await getCluster(location, name);
      if (!c)
        throw new CloudError({
          cloud: 'gcp',
          operation: 'projects.locations.clusters.get',
          class: 'not_found',
          message: `Not found: ${clusterName(location, name)}.`,
        });
      const s = clusterStatus(c);
      progress(ctx, 'control-plane', `cluster ${name} is ${s}`);
      if (s === 'ERROR')
        throw provisioningFailed(
          'projects.locations.clusters.create',
          `cluster ${name}`,
          c.statusMessage ?? undefined,
        );
      return s === 'RUNNING' || s === 'DEGRADED' ? c : undefined;
    });

  /** Retries a mutating call while GKE answers FAILED_PRECONDITION (another operation runs). */
  const mutate = async <T>(operation: string, ctx: OperationContext, fn: () => Promise<T>): Promise<T> => {
    // only "busy" is waited out here; any other failure of a create/delete goes to the caller as is
    const r = await pollUntil(
      'gcp',
      operation,
      ctx,
      async (): Promise<{ ok: T } | { err: unknown } | undefined> => {
        try {
          return { ok: await call(operation, fn) };
        } catch (e) {
          if (e instanceof CloudError && e.class === 'transient' && e.cloudCode === 'FAILED_PRECONDITION')
            return undefined;
          return { err: e };
        }
      },
    );
    if ('err' in r) throw r.err;
    return r.ok;
  };

  const deleteNodePool = async (ref: NodePoolRef, ctx: OperationContext) => {
    await mutex.run(`${ref.location}/${ref.cluster}`, async () => {
      if (!(await getPool(ref.location, ref.cluster, ref.name))) return;
      const c = await gke();
      const op = await mutate('projects.locations.clusters.nodePools.delete', ctx, () =>
        c
          .deleteNodePool({ name: `${clusterName(ref.location, ref.cluster)}/nodePools/${ref.name}` })
          .then((r) => r[0]),
      ).catch((e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      });
      await waitOperation(ref.location, op, `delete node pool ${ref.name}`, ctx);
    });
  };

  const provider: CloudProvider = {
    cloud: 'gcp',

    async testConnection(ctx) {
      let identity: string | undefined;
      try {
        const a = await auth();
        const t = await a.getAccessToken();
        if (!t.token) throw new Error('no access token');
        identity = credString(account, 'client_email') ?? 'application default credentials';
      } catch (e) {
        const err = classifyCloudError('gcp', 'token', e);
        return { ok: false, scopes: [], missing: [], message: `${err.class}: ${err.message}` };
      }
      try {
        const c = await gke();
        await call('projects.locations.clusters.list', () => c.listClusters({ parent: parent('-') }));
      } catch (e) {
        const err = classifyCloudError('gcp', 'projects.locations.clusters.list', e);
        return {
          ok: false,
          ...(identity ? { identity } : {}),
          scopes: [],
          missing: [],
          message: `${err.class}: ${err.message}`,
        };
      }
      void ctx;
      return { ok: true, ...(identity ? { identity } : {}), scopes: [project], missing: [] };
    },

    async discover(opts = {}) {
      const regions = opts.regions?.length ? opts.regions : account.settings.regions;
      const c = await gke();
      const [res] = await call('projects.locations.clusters.list', () =>
        c.listClusters({ parent: parent('-') }),
      );
      const out = (res.clusters ?? [])
        .filter((x) => !regions?.length || regions.includes(regionOf(x.location ?? '')))
        .map(discovered)
        .sort((a, b) =>
          `${a.spec.location}/${a.spec.name}`.localeCompare(`${b.spec.location}/${b.spec.name}`),
        );
      progress(opts, 'discover', `${out.length} GKE cluster(s)`);
      return out;
    },

    async regionCatalog(region, ctx) {
      const c = await gke();
      const [cfg] = await call('projects.locations.getServerConfig', () =>
        c.getServerConfig({ name: parent(region) }),
      );
      void ctx;
      const byMinor = new Map<string, string[]>();
      for (const v of cfg.validMasterVersions ?? []) {
        const m = minorOf(v);
        if (m) byMinor.set(m, [...(byMinor.get(m) ?? []), v]);
      }
      const defaultMinor = cfg.defaultClusterVersion ? minorOf(cfg.defaultClusterVersion) : undefined;
      const versions: KubernetesVersionInfo[] = [...byMinor.entries()].map(([minor, list]) => ({
        cloud: 'gcp',
        minor,
        versions: [...list].sort((a, b) => compareVersionStrings(b, a)),
        default: minor === defaultMinor,
        support: 'standard',
      }));
      const overlay: CatalogOverlay = {
        clouds: { gcp: versions.length ? { kubernetesVersions: { [region]: versions } } : {} },
        sources: [
          {
            cloud: 'gcp',
            data: 'kubernetes-versions',
            source: `container.projects.locations.getServerConfig ${region} (account ${account.id})`,
            dataAsOf: new Date().toISOString().slice(0, 10),
          },
        ],
      };
      return overlay;
    },

    async preflight(target, ctx) {
      const found: PreflightCheck[] = [];
      const p = encodeURIComponent(project);
      const service = await setupGet(
        'services.get',
        ep.serviceusage ?? PUBLIC_SERVICEUSAGE,
        `/v1/projects/${p}/services/${CONTAINER_SERVICE}`,
        ctx,
      );
      if (service?.state !== 'ENABLED') {
        found.push({
          check: 'gcp.container-api',
          severity: 'blocker',
          message: `the Kubernetes Engine API (${CONTAINER_SERVICE}) is not enabled in project ${project}; GKE refuses every call until it is`,
          fix: `gcloud services enable ${CONTAINER_SERVICE} --project ${project}`,
        });
      }
      const network = networkName();
      const net = await setupGet(
        'networks.get',
        ep.compute ?? PUBLIC_COMPUTE,
        `/compute/v1/projects/${p}/global/networks/${encodeURIComponent(network)}`,
        ctx,
      );
      if (!net && createMissingNetwork) {
        found.push({
          check: 'gcp.network',
          severity: 'warning',
          field: 'settings.network',
          message: `project ${project} has no VPC network named "${network}"; settings.createMissingNetwork is on, so apply will create it (custom subnet mode) with a /20 subnet "${network}" in ${regionOf(target.location)}, and rollback deletes them`,
          fix: `nothing to do, or gcloud compute networks create ${network} --subnet-mode=auto --project ${project} (or set settings.network to an existing network)`,
        });
      } else if (!net) {
        found.push({
          check: 'gcp.network',
          severity: 'blocker',
          field: 'settings.network',
          message: `project ${project} has no VPC network named "${network}", which new clusters would join`,
          fix:
            network === 'default'
              ? `gcloud compute networks create default --subnet-mode=auto --project ${project} (or set settings.network to an existing network)`
              : `gcloud compute networks create ${network} --subnet-mode=auto --project ${project} (or set settings.network to an existing network)`,
        });
      }
      found.push(...(await checkCpuQuota(target, ctx)));
      return found;
    },

    async ensureControlPlane(target, ctx) {
      const ref = {
        cloud: 'gcp' as const,
        kind: 'cluster' as const,
        scope: project,
        location: target.location,
        cluster: target.name,
      };
      const existing = await getCluster(target.location, target.name);
      if (existing) {
        if (existing.resourceLabels?.[PLAN_LABEL] !== planLabel(ctx.planId)) {
          throw conflict(
            'gcp',
            'projects.locations.clusters.create',
            `GKE cluster ${target.location}/${target.name}`,
            ctx.planId,
          );
        }
        await record(ctx, ref, 'adopted');
        // The step ends when the control plane is up, so its duration (the timing chart) is the cloud's.
        return { status: clusterStatus(await waitClusterIdle(target.location, target.name, ctx)) };
      }
      const labels = labelsFor(target, ctx.planId);
      labels[PLAN_LABEL] = planLabel(ctx.planId);
      const joins = await ensureNetwork(target, ctx);
      const body = gkeClusterBody(
        target,
        labels,
        regionZones(target.location),
        joins.network,
        joins.subnetwork,
      );
      await record(ctx, ref);
      const c = await gke();
      const op = await mutate('projects.locations.clusters.create', ctx, () =>
        c.createCluster({ parent: parent(target.location), cluster: body }).then((r) => r[0]),
      );
      ctx.onProgress?.({
        phase: 'control-plane',
        message: `creating cluster ${target.name}`,
        ...(op.name ? { cloudRequestId: op.name } : {}),
      });
      const running = await waitClusterIdle(target.location, target.name, ctx);
      return { status: clusterStatus(running), ...(op.name ? { cloudRequestId: op.name } : {}) };
    },

    async ensureNodePool(target, poolName, ctx) {
      const pool = target.nodePools.find((p) => p.name === poolName);
      if (!pool) {
        throw new CloudError({
          cloud: 'gcp',
          operation: 'projects.locations.clusters.nodePools.create',
          class: 'rejected',
          field: 'nodePools',
          message: `no node pool ${poolName} in the target spec`,
        });
      }
      return mutex.run(`${target.location}/${target.name}`, async () => {
        const cluster = await waitClusterIdle(target.location, target.name, ctx);
        const owned = cluster.resourceLabels?.[PLAN_LABEL] === planLabel(ctx.planId);
        let existing = await getPool(target.location, target.name, poolName);
        const initial = initialPool(target)?.name === poolName;
        const ref = {
          cloud: 'gcp' as const,
          kind: 'nodePool' as const,
          scope: project,
          location: target.location,
          cluster: target.name,
          name: poolName,
        };
        if (existing) {
          if (!owned && existing.config?.resourceLabels?.[PLAN_LABEL] !== planLabel(ctx.planId)) {
            throw conflict(
              'gcp',
              'projects.locations.clusters.nodePools.create',
              `node pool ${poolName} of ${target.name}`,
              ctx.planId,
            );
          }
          if (!initial) await record(ctx, ref, 'adopted');
          if (poolStatus(existing) === 'ERROR') {
            // a failed create of ours: delete it and create it again
            const c = await gke();
            const op = await mutate('projects.locations.clusters.nodePools.delete', ctx, () =>
              c
                .deleteNodePool({
                  name: `${clusterName(target.location, target.name)}/nodePools/${poolName}`,
                })
                .then((r) => r[0]),
            );
            await waitOperation(target.location, op, `delete failed node pool ${poolName}`, ctx);
            existing = undefined;
          }
        }
        if (!existing) {
          const labels = labelsFor(target, ctx.planId);
          labels[PLAN_LABEL] = planLabel(ctx.planId);
          const body = gkePoolBody(
            pool,
            poolZones(pool, target.location, regionZones(target.location)),
            labels,
          );
          await record(ctx, ref);
          const c = await gke();
          const op = await mutate('projects.locations.clusters.nodePools.create', ctx, () =>
            c
              .createNodePool({ parent: clusterName(target.location, target.name), nodePool: body })
              .then((r) => r[0]),
          );
          progress(ctx, 'node-pool', `creating node pool ${poolName}`);
          await waitOperation(target.location, op, `create node pool ${poolName}`, ctx);
        }
        const done = await pollUntil('gcp', 'projects.locations.clusters.nodePools.get', ctx, async () => {
          const p = await getPool(target.location, target.name, poolName);
          if (!p) return undefined;
          const s = poolStatus(p);
          if (s === 'ERROR')
            throw provisioningFailed(
              'projects.locations.clusters.nodePools.create',
              `node pool ${poolName}`,
              p.statusMessage ?? undefined,
            );
          return s === 'RUNNING' || s === 'RUNNING_WITH_ERROR' ? s : undefined;
        });
        return { status: done };
      });
    },

    async ensureAddons() {
      // GKE has the cluster autoscaler and the persistent-disk CSI driver built in (model.md)
      return { installed: [] };
    },

    async waitClusterReady(target, ctx) {
      await waitClusterIdle(target.location, target.name, ctx);
      const c = await pollUntil('gcp', 'projects.locations.clusters.get', ctx, async () => {
        const cur = await getCluster(target.location, target.name);
        if (!cur) return undefined;
        const bad = (cur.nodePools ?? []).find((p) => poolStatus(p) === 'ERROR');
        if (bad)
          throw provisioningFailed(
            'projects.locations.clusters.nodePools.create',
            `node pool ${bad.name}`,
            bad.statusMessage ?? undefined,
          );
        return clusterStatus(cur) === 'RUNNING' &&
          (cur.nodePools ?? []).every((p) => poolStatus(p) === 'RUNNING')
          ? cur
          : undefined;
      });
      return discovered(c);
    },

    deleteNodePool,

    deleteNetwork,

    async deleteCluster(ref: ClusterRef, ctx) {
      // GKE deletes the node pools with the cluster
      await mutex.run(`${ref.location}/${ref.cluster}`, async () => {
        const existing = await getCluster(ref.location, ref.cluster);
        if (!existing) return;
        if (clusterStatus(existing) !== 'STOPPING') {
          const c = await gke();
          const op = await mutate('projects.locations.clusters.delete', ctx, () =>
            c.deleteCluster({ name: clusterName(ref.location, ref.cluster) }).then((r) => r[0]),
          ).catch((e: unknown) => {
            if (isNotFound(e)) return undefined;
            throw e;
          });
          progress(ctx, 'delete-cluster', `deleting cluster ${ref.cluster}`);
          await waitOperation(ref.location, op, `delete cluster ${ref.cluster}`, ctx);
        }
        await pollUntil('gcp', 'projects.locations.clusters.get', ctx, async () =>
          (await getCluster(ref.location, ref.cluster)) ? undefined : true,
        );
      });
    },

    async kubeconfig(ref, ctx) {
      const c = await getCluster(ref.location, ref.cluster);
      void ctx;
      if (!c?.endpoint) {
        throw new CloudError({
          cloud: 'gcp',
          operation: 'projects.locations.clusters.get',
          class: c ? 'rejected' : 'not_found',
          message: c
            ? `cluster ${ref.cluster} has no endpoint yet (${clusterStatus(c)})`
            : `Not found: ${clusterName(ref.location, ref.cluster)}.`,
        });
      }
      const token = await call('token', async () => (await (await auth()).getAccessToken()).token);
      if (!token)
        throw new CloudError({ cloud: 'gcp', operation: 'token', class: 'auth', message: 'no access token' });
      const server = /^https?:\/\//.test(c.endpoint) ? c.endpoint : `https://${c.endpoint}`;
      return kubeconfigDocument({
        name: `gke_${project}_${ref.location}_${ref.cluster}`,
        server,
        ...(c.masterAuth?.clusterCaCertificate ? { caPemBase64: c.masterAuth.clusterCaCertificate } : {}),
        token,
      });
    },
  };
  return provider;
}
