/**
 * Azure emulation: Entra ID token endpoint (for @azure/identity ClientSecretCredential) and ARM
 * (resource groups, AKS managedClusters, agentPools, async operations) served to the official SDKs.
 * Time-based states are derived lazily from ctx.now() so they survive restarts.
 *
 * Client configuration (account = GET /_sandbox/accounts entry; `tlsOptions.ca` = account.caCertPem):
 *   new ClientSecretCredential(tenantId, clientId, clientSecret,
 *     { authorityHost: credentials.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } })
 *   new ContainerServiceClient(cred, subscriptionId,
 *     { endpoint: endpoints.arm, credentials: { scopes: ['https://management.azure.com/.default'] }, tlsOptions: { ca } })
 *   new ResourceManagementClient(cred, subscriptionId,
 *     { endpoint: endpoints.arm, $host: endpoints.arm, credentialScopes: ['https://management.azure.com/.default'], tlsOptions: { ca } })
 * Fault operation names: managedClusters.{createOrUpdate,get,list,listByResourceGroup,delete,updateTags,
 * listClusterUserCredentials,listClusterAdminCredentials,listKubernetesVersions}, agentPools.{createOrUpdate,
 * get,list,delete}, resourceGroups.{createOrUpdate,get,list,delete}, resources.listByResourceGroup, token.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  CloudModule,
  FaultRule,
  KubeIdentity,
  SandboxAccount,
  AccountOptions,
  SandboxContext,
  SeedCluster,
} from '../context.ts';
import {
  AKS_AAD_SERVER_APP_ID,
  type AzureAccountRec,
  deriveAccount,
  KUBELOGIN_CLIENT_ID,
  issueAccessToken,
  kubeUserToken,
  verifyAccessToken,
} from './auth.ts';
import {
  type AadProfileRec,
  type ClusterRec,
  clusterArmId,
  clusterBody,
  clusterKey,
  kubeInfo,
  type OpKind,
  type OpRec,
  type PoolRec,
  poolBody,
  type ResourceGroupRec,
  type RgDeleteRec,
  rgKey,
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
import { FRESH_LIMITS, type QuotaLimits, usagesBody, vcpuQuotaRefusal } from './quota.ts';

/** Real durations in ms (divided by ctx.speed()). */
const DURATION = {
  clusterCreate: 210_000,
  clusterUpdate: 120_000,
  clusterDelete: 150_000,
  poolCreate: 120_000,
  poolUpdate: 90_000,
  poolDelete: 90_000,
} satisfies Record<OpKind, number>;
/** How long ARM takes to delete a resource group (real: a minute or more, longer with resources inside). */
const RG_DELETE_MS = 60_000;

/** How long `az provider register` stays Registering (real: a minute or more). */
const REGISTRATION_MS = 60_000;
/** The resource provider AKS clusters belong to; a new subscription has it NotRegistered. */
const AKS_NAMESPACE = 'Microsoft.ContainerService';

/** A resource provider's registration in one subscription; absent means Registered (demo subscriptions). */
interface RegistrationRec {
  state: 'NotRegistered' | 'Registering' | 'Registered' | 'Unregistering';
  /** when Registering (or Unregistering) ends */
  until?: number;
}

const DEFAULT_API_VERSION = '2026-04-01';

interface AzureState {
  version: 1;
  accounts: Record<string, AzureAccountRec>;
  resourceGroups: Record<string, ResourceGroupRec>;
  clusters: Record<string, ClusterRec>;
  operations: Record<string, OpRec>;
  /** subscription id -> lower-case provider namespace -> registration; older state files lack it */
  registrations?: Record<string, Record<string, RegistrationRec>>;
  /** subscription id -> Compute vCPU limits of a fresh subscription; absent: a prepared one's */
  vcpuQuotas?: Record<string, QuotaLimits>;
  /** resource-group DELETEs by operation id; older state files lack it */
  rgDeletes?: Record<string, RgDeleteRec>;
}

function emptyState(): AzureState {
  return { version: 1, accounts: {}, resourceGroups: {}, clusters: {}, operations: {}, registrations: {} };
}

class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const POOL_NAME_RE = /^[a-z][a-z0-9]{0,11}$/;
const CLUSTER_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9]$|^[a-zA-Z0-9]$/;

