/**
 * GCP emulation: GKE container v1 REST (as google-gax's REST fallback speaks it, `$alt=json;enum-encoding=int`)
 * and an OAuth token endpoint for service-account JWT assertions. Every mutation returns a GKE Operation
 * whose state is derived lazily from ctx.now(), so it survives restarts.
 *
 * Client configuration (account = GET /_sandbox/accounts entry; credentials = the SA key JSON):
 *   const u = new URL(endpoints.container);
 *   new ClusterManagerClient({ fallback: true, apiEndpoint: u.hostname, port: Number(u.port),
 *     protocol: u.protocol.replace(':', ''), credentials,
 *     clientOptions: { transporterOptions: { validateStatus: () => true } } })
 * The last option works around google-gax 5.0.x + gaxios 7 (also needed against real GKE): without it
 * errors surface as GaxiosError (HTTP status in .code, JSON body as .message) and gax retries never fire.
 * GKE calls carry a self-signed JWT (the client sets useJWTAccessWithScope); the sandbox verifies it
 * with the issued key. Kube API: server = `https://${cluster.endpoint}`, CA = masterAuth.clusterCaCertificate,
 * bearer = an OAuth access token from POST endpoints.token (JWT-bearer grant) or the same self-signed JWT.
 * Fault operation names: projects.locations.clusters.{create,get,list,delete,update,setResourceLabels},
 * projects.locations.clusters.nodePools.{create,get,list,delete,setSize,setAutoscaling,update},
 * projects.locations.operations.{get,list,cancel}, projects.locations.getServerConfig, token;
 * compute v1: networks.{insert,get,list,delete}, subnetworks.{insert,get,list,delete},
 * globalOperations.{get,wait}, regionOperations.{get,wait}, regions.get; services.{get,enable,disable}.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gcpCpuQuotaMetric } from '@dolly/model';
import type {
  CloudModule,
  FaultRule,
  KubeIdentity,
  AccountOptions,
  SandboxAccount,
  SandboxContext,
  SeedCluster,
} from '../context.ts';
import {
  deriveProject,
  type GcpProjectRec,
  issueAccessToken,
  verifyAccessToken,
  verifyServiceAccountJwt,
} from './auth.ts';
import {
  clusterBody,
  clusterKey,
  enumName,
  type GkeClusterRec,
  type GkeOpRec,
  type GkePoolRec,
  kubeInfo,
  type OpType,
  opBody,
  poolBody,
  regionOfLocation,
  type TaintRec,
  totalNodes,
} from './model.ts';
import {
  catalogOf,
  clone,
  isRecord,
  type Json,
  num,
  parseJsonBody,
  sendJson,
  sleep,
  str,
  strArray,
  strRecord,
} from '../module-util.ts';

/** Real durations in ms (divided by ctx.speed()). */
const DURATION: Record<OpType, number> = {
  CREATE_CLUSTER: 240_000,
  DELETE_CLUSTER: 180_000,
  UPDATE_CLUSTER: 60_000,
  CREATE_NODE_POOL: 120_000,
  DELETE_NODE_POOL: 90_000,
  SET_NODE_POOL_SIZE: 60_000,
  UPGRADE_MASTER: 300_000,
  UPGRADE_NODES: 240_000,
  SET_LABELS: 5_000,
};

interface PendingChange {
  masterVersion?: string;
  pool?: {
    version?: string;
    labels?: Record<string, string>;
    taints?: TaintRec[];
    locations?: string[];
    autoscaling?: GkePoolRec['autoscaling'] | null;
  };
}

interface StoredOp extends GkeOpRec {
  targetNodeCountPerZone?: number;
  pending?: PendingChange;
}

interface GcpState {
  version: 1;
  projects: Record<string, GcpProjectRec>;
  clusters: Record<string, GkeClusterRec>;
  operations: Record<string, StoredOp>;
  /**
   * Project setup a new project lacks, for projects made `fresh` (older state files lack both):
   * service name -> state (absent: ENABLED), and the VPC networks (absent: just `default`).
   */
  services?: Record<string, Record<string, 'ENABLED' | 'DISABLED'>>;
  networks?: Record<string, Record<string, NetworkRec>>;
  /** regional vCPU quota per metric (CPUS, N2_CPUS ...) for projects made `fresh`; absent: PREPARED_CPU_QUOTA */
  cpuQuota?: Record<string, number>;
  /** custom-mode subnetworks per project, keyed `<region>/<name>` (an auto-mode network's are implied) */
  subnetworks?: Record<string, Record<string, SubnetRec>>;
  /** compute global and regional operations by name; the write they carry lands when they end */
  computeOps?: Record<string, ComputeOpRec>;
}

/** vCPUs per metric and region a prepared (demo/test) project may run: enough for any test fleet. */
const PREPARED_CPU_QUOTA = 100_000;
/** What a new project gets per metric and region (Compute Engine's default for a paid account). */
const FRESH_CPU_QUOTA = 24;

interface NetworkRec {
  name: string;
  id: string;
  autoCreateSubnetworks: boolean;
  creationTimestamp: string;
  description?: string;
}

interface SubnetRec {
  name: string;
  id: string;
  region: string;
  network: string;
  ipCidrRange: string;
  creationTimestamp: string;
  description?: string;
}

/**
 * A compute Operation (global when region is unset). Compute applies a write when its operation
 * ends, so until then GET answers as before it; a refused delete ends DONE with the error.
 */
interface ComputeOpRec {
  name: string;
  id: string;
  projectId: string;
  region?: string;
  operationType: 'insert' | 'delete';
  targetLink: string;
  targetId: string;
  insertTime: number;
  endsAt: number;
  error?: { code: string; message: string };
  network?: NetworkRec;
  subnet?: SubnetRec;
}

/** Real durations of network writes in ms (divided by ctx.speed()): seconds, not GKE's minutes. */
const COMPUTE_OP_MS = 12_000;
const COMPUTE_PREFIX = 'https://www.googleapis.com/compute/v1';

/** The service GKE's API is; a new project has it DISABLED. */
const CONTAINER_SERVICE = 'container.googleapis.com';

function emptyState(): GcpState {
  return { version: 1, projects: {}, clusters: {}, operations: {}, services: {}, networks: {} };
}

const STATUS_HTTP: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

class GoogleApiError extends Error {
  constructor(
    readonly status: keyof typeof STATUS_HTTP | string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details: Json[] = [],
  ) {
    super(message);
  }
}

const NAME_RE = /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/;

/** Map the deprecated /v1/projects/{p}/zones/{z}/... bindings onto the /locations/ form. */
function legacyToLocations(path: string): string {
  const m = /^\/v1\/projects\/([^/]+)\/zones\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return path;
  const rest = (m[3] ?? '')
    .replace(/^\/serverconfig$/, '/serverConfig')
    .replace(/^(\/clusters\/[^/]+\/nodePools\/[^/]+)\/(setSize|setManagement)$/, '$1:$2')
    .replace(/^(\/clusters\/[^/]+\/nodePools\/[^/]+)\/autoscaling$/, '$1:setAutoscaling')
    .replace(/^(\/clusters\/[^/]+)\/resourceLabels$/, '$1:setResourceLabels');
  return `/v1/projects/${m[1]}/locations/${m[2]}${rest}`;
}

/** A Compute Engine error: its JSON carries `errors[].reason` (notFound, alreadyExists, ...). */
class ComputeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function lastSegment(v: string): string {
  return v.split('/').pop() ?? v;
}

/** An IPv4 CIDR as [first, last] address numbers; undefined when it is not one. */
function parseCidr(v: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 8 || bits > 29) return undefined;
  const addr = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - bits);
  if (addr % size !== 0) return undefined;
  return [addr, addr + size - 1];
}

function overlaps(a: [number, number], b: [number, number]): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}