export function createAzureModule(ctx: SandboxContext): CloudModule {
  let state: AzureState = emptyState();
  const cat = catalogOf(ctx);

  const armBase = (): string => ctx.urls.https.replace(/\/$/, '');
  const pageSize = (): number => Number(process.env.SANDBOX_AZURE_PAGE_SIZE ?? '') || 20;
  const durMs = (ms: number): number => Math.max(1, Math.round(ms / Math.max(ctx.speed(), 0.001)));
  const dur = (kind: OpKind): number => durMs(DURATION[kind]);

  // ---------- lazy state machine ----------

  function syncKube(c: ClusterRec): void {
    try {
      if (c.provisioningState === 'Succeeded' || ctx.kube.hasCluster(c.key))
        ctx.kube.ensureCluster(c.key, kubeInfo(c, cat));
    } catch (err) {
      ctx.log.error({ err: String(err), clusterId: c.key }, 'kube hub ensureCluster failed');
    }
  }

  function complete(op: OpRec): void {
    const failed = !!op.failure;
    op.status = failed ? 'Failed' : 'Succeeded';
    op.finishedAt = op.endsAt;
    const c = state.clusters[op.clusterKey];
    if (!c) return;
    const pool = op.pool ? c.pools.find((p) => p.name === op.pool) : undefined;
    switch (op.kind) {
      case 'clusterCreate':
      case 'clusterUpdate':
        c.provisioningState = failed ? 'Failed' : 'Succeeded';
        for (const p of c.pools) {
          if (p.provisioningState === 'Creating' || p.provisioningState === 'Updating') {
            p.provisioningState = c.provisioningState;
          }
        }
        syncKube(c);
        break;
      case 'clusterDelete':
        if (failed) {
          c.provisioningState = 'Failed';
        } else {
          delete state.clusters[c.key];
          ctx.kube.removeCluster(c.key);
        }
        break;
      case 'poolCreate':
      case 'poolUpdate':
        if (pool) pool.provisioningState = failed ? 'Failed' : 'Succeeded';
        c.provisioningState = failed ? 'Failed' : 'Succeeded';
        syncKube(c);
        break;
      case 'poolDelete':
        if (failed) {
          if (pool) pool.provisioningState = 'Failed';
          c.provisioningState = 'Failed';
        } else {
          c.pools = c.pools.filter((p) => p.name !== op.pool);
          c.provisioningState = 'Succeeded';
        }
        syncKube(c);
        break;
    }
  }

  function settle(): void {
    const now = ctx.now();
    const due = Object.values(state.operations)
      .filter((o) => o.status === 'InProgress' && o.endsAt <= now)
      .sort((a, b) => a.endsAt - b.endsAt);
    for (const op of due) complete(op);
    let groupsGone = false;
    for (const [key, g] of Object.entries(state.resourceGroups)) {
      if (g.deleting && g.deleting.endsAt <= now) {
        removeGroup(key, g);
        groupsGone = true;
      }
    }
    for (const d of Object.values(state.rgDeletes ?? {})) {
      if (now - d.endsAt > 86_400_000) delete state.rgDeletes?.[d.id];
    }
    if (groupsGone) ctx.markDirty();
    // forget finished operations after a day
    for (const op of Object.values(state.operations)) {
      if (op.finishedAt !== undefined && now - op.finishedAt > 86_400_000) delete state.operations[op.id];
    }
    if (due.length) ctx.markDirty();
  }

  /** ARM deletes everything inside a resource group with it (here: its clusters). */
  function removeGroup(key: string, g: ResourceGroupRec): void {
    for (const c of Object.values(state.clusters)) {
      if (c.subscriptionId === g.subscriptionId && c.resourceGroup.toLowerCase() === g.name.toLowerCase()) {
        for (const op of Object.values(state.operations)) {
          if (op.clusterKey === c.key && op.status === 'InProgress') {
            op.status = 'Canceled';
            op.finishedAt = ctx.now();
          }
        }
        delete state.clusters[c.key];
        ctx.kube.removeCluster(c.key);
      }
    }
    delete state.resourceGroups[key];
  }

  /** ARM's answer to a write into a group it is deleting. */
  function refuseIfDeleting(g: ResourceGroupRec | undefined): void {
    if (g?.deleting)
      throw new ArmError(
        409,
        'ResourceGroupBeingDeleted',
        `The resource group '${g.name}' is in deprovisioning state and cannot perform this operation.`,
      );
  }

  function rgDeleteHeaders(d: RgDeleteRec, apiVersion: string): Record<string, string> {
    return {
      location: `${armBase()}/subscriptions/${d.subscriptionId}/operationresults/${d.id}?api-version=${apiVersion}`,
      'retry-after': '1',
    };
  }

  function activeOp(key: string): OpRec | undefined {
    return Object.values(state.operations).find((o) => o.clusterKey === key && o.status === 'InProgress');
  }

  function startOp(c: ClusterRec, kind: OpKind, fault: FaultRule | undefined, pool?: string): OpRec {
    const now = ctx.now();
    const op: OpRec = {
      id: randomUUID(),
      subscriptionId: c.subscriptionId,
      location: c.location,
      clusterKey: c.key,
      kind,
      startedAt: now,
      endsAt: now + dur(kind),
      status: 'InProgress',
    };
    if (pool) op.pool = pool;
    if (fault?.kind === 'async-failure') {
      op.failure = {
        code: kind.startsWith('pool') ? 'AgentPoolProvisioningFailed' : 'ReconcileManagedClusterFailed',
        message: fault.message ?? `Sandbox injected failure of the ${kind} operation.`,
      };
    }
    state.operations[op.id] = op;
    ctx.markDirty();
    return op;
  }

  function opHeaders(op: OpRec, apiVersion: string): Record<string, string> {
    const base = `${armBase()}/subscriptions/${op.subscriptionId}/providers/Microsoft.ContainerService/locations/${op.location}`;
    return {
      'azure-asyncoperation': `${base}/operations/${op.id}?api-version=${apiVersion}`,
      location: `${base}/operationresults/${op.id}?api-version=${apiVersion}`,
    };
  }

  // ---------- accounts ----------

  function toAccount(a: AzureAccountRec): SandboxAccount {
    const https = armBase();
    return {
      cloud: 'azure',
      id: a.subscriptionId,
      displayName: a.displayName,
      endpoints: { arm: https, login: `${https}/` },
      credentials: {
        tenantId: a.tenantId,
        clientId: a.clientId,
        clientSecret: a.clientSecret,
        subscriptionId: a.subscriptionId,
        authorityHost: `${https}/`,
      },
      caCertPem: ctx.caCertPem,
    };
  }

  function ensureAccount(id: string, displayName: string, opts: AccountOptions = {}): SandboxAccount {
    let a = state.accounts[id];
    if (!a) {
      a = deriveAccount(id, displayName);
      state.accounts[id] = a;
      ctx.markDirty();
    } else if (displayName && a.displayName !== displayName) {
      a.displayName = displayName;
      ctx.markDirty();
    }
    if (opts.fresh) {
      // a new subscription: AKS's resource provider is not registered until someone registers it,
      // and Compute has a new subscription's vCPU limits
      setRegistration(id, AKS_NAMESPACE, { state: 'NotRegistered' });
      state.vcpuQuotas = { ...state.vcpuQuotas, [id]: { ...FRESH_LIMITS } };
    }
    return toAccount(a);
  }

  // ---------- resource providers ----------

  /** The registration state now (Registering ends by itself, as ARM's does). */
  function registration(sub: string, namespace: string): RegistrationRec['state'] {
    const rec = state.registrations?.[sub]?.[namespace.toLowerCase()];
    if (!rec) return 'Registered';
    if (rec.until !== undefined && rec.until <= ctx.now()) {
      rec.state = rec.state === 'Registering' ? 'Registered' : 'NotRegistered';
      delete rec.until;
      ctx.markDirty();
    }
    return rec.state;
  }

  function setRegistration(sub: string, namespace: string, rec: RegistrationRec): void {
    state.registrations ??= {};
    const regs = state.registrations;
    regs[sub] = { ...regs[sub], [namespace.toLowerCase()]: rec };
    ctx.markDirty();
  }

  /** What ARM answers for a write into a namespace the subscription has not registered. */
  function requireRegistered(sub: string, namespace: string): void {
    if (registration(sub, namespace) === 'Registered') return;
    throw new ArmError(
      409,
      'MissingSubscriptionRegistration',
      `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
      namespace,
    );
  }

  /** GET /subscriptions/{sub}/providers/{namespace} (Microsoft.Resources providers API). */
  function providerBody(sub: string, namespace: string): Json {
    const isAks = namespace.toLowerCase() === AKS_NAMESPACE.toLowerCase();
    const ns = isAks ? AKS_NAMESPACE : namespace;
    const locations = cat.regions('azure').map((r) => r.displayName);
    return {
      id: `/subscriptions/${sub}/providers/${ns}`,
      namespace: ns,
      registrationPolicy: 'RegistrationRequired',
      registrationState: registration(sub, ns),
      resourceTypes: isAks
        ? ['managedClusters', 'managedClusters/agentPools', 'locations', 'locations/operations'].map(
            (resourceType) => ({
              resourceType,
              locations: resourceType.startsWith('locations') ? [] : locations,
              apiVersions: [DEFAULT_API_VERSION],
            }),
          )
        : [],
    };
  }

  async function handleProvider(a: Arm): Promise<void> {
    const { lower, segs, method, res, sub } = a;
    const namespace = segs[3] ?? '';
    if (!/^[A-Za-z0-9]+\.[A-Za-z0-9.]+$/.test(namespace)) {
      throw new ArmError(
        404,
        'InvalidResourceNamespace',
        `The resource namespace '${namespace}' is invalid.`,
      );
    }
    if (lower.length === 4) {
      if (method !== 'GET')
        throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
      await applyFault(takeFault('providers.get'), 'providers.get');
      sendJson(res, 200, providerBody(sub, namespace));
      return;
    }
    const action = lower[4];
    if (method !== 'POST')
      throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
    await applyFault(takeFault(`providers.${action}`), `providers.${action}`);
    const now = registration(sub, namespace);
    const wait = Math.max(1, Math.round(REGISTRATION_MS / Math.max(ctx.speed(), 0.001)));
    if (action === 'register' && now !== 'Registered' && now !== 'Registering') {
      setRegistration(sub, namespace, { state: 'Registering', until: ctx.now() + wait });
    } else if (action === 'unregister' && now !== 'NotRegistered') {
      const inUse = Object.values(state.clusters).some((c) => c.subscriptionId === sub);
      if (inUse && namespace.toLowerCase() === AKS_NAMESPACE.toLowerCase()) {
        throw new ArmError(
          409,
          'Conflict',
          `Cannot unregister the resource provider '${AKS_NAMESPACE}' while resources of it exist in the subscription.`,
        );
      }
      setRegistration(sub, namespace, { state: 'Unregistering', until: ctx.now() + wait });
    }
    sendJson(res, 200, providerBody(sub, namespace));
  }

  // ---------- validation helpers ----------

  function regionZones(location: string): string[] | undefined {
    const r = cat.region('azure', location);
    return r?.zones;
  }

  function checkLocation(location: string | undefined): string {
    if (!location)
      throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
    const loc = location.toLowerCase().replace(/\s+/g, '');
    if (!cat.region('azure', loc)) {
      throw new ArmError(
        400,
        'LocationNotAvailableForResourceType',
        `The provided location '${location}' is not available for resource type 'Microsoft.ContainerService/managedClusters'. List of available regions for the resource type is '${cat
          .regions('azure')
          .map((r) => r.id)
          .join(',')}'.`,
      );
    }
    return loc;
  }

  /** Resolve "1.34" or "1.34.9" to the full version AKS would run, or throw. */
  function resolveVersion(version: string | undefined, location: string, target: string): string {
    const list = cat.kubernetesVersions('azure', location);
    if (!version) {
      const def = list.find((v) => v.default === true) ?? list[0];
      const full = def?.versions[0] ?? def?.minor;
      if (!full)
        throw new ArmError(500, 'InternalServerError', 'No Kubernetes versions known for this region.');
      return full;
    }
    const minor = /^(\d+\.\d+)(?:\.\d+)?$/.exec(version)?.[1];
    const entry = minor ? list.find((v) => v.minor === minor) : undefined;
    if (entry) {
      if (version === entry.minor) return entry.versions[0] ?? entry.minor;
      if (entry.versions.includes(version) || cat.isSupportedVersion('azure', version, location))
        return version;
    }
    throw new ArmError(
      400,
      target === 'agentPoolProfile.orchestratorVersion'
        ? 'AgentPoolK8sVersionNotSupported'
        : 'K8sVersionNotSupported',
      `Version ${version} is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list`,
      target,
    );
  }

  function minorOf(v: string): number[] {
    return v.split('.').map((x) => Number(x));
  }

  function buildPool(
    name: string,
    props: Json,
    location: string,
    clusterVersion: string,
    existing: PoolRec | undefined,
  ): PoolRec {
    if (!POOL_NAME_RE.test(name)) {
      throw new ArmError(
        400,
        'InvalidParameter',
        'The value of parameter agentPoolProfile.name is invalid. Please see https://aka.ms/aks-naming-rules for more details.',
        'agentPoolProfile.name',
      );
    }
    const osType = str(props.osType) === 'Windows' ? 'Windows' : 'Linux';
    if (osType === 'Windows' && name.length > 6) {
      throw new ArmError(
        400,
        'InvalidParameter',
        'The value of parameter agentPoolProfile.name is invalid. Windows agent pool name can not be longer than 6 characters. Please see https://aka.ms/aks-naming-rules for more details.',
        'agentPoolProfile.name',
      );
    }
    const vmSize = str(props.vmSize) ?? existing?.vmSize ?? 'Standard_D2s_v5';
    if (existing && existing.vmSize.toLowerCase() !== vmSize.toLowerCase()) {
      throw new ArmError(
        400,
        'PropertyChangeNotAllowed',
        "Changing property 'vmSize' is not allowed.",
        'properties.vmSize',
      );
    }
    const mt = cat.machineType('azure', vmSize, location);
    if (!mt) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `The value of parameter agentPoolProfile.vmSize is invalid: '${vmSize}' is not available in location '${location}'. Please see https://aka.ms/aks/vm-size-availability for more details.`,
        'agentPoolProfile.vmSize',
      );
    }
    const zones = strArray(props.availabilityZones);
    const allowed = regionZones(location) ?? [];
    const badZone = zones.find((z) => !allowed.includes(z));
    if (badZone !== undefined) {
      throw new ArmError(
        400,
        'AvailabilityZoneNotSupported',
        `The zone(s) '${zones.join(',')}' for resource '${name}' is not supported. The supported zones for location '${location}' are '${allowed.join(',')}'`,
        'agentPoolProfile.availabilityZones',
      );
    }
    const modeRaw = (str(props.mode) ?? existing?.mode ?? 'User').toLowerCase();
    if (modeRaw !== 'system' && modeRaw !== 'user' && modeRaw !== 'gateway') {
      throw new ArmError(
        400,
        'InvalidParameter',
        `The value of parameter agentPoolProfile.mode is invalid.`,
        'agentPoolProfile.mode',
      );
    }
    const mode = modeRaw === 'system' ? 'System' : 'User';
    const enableAutoScaling = props.enableAutoScaling === true;
    const minCount = num(props.minCount);
    const maxCount = num(props.maxCount);
    let count = num(props.count) ?? existing?.count ?? (enableAutoScaling ? (minCount ?? 1) : 3);
    if (enableAutoScaling) {
      if (
        minCount === undefined ||
        maxCount === undefined ||
        minCount > maxCount ||
        maxCount > 1000 ||
        minCount < 0
      ) {
        throw new ArmError(
          400,
          'InvalidParameter',
          'The value of parameter agentPoolProfile.minCount/maxCount is invalid. When enableAutoScaling is true, minCount and maxCount must be set and minCount <= maxCount.',
          'agentPoolProfile.minCount',
        );
      }
      if (num(props.count) === undefined)
        count = Math.max(minCount, Math.min(existing?.count ?? minCount, maxCount));
      if (count < minCount || count > maxCount) {
        throw new ArmError(
          400,
          'InvalidParameter',
          `The value of parameter agentPoolProfile.count is invalid: count ${count} must be between minCount ${minCount} and maxCount ${maxCount}.`,
          'agentPoolProfile.count',
        );
      }
    }
    if (!Number.isInteger(count) || count < 0 || count > 1000 || (mode === 'System' && count < 1)) {
      throw new ArmError(
        400,
        'InvalidParameter',
        `The value of parameter agentPoolProfile.count is invalid: ${count}.${mode === 'System' ? ' System node pools must have at least 1 node.' : ''}`,
        'agentPoolProfile.count',
      );
    }
    const requested = str(props.orchestratorVersion);
    const orchestrator = requested
      ? resolveVersion(requested, location, 'agentPoolProfile.orchestratorVersion')
      : (existing?.currentOrchestratorVersion ?? clusterVersion);
    const [pa = 0, pb = 0] = minorOf(orchestrator);
    const [ca = 0, cb = 0] = minorOf(clusterVersion);
    if (pa > ca || (pa === ca && pb > cb)) {
      throw new ArmError(
        400,
        'NodePoolMcVersionIncompatible',
        `Node pool version ${orchestrator} and control plane version ${clusterVersion} are incompatible. Node pool version cannot be newer than control plane version.`,
        'agentPoolProfile.orchestratorVersion',
      );
    }
    const spot = str(props.scaleSetPriority) === 'Spot';
    if (spot && mode === 'System') {
      throw new ArmError(
        400,
        'InvalidParameter',
        'The value of parameter agentPoolProfile.scaleSetPriority is invalid: system node pools cannot use Spot priority.',
        'agentPoolProfile.scaleSetPriority',
      );
    }
    const pool: PoolRec = {
      name,
      vmSize: mt.name,
      count,
      enableAutoScaling,
      mode,
      osType,
      osSKU: str(props.osSKU) ?? existing?.osSKU ?? (osType === 'Windows' ? 'Windows2022' : 'Ubuntu'),
      availabilityZones: zones.length ? zones : (existing?.availabilityZones ?? []),
      nodeLabels: isRecord(props.nodeLabels) ? strRecord(props.nodeLabels) : (existing?.nodeLabels ?? {}),
      nodeTaints: Array.isArray(props.nodeTaints) ? strArray(props.nodeTaints) : (existing?.nodeTaints ?? []),
      scaleSetPriority: spot ? 'Spot' : 'Regular',
      orchestratorVersion: requested ?? existing?.orchestratorVersion ?? clusterVersion,
      currentOrchestratorVersion: orchestrator,
      maxPods: num(props.maxPods) ?? existing?.maxPods ?? 250,
      osDiskSizeGB: num(props.osDiskSizeGB) ?? existing?.osDiskSizeGB ?? 128,
      tags: isRecord(props.tags) ? strRecord(props.tags) : (existing?.tags ?? {}),
      provisioningState: 'Creating',
    };
    if (enableAutoScaling && minCount !== undefined && maxCount !== undefined) {
      pool.minCount = minCount;
      pool.maxCount = maxCount;
    }
    const evict = str(props.scaleSetEvictionPolicy);
    if (spot && evict) pool.scaleSetEvictionPolicy = evict;
    const price = num(props.spotMaxPrice);
    if (spot && price !== undefined) pool.spotMaxPrice = price;
    return pool;
  }

  // ---------- ARM request handling ----------

  interface Arm {
    req: IncomingMessage;
    res: ServerResponse;
    url: URL;
    body: Buffer;
    method: string;
    apiVersion: string;
    sub: string;
    segs: string[];
    lower: string[];
  }

  function takeFault(operation: string): FaultRule | undefined {
    return ctx.faults.take('azure', operation);
  }

  async function applyFault(rule: FaultRule | undefined, operation: string): Promise<FaultRule | undefined> {
    if (!rule) return undefined;
    ctx.log.info({ cloud: 'azure', operation, fault: rule.kind }, 'sandbox fault injected');
    switch (rule.kind) {
      case 'throttle': {
        const after = String(rule.retryAfterSeconds ?? 1);
        throw new ArmError(
          429,
          'TooManyRequests',
          rule.message ??
            `Too many requests for operation ${operation}. Please retry after ${after} seconds.`,
          undefined,
          { 'retry-after': after, 'x-ms-ratelimit-remaining-subscription-reads': '0' },
        );
      }
      case 'server-error':
        throw new ArmError(
          500,
          'InternalServerError',
          rule.message ?? 'An internal server error occurred. Please retry.',
        );
      case 'timeout':
        await sleep((rule.retryAfterSeconds ?? 30) * 1000);
        throw new ArmError(
          504,
          'GatewayTimeout',
          rule.message ?? 'The gateway did not receive a response within the specified time period.',
        );
      default:
        return rule;
    }
  }

  function authenticate(a: Arm): void {
    const h = a.req.headers.authorization;
    if (!h) {
      throw new ArmError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
      );
    }
    const m = /^Bearer\s+(.+)$/i.exec(h);
    if (!m?.[1]) {
      throw new ArmError(
        401,
        'AuthenticationFailedInvalidHeader',
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
      );
    }
    const claims = verifyAccessToken(m[1], ctx.now());
    if (claims === 'expired') {
      throw new ArmError(
        401,
        'ExpiredAuthenticationToken',
        'The access token expiry UTC time is earlier than current UTC time.',
      );
    }
    if (!claims) throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    const acc = state.accounts[a.sub];
    if (!acc)
      throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${a.sub}' could not be found.`);
    if (claims.tid !== acc.tenantId) {
      throw new ArmError(
        401,
        'InvalidAuthenticationTokenTenant',
        `The access token is from the wrong issuer '${claims.iss}'. It must match the tenant 'https://sts.windows.net/${acc.tenantId}/' associated with this subscription.`,
      );
    }
    if (claims.appid !== acc.clientId) {
      throw new ArmError(
        403,
        'AuthorizationFailed',
        `The client '${claims.appid}' with object id '${claims.oid}' does not have authorization to perform action over scope '/subscriptions/${a.sub}' or the scope is invalid.`,
      );
    }
  }

  function page(a: Arm, items: unknown[]): Json {
    const skip = Math.max(0, Number(a.url.searchParams.get('$skiptoken') ?? '0') || 0);
    const size = pageSize();
    const out: Json = { value: items.slice(skip, skip + size) };
    if (skip + size < items.length) {
      out.nextLink = `${armBase()}${a.url.pathname}?api-version=${encodeURIComponent(a.apiVersion)}&$skiptoken=${skip + size}`;
    }
    return out;
  }

  function requireRg(sub: string, rg: string): ResourceGroupRec {
    const g = state.resourceGroups[rgKey(sub, rg)];
    if (!g) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
    return g;
  }

  function requireCluster(sub: string, rg: string, name: string): ClusterRec {
    requireRg(sub, rg);
    const c = state.clusters[clusterKey(sub, rg, name)];
    if (!c) {
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.ContainerService/managedClusters/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    return c;
  }

  function assertIdle(c: ClusterRec): void {
    const op = activeOp(c.key);
    if (!op) return;
    const what =
      op.kind === 'clusterDelete' || op.kind === 'poolDelete'
        ? 'Deleting'
        : op.kind.endsWith('Create')
          ? 'Creating'
          : 'Updating';
    throw new ArmError(
      409,
      'OperationNotAllowed',
      `Operation is not allowed: Another operation (${what}) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details`,
    );
  }

  function rgBody(g: ResourceGroupRec): Json {
    return {
      id: `/subscriptions/${g.subscriptionId}/resourceGroups/${g.name}`,
      name: g.name,
      type: 'Microsoft.Resources/resourceGroups',
      location: g.location,
      tags: g.tags,
      properties: { provisioningState: g.deleting ? 'Deleting' : 'Succeeded' },
    };
  }

  function opStatusBody(op: OpRec): Json {
    const now = ctx.now();
    const total = Math.max(1, op.endsAt - op.startedAt);
    const body: Json = {
      id: `/subscriptions/${op.subscriptionId}/providers/Microsoft.ContainerService/locations/${op.location}/operations/${op.id}`,
      name: op.id,
      status: op.status,
      startTime: new Date(op.startedAt).toISOString(),
      percentComplete:
        op.status === 'InProgress' ? Math.min(99, Math.floor(((now - op.startedAt) / total) * 100)) : 100,
    };
    if (op.finishedAt !== undefined) body.endTime = new Date(op.finishedAt).toISOString();
    if (op.status === 'Failed' && op.failure)
      body.error = { code: op.failure.code, message: op.failure.message };
    if (op.status === 'Canceled')
      body.error = { code: 'Canceled', message: 'The operation was canceled by a delete.' };
    return body;
  }

  async function handleResourceGroups(a: Arm): Promise<void> {
    const { lower, segs, sub, method, res } = a;
    if (lower.length === 3) {
      if (method !== 'GET')
        throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
      await applyFault(takeFault('resourceGroups.list'), 'resourceGroups.list');
      const items = Object.values(state.resourceGroups)
        .filter((g) => g.subscriptionId === sub)
        .map(rgBody);
      sendJson(res, 200, page(a, items));
      return;
    }
    const rg = segs[3] ?? '';
    const key = rgKey(sub, rg);
    if (method === 'PUT' || method === 'PATCH') {
      await applyFault(takeFault('resourceGroups.createOrUpdate'), 'resourceGroups.createOrUpdate');
      const body = parseJsonBody(a.body);
      if (!body)
        throw new ArmError(
          400,
          'InvalidRequestContent',
          'The request content was invalid and could not be deserialized.',
        );
      const existing = state.resourceGroups[key];
      if (!/^[-\w._()]{1,90}$/.test(rg) || rg.endsWith('.')) {
        throw new ArmError(
          400,
          'InvalidResourceGroup',
          `The provided resource group name '${rg}' has these invalid characters.`,
        );
      }
      if (!existing && method === 'PATCH') requireRg(sub, rg);
      refuseIfDeleting(existing);
      const location = str(body.location) ?? existing?.location;
      if (!location)
        throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
      if (existing && str(body.location) && existing.location !== str(body.location)?.toLowerCase()) {
        throw new ArmError(
          409,
          'InvalidResourceGroupLocation',
          `Invalid resource group location '${str(body.location)}'. The Resource group already exists in location '${existing.location}'.`,
        );
      }
      const g: ResourceGroupRec = {
        subscriptionId: sub,
        name: existing?.name ?? rg,
        location: location.toLowerCase().replace(/\s+/g, ''),
        tags: isRecord(body.tags) ? strRecord(body.tags) : (existing?.tags ?? {}),
      };
      state.resourceGroups[key] = g;
      ctx.markDirty();
      sendJson(res, existing ? 200 : 201, rgBody(g));
      return;
    }
    if (method === 'GET' || method === 'HEAD') {
      await applyFault(takeFault('resourceGroups.get'), 'resourceGroups.get');
      const g = state.resourceGroups[key];
      if (method === 'HEAD') {
        res.writeHead(g ? 204 : 404, { 'content-length': '0' });
        res.end();
        return;
      }
      sendJson(res, 200, rgBody(requireRg(sub, rg)));
      return;
    }
    if (method === 'DELETE') {
      await applyFault(takeFault('resourceGroups.delete'), 'resourceGroups.delete');
      const g = state.resourceGroups[key];
      if (!g) {
        res.writeHead(204, { 'content-length': '0' });
        res.end();
        return;
      }
      // As ARM: 202 with a Location to poll; the group and all inside it go when the operation ends.
      let d = g.deleting ? state.rgDeletes?.[g.deleting.operationId] : undefined;
      if (!d) {
        d = {
          id: randomUUID(),
          subscriptionId: sub,
          resourceGroup: g.name,
          endsAt: ctx.now() + durMs(RG_DELETE_MS),
        };
        state.rgDeletes = { ...state.rgDeletes, [d.id]: d };
        g.deleting = { operationId: d.id, endsAt: d.endsAt };
        ctx.markDirty();
      }
      res.writeHead(202, { 'content-length': '0', ...rgDeleteHeaders(d, a.apiVersion) });
      res.end();
      return;
    }
    throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
  }

  /** GET /subscriptions/{sub}/resourceGroups/{rg}/resources: the generic resources in a group. */
  async function handleGroupResources(a: Arm): Promise<void> {
    if (a.method !== 'GET')
      throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
    await applyFault(takeFault('resources.listByResourceGroup'), 'resources.listByResourceGroup');
    const g = requireRg(a.sub, a.segs[3] ?? '');
    const items = Object.values(state.clusters)
      .filter((c) => c.subscriptionId === a.sub && c.resourceGroup.toLowerCase() === g.name.toLowerCase())
      .sort((x, y) => x.createdAt - y.createdAt || x.key.localeCompare(y.key))
      .map((c) => ({
        id: clusterArmId(c),
        name: c.name,
        type: 'Microsoft.ContainerService/managedClusters',
        location: c.location,
        tags: c.tags,
      }));
    sendJson(a.res, 200, page(a, items));
  }

  /** GET /subscriptions/{sub}/operationresults/{id}: 202 while a group is being deleted, then 200. */
  function handleRgDeleteResult(a: Arm): void {
    const d = state.rgDeletes?.[a.segs[3] ?? ''];
    if (!d || d.subscriptionId !== a.sub)
      throw new ArmError(404, 'NotFound', `Operation ${a.segs[3] ?? ''} was not found.`);
    if (d.endsAt > ctx.now()) {
      a.res.writeHead(202, { 'content-length': '0', ...rgDeleteHeaders(d, a.apiVersion) });
      a.res.end();
      return;
    }
    a.res.writeHead(200, { 'content-length': '0' });
    a.res.end();
  }

  async function handleClusterPut(a: Arm, rg: string, name: string): Promise<void> {
    const fault = await applyFault(
      takeFault('managedClusters.createOrUpdate'),
      'managedClusters.createOrUpdate',
    );
    refuseIfDeleting(requireRg(a.sub, rg));
    // ARM refuses the write before AKS sees it
    requireRegistered(a.sub, AKS_NAMESPACE);
    const body = parseJsonBody(a.body);
    if (!body)
      throw new ArmError(
        400,
        'InvalidRequestContent',
        'The request content was invalid and could not be deserialized.',
      );
    if (!CLUSTER_NAME_RE.test(name)) {
      throw new ArmError(
        400,
        'InvalidParameter',
        'The value of parameter managedCluster.name is invalid. Please see https://aka.ms/aks-naming-rules for more details.',
        'name',
      );
    }
    const props = isRecord(body.properties) ? body.properties : {};
    const key = clusterKey(a.sub, rg, name);
    const existing = state.clusters[key];
    const location = checkLocation(str(body.location) ?? existing?.location);
    if (existing) {
      assertIdle(existing);
      if (existing.location !== location) {
        throw new ArmError(
          400,
          'PropertyChangeNotAllowed',
          "Changing property 'location' is not allowed.",
          'location',
        );
      }
    }
    const requestedVersion = str(props.kubernetesVersion);
    const fullVersion = requestedVersion
      ? resolveVersion(requestedVersion, location, 'properties.kubernetesVersion')
      : (existing?.currentKubernetesVersion ??
        resolveVersion(undefined, location, 'properties.kubernetesVersion'));
    if (existing) {
      const [ea = 0, eb = 0] = minorOf(existing.currentKubernetesVersion);
      const [na = 0, nb = 0] = minorOf(fullVersion);
      if (na < ea || (na === ea && nb < eb)) {
        throw new ArmError(
          400,
          'NotAllowedK8sVersionDowngrading',
          `Downgrading kubernetes version ${existing.currentKubernetesVersion} to ${fullVersion} is not allowed. Available upgrades: see az aks get-upgrades.`,
          'properties.kubernetesVersion',
        );
      }
    }
    const profiles = Array.isArray(props.agentPoolProfiles)
      ? props.agentPoolProfiles.filter(isRecord)
      : undefined;
    if (!existing && (!profiles || profiles.length === 0)) {
      throw new ArmError(
        400,
        'InvalidParameter',
        'The value of parameter agentPoolProfiles is invalid. At least one agent pool profile is required.',
        'properties.agentPoolProfiles',
      );
    }
    const pools: PoolRec[] = existing ? existing.pools.map((p) => ({ ...p })) : [];
    const seen = new Set<string>();
    for (const prof of profiles ?? []) {
      const pname = str(prof.name) ?? '';
      if (seen.has(pname)) {
        throw new ArmError(
          400,
          'InvalidParameter',
          `Duplicate agent pool name '${pname}'.`,
          'agentPoolProfile.name',
        );
      }
      seen.add(pname);
      const idx = pools.findIndex((p) => p.name === pname);
      const old = idx >= 0 ? pools[idx] : undefined;
      const built = buildPool(pname, prof, location, fullVersion, old);
      if (old) {
        built.provisioningState = 'Updating';
        pools[idx] = built;
      } else {
        if (!existing && !str(prof.mode)) built.mode = seen.size === 1 ? 'System' : built.mode;
        pools.push(built);
      }
    }
    if (!pools.some((p) => p.mode === 'System')) {
      throw new ArmError(
        400,
        'MustDefineAtLeastOneSystemPool',
        'Must define at least one system pool.',
        'agentPoolProfiles',
      );
    }
    if (!existing && pools.filter((p) => p.osType === 'Linux' && p.mode === 'System').length === 0) {
      throw new ArmError(400, 'InvalidParameter', 'System node pools must be Linux.', 'agentPoolProfiles');
    }
    const tags = isRecord(body.tags) ? strRecord(body.tags) : (existing?.tags ?? {});
    const sku = isRecord(body.sku) ? body.sku : {};
    const aad = aadProfileOf(props.aadProfile, a.sub, existing?.aad);
    const disableLocalAccounts =
      typeof props.disableLocalAccounts === 'boolean'
        ? props.disableLocalAccounts
        : existing?.disableLocalAccounts === true;
    const c: ClusterRec = {
      key,
      subscriptionId: a.sub,
      resourceGroup: existing?.resourceGroup ?? state.resourceGroups[rgKey(a.sub, rg)]?.name ?? rg,
      name: existing?.name ?? name,
      location,
      tags,
      kubernetesVersion: requestedVersion ?? existing?.kubernetesVersion ?? fullVersion,
      currentKubernetesVersion: fullVersion,
      dnsPrefix: str(props.dnsPrefix) ?? existing?.dnsPrefix ?? `${name.slice(0, 30)}-dns`,
      skuTier: str(sku.tier) ?? existing?.skuTier ?? 'Free',
      provisioningState: existing ? 'Updating' : 'Creating',
      pools,
      createdAt: existing?.createdAt ?? ctx.now(),
      ...(aad ? { aad } : {}),
      ...(disableLocalAccounts ? { disableLocalAccounts } : {}),
    };
    if (!existing) for (const p of c.pools) p.provisioningState = 'Creating';
    requireVcpuQuota(c, c.pools);
    state.clusters[key] = c;
    const op = startOp(c, existing ? 'clusterUpdate' : 'clusterCreate', fault);
    sendJson(a.res, existing ? 200 : 201, clusterBody(c), opHeaders(op, a.apiVersion));
  }

  async function handleClusterDelete(a: Arm, rg: string, name: string): Promise<void> {
    const fault = await applyFault(takeFault('managedClusters.delete'), 'managedClusters.delete');
    requireRg(a.sub, rg);
    const c = state.clusters[clusterKey(a.sub, rg, name)];
    if (!c) {
      a.res.writeHead(204, { 'content-length': '0' });
      a.res.end();
      return;
    }
    const running = activeOp(c.key);
    if (running?.kind === 'clusterDelete') {
      a.res.writeHead(202, { 'content-length': '0', ...opHeaders(running, a.apiVersion) });
      a.res.end();
      return;
    }
    // A delete supersedes any other operation in progress on the cluster (as AKS does).
    for (const op of Object.values(state.operations)) {
      if (op.clusterKey === c.key && op.status === 'InProgress') {
        op.status = 'Canceled';
        op.finishedAt = ctx.now();
      }
    }
    c.provisioningState = 'Deleting';
    for (const p of c.pools) p.provisioningState = 'Deleting';
    const op = startOp(c, 'clusterDelete', fault);
    a.res.writeHead(202, { 'content-length': '0', ...opHeaders(op, a.apiVersion) });
    a.res.end();
  }

  /** AKS checks the Compute vCPU quotas before it accepts a write that adds nodes. */
  function requireVcpuQuota(c: ClusterRec, after: PoolRec[]): void {
    // what the cluster runs now, as stored (a new cluster: nothing)
    const before = state.clusters[c.key]?.pools ?? [];
    const refused = vcpuQuotaRefusal(
      cat,
      Object.values(state.clusters),
      c,
      { before, after },
      state.vcpuQuotas?.[c.subscriptionId],
    );
    if (refused) throw new ArmError(400, 'ErrCode_InsufficientVCPUQuota', refused);
  }

  async function handlePoolPut(a: Arm, c: ClusterRec, poolName: string): Promise<void> {
    const fault = await applyFault(takeFault('agentPools.createOrUpdate'), 'agentPools.createOrUpdate');
    const body = parseJsonBody(a.body);
    if (!body)
      throw new ArmError(
        400,
        'InvalidRequestContent',
        'The request content was invalid and could not be deserialized.',
      );
    assertIdle(c);
    const props = isRecord(body.properties) ? body.properties : {};
    const idx = c.pools.findIndex((p) => p.name === poolName);
    const old = idx >= 0 ? c.pools[idx] : undefined;
    const pool = buildPool(poolName, props, c.location, c.currentKubernetesVersion, old);
    if (
      old &&
      old.mode === 'System' &&
      pool.mode === 'User' &&
      c.pools.filter((p) => p.mode === 'System').length < 2
    ) {
      throw new ArmError(
        400,
        'OperationNotAllowed',
        'There has to be at least one system agent pool.',
        'properties.mode',
      );
    }
    requireVcpuQuota(c, old ? c.pools.map((p, i) => (i === idx ? pool : p)) : [...c.pools, pool]);
    if (old) {
      pool.provisioningState = 'Updating';
      c.pools[idx] = pool;
    } else {
      c.pools.push(pool);
    }
    c.provisioningState = 'Updating';
    const op = startOp(c, old ? 'poolUpdate' : 'poolCreate', fault, poolName);
    sendJson(a.res, old ? 200 : 201, poolBody(c, pool), opHeaders(op, a.apiVersion));
  }

  async function handlePoolDelete(a: Arm, c: ClusterRec, poolName: string): Promise<void> {
    const fault = await applyFault(takeFault('agentPools.delete'), 'agentPools.delete');
    const pool = c.pools.find((p) => p.name === poolName);
    if (!pool) {
      a.res.writeHead(204, { 'content-length': '0' });
      a.res.end();
      return;
    }
    assertIdle(c);
    if (pool.mode === 'System' && c.pools.filter((p) => p.mode === 'System').length < 2) {
      throw new ArmError(400, 'OperationNotAllowed', 'There has to be at least one system agent pool.');
    }
    pool.provisioningState = 'Deleting';
    c.provisioningState = 'Updating';
    const op = startOp(c, 'poolDelete', fault, poolName);
    a.res.writeHead(202, { 'content-length': '0', ...opHeaders(op, a.apiVersion) });
    a.res.end();
  }

  /**
   * The kubeconfig listClusterUserCredential / listClusterAdminCredential hand out. The admin one,
   * and the user one of a cluster without Azure AD, carry the cluster's static token (a local
   * account). The user one of an AKS-managed Azure AD cluster names kubelogin instead, as AKS does for
   * Kubernetes 1.24+ (`format=exec`, the default; `format=azure` gives the retired `azure`
   * auth-provider): whoever uses it must get an Entra token for the AKS server application.
   */
  function kubeconfig(c: ClusterRec, user: 'clusterUser' | 'clusterAdmin', format: string | null): string {
    const ca = Buffer.from(ctx.caCertPem).toString('base64');
    const tenant = c.aad?.tenantID ?? '';
    const aadUser =
      user === 'clusterUser' && c.aad
        ? format?.toLowerCase() === 'azure'
          ? [
              '    auth-provider:',
              '      config:',
              `        apiserver-id: ${AKS_AAD_SERVER_APP_ID}`,
              `        client-id: ${KUBELOGIN_CLIENT_ID}`,
              "        config-mode: '1'",
              '        environment: AzurePublicCloud',
              `        tenant-id: ${tenant}`,
              '      name: azure',
            ]
          : [
              '    exec:',
              '      apiVersion: client.authentication.k8s.io/v1beta1',
              '      args:',
              '      - get-token',
              '      - --environment',
              '      - AzurePublicCloud',
              '      - --server-id',
              `      - ${AKS_AAD_SERVER_APP_ID}`,
              '      - --client-id',
              `      - ${KUBELOGIN_CLIENT_ID}`,
              '      - --tenant-id',
              `      - ${tenant}`,
              '      - --login',
              '      - devicecode',
              '      command: kubelogin',
              '      env: null',
              '      installHint: |2',
              '',
              '        kubelogin is not installed which is required to connect to AAD enabled cluster.',
              '',
              '        To learn more, please go to https://aka.ms/aks/kubelogin',
              '      interactiveMode: IfAvailable',
              '      provideClusterInfo: false',
            ]
        : undefined;
    return [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      `    certificate-authority-data: ${ca}`,
      `    server: ${ctx.kube.serverUrl(c.key)}`,
      `  name: ${c.name}`,
      'contexts:',
      '- context:',
      `    cluster: ${c.name}`,
      `    user: ${user}_${c.resourceGroup}_${c.name}`,
      `  name: ${c.name}`,
      `current-context: ${c.name}`,
      'kind: Config',
      'preferences: {}',
      'users:',
      `- name: ${user}_${c.resourceGroup}_${c.name}`,
      '  user:',
      ...(aadUser ?? [`    token: ${kubeUserToken(c.key)}`]),
      '',
    ].join('\n');
  }

  function kubernetesVersionsBody(location: string): Json {
    const list = cat.kubernetesVersions('azure', location);
    const values = list.map((v, i) => {
      const newer = list.slice(0, i).reverse();
      const patchVersions: Record<string, { upgrades: string[] }> = {};
      const patches = v.versions.length ? v.versions : [v.minor];
      patches.forEach((pv, j) => {
        const next = newer[0];
        patchVersions[pv] = {
          upgrades: [
            ...patches.slice(0, j),
            ...(next ? (next.versions.length ? next.versions : [next.minor]) : []),
          ],
        };
      });
      const support = String(v.support ?? '').toLowerCase();
      return {
        version: v.minor,
        isDefault: v.default === true ? true : undefined,
        isPreview: support.includes('preview') ? true : undefined,
        capabilities: {
          supportPlan:
            support.includes('lts') && !support.includes('standard')
              ? ['AKSLongTermSupport']
              : ['KubernetesOfficial', 'AKSLongTermSupport'],
        },
        patchVersions,
      };
    });
    return { values };
  }

  async function handleArm(a: Arm): Promise<void> {
    const { lower, segs, method, res, sub } = a;
    // /subscriptions/{sub}
    if (lower.length === 2) {
      if (method !== 'GET')
        throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
      const acc = state.accounts[sub];
      if (!acc)
        throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
      sendJson(res, 200, {
        id: `/subscriptions/${sub}`,
        subscriptionId: sub,
        tenantId: acc.tenantId,
        displayName: acc.displayName,
        state: 'Enabled',
        subscriptionPolicies: {
          locationPlacementId: 'Public_2014-09-01',
          quotaId: 'PayAsYouGo_2014-09-01',
          spendingLimit: 'Off',
        },
        authorizationSource: 'RoleBased',
      });
      return;
    }
    if (lower[2] === 'resourcegroups' && lower.length <= 4) {
      await handleResourceGroups(a);
      return;
    }
    if (lower[2] === 'resourcegroups' && lower[4] === 'resources' && lower.length === 5) {
      await handleGroupResources(a);
      return;
    }
    if (lower[2] === 'operationresults' && lower.length === 4) {
      if (a.method !== 'GET')
        throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
      handleRgDeleteResult(a);
      return;
    }
    // /subscriptions/{sub}/providers/{namespace}[/register|/unregister]
    if (
      lower[2] === 'providers' &&
      (lower.length === 4 || (lower.length === 5 && (lower[4] === 'register' || lower[4] === 'unregister')))
    ) {
      await handleProvider(a);
      return;
    }
    // /subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}/usages
    if (
      lower[2] === 'providers' &&
      lower[3] === 'microsoft.compute' &&
      lower[4] === 'locations' &&
      lower[6] === 'usages' &&
      lower.length === 7
    ) {
      if (method !== 'GET')
        throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
      await applyFault(takeFault('usage.list'), 'usage.list');
      const loc = checkLocation((segs[5] ?? '').toLowerCase());
      sendJson(res, 200, usagesBody(cat, Object.values(state.clusters), sub, loc, state.vcpuQuotas?.[sub]));
      return;
    }
    // /subscriptions/{sub}/providers/Microsoft.ContainerService/...
    if (lower[2] === 'providers' && lower[3] === 'microsoft.containerservice') {
      if (lower.length === 5 && lower[4] === 'managedclusters' && method === 'GET') {
        await applyFault(takeFault('managedClusters.list'), 'managedClusters.list');
        const items = Object.values(state.clusters)
          .filter((c) => c.subscriptionId === sub)
          .sort((x, y) => x.createdAt - y.createdAt || x.key.localeCompare(y.key))
          .map(clusterBody);
        sendJson(res, 200, page(a, items));
        return;
      }
      if (lower[4] === 'locations' && lower.length >= 7) {
        const loc = (segs[5] ?? '').toLowerCase();
        if (lower[6] === 'kubernetesversions' && lower.length === 7 && method === 'GET') {
          await applyFault(
            takeFault('managedClusters.listKubernetesVersions'),
            'managedClusters.listKubernetesVersions',
          );
          checkLocation(loc);
          sendJson(res, 200, kubernetesVersionsBody(loc));
          return;
        }
        if (
          (lower[6] === 'operations' || lower[6] === 'operationresults') &&
          lower.length === 8 &&
          method === 'GET'
        ) {
          const op = state.operations[segs[7] ?? ''];
          if (!op || op.subscriptionId !== sub) {
            throw new ArmError(404, 'NotFound', `Operation ${segs[7] ?? ''} was not found.`);
          }
          if (lower[6] === 'operations') {
            sendJson(res, 200, opStatusBody(op));
            return;
          }
          if (op.status === 'InProgress') {
            res.writeHead(202, { 'content-length': '0', ...opHeaders(op, a.apiVersion), 'retry-after': '1' });
            res.end();
            return;
          }
          if (op.status === 'Failed') {
            throw new ArmError(
              400,
              op.failure?.code ?? 'OperationFailed',
              op.failure?.message ?? 'The operation failed.',
            );
          }
          res.writeHead(204, { 'content-length': '0' });
          res.end();
          return;
        }
      }
    }
    // /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters[/...]
    if (
      lower[2] === 'resourcegroups' &&
      lower[4] === 'providers' &&
      lower[5] === 'microsoft.containerservice' &&
      lower[6] === 'managedclusters'
    ) {
      const rg = segs[3] ?? '';
      if (lower.length === 7) {
        if (method !== 'GET')
          throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
        await applyFault(
          takeFault('managedClusters.listByResourceGroup'),
          'managedClusters.listByResourceGroup',
        );
        requireRg(sub, rg);
        const items = Object.values(state.clusters)
          .filter((c) => c.subscriptionId === sub && c.resourceGroup.toLowerCase() === rg.toLowerCase())
          .sort((x, y) => x.createdAt - y.createdAt || x.key.localeCompare(y.key))
          .map(clusterBody);
        sendJson(res, 200, page(a, items));
        return;
      }
      const name = segs[7] ?? '';
      if (lower.length === 8) {
        if (method === 'PUT') return handleClusterPut(a, rg, name);
        if (method === 'DELETE') return handleClusterDelete(a, rg, name);
        if (method === 'GET') {
          await applyFault(takeFault('managedClusters.get'), 'managedClusters.get');
          sendJson(res, 200, clusterBody(requireCluster(sub, rg, name)));
          return;
        }
        if (method === 'PATCH') {
          const fault = await applyFault(
            takeFault('managedClusters.updateTags'),
            'managedClusters.updateTags',
          );
          const c = requireCluster(sub, rg, name);
          assertIdle(c);
          const body = parseJsonBody(a.body) ?? {};
          c.tags = isRecord(body.tags) ? strRecord(body.tags) : c.tags;
          c.provisioningState = 'Updating';
          const op = startOp(c, 'clusterUpdate', fault);
          op.endsAt = op.startedAt + Math.max(1, Math.round(dur('clusterUpdate') / 10));
          sendJson(res, 200, clusterBody(c), opHeaders(op, a.apiVersion));
          return;
        }
        throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
      }
      const action = lower[8];
      if (
        lower.length === 9 &&
        method === 'POST' &&
        (action === 'listclusterusercredential' || action === 'listclusteradmincredential')
      ) {
        const opName =
          action === 'listclusterusercredential'
            ? 'managedClusters.listClusterUserCredentials'
            : 'managedClusters.listClusterAdminCredentials';
        await applyFault(takeFault(opName), opName);
        const c = requireCluster(sub, rg, name);
        const user = action === 'listclusterusercredential' ? 'clusterUser' : 'clusterAdmin';
        // AKS answers this for the admin credential of a cluster without local accounts (terraform
        // and Cluster API issues quote it verbatim)
        if (user === 'clusterAdmin' && c.disableLocalAccounts) {
          throw new ArmError(
            400,
            'BadRequest',
            'Getting static credential is not allowed because this cluster is set to disable local accounts.',
          );
        }
        const value = kubeconfig(c, user, a.url.searchParams.get('format'));
        sendJson(res, 200, { kubeconfigs: [{ name: user, value: Buffer.from(value).toString('base64') }] });
        return;
      }
      if (action === 'agentpools') {
        const c = requireCluster(sub, rg, name);
        if (lower.length === 9) {
          if (method !== 'GET')
            throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
          await applyFault(takeFault('agentPools.list'), 'agentPools.list');
          sendJson(
            res,
            200,
            page(
              a,
              c.pools.map((p) => poolBody(c, p)),
            ),
          );
          return;
        }
        const poolName = segs[9] ?? '';
        if (lower.length === 10) {
          if (method === 'PUT') return handlePoolPut(a, c, poolName);
          if (method === 'DELETE') return handlePoolDelete(a, c, poolName);
          if (method === 'GET') {
            await applyFault(takeFault('agentPools.get'), 'agentPools.get');
            const p = c.pools.find((x) => x.name === poolName);
            if (!p) {
              throw new ArmError(
                404,
                'NotFound',
                `Agent pool '${poolName}' was not found in managed cluster '${c.name}'. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
              );
            }
            sendJson(res, 200, poolBody(c, p));
            return;
          }
          throw new ArmError(405, 'MethodNotAllowed', 'The requested method is not allowed.');
        }
      }
      if (action === 'upgradeprofiles' && lower.length === 10 && method === 'GET') {
        const c = requireCluster(sub, rg, name);
        const newer = cat
          .kubernetesVersions('azure', c.location)
          .flatMap((v) => v.versions)
          .filter((v) => {
            const [a1 = 0, b1 = 0, p1 = 0] = minorOf(v);
            const [a2 = 0, b2 = 0, p2 = 0] = minorOf(c.currentKubernetesVersion);
            return a1 > a2 || (a1 === a2 && (b1 > b2 || (b1 === b2 && p1 > p2)));
          });
        sendJson(res, 200, {
          id: `${clusterArmId(c)}/upgradeProfiles/default`,
          name: 'default',
          type: 'Microsoft.ContainerService/managedClusters/upgradeProfiles',
          properties: {
            controlPlaneProfile: {
              kubernetesVersion: c.currentKubernetesVersion,
              osType: 'Linux',
              upgrades: newer.map((v) => ({ kubernetesVersion: v })),
            },
            agentPoolProfiles: c.pools.map((p) => ({
              name: p.name,
              kubernetesVersion: p.currentOrchestratorVersion,
              osType: p.osType,
              upgrades: newer.map((v) => ({ kubernetesVersion: v })),
            })),
          },
        });
        return;
      }
    }
    throw new ArmError(
      404,
      'InvalidResourceType',
      `The resource type could not be found in the namespace for api version '${a.apiVersion}'.`,
    );
  }

  // ---------- Entra ID (login) ----------

  function tenantKnown(tenant: string): boolean {
    return Object.values(state.accounts).some((x) => x.tenantId === tenant);
  }

  function openIdConfig(tenant: string): Json {
    const base = `${armBase()}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${armBase()}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  function aadError(
    res: ServerResponse,
    status: number,
    error: string,
    code: number,
    description: string,
  ): void {
    sendJson(res, status, {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date(ctx.now()).toISOString().replace('T', ' ').slice(0, 19)}Z`,
      error_codes: [code],
      timestamp: `${new Date(ctx.now()).toISOString().replace('T', ' ').slice(0, 19)}Z`,
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    });
  }

  async function handleToken(res: ServerResponse, tenant: string, body: Buffer): Promise<void> {
    const fault = takeFault('token');
    if (fault?.kind === 'throttle') {
      sendJson(
        res,
        429,
        { error: 'temporarily_unavailable', error_description: 'AADSTS50196: throttled' },
        {
          'retry-after': String(fault.retryAfterSeconds ?? 1),
        },
      );
      return;
    }
    if (fault?.kind === 'server-error') {
      sendJson(res, 503, {
        error: 'temporarily_unavailable',
        error_description: 'AADSTS90033: A transient error has occurred.',
      });
      return;
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const grant = form.get('grant_type');
    const clientId = form.get('client_id') ?? '';
    const secret = form.get('client_secret') ?? '';
    if (grant !== 'client_credentials') {
      aadError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
      return;
    }
    const acc = Object.values(state.accounts).find((x) => x.clientId === clientId);
    if (!acc || (tenant !== acc.tenantId && tenant !== 'organizations')) {
      aadError(
        res,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
      );
      return;
    }
    if (secret !== acc.clientSecret) {
      aadError(
        res,
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
      return;
    }
    const scope = form.get('scope') ?? 'https://management.azure.com/.default';
    const { token, expiresIn } = issueAccessToken(acc, scope, ctx.now());
    sendJson(res, 200, {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: token,
    });
  }

  async function handleLogin(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
  ): Promise<boolean> {
    const p = url.pathname;
    if (p === '/common/discovery/instance' || p === '/common/discovery/instance/') {
      const host = new URL(armBase()).host;
      sendJson(res, 200, {
        tenant_discovery_endpoint: `${armBase()}/common/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
      return true;
    }
    const m =
      /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token|discovery\/v2\.0\/keys)\/?$/.exec(
        p,
      );
    if (!m) return false;
    const tenant = decodeURIComponent(m[1] ?? '');
    const known = tenantKnown(tenant) || ['common', 'organizations'].includes(tenant);
    if (!known) return false;
    if (m[2] === 'oauth2/v2.0/token') {
      if (req.method !== 'POST') {
        aadError(res, 405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
        return true;
      }
      await handleToken(res, tenant, body);
      return true;
    }
    if (m[2] === 'discovery/v2.0/keys') {
      sendJson(res, 200, { keys: [] });
      return true;
    }
    sendJson(res, 200, openIdConfig(tenant));
    return true;
  }

  // ---------- AKS-managed Azure AD ----------

  /** `properties.aadProfile` of a PUT; AKS cannot turn managed AAD off again, so the old one stays. */
  function aadProfileOf(
    raw: unknown,
    sub: string,
    existing: AadProfileRec | undefined,
  ): AadProfileRec | undefined {
    // only AKS-managed AAD is modelled: the legacy integration (managed false, own server app) is retired
    if (!isRecord(raw) || raw.managed !== true) return existing;
    return {
      enableAzureRBAC: raw.enableAzureRBAC === true,
      adminGroupObjectIDs: strArray(raw.adminGroupObjectIDs),
      tenantID: str(raw.tenantID) ?? state.accounts[sub]?.tenantId ?? '',
    };
  }

  /**
   * An Entra access token presented to an AAD cluster's kube API: signed by this sandbox's token
   * endpoint, not expired, for the AKS server application and from the cluster's tenant. With Azure
   * RBAC only the subscription's own service principal is taken to hold a cluster role assignment.
   */
  function aadKubeIdentity(c: ClusterRec, aad: AadProfileRec, token: string): KubeIdentity | undefined {
    const claims = verifyAccessToken(token, ctx.now());
    if (!claims || claims === 'expired') return undefined;
    if (claims.aud !== AKS_AAD_SERVER_APP_ID || claims.tid !== aad.tenantID) return undefined;
    if (aad.enableAzureRBAC && claims.appid !== state.accounts[c.subscriptionId]?.clientId) return undefined;
    return { username: claims.oid, groups: ['system:authenticated'] };
  }

  // ---------- seeding ----------

  function seedCluster(accountId: string, seed: SeedCluster): void {
    settle();
    if (!state.accounts[accountId]) ensureAccount(accountId, accountId);
    const rg = seed.scope || 'dolly-demo';
    const location = seed.location.toLowerCase();
    const gk = rgKey(accountId, rg);
    if (!state.resourceGroups[gk]) {
      state.resourceGroups[gk] = { subscriptionId: accountId, name: rg, location, tags: {} };
    }
    const key = clusterKey(accountId, rg, seed.name);
    if (state.clusters[key]) return;
    const version = (() => {
      try {
        return resolveVersion(seed.kubernetesVersion, location, 'properties.kubernetesVersion');
      } catch {
        return seed.kubernetesVersion;
      }
    })();
    const pools: PoolRec[] = seed.nodePools.map((sp, i) => {
      const spot = sp.spot === true;
      const mode = sp.mode ? (sp.mode === 'system' ? 'System' : 'User') : i === 0 ? 'System' : 'User';
      const pool: PoolRec = {
        name: sp.name,
        vmSize: sp.machineType,
        count: sp.nodeCount,
        enableAutoScaling: !!sp.autoscaling,
        mode,
        osType: 'Linux',
        osSKU: 'Ubuntu',
        availabilityZones: sp.zones ?? [],
        nodeLabels: sp.labels ?? {},
        nodeTaints: (sp.taints ?? []).map(
          (t) => `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`,
        ),
        scaleSetPriority: spot ? 'Spot' : 'Regular',
        orchestratorVersion: seed.kubernetesVersion,
        currentOrchestratorVersion: version,
        maxPods: 250,
        osDiskSizeGB: sp.diskSizeGb ?? 128,
        tags: {},
        provisioningState: 'Succeeded',
      };
      if (sp.autoscaling) {
        pool.minCount = sp.autoscaling.minNodes;
        pool.maxCount = sp.autoscaling.maxNodes;
      }
      if (spot) pool.scaleSetEvictionPolicy = 'Delete';
      return pool;
    });
    const c: ClusterRec = {
      key,
      subscriptionId: accountId,
      resourceGroup: state.resourceGroups[gk]?.name ?? rg,
      name: seed.name,
      location,
      tags: { ...seed.labels },
      kubernetesVersion: seed.kubernetesVersion,
      currentKubernetesVersion: version,
      dnsPrefix: `${seed.name.slice(0, 30)}-dns`,
      skuTier: 'Standard',
      provisioningState: 'Succeeded',
      pools,
      createdAt: ctx.now(),
    };
    const aad = aadProfileOf(seed.aadProfile && { managed: true, ...seed.aadProfile }, accountId, undefined);
    if (aad) c.aad = aad;
    if (seed.disableLocalAccounts) c.disableLocalAccounts = true;
    state.clusters[key] = c;
    ctx.kube.ensureCluster(key, kubeInfo(c, cat));
    if (seed.withDemoWorkloads) ctx.kube.seedDemoWorkloads(key);
    ctx.markDirty();
  }

  // ---------- module ----------

  return {
    cloud: 'azure',

    async handle(req, res, body, url, _transport) {
      const path = url.pathname;
      const lowerPath = path.toLowerCase();
      if (!lowerPath.startsWith('/subscriptions/')) {
        if (lowerPath.startsWith('/_sandbox')) return false;
        settle();
        return handleLogin(req, res, url, body);
      }
      const segs = path
        .split('/')
        .filter(Boolean)
        .map((s) => decodeURIComponent(s));
      const lower = segs.map((s) => s.toLowerCase());
      const requestId = randomUUID();
      const baseHeaders = { 'x-ms-request-id': requestId, 'x-ms-correlation-request-id': requestId };
      for (const [k, v] of Object.entries(baseHeaders)) res.setHeader(k, v);
      try {
        const apiVersion = url.searchParams.get('api-version');
        if (!apiVersion) {
          throw new ArmError(
            400,
            'MissingApiVersionParameter',
            'The api-version query parameter (?api-version=) is required for all requests.',
          );
        }
        const a: Arm = {
          req,
          res,
          url,
          body,
          method: (req.method ?? 'GET').toUpperCase(),
          apiVersion: apiVersion || DEFAULT_API_VERSION,
          sub: segs[1] ?? '',
          segs,
          lower,
        };
        authenticate(a);
        settle();
        await handleArm(a);
      } catch (e) {
        if (e instanceof ArmError) {
          const err: Json = { code: e.code, message: e.message };
          if (e.target) err.target = e.target;
          if (req.method === 'HEAD') {
            res.writeHead(e.status, { 'content-length': '0', ...e.headers });
            res.end();
          } else {
            sendJson(res, e.status, { error: err }, { 'x-ms-error-code': e.code, ...e.headers });
          }
        } else {
          ctx.log.error(
            { err: String(e), stack: e instanceof Error ? e.stack : undefined },
            'azure handler failed',
          );
          sendJson(res, 500, { error: { code: 'InternalServerError', message: 'Sandbox internal error.' } });
        }
      }
      return true;
    },

    clusterId(scope: string, location: string, name: string): string {
      const rg = scope.toLowerCase();
      const hit = Object.values(state.clusters).find(
        (c) =>
          c.resourceGroup.toLowerCase() === rg &&
          c.name.toLowerCase() === name.toLowerCase() &&
          c.location === location.toLowerCase(),
      );
      const sub = hit?.subscriptionId ?? Object.keys(state.accounts)[0] ?? 'unknown';
      return clusterKey(sub, scope, name);
    },

    tick(): void {
      settle();
    },

    authenticateKube(clusterId: string, bearerToken: string): KubeIdentity | undefined {
      settle();
      const c = state.clusters[clusterId];
      if (!c) return undefined;
      if (!c.disableLocalAccounts && bearerToken === kubeUserToken(c.key)) {
        return { username: 'masterclient', groups: ['system:masters', 'system:authenticated'] };
      }
      return c.aad ? aadKubeIdentity(c, c.aad, bearerToken) : undefined;
    },

    ensureAccount,

    accounts(): SandboxAccount[] {
      return Object.values(state.accounts).map(toAccount);
    },

    seedCluster,

    snapshot(): unknown {
      settle();
      return clone(state);
    },

    restore(saved: unknown): void {
      if (isRecord(saved) && saved.version === 1 && isRecord(saved.clusters)) {
        state = clone(saved) as unknown as AzureState;
        state.registrations ??= {};
      } else {
        state = emptyState();
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
        subscriptions: Object.values(state.accounts).map((a) => ({
          subscriptionId: a.subscriptionId,
          displayName: a.displayName,
          tenantId: a.tenantId,
          clientId: a.clientId,
        })),
        resourceGroups: Object.values(state.resourceGroups),
        managedClusters: Object.values(state.clusters).map((c) => ({
          clusterId: c.key,
          id: clusterArmId(c),
          location: c.location,
          kubernetesVersion: c.currentKubernetesVersion,
          provisioningState: c.provisioningState,
          tags: c.tags,
          agentPools: c.pools.map((p) => ({
            name: p.name,
            mode: p.mode,
            vmSize: p.vmSize,
            count: p.count,
            autoscaling: p.enableAutoScaling ? { min: p.minCount, max: p.maxCount } : undefined,
            zones: p.availabilityZones,
            spot: p.scaleSetPriority === 'Spot',
            provisioningState: p.provisioningState,
          })),
        })),
        operations: Object.values(state.operations)
          .filter((o) => o.status === 'InProgress')
          .map((o) => opStatusBody(o)),
      };
    },
  };
}