export function createGcpModule(ctx: SandboxContext): CloudModule {
  let state: GcpState = emptyState();
  const cat = catalogOf(ctx);
  const base = (): string => ctx.urls.http.replace(/\/$/, '');
  const dur = (t: OpType): number => Math.max(1, Math.round(DURATION[t] / Math.max(ctx.speed(), 0.001)));

  function kubeView(c: GkeClusterRec): { endpoint: string; caPemBase64: string } {
    // The kube API lives at a path (https://127.0.0.1:4511/k8s/<id>); `https://${endpoint}` is that URL.
    return {
      endpoint: ctx.kube.serverUrl(c.key).replace(/^https?:\/\//, ''),
      caPemBase64: Buffer.from(ctx.caCertPem).toString('base64'),
    };
  }

  // ---------- lazy state machine ----------

  function syncKube(c: GkeClusterRec): void {
    try {
      if (c.status === 'RUNNING' || c.status === 'RECONCILING' || ctx.kube.hasCluster(c.key))
        ctx.kube.ensureCluster(c.key, kubeInfo(c, cat));
    } catch (err) {
      ctx.log.error({ err: String(err), clusterId: c.key }, 'kube hub ensureCluster failed');
    }
  }

  function complete(op: StoredOp): void {
    op.status = 'DONE';
    op.finishedAt = op.endsAt;
    const c = state.clusters[op.clusterKey];
    if (!c) return;
    const failed = !!op.error;
    const pool = op.pool ? c.nodePools.find((p) => p.name === op.pool) : undefined;
    switch (op.type) {
      case 'UPDATE_CLUSTER':
        if (op.pending) {
          if (pool) applyPoolChange(pool, failed ? undefined : op.pending);
          c.status = 'RUNNING';
          syncKube(c);
          break;
        }
        c.status = failed ? 'ERROR' : 'RUNNING';
        if (failed) c.statusMessage = op.error?.message;
        syncKube(c);
        break;
      case 'CREATE_CLUSTER':
        c.status = failed ? 'ERROR' : 'RUNNING';
        if (failed) c.statusMessage = op.error?.message;
        for (const p of c.nodePools) {
          if (p.status === 'PROVISIONING' || p.status === 'RECONCILING')
            p.status = failed ? 'ERROR' : 'RUNNING';
        }
        syncKube(c);
        break;
      case 'DELETE_CLUSTER':
        if (failed) {
          c.status = 'ERROR';
          c.statusMessage = op.error?.message;
        } else {
          delete state.clusters[c.key];
          ctx.kube.removeCluster(c.key);
        }
        break;
      case 'UPGRADE_MASTER':
      case 'UPGRADE_NODES':
      case 'SET_LABELS':
        if (!failed && op.pending?.masterVersion) c.currentMasterVersion = op.pending.masterVersion;
        if (pool) applyPoolChange(pool, failed ? undefined : op.pending);
        c.status = 'RUNNING';
        syncKube(c);
        break;
      case 'CREATE_NODE_POOL':
      case 'SET_NODE_POOL_SIZE':
        if (pool) {
          pool.status = failed ? 'ERROR' : 'RUNNING';
          if (failed) pool.statusMessage = op.error?.message;
          if (!failed && op.targetNodeCountPerZone !== undefined)
            pool.nodeCountPerZone = op.targetNodeCountPerZone;
        }
        c.status = 'RUNNING';
        syncKube(c);
        break;
      case 'DELETE_NODE_POOL':
        if (failed) {
          if (pool) pool.status = 'ERROR';
        } else {
          c.nodePools = c.nodePools.filter((p) => p.name !== op.pool);
        }
        c.status = 'RUNNING';
        syncKube(c);
        break;
    }
  }

  function applyPoolChange(pool: GkePoolRec, pending: PendingChange | undefined): void {
    pool.status = 'RUNNING';
    const ch = pending?.pool;
    if (!ch) return;
    if (ch.version) pool.version = ch.version;
    if (ch.labels) pool.labels = ch.labels;
    if (ch.taints) pool.taints = ch.taints;
    if (ch.locations) pool.locations = ch.locations;
    if (ch.autoscaling === null) delete pool.autoscaling;
    else if (ch.autoscaling) {
      pool.autoscaling = ch.autoscaling;
      const lo = ch.autoscaling.minNodeCount ?? 0;
      const hi = ch.autoscaling.maxNodeCount ?? Number.MAX_SAFE_INTEGER;
      pool.nodeCountPerZone = Math.min(Math.max(pool.nodeCountPerZone, lo), hi);
    }
  }

  function settle(): void {
    settleCompute();
    const now = ctx.now();
    const due = Object.values(state.operations)
      .filter((o) => o.status === 'RUNNING' && o.endsAt <= now)
      .sort((a, b) => a.endsAt - b.endsAt);
    for (const op of due) complete(op);
    for (const op of Object.values(state.operations)) {
      if (op.finishedAt !== undefined && now - op.finishedAt > 86_400_000) delete state.operations[op.name];
    }
    if (due.length) ctx.markDirty();
  }

  function activeOp(key: string): StoredOp | undefined {
    return Object.values(state.operations).find((o) => o.clusterKey === key && o.status === 'RUNNING');
  }

  /** The project-wide concurrent-operations quota (SANDBOX_GKE_MAX_CONCURRENT_OPERATIONS, default 20). */
  function checkOpQuota(r: Req): void {
    const limit = Number(process.env.SANDBOX_GKE_MAX_CONCURRENT_OPERATIONS ?? '') || 20;
    const running = Object.values(state.operations).filter(
      (o) => o.projectId === r.project.projectId && o.status === 'RUNNING',
    ).length;
    if (running >= limit) {
      throw new GoogleApiError(
        'RESOURCE_EXHAUSTED',
        `Insufficient quota to satisfy the request: project ${r.project.projectId} already has ${running} concurrent operations running (limit ${limit}).`,
      );
    }
  }

  function assertIdle(c: GkeClusterRec): void {
    const op = activeOp(c.key);
    if (op)
      throw new GoogleApiError(
        'FAILED_PRECONDITION',
        `Cluster is running incompatible operation ${op.name}.`,
      );
  }

  function startOp(c: GkeClusterRec, type: OpType, fault: FaultRule | undefined, pool?: string): StoredOp {
    const now = ctx.now();
    const op: StoredOp = {
      name: `operation-${now}-${randomBytes(4).toString('hex')}`,
      projectId: c.projectId,
      location: c.location,
      clusterKey: c.key,
      clusterName: c.name,
      type,
      startedAt: now,
      endsAt: now + dur(type),
      status: 'RUNNING',
    };
    if (pool) op.pool = pool;
    if (fault?.kind === 'async-failure') {
      op.error = { code: 13, message: fault.message ?? `Sandbox injected failure of the ${type} operation.` };
    }
    state.operations[op.name] = op;
    ctx.markDirty();
    return op;
  }

  // ---------- accounts ----------

  function keyJson(p: GcpProjectRec): Record<string, unknown> {
    return {
      type: 'service_account',
      project_id: p.projectId,
      private_key_id: p.privateKeyId,
      private_key: p.privateKeyPem,
      client_email: p.clientEmail,
      client_id: p.clientId,
      auth_uri: `${base()}/gcp/auth`,
      token_uri: `${base()}/gcp/token`,
      auth_provider_x509_cert_url: `${base()}/gcp/certs`,
      client_x509_cert_url: `${base()}/gcp/certs/${encodeURIComponent(p.clientEmail)}`,
      universe_domain: 'googleapis.com',
    };
  }

  function toAccount(p: GcpProjectRec): SandboxAccount {
    return {
      cloud: 'gcp',
      id: p.projectId,
      displayName: p.displayName,
      endpoints: {
        container: base(),
        token: `${base()}/gcp/token`,
        serviceusage: base(),
        compute: base(),
      },
      credentials: keyJson(p),
      caCertPem: ctx.caCertPem,
    };
  }

  function ensureAccount(id: string, displayName: string, opts: AccountOptions = {}): SandboxAccount {
    let p = state.projects[id];
    if (!p) {
      p = deriveProject(id, displayName || id);
      state.projects[id] = p;
      ctx.markDirty();
    } else if (displayName && p.displayName !== displayName) {
      p.displayName = displayName;
      ctx.markDirty();
    }
    if (opts.fresh) {
      // a project as it is handed out with the default network policy of many organisations:
      // the Kubernetes Engine API is off and there is no `default` network
      state.services = { ...state.services, [id]: { [CONTAINER_SERVICE]: 'DISABLED' } };
      state.networks = { ...state.networks, [id]: {} };
      state.cpuQuota = { ...state.cpuQuota, [id]: FRESH_CPU_QUOTA };
      ctx.markDirty();
    }
    return toAccount(p);
  }

  // ---------- project setup: serviceusage v1 and compute v1 networks ----------

  function serviceState(projectId: string, service: string): 'ENABLED' | 'DISABLED' {
    return state.services?.[projectId]?.[service] ?? 'ENABLED';
  }

  function networksOf(projectId: string): Record<string, NetworkRec> {
    state.networks ??= {};
    const nets = state.networks;
    nets[projectId] ??= { default: newNetwork('default', true) };
    return nets[projectId];
  }

  function cpuLimit(projectId: string): number {
    return state.cpuQuota?.[projectId] ?? PREPARED_CPU_QUOTA;
  }

  /** vCPUs per quota metric the pools run (or would run): nodes per zone × zones × vCPUs. */
  function cpusByMetric(pools: GkePoolRec[], region: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const p of pools) {
      const vcpus =
        cat.machineType('gcp', p.machineType, region)?.vcpus ??
        cat.machineType('gcp', p.machineType)?.vcpus ??
        0;
      const metric = gcpCpuQuotaMetric(p.machineType);
      out.set(metric, (out.get(metric) ?? 0) + vcpus * totalNodes(p));
    }
    return out;
  }

  /** vCPUs in use per metric in one region of a project (every cluster there). */
  function cpuUsage(projectId: string, region: string): Map<string, number> {
    const pools = Object.values(state.clusters)
      .filter((c) => c.projectId === projectId && regionOfLocation(c.location) === region)
      .flatMap((c) => c.nodePools.filter((p) => p.status !== 'STOPPING'));
    return cpusByMetric(pools, region);
  }

  /** GKE refuses a create that would run more vCPUs than the region's quota, as Compute Engine does. */
  function requireCpuQuota(project: GcpProjectRec, region: string, pools: GkePoolRec[]): void {
    const used = cpuUsage(project.projectId, region);
    const limit = cpuLimit(project.projectId);
    const problems: string[] = [];
    for (const [metric, need] of cpusByMetric(pools, region)) {
      const available = Math.max(0, limit - (used.get(metric) ?? 0));
      if (need <= available) continue;
      problems.push(
        `insufficient regional quota to satisfy request: resource "${metric}": request requires '${need.toFixed(1)}' and is short '${(need - available).toFixed(1)}'. project has a quota of '${limit.toFixed(1)}' with '${available.toFixed(1)}' available. View and manage quotas at https://console.cloud.google.com/iam-admin/quotas?usage=USED&project=${project.projectId}`,
      );
    }
    if (problems.length === 0) return;
    const message =
      problems.length === 1
        ? `${problems[0]?.replace(/^i/, 'I')}.`
        : `\n${problems.map((p, i) => `\t(${i + 1}) ${p}`).join('\n')}.`;
    throw new GoogleApiError('PERMISSION_DENIED', message);
  }

  function regionBody(project: GcpProjectRec, region: string): Json {
    const used = cpuUsage(project.projectId, region);
    const limit = cpuLimit(project.projectId);
    const metrics = new Set(['CPUS', ...used.keys()]);
    for (const t of cat.machineTypes('gcp', region)) metrics.add(gcpCpuQuotaMetric(t.name));
    return {
      kind: 'compute#region',
      name: region,
      status: 'UP',
      selfLink: `https://www.googleapis.com/compute/v1/projects/${project.projectId}/regions/${region}`,
      quotas: [...metrics].sort().map((metric) => ({ metric, limit, usage: used.get(metric) ?? 0 })),
    };
  }

  function newNetwork(name: string, autoCreateSubnetworks: boolean): NetworkRec {
    return {
      name,
      id: String(BigInt(`0x${randomBytes(7).toString('hex')}`)),
      autoCreateSubnetworks,
      creationTimestamp: new Date(ctx.now()).toISOString(),
    };
  }

  /** What every Kubernetes Engine API call answers while the API is disabled in the project. */
  function requireContainerApi(project: GcpProjectRec): void {
    if (serviceState(project.projectId, CONTAINER_SERVICE) === 'ENABLED') return;
    const n = project.projectNumber;
    const activation = `https://console.developers.google.com/apis/api/${CONTAINER_SERVICE}/overview?project=${n}`;
    throw new GoogleApiError(
      'PERMISSION_DENIED',
      `Kubernetes Engine API has not been used in project ${n} before or it is disabled. Enable it by visiting ${activation} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
      {},
      [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: { service: CONTAINER_SERVICE, consumer: `projects/${n}`, activationUrl: activation },
        },
      ],
    );
  }

  function serviceBody(project: GcpProjectRec, service: string): Json {
    return {
      name: `projects/${project.projectNumber}/services/${service}`,
      parent: `projects/${project.projectNumber}`,
      config: {
        name: service,
        title: service === CONTAINER_SERVICE ? 'Kubernetes Engine API' : service,
      },
      state: serviceState(project.projectId, service),
    };
  }

  function networkLink(projectId: string, name: string): string {
    return `${COMPUTE_PREFIX}/projects/${projectId}/global/networks/${name}`;
  }
  function subnetLink(projectId: string, region: string, name: string): string {
    return `${COMPUTE_PREFIX}/projects/${projectId}/regions/${region}/subnetworks/${name}`;
  }

  function storedSubnets(projectId: string): Record<string, SubnetRec> {
    state.subnetworks ??= {};
    const subs = state.subnetworks;
    subs[projectId] ??= {};
    return subs[projectId];
  }

  /**
   * An auto-mode network has a subnet named as itself in every region, inside 10.128.0.0/9; the
   * sandbox derives them instead of storing one per region.
   */
  function autoSubnet(n: NetworkRec, region: string): SubnetRec | undefined {
    if (!n.autoCreateSubnetworks || !cat.region('gcp', region)) return undefined;
    let h = 0;
    for (const ch of region) h = (h * 31 + ch.charCodeAt(0)) % 2048;
    return {
      name: n.name,
      id: `${n.id.slice(0, 10)}${h}`,
      region,
      network: n.name,
      ipCidrRange: `10.${128 + (h >> 4)}.${(h & 15) << 4}.0/20`,
      creationTimestamp: n.creationTimestamp,
    };
  }

  /** The subnet a region has under that name: stored (custom) or an auto-mode network's own. */
  function findSubnet(projectId: string, region: string, name: string): SubnetRec | undefined {
    const stored = storedSubnets(projectId)[`${region}/${name}`];
    if (stored) return stored;
    const n = networksOf(projectId)[name];
    return n ? autoSubnet(n, region) : undefined;
  }

  function subnetsOfNetwork(projectId: string, network: string): SubnetRec[] {
    return Object.values(storedSubnets(projectId)).filter((x) => x.network === network);
  }

  /** Clusters (not yet deleted) that joined the network, and the subnetwork each uses. */
  function clustersOn(projectId: string, network: string): GkeClusterRec[] {
    return Object.values(state.clusters).filter(
      (c) => c.projectId === projectId && lastSegment(c.network) === network,
    );
  }

  function networkBody(project: GcpProjectRec, n: NetworkRec): Json {
    const custom = subnetsOfNetwork(project.projectId, n.name).map((x) =>
      subnetLink(project.projectId, x.region, x.name),
    );
    const auto = n.autoCreateSubnetworks
      ? cat.regions('gcp').map((r) => subnetLink(project.projectId, r.id, n.name))
      : [];
    return {
      kind: 'compute#network',
      id: n.id,
      creationTimestamp: n.creationTimestamp,
      name: n.name,
      ...(n.description ? { description: n.description } : {}),
      selfLink: networkLink(project.projectId, n.name),
      selfLinkWithId: `${COMPUTE_PREFIX}/projects/${project.projectId}/global/networks/${n.id}`,
      autoCreateSubnetworks: n.autoCreateSubnetworks,
      subnetworks: [...auto, ...custom],
      routingConfig: { routingMode: 'REGIONAL' },
      networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL',
    };
  }

  function subnetBody(project: GcpProjectRec, x: SubnetRec): Json {
    const [a = 0, b = 0, c = 0, d = 0] = x.ipCidrRange.split('/')[0]?.split('.').map(Number) ?? [];
    return {
      kind: 'compute#subnetwork',
      id: x.id,
      creationTimestamp: x.creationTimestamp,
      name: x.name,
      ...(x.description ? { description: x.description } : {}),
      network: networkLink(project.projectId, x.network),
      ipCidrRange: x.ipCidrRange,
      gatewayAddress: `${a}.${b}.${c}.${d + 1}`,
      region: `${COMPUTE_PREFIX}/projects/${project.projectId}/regions/${x.region}`,
      selfLink: subnetLink(project.projectId, x.region, x.name),
      privateIpGoogleAccess: false,
      fingerprint: Buffer.from(`${x.id}${x.ipCidrRange}`).toString('base64').slice(0, 12),
      stackType: 'IPV4_ONLY',
      purpose: 'PRIVATE',
    };
  }

  function computeOpBody(op: ComputeOpRec): Json {
    const now = ctx.now();
    const done = now >= op.endsAt;
    const scope = op.region ? `regions/${op.region}` : 'global';
    const body: Json = {
      kind: 'compute#operation',
      id: op.id,
      name: op.name,
      operationType: op.operationType,
      targetLink: op.targetLink,
      targetId: op.targetId,
      status: done ? 'DONE' : now - op.insertTime < 50 ? 'PENDING' : 'RUNNING',
      user: projectFor(op.projectId)?.clientEmail ?? '',
      progress: done ? 100 : 0,
      insertTime: new Date(op.insertTime).toISOString(),
      startTime: new Date(op.insertTime).toISOString(),
      selfLink: `${COMPUTE_PREFIX}/projects/${op.projectId}/${scope}/operations/${op.name}`,
      ...(op.region ? { region: `${COMPUTE_PREFIX}/projects/${op.projectId}/regions/${op.region}` } : {}),
    };
    if (done) {
      body.endTime = new Date(op.endsAt).toISOString();
      if (op.error) {
        body.error = { errors: [{ code: op.error.code, message: op.error.message }] };
        body.httpErrorStatusCode = 400;
        body.httpErrorMessage = 'BAD REQUEST';
      }
    }
    return body;
  }

  /** Lands the writes of compute operations that have ended. */
  function settleCompute(): void {
    const now = ctx.now();
    for (const op of Object.values(state.computeOps ?? {})) {
      if (op.endsAt > now || (!op.network && !op.subnet)) continue;
      if (!op.error) {
        if (op.network) {
          const nets = networksOf(op.projectId);
          if (op.operationType === 'insert') nets[op.network.name] = op.network;
          else delete nets[op.network.name];
        }
        if (op.subnet) {
          const subs = storedSubnets(op.projectId);
          const key = `${op.subnet.region}/${op.subnet.name}`;
          if (op.operationType === 'insert') subs[key] = op.subnet;
          else delete subs[key];
        }
      }
      delete op.network;
      delete op.subnet;
      ctx.markDirty();
    }
    for (const op of Object.values(state.computeOps ?? {})) {
      if (now - op.endsAt > 86_400_000) delete state.computeOps?.[op.name];
    }
  }

  /** The operations still running in a project, to refuse a second write to the same resource. */
  function pendingOps(projectId: string): ComputeOpRec[] {
    const now = ctx.now();
    return Object.values(state.computeOps ?? {}).filter((o) => o.projectId === projectId && o.endsAt > now);
  }

  function startComputeOp(
    project: GcpProjectRec,
    op: Pick<ComputeOpRec, 'operationType' | 'targetLink' | 'targetId' | 'network' | 'subnet' | 'error'> & {
      region?: string;
    },
  ): ComputeOpRec {
    const now = ctx.now();
    const rec: ComputeOpRec = {
      ...op,
      name: `operation-${now}-${randomBytes(6).toString('hex')}-${randomBytes(4).toString('hex')}`,
      id: String(BigInt(`0x${randomBytes(7).toString('hex')}`)),
      projectId: project.projectId,
      insertTime: now,
      endsAt: now + Math.max(1, Math.round(COMPUTE_OP_MS / Math.max(ctx.speed(), 0.001))),
    };
    state.computeOps ??= {};
    state.computeOps[rec.name] = rec;
    ctx.markDirty();
    return rec;
  }

  /**
   * compute v1 networks, subnetworks and global/regional operations, as Compute Engine answers
   * them (errors in its own shape: `error.errors[].reason`).
   */
  async function handleCompute(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    path: string,
    project: GcpProjectRec,
  ): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const p = project.projectId;
    const fail = (code: number, reason: string, message: string): never => {
      throw new ComputeApiError(code, reason, message);
    };
    const notFound = (resource: string): never =>
      fail(404, 'notFound', `The resource 'projects/${p}/${resource}' was not found`);
    const unknownUrl = (): never => fail(404, 'notFound', `The requested URL ${path} was not found.`);
    settleCompute();
    const nets = networksOf(p);

    const ops =
      /^\/compute\/v1\/projects\/[^/]+\/(?:global|regions\/([^/]+))\/operations\/([^/]+)(\/wait)?$/.exec(
        path,
      );
    if (ops) {
      const region = ops[1] ? decodeURIComponent(ops[1]) : undefined;
      const name = decodeURIComponent(ops[2] ?? '');
      const kind = region ? 'regionOperations' : 'globalOperations';
      await applyFault(`${kind}.${ops[3] ? 'wait' : 'get'}`);
      if ((ops[3] ? 'POST' : 'GET') !== method) unknownUrl();
      const op = state.computeOps?.[name];
      if (!op || op.projectId !== p || op.region !== region)
        notFound(`${region ? `regions/${region}` : 'global'}/operations/${name}`);
      const found = op as ComputeOpRec;
      // operations.wait answers once the operation is DONE, or after about two minutes at most
      if (ops[3]) await sleep(Math.max(0, Math.min(found.endsAt - ctx.now(), 120_000)));
      settleCompute();
      sendJson(res, 200, computeOpBody(found));
      return;
    }

    const nameOk = (n: string | undefined): string => {
      if (!n || !/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(n))
        fail(
          400,
          'invalid',
          `Invalid value for field 'resource.name': '${n ?? ''}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
        );
      return n as string;
    };

    const net = /^\/compute\/v1\/projects\/[^/]+\/global\/networks(?:\/([^/]+))?$/.exec(path);
    if (net) {
      const name = net[1] ? decodeURIComponent(net[1]) : undefined;
      if (!name) {
        await applyFault(method === 'POST' ? 'networks.insert' : 'networks.list');
        if (method === 'GET') {
          sendJson(res, 200, {
            kind: 'compute#networkList',
            id: `projects/${p}/global/networks`,
            items: Object.values(nets).map((n) => networkBody(project, n)),
            selfLink: `${COMPUTE_PREFIX}/projects/${p}/global/networks`,
          });
          return;
        }
        if (method !== 'POST') unknownUrl();
        const b = parseJsonBody(body);
        const n = nameOk(b ? str(b.name) : undefined);
        if (nets[n] || pendingOps(p).some((o) => o.network?.name === n && o.operationType === 'insert'))
          fail(409, 'alreadyExists', `The resource 'projects/${p}/global/networks/${n}' already exists`);
        const rec = newNetwork(n, b?.autoCreateSubnetworks !== false);
        const description = b ? str(b.description) : undefined;
        if (description) rec.description = description;
        const op = startComputeOp(project, {
          operationType: 'insert',
          targetLink: networkLink(p, n),
          targetId: rec.id,
          network: rec,
        });
        sendJson(res, 200, computeOpBody(op));
        return;
      }
      await applyFault(method === 'DELETE' ? 'networks.delete' : 'networks.get');
      const found = nets[name] ?? notFound(`global/networks/${name}`);
      if (method === 'GET') {
        sendJson(res, 200, networkBody(project, found));
        return;
      }
      if (method !== 'DELETE') unknownUrl();
      // Compute accepts the delete and fails the operation while anything still uses the network
      const subnet = subnetsOfNetwork(p, name)[0];
      const cluster = clustersOn(p, name)[0];
      const user = subnet
        ? `projects/${p}/regions/${subnet.region}/subnetworks/${subnet.name}`
        : cluster
          ? `projects/${p}/global/firewalls/gke-${cluster.name}-${cluster.id.slice(0, 8)}-all`
          : undefined;
      const op = startComputeOp(project, {
        operationType: 'delete',
        targetLink: networkLink(p, name),
        targetId: found.id,
        ...(user
          ? {
              error: {
                code: 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE',
                message: `The network resource 'projects/${p}/global/networks/${name}' is already being used by '${user}'`,
              },
            }
          : { network: found }),
      });
      sendJson(res, 200, computeOpBody(op));
      return;
    }

    const sub = /^\/compute\/v1\/projects\/[^/]+\/regions\/([^/]+)\/subnetworks(?:\/([^/]+))?$/.exec(path);
    if (!sub) unknownUrl();
    const region = decodeURIComponent(sub?.[1] ?? '');
    if (!cat.region('gcp', region)) notFound(`regions/${region}`);
    const name = sub?.[2] ? decodeURIComponent(sub[2]) : undefined;
    if (!name) {
      await applyFault(method === 'POST' ? 'subnetworks.insert' : 'subnetworks.list');
      if (method === 'GET') {
        const stored = Object.values(storedSubnets(p)).filter((x) => x.region === region);
        const auto = Object.values(nets).flatMap((n) => autoSubnet(n, region) ?? []);
        sendJson(res, 200, {
          kind: 'compute#subnetworkList',
          id: `projects/${p}/regions/${region}/subnetworks`,
          items: [...auto, ...stored].map((x) => subnetBody(project, x)),
          selfLink: `${COMPUTE_PREFIX}/projects/${p}/regions/${region}/subnetworks`,
        });
        return;
      }
      if (method !== 'POST') unknownUrl();
      const b = parseJsonBody(body);
      const n = nameOk(b ? str(b.name) : undefined);
      const networkName = lastSegment(b ? (str(b.network) ?? '') : '');
      if (!networkName) fail(400, 'required', "Required field 'resource.network' not specified");
      const network = nets[networkName] ?? notFound(`global/networks/${networkName}`);
      const range = b ? (str(b.ipCidrRange) ?? '') : '';
      const cidr = parseCidr(range);
      if (!cidr)
        fail(
          400,
          'invalid',
          `Invalid value for field 'resource.ipCidrRange': '${range}'. Invalid IPCidrRange: ${range}.`,
        );
      if (
        findSubnet(p, region, n) ||
        pendingOps(p).some(
          (o) => o.operationType === 'insert' && o.subnet?.region === region && o.subnet.name === n,
        )
      )
        fail(
          409,
          'alreadyExists',
          `The resource 'projects/${p}/regions/${region}/subnetworks/${n}' already exists`,
        );
      // every range of one network must be disjoint, across regions; auto mode keeps 10.128.0.0/9
      const taken: SubnetRec[] = [
        ...subnetsOfNetwork(p, networkName),
        ...pendingOps(p).flatMap((o) =>
          o.operationType === 'insert' && o.subnet?.network === networkName ? [o.subnet] : [],
        ),
      ];
      for (const other of taken) {
        const o = parseCidr(other.ipCidrRange);
        if (cidr && o && overlaps(cidr, o))
          fail(
            400,
            'invalid',
            `Invalid IPCidrRange: ${range} conflicts with existing subnetwork '${other.name}' in region '${other.region}'.`,
          );
      }
      const autoRange = parseCidr('10.128.0.0/9');
      if (network.autoCreateSubnetworks && cidr && autoRange && overlaps(cidr, autoRange))
        fail(
          400,
          'invalid',
          `Invalid IPCidrRange: ${range} conflicts with the auto mode subnetworks range 10.128.0.0/9 of network '${networkName}'.`,
        );
      const description = b ? str(b.description) : undefined;
      const rec: SubnetRec = {
        name: n,
        id: String(BigInt(`0x${randomBytes(7).toString('hex')}`)),
        region,
        network: networkName,
        ipCidrRange: range,
        creationTimestamp: new Date(ctx.now()).toISOString(),
        ...(description ? { description } : {}),
      };
      const op = startComputeOp(project, {
        region,
        operationType: 'insert',
        targetLink: subnetLink(p, region, n),
        targetId: rec.id,
        subnet: rec,
      });
      sendJson(res, 200, computeOpBody(op));
      return;
    }
    await applyFault(method === 'DELETE' ? 'subnetworks.delete' : 'subnetworks.get');
    const found = findSubnet(p, region, name) ?? notFound(`regions/${region}/subnetworks/${name}`);
    if (method === 'GET') {
      sendJson(res, 200, subnetBody(project, found));
      return;
    }
    if (method !== 'DELETE') unknownUrl();
    if (!storedSubnets(p)[`${region}/${name}`])
      fail(
        400,
        'invalidResourceUsage',
        "Invalid resource usage: 'Cannot delete auto subnetwork from an auto subnet mode network.'.",
      );
    // a subnet with instances in it (a GKE cluster's nodes) is refused at once, not in the operation
    const user = clustersOn(p, found.network).find(
      (c) => regionOfLocation(c.location) === region && lastSegment(c.subnetwork) === name,
    );
    if (user) {
      const zone = user.locations[0] ?? `${region}-a`;
      const pool = user.nodePools[0]?.name ?? 'default-pool';
      fail(
        400,
        'resourceInUseByAnotherResource',
        `The subnetwork resource 'projects/${p}/regions/${region}/subnetworks/${name}' is already being used by 'projects/${p}/zones/${zone}/instances/gke-${user.name.slice(0, 15)}-${pool.slice(0, 15)}-${user.id.slice(0, 8)}-0001'`,
      );
    }
    const op = startComputeOp(project, {
      region,
      operationType: 'delete',
      targetLink: subnetLink(p, region, name),
      targetId: found.id,
      subnet: found,
    });
    sendJson(res, 200, computeOpBody(op));
  }

  /** /v1/projects/{p}/services/{service}[:enable|:disable], /compute/v1/projects/{p}/... */
  async function handleProjectSetup(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    path: string,
  ): Promise<boolean> {
    const su = /^\/v1\/projects\/([^/]+)\/services\/([^/:]+)(?::(enable|disable))?$/.exec(path);
    const reg = /^\/compute\/v1\/projects\/([^/]+)\/regions\/([^/]+)$/.exec(path);
    const compute = /^\/compute\/v1\/projects\/([^/]+)\//.exec(path);
    if (!su && !compute) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    const who = authenticate(req);
    const projectId = decodeURIComponent((su ?? compute)?.[1] ?? '');
    const project = projectFor(projectId);
    if (!project || project.projectId !== who.projectId) {
      throw new GoogleApiError(
        'PERMISSION_DENIED',
        `Permission denied on resource project ${projectId} (or it may not exist) for ${who.email}.`,
      );
    }
    if (su) {
      const service = decodeURIComponent(su[2] ?? '');
      const action = su[3];
      await applyFault(action ? `services.${action}` : 'services.get');
      if (!action) {
        if (method !== 'GET')
          throw new GoogleApiError('NOT_FOUND', `The requested URL ${path} was not found.`);
        sendJson(res, 200, serviceBody(project, service));
        return true;
      }
      if (method !== 'POST')
        throw new GoogleApiError('NOT_FOUND', `The requested URL ${path} was not found.`);
      state.services ??= {};
      const services = state.services;
      services[project.projectId] = {
        ...services[project.projectId],
        [service]: action === 'enable' ? 'ENABLED' : 'DISABLED',
      };
      ctx.markDirty();
      const type = action === 'enable' ? 'EnableServiceResponse' : 'DisableServiceResponse';
      sendJson(res, 200, {
        name: `operations/acf.p2-${project.projectNumber}-${randomBytes(8).toString('hex')}`,
        done: true,
        response: {
          '@type': `type.googleapis.com/google.api.serviceusage.v1.${type}`,
          service: serviceBody(project, service),
        },
      });
      return true;
    }
    if (reg) {
      await applyFault('regions.get');
      const region = decodeURIComponent(reg[2] ?? '');
      if (method !== 'GET' || !cat.region('gcp', region)) {
        const message = `The resource 'projects/${project.projectId}/regions/${region}' was not found`;
        sendJson(res, 404, {
          error: { code: 404, message, errors: [{ message, domain: 'global', reason: 'notFound' }] },
        });
        return true;
      }
      sendJson(res, 200, regionBody(project, region));
      return true;
    }
    try {
      await handleCompute(req, res, body, path, project);
    } catch (e) {
      if (!(e instanceof ComputeApiError)) throw e;
      sendJson(res, e.code, {
        error: {
          code: e.code,
          message: e.message,
          errors: [{ message: e.message, domain: 'global', reason: e.reason }],
        },
      });
    }
    return true;
  }

  function projectFor(idOrNumber: string): GcpProjectRec | undefined {
    return (
      state.projects[idOrNumber] ?? Object.values(state.projects).find((p) => p.projectNumber === idOrNumber)
    );
  }

  // ---------- validation ----------

  function locationInfo(
    location: string,
  ): { region: string; zones: string[]; regional: boolean } | undefined {
    const r = cat.region('gcp', location);
    if (r) return { region: r.id, zones: [...r.zones], regional: true };
    const region = regionOfLocation(location);
    const rr = cat.region('gcp', region);
    if (rr?.zones.includes(location)) return { region, zones: [...rr.zones], regional: false };
    return undefined;
  }

  function requireLocation(location: string): { region: string; zones: string[]; regional: boolean } {
    const info = locationInfo(location);
    if (!info) throw new GoogleApiError('INVALID_ARGUMENT', `Location "${location}" does not exist.`);
    return info;
  }

  function allVersions(region: string): string[] {
    return cat.kubernetesVersions('gcp', region).flatMap((v) => v.versions);
  }

  function defaultVersion(region: string): string {
    const list = cat.kubernetesVersions('gcp', region);
    const def =
      list.find((v) => v.default === true && v.versions.length) ?? list.find((v) => v.versions.length);
    const full = def?.versions[0];
    if (!full) throw new GoogleApiError('INTERNAL', 'No GKE versions known for this location.');
    return full;
  }

  function resolveVersion(v: string | undefined, region: string, what: 'Master' | 'Node'): string {
    if (!v || v === 'latest' || v === '-')
      return v === 'latest' ? (allVersions(region)[0] ?? defaultVersion(region)) : defaultVersion(region);
    const list = cat.kubernetesVersions('gcp', region);
    const minor = /^(\d+\.\d+)$/.exec(v)?.[1];
    if (minor) {
      const e = list.find((x) => x.minor === minor);
      if (e?.versions[0]) return e.versions[0];
    } else if (/^\d+\.\d+\.\d+$/.test(v)) {
      const hit = allVersions(region).find((x) => x.startsWith(`${v}-gke.`));
      if (hit) return hit;
    } else if (allVersions(region).includes(v) || cat.isSupportedVersion('gcp', v, region)) {
      return v;
    }
    throw new GoogleApiError('INVALID_ARGUMENT', `${what} version "${v}" is unsupported.`);
  }

  function versionKey(v: string): number[] {
    return v.split(/[.-]/).map((x) => Number(x.replace(/\D/g, '')) || 0);
  }

  function compareVersions(a: string, b: string): number {
    const x = versionKey(a);
    const y = versionKey(b);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d) return d;
    }
    return 0;
  }

  function parseTaints(v: unknown): TaintRec[] {
    if (!Array.isArray(v)) return [];
    return v.filter(isRecord).map((t) => {
      const effect = enumName('effect', t.effect);
      if (!effect || effect === 'EFFECT_UNSPECIFIED') {
        throw new GoogleApiError(
          'INVALID_ARGUMENT',
          'Node taint effect must be one of NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE.',
        );
      }
      return { key: str(t.key) ?? '', value: str(t.value) ?? '', effect: effect as TaintRec['effect'] };
    });
  }

  function parseAutoscaling(v: unknown): GkePoolRec['autoscaling'] {
    const auto = isRecord(v) && v.enabled === true ? v : undefined;
    if (!auto) return undefined;
    const min = num(auto.minNodeCount);
    const max = num(auto.maxNodeCount);
    const tmin = num(auto.totalMinNodeCount);
    const tmax = num(auto.totalMaxNodeCount);
    const perZone = min !== undefined || max !== undefined;
    const total = tmin !== undefined || tmax !== undefined;
    if (perZone && total) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        'Autoscaling cannot set both per-zone and total node count limits.',
      );
    }
    const lo = perZone ? (min ?? 0) : (tmin ?? 0);
    const hi = perZone ? (max ?? 0) : (tmax ?? 0);
    if (hi < 1 || lo > hi || lo < 0) {
      throw new GoogleApiError('INVALID_ARGUMENT', `Invalid autoscaling limits: min ${lo}, max ${hi}.`);
    }
    const lp = auto.locationPolicy === 2 || auto.locationPolicy === 'ANY' ? 'ANY' : 'BALANCED';
    return perZone
      ? { minNodeCount: lo, maxNodeCount: hi, locationPolicy: lp }
      : { totalMinNodeCount: lo, totalMaxNodeCount: hi, locationPolicy: lp };
  }

  function buildPool(
    np: Json,
    region: string,
    regionZones: string[],
    defaultLocations: string[],
    masterVersion: string,
    projectEmail: string,
  ): GkePoolRec {
    const name = str(np.name) ?? '';
    if (!NAME_RE.test(name)) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Invalid value for field "node_pool.name": "${name}". Node pool name must be 1-40 characters long, start with a lowercase letter, and contain only lowercase letters, numbers and hyphens.`,
      );
    }
    const config = isRecord(np.config) ? np.config : {};
    const machineType = str(config.machineType) ?? 'e2-medium';
    const mt = cat.machineType('gcp', machineType, region);
    const locations = strArray(np.locations).length ? strArray(np.locations) : defaultLocations;
    for (const z of locations) {
      if (!regionZones.includes(z)) {
        throw new GoogleApiError(
          'INVALID_ARGUMENT',
          `Invalid value for field "node_pool.locations": zone "${z}" is not in region "${region}".`,
        );
      }
    }
    if (!mt) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Invalid machine type "${machineType}" for zone "${locations[0] ?? region}": machine type does not exist.`,
      );
    }
    const initial = num(np.initialNodeCount) ?? 3;
    if (!Number.isInteger(initial) || initial < 0 || initial > 1000) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Invalid value for field "node_pool.initial_node_count": ${initial}.`,
      );
    }
    const autoscaling = parseAutoscaling(np.autoscaling);
    const version = str(np.version) ? resolveVersion(str(np.version), region, 'Node') : masterVersion;
    if (compareVersions(version, masterVersion) > 0) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Node version "${version}" must not be newer than master version "${masterVersion}".`,
      );
    }
    const maxPods = isRecord(np.maxPodsConstraint) ? Number(np.maxPodsConstraint.maxPodsPerNode ?? 110) : 110;
    return {
      name,
      machineType: mt.name,
      diskSizeGb: num(config.diskSizeGb) || 100,
      diskType: str(config.diskType) ?? 'pd-balanced',
      imageType: str(config.imageType) ?? 'COS_CONTAINERD',
      initialNodeCount: initial,
      nodeCountPerZone: initial,
      locations,
      labels: strRecord(config.labels),
      resourceLabels: strRecord(config.resourceLabels),
      taints: parseTaints(config.taints),
      spot: config.spot === true,
      preemptible: config.preemptible === true,
      ...(autoscaling ? { autoscaling } : {}),
      version,
      maxPodsPerNode: Number.isFinite(maxPods) && maxPods > 0 ? maxPods : 110,
      serviceAccount: str(config.serviceAccount) ?? projectEmail,
      oauthScopes: strArray(config.oauthScopes).length
        ? strArray(config.oauthScopes)
        : ['https://www.googleapis.com/auth/cloud-platform'],
      status: 'PROVISIONING',
    };
  }

  // ---------- request handling ----------

  interface Req {
    req: IncomingMessage;
    res: ServerResponse;
    url: URL;
    body: Buffer;
    method: string;
    numeric: boolean;
    project: GcpProjectRec;
    location: string;
    rest: string[];
  }

  async function applyFault(operation: string): Promise<FaultRule | undefined> {
    const rule = ctx.faults.take('gcp', operation);
    if (!rule) return undefined;
    ctx.log.info({ cloud: 'gcp', operation, fault: rule.kind }, 'sandbox fault injected');
    switch (rule.kind) {
      case 'throttle': {
        const after = String(rule.retryAfterSeconds ?? 1);
        throw new GoogleApiError(
          'RESOURCE_EXHAUSTED',
          rule.message ??
            `Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service 'container.googleapis.com'.`,
          { 'retry-after': after },
        );
      }
      case 'server-error':
        throw new GoogleApiError('UNAVAILABLE', rule.message ?? 'The service is currently unavailable.');
      case 'timeout':
        await sleep((rule.retryAfterSeconds ?? 30) * 1000);
        throw new GoogleApiError('DEADLINE_EXCEEDED', rule.message ?? 'Deadline exceeded.');
      default:
        return rule;
    }
  }

  function authenticate(req: IncomingMessage): { projectId: string; email: string } {
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(.+)$/i.exec(h) : null;
    if (!m?.[1]) {
      throw new GoogleApiError(
        'UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      );
    }
    const who = identify(m[1]);
    if (who === 'expired')
      throw new GoogleApiError(
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. The access token has expired.',
      );
    if (!who) {
      throw new GoogleApiError(
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    return who;
  }

  function identify(token: string): { projectId: string; email: string } | 'expired' | undefined {
    if (token.startsWith('ya29.')) return verifyAccessToken(token, ctx.now());
    const r = verifyServiceAccountJwt(token, Object.values(state.projects), ctx.now());
    if (!r || r === 'expired') return r;
    return { projectId: r.project.projectId, email: r.project.clientEmail };
  }

  function requireCluster(r: Req, name: string): GkeClusterRec {
    const c = state.clusters[clusterKey(r.project.projectId, r.location, name)];
    if (!c) {
      throw new GoogleApiError(
        'NOT_FOUND',
        `Not found: projects/${r.project.projectId}/locations/${r.location}/clusters/${name}.`,
      );
    }
    return c;
  }

  function requirePool(r: Req, c: GkeClusterRec, name: string): GkePoolRec {
    const p = c.nodePools.find((x) => x.name === name);
    if (!p) {
      throw new GoogleApiError(
        'NOT_FOUND',
        `Not found: projects/${r.project.projectId}/locations/${r.location}/clusters/${c.name}/nodePools/${name}.`,
      );
    }
    return p;
  }

  function sendOp(r: Req, op: StoredOp): void {
    sendJson(r.res, 200, opBody(base(), op, ctx.now(), r.numeric));
  }

  function serverConfig(r: Req, region: string): Json {
    const list = cat.kubernetesVersions('gcp', region);
    const withPatches = list.filter((v) => v.versions.length);
    const all = withPatches.flatMap((v) => v.versions);
    const standard = withPatches.filter((v) => v.support === 'standard');
    const stable = standard.slice(1);
    const ch = (name: string, versions: string[], def: string | undefined): Json => ({
      channel: r.numeric
        ? ({ RAPID: 1, REGULAR: 2, STABLE: 3, EXTENDED: 4 } as Record<string, number>)[name]
        : name,
      defaultVersion: def ?? versions[0],
      validVersions: versions,
      upgradeTargetVersion: versions[0],
    });
    const def = defaultVersion(region);
    return {
      defaultClusterVersion: def,
      validNodeVersions: all,
      defaultImageType: 'COS_CONTAINERD',
      validImageTypes: ['COS_CONTAINERD', 'UBUNTU_CONTAINERD', 'WINDOWS_LTSC_CONTAINERD'],
      validMasterVersions: all,
      channels: [
        ch('RAPID', all, all[0]),
        ch(
          'REGULAR',
          standard.flatMap((v) => v.versions),
          def,
        ),
        ch(
          'STABLE',
          stable.flatMap((v) => v.versions),
          stable[0]?.versions[0],
        ),
        ch('EXTENDED', all, def),
      ],
    };
  }

  async function createCluster(r: Req): Promise<void> {
    const fault = await applyFault('projects.locations.clusters.create');
    checkOpQuota(r);
    const body = parseJsonBody(r.body);
    const spec = body && isRecord(body.cluster) ? body.cluster : undefined;
    if (!spec) throw new GoogleApiError('INVALID_ARGUMENT', 'Invalid JSON payload: "cluster" is required.');
    const loc = requireLocation(r.location);
    const name = str(spec.name) ?? '';
    if (!NAME_RE.test(name)) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Invalid value for field "cluster.name": "${name}". Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)' (only alphanumerics and '-' allowed, must start with a letter and end with an alphanumeric, and must be no longer than 40 characters).`,
      );
    }
    const key = clusterKey(r.project.projectId, r.location, name);
    if (state.clusters[key]) {
      throw new GoogleApiError(
        'ALREADY_EXISTS',
        `Already exists: projects/${r.project.projectId}/locations/${r.location}/clusters/${name}.`,
      );
    }
    if (isRecord(spec.autopilot) && spec.autopilot.enabled === true) {
      throw new GoogleApiError('UNIMPLEMENTED', 'Autopilot clusters are not emulated by the Dolly sandbox.');
    }
    // network and subnetwork may be names, partial paths or URLs; GKE checks both before creating
    const network = lastSegment(str(spec.network) ?? 'default');
    const net = networksOf(r.project.projectId)[network];
    if (!net) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Project "${r.project.projectId}" has no network named "${network}".`,
      );
    }
    const subnetwork = str(spec.subnetwork) ? lastSegment(str(spec.subnetwork) ?? '') : undefined;
    if (!subnetwork && !net.autoCreateSubnetworks) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Network "${network}" uses manual subnet mode and requires specifying a subnetwork.`,
      );
    }
    const subnet = findSubnet(r.project.projectId, loc.region, subnetwork ?? network);
    if (!subnet || subnet.network !== network) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Subnetwork "projects/${r.project.projectId}/regions/${loc.region}/subnetworks/${subnetwork ?? network}" is not valid for Network "${network}".`,
      );
    }
    const channel = isRecord(spec.releaseChannel)
      ? (enumName('channel', spec.releaseChannel.channel) ?? 'REGULAR')
      : 'REGULAR';
    const masterVersion = resolveVersion(str(spec.initialClusterVersion), loc.region, 'Master');
    const requestedLocations = strArray(spec.locations);
    for (const z of requestedLocations) {
      if (!loc.zones.includes(z)) {
        throw new GoogleApiError(
          'INVALID_ARGUMENT',
          `Invalid value for field "cluster.locations": zone "${z}" is not in region "${loc.region}".`,
        );
      }
    }
    const locations = requestedLocations.length
      ? requestedLocations
      : loc.regional
        ? [...loc.zones].sort().slice(0, 3)
        : [r.location];
    if (!loc.regional && !locations.includes(r.location)) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Cluster locations must include the cluster zone "${r.location}".`,
      );
    }
    const specPools = Array.isArray(spec.nodePools) ? spec.nodePools.filter(isRecord) : [];
    const hasLegacy = num(spec.initialNodeCount) !== undefined || isRecord(spec.nodeConfig);
    if (specPools.length && hasLegacy) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        'Cluster.initial_node_count and Cluster.node_config must not be set when Cluster.node_pools is set.',
      );
    }
    const poolSpecs: Json[] = specPools.length
      ? specPools
      : [
          {
            name: 'default-pool',
            initialNodeCount: num(spec.initialNodeCount) ?? 3,
            config: spec.nodeConfig ?? {},
          },
        ];
    const pools: GkePoolRec[] = [];
    for (const ps of poolSpecs) {
      const p = buildPool(ps, loc.region, loc.zones, locations, masterVersion, r.project.clientEmail);
      if (pools.some((x) => x.name === p.name)) {
        throw new GoogleApiError('INVALID_ARGUMENT', `Node pool names must be unique: "${p.name}".`);
      }
      pools.push(p);
    }
    requireCpuQuota(r.project, loc.region, pools);
    const workloadPool = isRecord(spec.workloadIdentityConfig)
      ? str(spec.workloadIdentityConfig.workloadPool)
      : undefined;
    if (workloadPool && workloadPool !== `${r.project.projectId}.svc.id.goog`) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Workload pool must be "${r.project.projectId}.svc.id.goog".`,
      );
    }
    const c: GkeClusterRec = {
      key,
      projectId: r.project.projectId,
      location: r.location,
      name,
      description: str(spec.description) ?? '',
      regional: loc.regional,
      locations,
      resourceLabels: strRecord(spec.resourceLabels),
      releaseChannel: channel,
      initialClusterVersion: str(spec.initialClusterVersion) || masterVersion,
      currentMasterVersion: masterVersion,
      network,
      subnetwork: subnet.name,
      ...(workloadPool ? { workloadPool } : {}),
      status: 'PROVISIONING',
      createTime: new Date(ctx.now()).toISOString(),
      nodePools: pools,
      id: randomBytes(16).toString('hex'),
    };
    state.clusters[key] = c;
    sendOp(r, startOp(c, 'CREATE_CLUSTER', fault));
  }

  async function deleteCluster(r: Req, name: string): Promise<void> {
    const fault = await applyFault('projects.locations.clusters.delete');
    checkOpQuota(r);
    const c = requireCluster(r, name);
    const running = activeOp(c.key);
    if (running?.type === 'DELETE_CLUSTER') assertIdle(c);
    // Deleting aborts whatever else runs on the cluster (GKE lets a delete preempt a create).
    for (const op of Object.values(state.operations)) {
      if (op.clusterKey === c.key && op.status === 'RUNNING') {
        op.status = 'DONE';
        op.finishedAt = ctx.now();
        op.error = { code: 1, message: 'Operation was aborted by a cluster delete.' };
      }
    }
    c.status = 'STOPPING';
    for (const p of c.nodePools) p.status = 'STOPPING';
    sendOp(r, startOp(c, 'DELETE_CLUSTER', fault));
  }

  async function createPool(r: Req, c: GkeClusterRec): Promise<void> {
    const fault = await applyFault('projects.locations.clusters.nodePools.create');
    checkOpQuota(r);
    const body = parseJsonBody(r.body);
    const spec = body && isRecord(body.nodePool) ? body.nodePool : undefined;
    if (!spec) throw new GoogleApiError('INVALID_ARGUMENT', 'Invalid JSON payload: "node_pool" is required.');
    const name = str(spec.name) ?? '';
    if (c.nodePools.some((p) => p.name === name)) {
      throw new GoogleApiError(
        'ALREADY_EXISTS',
        `Already exists: projects/${r.project.projectId}/locations/${r.location}/clusters/${c.name}/nodePools/${name}.`,
      );
    }
    assertIdle(c);
    if (c.status === 'ERROR')
      throw new GoogleApiError('FAILED_PRECONDITION', `Cluster "${c.name}" is in state ERROR.`);
    const loc = requireLocation(c.location);
    const pool = buildPool(
      spec,
      loc.region,
      loc.zones,
      c.locations,
      c.currentMasterVersion,
      r.project.clientEmail,
    );
    requireCpuQuota(r.project, loc.region, [pool]);
    c.nodePools.push(pool);
    c.status = 'RECONCILING';
    sendOp(r, startOp(c, 'CREATE_NODE_POOL', fault, pool.name));
  }

  async function deletePool(r: Req, c: GkeClusterRec, name: string): Promise<void> {
    const fault = await applyFault('projects.locations.clusters.nodePools.delete');
    checkOpQuota(r);
    const pool = requirePool(r, c, name);
    assertIdle(c);
    pool.status = 'STOPPING';
    c.status = 'RECONCILING';
    sendOp(r, startOp(c, 'DELETE_NODE_POOL', fault, name));
  }

  async function setPoolSize(r: Req, c: GkeClusterRec, name: string): Promise<void> {
    const fault = await applyFault('projects.locations.clusters.nodePools.setSize');
    checkOpQuota(r);
    const pool = requirePool(r, c, name);
    const body = parseJsonBody(r.body) ?? {};
    const n = num(body.nodeCount);
    if (n === undefined || !Number.isInteger(n) || n < 0 || n > 1000) {
      throw new GoogleApiError(
        'INVALID_ARGUMENT',
        `Invalid value for field "node_count": ${String(body.nodeCount)}.`,
      );
    }
    assertIdle(c);
    pool.status = 'RECONCILING';
    c.status = 'RECONCILING';
    const op = startOp(c, 'SET_NODE_POOL_SIZE', fault, name);
    op.targetNodeCountPerZone = n;
    sendOp(r, op);
  }

  async function updateCluster(r: Req, c: GkeClusterRec): Promise<void> {
    const fault = await applyFault('projects.locations.clusters.update');
    checkOpQuota(r);
    const body = parseJsonBody(r.body) ?? {};
    const update = isRecord(body.update) ? body.update : {};
    assertIdle(c);
    const region = regionOfLocation(c.location);
    const desiredMaster = str(update.desiredMasterVersion);
    if (desiredMaster) {
      const v = resolveVersion(desiredMaster, region, 'Master');
      if (compareVersions(v, c.currentMasterVersion) < 0) {
        throw new GoogleApiError(
          'INVALID_ARGUMENT',
          `Master cannot be downgraded from "${c.currentMasterVersion}" to "${v}".`,
        );
      }
      c.status = 'RECONCILING';
      const op = startOp(c, 'UPGRADE_MASTER', fault);
      op.pending = { masterVersion: v };
      sendOp(r, op);
      return;
    }
    const poolId = str(update.desiredNodePoolId);
    if (poolId && (isRecord(update.desiredNodePoolAutoscaling) || str(update.desiredNodeVersion))) {
      const pool = requirePool(r, c, poolId);
      const pending: PendingChange = { pool: {} };
      let type: OpType = 'UPDATE_CLUSTER';
      if (isRecord(update.desiredNodePoolAutoscaling)) {
        const a = parseAutoscaling(update.desiredNodePoolAutoscaling);
        if (pending.pool) pending.pool.autoscaling = a ?? null;
      }
      const nodeVersion = str(update.desiredNodeVersion);
      if (nodeVersion) {
        const v = resolveVersion(nodeVersion, region, 'Node');
        if (compareVersions(v, c.currentMasterVersion) > 0) {
          throw new GoogleApiError(
            'INVALID_ARGUMENT',
            `Node version "${v}" must not be newer than master version "${c.currentMasterVersion}".`,
          );
        }
        if (pending.pool) pending.pool.version = v;
        type = 'UPGRADE_NODES';
      }
      pool.status = 'RECONCILING';
      c.status = 'RECONCILING';
      const op = startOp(c, type, fault, pool.name);
      op.pending = pending;
      sendOp(r, op);
      return;
    }
    throw new GoogleApiError(
      'UNIMPLEMENTED',
      'This cluster update is not emulated by the Dolly sandbox (supported: desiredMasterVersion, desiredNodePoolId with desiredNodePoolAutoscaling or desiredNodeVersion).',
    );
  }

  async function setResourceLabels(r: Req, c: GkeClusterRec): Promise<void> {
    const fault = await applyFault('projects.locations.clusters.setResourceLabels');
    checkOpQuota(r);
    const body = parseJsonBody(r.body) ?? {};
    assertIdle(c);
    c.resourceLabels = strRecord(body.resourceLabels);
    sendOp(r, startOp(c, 'SET_LABELS', fault));
  }

  async function updatePool(r: Req, c: GkeClusterRec, name: string, verb: string | undefined): Promise<void> {
    const fault = await applyFault(
      verb === 'setAutoscaling'
        ? 'projects.locations.clusters.nodePools.setAutoscaling'
        : 'projects.locations.clusters.nodePools.update',
    );
    checkOpQuota(r);
    const pool = requirePool(r, c, name);
    const body = parseJsonBody(r.body) ?? {};
    assertIdle(c);
    const pending: PendingChange = { pool: {} };
    const ch = pending.pool ?? {};
    let type: OpType = 'UPDATE_CLUSTER';
    if (verb === 'setAutoscaling') {
      ch.autoscaling = parseAutoscaling(body.autoscaling) ?? null;
    } else {
      const nodeVersion = str(body.nodeVersion);
      if (nodeVersion) {
        const v = resolveVersion(nodeVersion, regionOfLocation(c.location), 'Node');
        if (compareVersions(v, c.currentMasterVersion) > 0) {
          throw new GoogleApiError(
            'INVALID_ARGUMENT',
            `Node version "${v}" must not be newer than master version "${c.currentMasterVersion}".`,
          );
        }
        ch.version = v;
        type = 'UPGRADE_NODES';
      }
      if (isRecord(body.labels)) ch.labels = strRecord(body.labels.labels);
      if (isRecord(body.taints)) ch.taints = parseTaints(body.taints.taints);
      const locations = strArray(body.locations);
      if (locations.length) {
        const loc = requireLocation(c.location);
        for (const z of locations) {
          if (!loc.zones.includes(z)) {
            throw new GoogleApiError(
              'INVALID_ARGUMENT',
              `Invalid value for field "locations": zone "${z}" is not in region "${loc.region}".`,
            );
          }
        }
        ch.locations = locations;
      }
    }
    pool.status = 'RECONCILING';
    c.status = 'RECONCILING';
    const op = startOp(c, type, fault, pool.name);
    op.pending = pending;
    sendOp(r, op);
  }

  async function handleGke(r: Req): Promise<void> {
    const { rest, method, res } = r;
    const [s0, s1, s2, s3] = rest;
    if (rest.length === 1 && s0 === 'serverConfig' && method === 'GET') {
      await applyFault('projects.locations.getServerConfig');
      const loc = requireLocation(r.location);
      sendJson(res, 200, serverConfig(r, loc.region));
      return;
    }
    if (s0 === 'operations') {
      if (rest.length === 1 && method === 'GET') {
        await applyFault('projects.locations.operations.list');
        const ops = Object.values(state.operations)
          .filter(
            (o) => o.projectId === r.project.projectId && (r.location === '-' || o.location === r.location),
          )
          .sort((a, b) => a.startedAt - b.startedAt)
          .map((o) => opBody(base(), o, ctx.now(), r.numeric));
        sendJson(res, 200, { operations: ops });
        return;
      }
      if (rest.length === 2 && s1) {
        const [opName, verb] = s1.split(':');
        const op = state.operations[opName ?? ''];
        if (!op || op.projectId !== r.project.projectId) {
          throw new GoogleApiError(
            'NOT_FOUND',
            `Not found: projects/${r.project.projectId}/locations/${r.location}/operations/${opName ?? ''}.`,
          );
        }
        if (!verb && method === 'GET') {
          await applyFault('projects.locations.operations.get');
          sendOp(r, op);
          return;
        }
        if (verb === 'cancel' && method === 'POST') {
          await applyFault('projects.locations.operations.cancel');
          if (op.status === 'RUNNING') {
            throw new GoogleApiError('FAILED_PRECONDITION', `Operation ${op.name} cannot be cancelled.`);
          }
          sendJson(res, 200, {});
          return;
        }
      }
    }
    if (s0 === 'clusters') {
      if (rest.length === 1) {
        if (method === 'GET') {
          await applyFault('projects.locations.clusters.list');
          if (r.location !== '-') requireLocation(r.location);
          const clusters = Object.values(state.clusters)
            .filter(
              (c) => c.projectId === r.project.projectId && (r.location === '-' || c.location === r.location),
            )
            .sort((a, b) => a.createTime.localeCompare(b.createTime) || a.name.localeCompare(b.name))
            .map((c) => clusterBody(base(), c, r.numeric, kubeView(c)));
          sendJson(res, 200, { clusters, missingZones: [] });
          return;
        }
        if (method === 'POST') return createCluster(r);
      }
      const clusterName = s1 ?? '';
      if (rest.length === 2) {
        if (clusterName.endsWith(':setResourceLabels') && method === 'POST') {
          return setResourceLabels(r, requireCluster(r, clusterName.slice(0, -':setResourceLabels'.length)));
        }
        if (method === 'PUT' && !clusterName.includes(':'))
          return updateCluster(r, requireCluster(r, clusterName));
        if (clusterName.includes(':')) {
          throw new GoogleApiError(
            'UNIMPLEMENTED',
            `Method ${clusterName.split(':')[1] ?? ''} is not emulated by the Dolly sandbox.`,
          );
        }
        if (method === 'GET') {
          await applyFault('projects.locations.clusters.get');
          const c = requireCluster(r, clusterName);
          sendJson(res, 200, clusterBody(base(), c, r.numeric, kubeView(c)));
          return;
        }
        if (method === 'DELETE') return deleteCluster(r, clusterName);
      }
      if (s2 === 'nodePools') {
        const c = requireCluster(r, clusterName);
        if (rest.length === 3) {
          if (method === 'GET') {
            await applyFault('projects.locations.clusters.nodePools.list');
            sendJson(res, 200, { nodePools: c.nodePools.map((p) => poolBody(base(), c, p, r.numeric)) });
            return;
          }
          if (method === 'POST') return createPool(r, c);
        }
        if (rest.length === 4 && s3) {
          const [poolName = '', verb] = s3.split(':');
          if (!verb && method === 'GET') {
            await applyFault('projects.locations.clusters.nodePools.get');
            sendJson(res, 200, poolBody(base(), c, requirePool(r, c, poolName), r.numeric));
            return;
          }
          if (!verb && method === 'DELETE') return deletePool(r, c, poolName);
          if (verb === 'setSize' && method === 'POST') return setPoolSize(r, c, poolName);
          if (!verb && method === 'PUT') return updatePool(r, c, poolName, undefined);
          if (verb === 'setAutoscaling' && method === 'POST') return updatePool(r, c, poolName, verb);
          if (verb)
            throw new GoogleApiError('UNIMPLEMENTED', `Method ${verb} is not emulated by the Dolly sandbox.`);
        }
      }
    }
    throw new GoogleApiError(
      'NOT_FOUND',
      `The requested URL ${r.url.pathname} was not found on this server.`,
    );
  }

  // ---------- token endpoint ----------

  function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
    sendJson(res, status, { error, error_description: description });
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const fault = ctx.faults.take('gcp', 'token');
    if (fault?.kind === 'throttle') {
      sendJson(
        res,
        429,
        { error: 'rate_limit_exceeded', error_description: 'Rate limit exceeded.' },
        {
          'retry-after': String(fault.retryAfterSeconds ?? 1),
        },
      );
      return;
    }
    if (fault?.kind === 'server-error') {
      oauthError(res, 503, 'internal_failure', 'Backend error.');
      return;
    }
    if (req.method !== 'POST') {
      oauthError(res, 405, 'invalid_request', 'Only POST is supported.');
      return;
    }
    const ct = req.headers['content-type'] ?? '';
    const form = ct.includes('application/json')
      ? new URLSearchParams(
          Object.entries(parseJsonBody(body) ?? {}).map(([k, v]) => [
            k,
            typeof v === 'string' ? v : String(v),
          ]),
        )
      : new URLSearchParams(body.toString('utf8'));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      oauthError(res, 400, 'unsupported_grant_type', 'Invalid grant_type.');
      return;
    }
    const assertion = form.get('assertion') ?? '';
    const r = verifyServiceAccountJwt(assertion, Object.values(state.projects), ctx.now());
    if (r === 'expired') {
      oauthError(
        res,
        400,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
      );
      return;
    }
    if (!r) {
      oauthError(res, 400, 'invalid_grant', 'Invalid JWT Signature.');
      return;
    }
    const aud = str(r.jwt.payload.aud) ?? '';
    if (aud && !/\/token\/?$/.test(aud)) {
      oauthError(res, 400, 'invalid_grant', 'Invalid JWT: audience must be the token endpoint.');
      return;
    }
    const scope = str(r.jwt.payload.scope) ?? '';
    if (!scope) {
      oauthError(res, 400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
      return;
    }
    const { token, expiresIn } = issueAccessToken(r.project, scope, ctx.now());
    sendJson(res, 200, { access_token: token, expires_in: expiresIn, token_type: 'Bearer' });
  }

  // ---------- seeding ----------

  function seedCluster(accountId: string, seed: SeedCluster): void {
    settle();
    if (!state.projects[accountId]) ensureAccount(accountId, accountId);
    const project = state.projects[accountId];
    if (!project) return;
    const info = locationInfo(seed.location);
    const region = info?.region ?? regionOfLocation(seed.location);
    const zones = info?.zones ?? [];
    const regional = seed.regional ?? info?.regional ?? false;
    const location = regional ? region : info?.regional ? (zones[0] ?? seed.location) : seed.location;
    const clusterZones = regional ? [...zones].sort().slice(0, 3) : [location];
    let version: string;
    try {
      version = resolveVersion(seed.kubernetesVersion, region, 'Master');
    } catch {
      version = seed.kubernetesVersion;
    }
    const key = clusterKey(accountId, location, seed.name);
    if (state.clusters[key]) return;
    const pools: GkePoolRec[] = seed.nodePools.map((sp) => {
      const locs = sp.zones?.length ? sp.zones : clusterZones;
      const perZone = Math.max(sp.nodeCount > 0 ? 1 : 0, Math.round(sp.nodeCount / Math.max(1, locs.length)));
      const pool: GkePoolRec = {
        name: sp.name,
        machineType: sp.machineType,
        diskSizeGb: sp.diskSizeGb ?? 100,
        diskType: 'pd-balanced',
        imageType: 'COS_CONTAINERD',
        initialNodeCount: perZone,
        nodeCountPerZone: perZone,
        locations: locs,
        labels: sp.labels ?? {},
        resourceLabels: {},
        taints: (sp.taints ?? []).map((t) => ({
          key: t.key,
          value: t.value ?? '',
          effect:
            t.effect === 'NoExecute'
              ? 'NO_EXECUTE'
              : t.effect === 'PreferNoSchedule'
                ? 'PREFER_NO_SCHEDULE'
                : 'NO_SCHEDULE',
        })),
        spot: sp.spot === true,
        preemptible: false,
        version,
        maxPodsPerNode: 110,
        serviceAccount: project.clientEmail,
        oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
        status: 'RUNNING',
      };
      if (sp.autoscaling) {
        pool.autoscaling = {
          minNodeCount: Math.ceil(sp.autoscaling.minNodes / Math.max(1, locs.length)),
          maxNodeCount: Math.max(1, Math.ceil(sp.autoscaling.maxNodes / Math.max(1, locs.length))),
          locationPolicy: 'BALANCED',
        };
      }
      return pool;
    });
    const c: GkeClusterRec = {
      key,
      projectId: accountId,
      location,
      name: seed.name,
      description: '',
      regional,
      locations: clusterZones,
      resourceLabels: { ...seed.labels },
      releaseChannel: 'REGULAR',
      initialClusterVersion: version,
      currentMasterVersion: version,
      network: 'default',
      subnetwork: 'default',
      workloadPool: `${accountId}.svc.id.goog`,
      status: 'RUNNING',
      createTime: new Date(ctx.now()).toISOString(),
      nodePools: pools,
      id: randomBytes(16).toString('hex'),
    };
    state.clusters[key] = c;
    ctx.kube.ensureCluster(key, kubeInfo(c, cat));
    if (seed.withDemoWorkloads) ctx.kube.seedDemoWorkloads(key);
    ctx.markDirty();
  }

  // ---------- module ----------

  return {
    cloud: 'gcp',

    async handle(req, res, body, url, _transport) {
      const path = url.pathname;
      if (path === '/gcp/token' || path === '/gcp/oauth2/v4/token') {
        settle();
        await handleToken(req, res, body);
        return true;
      }
      try {
        if (await handleProjectSetup(req, res, body, path)) return true;
      } catch (e) {
        if (!(e instanceof GoogleApiError)) throw e;
        const code = STATUS_HTTP[e.status] ?? 500;
        sendJson(res, code, { error: { code, message: e.message, status: e.status, details: e.details } });
        return true;
      }
      const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)(?:\/(.*))?$/.exec(legacyToLocations(path));
      if (!m) {
        if (path.startsWith('/v1/projects/')) {
          sendJson(res, 404, {
            error: { code: 404, message: `The requested URL ${path} was not found.`, status: 'NOT_FOUND' },
          });
          return true;
        }
        return false;
      }
      try {
        const who = authenticate(req);
        const projectId = decodeURIComponent(m[1] ?? '');
        const project = projectFor(projectId);
        if (!project || project.projectId !== who.projectId) {
          throw new GoogleApiError(
            'PERMISSION_DENIED',
            `Permission denied on resource project ${projectId} (or it may not exist) for ${who.email}.`,
          );
        }
        settle();
        requireContainerApi(project);
        const r: Req = {
          req,
          res,
          url,
          body,
          method: (req.method ?? 'GET').toUpperCase(),
          numeric: (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int'),
          project,
          location: decodeURIComponent(m[2] ?? ''),
          rest: (m[3] ?? '')
            .split('/')
            .filter(Boolean)
            .map((s) => decodeURIComponent(s)),
        };
        await handleGke(r);
      } catch (e) {
        if (e instanceof GoogleApiError) {
          const code = STATUS_HTTP[e.status] ?? 500;
          sendJson(
            res,
            code,
            { error: { code, message: e.message, status: e.status, details: e.details } },
            e.headers,
          );
        } else {
          ctx.log.error(
            { err: String(e), stack: e instanceof Error ? e.stack : undefined },
            'gcp handler failed',
          );
          sendJson(res, 500, {
            error: { code: 500, message: 'Sandbox internal error.', status: 'INTERNAL' },
          });
        }
      }
      return true;
    },

    clusterId(scope: string, location: string, name: string): string {
      return clusterKey(scope, location, name);
    },

    tick(): void {
      settle();
    },

    authenticateKube(clusterId: string, bearerToken: string): KubeIdentity | undefined {
      settle();
      const c = state.clusters[clusterId];
      if (!c) return undefined;
      const who = identify(bearerToken);
      if (!who || who === 'expired' || who.projectId !== c.projectId) return undefined;
      return { username: who.email, groups: ['system:authenticated', 'system:masters'] };
    },

    ensureAccount,

    accounts(): SandboxAccount[] {
      return Object.values(state.projects).map(toAccount);
    },

    seedCluster,

    snapshot(): unknown {
      settle();
      return clone(state);
    },

    restore(saved: unknown): void {
      state = emptyState();
      if (isRecord(saved) && saved.version === 1 && isRecord(saved.projects) && isRecord(saved.clusters)) {
        const s = clone(saved) as unknown as GcpState;
        for (const [id, p] of Object.entries(s.projects)) {
          s.projects[id] = deriveProject(id, p.displayName, p.privateKeyPem);
        }
        state = s;
      }
      settle();
      for (const c of Object.values(state.clusters)) syncKube(c);
    },

    reset(): void {
      state = emptyState();
    },

    stateView(): unknown {
      settle();
      return {
        projects: Object.values(state.projects).map((p) => ({
          projectId: p.projectId,
          projectNumber: p.projectNumber,
          displayName: p.displayName,
          serviceAccount: p.clientEmail,
        })),
        clusters: Object.values(state.clusters).map((c) => ({
          clusterId: c.key,
          name: `projects/${c.projectId}/locations/${c.location}/clusters/${c.name}`,
          status: c.status,
          version: c.currentMasterVersion,
          locations: c.locations,
          labels: c.resourceLabels,
          nodePools: c.nodePools.map((p) => ({
            name: p.name,
            machineType: p.machineType,
            nodeCountPerZone: p.nodeCountPerZone,
            locations: p.locations,
            autoscaling: p.autoscaling,
            spot: p.spot,
            status: p.status,
          })),
        })),
        operations: Object.values(state.operations)
          .filter((o) => o.status === 'RUNNING')
          .map((o) => opBody(base(), o, ctx.now(), false)),
      };
    },
  };
}
