/** AKS through @azure/arm-containerservice v25 (ARM), @azure/arm-resources and @azure/identity. */
import { type AgentPool, ContainerServiceClient, type ManagedCluster } from '@azure/arm-containerservice';
import { ComputeManagementClient } from '@azure/arm-compute';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { EgressPolicy } from '@dolly/contracts/egress';
import {
  AZURE_REGIONAL_CORES,
  AZURE_SPOT_CORES,
  azureQuotaFamily,
  bundledCatalog,
  type CatalogOverlay,
  type KubernetesVersionInfo,
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
  PreflightCheck,
  ResourceGroupDeletion,
  ResourceGroupRef,
} from '../types';
import { PLAN_LABEL } from '../types';
import { readCloudKubeconfig } from '../kubeconfig';
import {
  conflict,
  credString,
  KeyedMutex,
  labelsFor,
  pollUntil,
  progress,
  record,
  accountAgents,
  requireCred,
  trustedCas,
} from '../util';
import { AKS_AAD_SERVER_APP_ID, aksKubeconfig } from './kubeconfig';
import { aksClusterBody, aksPoolProfile, aksToSpec, initialSystemPool } from './map';

const PUBLIC_ARM = 'https://management.azure.com';
/** The resource provider AKS belongs to; a new subscription has it NotRegistered. */
const AKS_NAMESPACE = 'Microsoft.ContainerService';
/** ARM lists a resource type's locations by display name ("East US"); ids are "eastus". */
const locationId = (name: string) => name.toLowerCase().replace(/\s+/g, '');

/** Busy: AKS takes one operation per cluster at a time (409 OperationNotAllowed) — wait and retry. */
const BUSY_CODES = new Set(['OperationNotAllowed', 'AnotherOperationInProgress', 'Conflict', 'EtagMismatch']);
const isBusy = (e: unknown) =>
  e instanceof CloudError && e.class === 'transient' && BUSY_CODES.has(e.cloudCode ?? '');

function provisioningFailed(operation: string, what: string, detail?: string): CloudError {
  return new CloudError({
    cloud: 'azure',
    operation,
    class: 'transient',
    cloudCode: 'ProvisioningFailed',
    message: `${what} ended Failed${detail ? `: ${detail}` : ''}`,
  });
}

export function createAzureProvider(account: CloudAccountConfig, egress: EgressPolicy): CloudProvider {
  const ep = account.endpoints ?? {};
  const armEndpoint = (ep.arm ?? account.endpoint ?? PUBLIC_ARM).replace(/\/+$/, '');
  const cas = trustedCas(account);
  const tlsOptions = cas ? { tlsOptions: { ca: cas.join('\n') } } : {};
  // Every ARM and token request connects through the egress-checked agents (which carry the CA);
  // a request's own agent wins over the pipeline's TLS settings.
  const agents = accountAgents(account, egress);
  const egressPolicy: PipelinePolicy = {
    name: 'dollyEgress',
    sendRequest: (request, next) => {
      request.agent = request.url.startsWith('https:') ? agents.https : agents.http;
      return next(request);
    },
  };
  const pipeline = { additionalPolicies: [{ policy: egressPolicy, position: 'perRetry' as const }] };
  // The token audience stays the public ARM one unless the account says otherwise (sovereign clouds).
  const armScope =
    typeof account.settings.armScope === 'string' ? account.settings.armScope : `${PUBLIC_ARM}/.default`;
  // The audience of AKS Azure AD tokens; an account in a cloud that uses another server app names it.
  const aksServerAppId =
    typeof account.settings.aksServerAppId === 'string'
      ? account.settings.aksServerAppId
      : AKS_AAD_SERVER_APP_ID;
  const subscriptionId = account.scope ?? credString(account, 'subscriptionId') ?? '';

  let credential: TokenCredential | undefined;
  const cred = (): TokenCredential => {
    if (credential) return credential;
    const authorityHost = ep.login ?? credString(account, 'authorityHost');
    if (account.credentialKind === 'azure-client-secret') {
      credential = new ClientSecretCredential(
        requireCred(account, 'tenantId'),
        requireCred(account, 'clientId'),
        requireCred(account, 'clientSecret'),
        {
          ...(authorityHost ? { authorityHost, disableInstanceDiscovery: true } : {}),
          ...pipeline,
        },
      );
    } else if (account.credentialKind === 'azure-default') {
      credential = new DefaultAzureCredential({ ...(authorityHost ? { authorityHost } : {}), ...tlsOptions });
    } else {
      throw new CloudError({
        cloud: 'azure',
        operation: 'credentials',
        class: 'auth',
        message: `credential kind ${account.credentialKind} is not an Azure kind`,
      });
    }
    return credential;
  };

  let aksClient: ContainerServiceClient | undefined;
  const aks = () => {
    aksClient ??= new ContainerServiceClient(cred(), subscriptionId, {
      endpoint: armEndpoint,
      credentials: { scopes: [armScope] },
      ...pipeline,
    });
    return aksClient;
  };
  let armClient: ResourceManagementClient | undefined;
  const arm = () => {
    armClient ??= new ResourceManagementClient(cred(), subscriptionId, {
      endpoint: armEndpoint,
      $host: armEndpoint,
      credentialScopes: [armScope],
      ...pipeline,
    });
    return armClient;
  };
  let computeClient: ComputeManagementClient | undefined;
  const compute = () => {
    computeClient ??= new ComputeManagementClient(cred(), subscriptionId, {
      endpoint: armEndpoint,
      credentials: { scopes: [armScope] },
      ...pipeline,
    });
    return computeClient;
  };
  const call = <T>(operation: string, fn: () => Promise<T>) => cloudCall('azure', operation, fn);
  const opt = (ctx?: OperationContext) => (ctx?.signal ? { abortSignal: ctx.signal } : {});

  /**
   * The planned pools' vCPUs against the location's Compute quotas (usage.list): each VM family's,
   * and the regional total (Spot pools count against the Spot total only). AKS refuses a write
   * over either (ErrCode_InsufficientVCPUQuota), so the plan says so first.
   */
  const checkVcpuQuota = async (
    target: TargetClusterSpec,
    ctx?: OperationContext,
  ): Promise<PreflightCheck[]> => {
    const location = locationId(target.location);
    const need = new Map<string, { name: string; nodes: number; max: number }>();
    const add = (name: string, nodes: number, max: number) => {
      const n = need.get(name.toLowerCase()) ?? { name, nodes: 0, max: 0 };
      n.nodes += nodes;
      n.max += max;
      need.set(name.toLowerCase(), n);
    };
    for (const pool of target.nodePools) {
      const m =
        bundledCatalog.machineType('azure', pool.machineType, location) ??
        bundledCatalog.machineType('azure', pool.machineType);
      if (!m) continue;
      const nodes = m.vcpus * pool.nodeCount;
      const max = m.vcpus * Math.max(pool.nodeCount, pool.autoscaling?.maxNodes ?? 0);
      if (pool.spot) add(AZURE_SPOT_CORES, nodes, max);
      else {
        add(azureQuotaFamily(m.family), nodes, max);
        add(AZURE_REGIONAL_CORES, nodes, max);
      }
    }
    if (need.size === 0) return [];
    const usages = new Map<string, { limit: number; currentValue: number; label: string }>();
    try {
      await call('usage.list', async () => {
        for await (const u of compute().usage.list(location, opt(ctx))) {
          const name = u.name.value;
          if (name)
            usages.set(name.toLowerCase(), {
              limit: u.limit,
              currentValue: u.currentValue,
              label: u.name.localizedValue ?? name,
            });
        }
      });
    } catch (e) {
      if (!(e instanceof CloudError) || e.class !== 'auth') throw e;
      return [
        {
          check: 'azure.vcpu-quota',
          severity: 'warning',
          message: `the credentials may not read Compute usages in ${location} (Microsoft.Compute/locations/usages/read), so Dolly cannot tell whether the planned pools fit the vCPU quotas`,
          fix: `grant Dolly's service principal Microsoft.Compute/locations/usages/read (the Reader role has it) on subscription ${subscriptionId}, or check \`az vm list-usage --location ${location}\``,
        },
      ];
    }
    const found: PreflightCheck[] = [];
    for (const [key, { name, nodes, max }] of need) {
      const u = usages.get(key);
      if (!u) {
        found.push({
          check: 'azure.vcpu-quota',
          severity: 'warning',
          message: `Compute lists no vCPU quota named ${name} in ${location}, so Dolly cannot tell whether the planned pools fit it`,
          fix: `check the quota of the VM family in \`az vm list-usage --location ${location} --subscription ${subscriptionId}\` before applying`,
        });
        continue;
      }
      const available = Math.max(0, u.limit - u.currentValue);
      if (max <= available) continue;
      const over = nodes > available;
      const wanted = u.currentValue + (over ? nodes : max);
      found.push({
        check: 'azure.vcpu-quota',
        severity: over ? 'blocker' : 'warning',
        message: over
          ? `the planned node pools need ${nodes} vCPUs of ${u.label} (${name}) in ${location}; subscription ${subscriptionId} has a limit of ${u.limit} with ${available} available`
          : `the planned node pools start within ${u.label} (${name}) in ${location} (limit ${u.limit}, ${available} available), but autoscaling to their maximum needs ${max} vCPUs, so they stop short`,
        fix: `az quota update --resource-name ${name} --scope /subscriptions/${subscriptionId}/providers/Microsoft.Compute/locations/${location} --limit-object value=${wanted} (or ask for ${wanted} under Usage + quotas in the portal), or plan fewer or smaller nodes there`,
      });
    }
    return found;
  };
  const mutex = new KeyedMutex();

  /** ClusterSpec.scope on Azure is "<subscription>/<resource group>". */
  const rgOf = (scope: string | undefined): string => {
    const rg = scope?.includes('/') ? scope.slice(scope.indexOf('/') + 1) : account.settings.resourceGroup;
    if (!rg) {
      throw new CloudError({
        cloud: 'azure',
        operation: 'resourceGroup',
        class: 'rejected',
        field: 'settings.resourceGroup',
        message:
          'no resource group: give the scope as <subscription>/<resource group> or set settings.resourceGroup',
      });
    }
    return rg;
  };
  const scopeFor = (rg: string) => `${subscriptionId}/${rg}`;

  const getCluster = async (
    rg: string,
    name: string,
    ctx?: OperationContext,
  ): Promise<ManagedCluster | undefined> => {
    try {
      return await call('managedClusters.get', () => aks().managedClusters.get(rg, name, opt(ctx)));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const getPool = async (
    rg: string,
    cluster: string,
    name: string,
    ctx?: OperationContext,
  ): Promise<AgentPool | undefined> => {
    try {
      return await call('agentPools.get', () => aks().agentPools.get(rg, cluster, name, opt(ctx)));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const discovered = (c: ManagedCluster): DiscoveredCluster => ({
    spec: aksToSpec(c, subscriptionId),
    raw: c,
    status: c.provisioningState ?? 'Unknown',
  });

  /**
   * Waits until no operation runs on the cluster (AKS refuses a second one with 409). With
   * `acceptFailed`, a Failed cluster counts as settled: a failed agent-pool operation leaves the
   * cluster Failed too, and PUTting the pool again is how it recovers.
   */
  const waitClusterSettled = (rg: string, name: string, ctx: OperationContext, acceptFailed = false) =>
    pollUntil('azure', 'managedClusters.get', ctx, async () => {
      const c = await getCluster(rg, name, ctx);
      if (!c) {
        throw new CloudError({
          cloud: 'azure',
          operation: 'managedClusters.get',
          class: 'not_found',
          message: `managed cluster ${rg}/${name} not found`,
        });
      }
      progress(ctx, 'control-plane', `cluster ${name} is ${c.provisioningState}`);
      const state = c.provisioningState;
      if (state === 'Failed' || state === 'Canceled') {
        if (acceptFailed) return c;
        throw provisioningFailed('managedClusters.createOrUpdate', `cluster ${name}`);
      }
      return state === 'Succeeded' ? c : undefined;
    });

  const waitPool = (rg: string, cluster: string, name: string, ctx: OperationContext) =>
    pollUntil('azure', 'agentPools.get', ctx, async () => {
      const p = await getPool(rg, cluster, name, ctx);
      if (!p) return undefined;
      if (p.provisioningState === 'Failed')
        throw provisioningFailed('agentPools.createOrUpdate', `agent pool ${name}`);
      return p.provisioningState === 'Succeeded' ? p : undefined;
    });

  const ensureResourceGroup = async (
    rg: string,
    location: string,
    ctx: OperationContext & { planId: string },
    cluster: string,
  ) => {
    const exists = await call('resourceGroups.get', () => arm().resourceGroups.get(rg, opt(ctx))).then(
      (g) => g,
      (e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      },
    );
    if (exists) {
      if (exists.tags?.[PLAN_LABEL] === ctx.planId) {
        await record(
          ctx,
          {
            cloud: 'azure',
            kind: 'resourceGroup',
            scope: scopeFor(rg),
            location,
            cluster,
            name: rg,
          },
          'adopted',
        );
      }
      return;
    }
    await record(ctx, {
      cloud: 'azure',
      kind: 'resourceGroup',
      scope: scopeFor(rg),
      location,
      cluster,
      name: rg,
    });
    await call('resourceGroups.createOrUpdate', () =>
      arm().resourceGroups.createOrUpdate(rg, { location, tags: { [PLAN_LABEL]: ctx.planId } }, opt(ctx)),
    );
  };

  const deleteNodePool = async (ref: NodePoolRef, ctx: OperationContext) => {
    const rg = rgOf(ref.scope);
    await mutex.run(`${rg}/${ref.cluster}`, async () => {
      await pollUntil('azure', 'agentPools.delete', ctx, async () => {
        const p = await getPool(rg, ref.cluster, ref.name, ctx);
        if (!p) return true;
        if (p.provisioningState === 'Deleting') return undefined;
        try {
          await call('agentPools.delete', () =>
            aks().agentPools.beginDelete(rg, ref.cluster, ref.name, opt(ctx)),
          );
        } catch (e) {
          if (isNotFound(e)) return true;
          if (!isBusy(e)) throw e;
        }
        return undefined;
      });
    });
  };

  /**
   * ARM deletes a resource group with everything in it, so Dolly deletes one only when the group
   * lists no resource at all (its own clusters are deleted before), then waits on the LRO.
   */
  const deleteResourceGroup = async (
    ref: ResourceGroupRef,
    ctx: OperationContext,
  ): Promise<ResourceGroupDeletion> => {
    const rg = ref.name;
    const group = await call('resourceGroups.get', () => arm().resourceGroups.get(rg, opt(ctx))).then(
      (g) => g,
      (e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      },
    );
    if (!group) return { deleted: true };
    if (group.properties?.provisioningState !== 'Deleting') {
      const inside: string[] = [];
      await call('resources.listByResourceGroup', async () => {
        for await (const r of arm().resources.listByResourceGroup(rg, opt(ctx)))
          inside.push(`${r.type ?? 'resource'}/${r.name ?? r.id ?? '?'}`);
      });
      if (inside.length) {
        return {
          deleted: false,
          resources: inside,
          reason: `resource group ${rg} still holds ${inside.length} resource(s) Dolly did not create (${inside.slice(0, 5).join(', ')}${inside.length > 5 ? ', …' : ''}); deleting it would delete them too, so it is left in place — delete it yourself (az group delete --name ${rg}) once they can go`,
        };
      }
    }
    progress(ctx, 'delete-resource-group', `deleting resource group ${rg}`);
    const poller = await call('resourceGroups.delete', () => arm().resourceGroups.beginDelete(rg, opt(ctx)));
    // Poll the LRO through pollUntil, so the wait honours the step's timeout and frees its slot.
    await pollUntil('azure', 'resourceGroups.delete', ctx, async () => {
      await call('resourceGroups.delete', () => poller.poll(opt(ctx)));
      const state = poller.getOperationState();
      if (state.status === 'failed' || state.status === 'canceled')
        throw provisioningFailed(
          'resourceGroups.delete',
          `deleting resource group ${rg}`,
          state.error?.message,
        );
      return poller.isDone() ? true : undefined;
    });
    return { deleted: true };
  };

  const provider: CloudProvider = {
    cloud: 'azure',

    async testConnection(ctx) {
      const missing: string[] = [];
      let identity: string | undefined;
      try {
        const token = await cred().getToken(armScope, opt(ctx));
        if (!token) throw new Error('the credential returned no token');
        const claims = JSON.parse(
          Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString('utf8'),
        ) as Record<string, unknown>;
        const id = claims.upn ?? claims.appid ?? claims.azp ?? claims.oid ?? claims.sub;
        identity = typeof id === 'string' ? id : credString(account, 'clientId');
      } catch (e) {
        const err = classifyCloudError('azure', 'getToken', e);
        return { ok: false, scopes: [], missing, message: `${err.class}: ${err.message}` };
      }
      if (!subscriptionId) {
        return {
          ok: false,
          ...(identity ? { identity } : {}),
          scopes: [],
          missing: ['scope (subscription id)'],
          message: 'no subscription id',
        };
      }
      try {
        const it = aks().managedClusters.list(opt(ctx)).byPage();
        await call('managedClusters.list', () => it.next());
      } catch (e) {
        const err = classifyCloudError('azure', 'managedClusters.list', e);
        return {
          ok: false,
          ...(identity ? { identity } : {}),
          scopes: [],
          missing,
          message: `${err.class}: ${err.message}`,
        };
      }
      const scopes = [subscriptionId];
      if (account.settings.resourceGroup) scopes.push(scopeFor(account.settings.resourceGroup));
      else missing.push('settings.resourceGroup (resource group for new clusters; created when missing)');
      return { ok: true, ...(identity ? { identity } : {}), scopes, missing };
    },

    async discover(opts = {}) {
      const regions = opts.regions?.length ? opts.regions : account.settings.regions;
      const out: DiscoveredCluster[] = [];
      await call('managedClusters.list', async () => {
        for await (const c of aks().managedClusters.list(opt(opts))) {
          if (regions?.length && !regions.includes(c.location ?? '')) continue;
          out.push(discovered(c));
        }
      });
      progress(opts, 'discover', `${out.length} AKS cluster(s)`);
      return out.sort((a, b) =>
        `${a.spec.scope}/${a.spec.name}`.localeCompare(`${b.spec.scope}/${b.spec.name}`),
      );
    },

    async regionCatalog(region, ctx) {
      const res = await call('managedClusters.listKubernetesVersions', () =>
        aks().managedClusters.listKubernetesVersions(region, opt(ctx)),
      );
      const versions: KubernetesVersionInfo[] = (res.values ?? [])
        .filter((v) => v.version)
        .map((v) => ({
          cloud: 'azure',
          minor: v.version as string,
          versions: Object.keys(v.patchVersions ?? {}).sort((a, b) =>
            b.localeCompare(a, undefined, { numeric: true }),
          ),
          default: v.isDefault === true,
          support: v.isPreview
            ? 'preview'
            : (v.capabilities?.supportPlan ?? []).includes('KubernetesOfficial')
              ? 'standard'
              : 'lts',
        }));
      const overlay: CatalogOverlay = {
        clouds: { azure: versions.length ? { kubernetesVersions: { [region]: versions } } : {} },
        sources: [
          {
            cloud: 'azure',
            data: 'kubernetes-versions',
            source: `ARM managedClusters.listKubernetesVersions ${region} (account ${account.id})`,
            dataAsOf: new Date().toISOString().slice(0, 10),
          },
        ],
      };
      return overlay;
    },

    async preflight(target, ctx) {
      const found: PreflightCheck[] = [];
      try {
        rgOf(target.scope);
      } catch (e) {
        if (!(e instanceof CloudError) || e.class !== 'rejected') throw e;
        found.push({
          check: 'azure.resource-group',
          severity: 'blocker',
          field: 'settings.resourceGroup',
          message: 'the account names no resource group for new clusters',
          fix: 'set settings.resourceGroup to the resource group Dolly should create clusters in (created when missing)',
        });
      }
      // one call answers both: is AKS registered here, and in which locations it runs
      const rp = await call('providers.get', () => arm().providers.get(AKS_NAMESPACE, opt(ctx)));
      if (rp.registrationState !== 'Registered') {
        found.push({
          check: 'azure.resource-provider',
          severity: 'blocker',
          message: `the subscription has the ${AKS_NAMESPACE} resource provider ${rp.registrationState ?? 'NotRegistered'}; ARM refuses AKS clusters until it is Registered`,
          fix: `az provider register --namespace ${AKS_NAMESPACE} --subscription ${subscriptionId} (then wait until \`az provider show --namespace ${AKS_NAMESPACE} --query registrationState\` says Registered)`,
        });
        return found;
      }
      const locations = (rp.resourceTypes ?? [])
        .find((t) => t.resourceType?.toLowerCase() === 'managedclusters')
        ?.locations?.map(locationId);
      if (locations?.length && !locations.includes(locationId(target.location))) {
        found.push({
          check: 'azure.location',
          severity: 'blocker',
          message: `AKS is not offered in ${target.location} for this subscription`,
          fix: `choose a target region where AKS is available (az provider show --namespace ${AKS_NAMESPACE} --query "resourceTypes[?resourceType=='managedClusters'].locations")`,
        });
        return found;
      }
      found.push(...(await checkVcpuQuota(target, ctx)));
      return found;
    },

    async ensureControlPlane(target, ctx) {
      const rg = rgOf(target.scope);
      const ref = {
        cloud: 'azure' as const,
        kind: 'cluster' as const,
        scope: scopeFor(rg),
        location: target.location,
        cluster: target.name,
      };
      const existing = await getCluster(rg, target.name, ctx);
      if (existing) {
        if (existing.tags?.[PLAN_LABEL] !== ctx.planId)
          throw conflict(
            'azure',
            'managedClusters.createOrUpdate',
            `AKS cluster ${rg}/${target.name}`,
            ctx.planId,
          );
        await record(ctx, ref, 'adopted');
        progress(ctx, 'control-plane', `adopted cluster ${target.name} (${existing.provisioningState})`);
        // The step ends when the control plane is up, so its duration (the timing chart) is the cloud's.
        const settled = await waitClusterSettled(rg, target.name, ctx, true);
        return { status: settled.provisioningState ?? 'Unknown' };
      }
      await ensureResourceGroup(rg, target.location, ctx, target.name);
      await record(ctx, ref);
      const body = aksClusterBody(target, labelsFor(target, ctx.planId));
      let requestId: string | undefined;
      await call('managedClusters.createOrUpdate', () =>
        aks().managedClusters.beginCreateOrUpdate(rg, target.name, body, {
          ...opt(ctx),
          onResponse: (r) => {
            requestId = r.headers.get('x-ms-request-id') ?? undefined;
          },
        }),
      );
      ctx.onProgress?.({
        phase: 'control-plane',
        message: `creating cluster ${target.name}`,
        ...(requestId ? { cloudRequestId: requestId } : {}),
      });
      // a failed create is the node pool steps' to judge, as for an adopted cluster
      const settled = await waitClusterSettled(rg, target.name, ctx, true);
      return {
        status: settled.provisioningState ?? 'Succeeded',
        ...(requestId ? { cloudRequestId: requestId } : {}),
      };
    },

    async ensureNodePool(target, poolName, ctx) {
      const rg = rgOf(target.scope);
      const pool = target.nodePools.find((p) => p.name === poolName);
      if (!pool) {
        throw new CloudError({
          cloud: 'azure',
          operation: 'agentPools.createOrUpdate',
          class: 'rejected',
          field: 'nodePools',
          message: `no node pool ${poolName} in the target spec`,
        });
      }
      const key = `${rg}/${target.name}`;
      return mutex.run(key, async () => {
        const cluster = await waitClusterSettled(rg, target.name, ctx, true);
        const owned = cluster.tags?.[PLAN_LABEL] === ctx.planId;
        const existing = await getPool(rg, target.name, poolName, ctx);
        // the system pool came with the cluster: the cluster's record covers it
        const initial = initialSystemPool(target)?.name === poolName;
        if (existing) {
          if (!owned && existing.tags?.[PLAN_LABEL] !== ctx.planId) {
            throw conflict(
              'azure',
              'agentPools.createOrUpdate',
              `agent pool ${poolName} of ${target.name}`,
              ctx.planId,
            );
          }
          if (!initial)
            await record(
              ctx,
              {
                cloud: 'azure',
                kind: 'nodePool',
                scope: scopeFor(rg),
                location: target.location,
                cluster: target.name,
                name: poolName,
              },
              'adopted',
            );
          if (existing.provisioningState !== 'Failed') {
            const p = await waitPool(rg, target.name, poolName, ctx);
            return { status: p.provisioningState ?? 'Succeeded' };
          }
        } else {
          await record(ctx, {
            cloud: 'azure',
            kind: 'nodePool',
            scope: scopeFor(rg),
            location: target.location,
            cluster: target.name,
            name: poolName,
          });
        }
        // create, or PUT again over a Failed pool of ours (ARM PUT is create-or-update)
        const body = aksPoolProfile(pool, labelsFor(target, ctx.planId));
        const put = await pollUntil('azure', 'agentPools.createOrUpdate', ctx, async () => {
          try {
            await call('agentPools.createOrUpdate', () =>
              aks().agentPools.beginCreateOrUpdate(rg, target.name, poolName, body, opt(ctx)),
            );
            return { ok: true as const };
          } catch (e) {
            // only "busy" is waited out; anything else goes to the caller as is
            return isBusy(e) ? undefined : { err: e };
          }
        });
        if ('err' in put) throw put.err;
        progress(ctx, 'node-pool', `creating agent pool ${poolName}`);
        const p = await waitPool(rg, target.name, poolName, ctx);
        return { status: p.provisioningState ?? 'Succeeded' };
      });
    },

    async ensureAddons() {
      // AKS has the cluster autoscaler and the disk CSI driver built in (model.md)
      return { installed: [] };
    },

    async waitClusterReady(target, ctx) {
      const rg = rgOf(target.scope);
      await waitClusterSettled(rg, target.name, ctx);
      const c = await pollUntil('azure', 'agentPools.list', ctx, async () => {
        const cur = await getCluster(rg, target.name, ctx);
        if (!cur) return undefined;
        const pools = cur.agentPoolProfiles ?? [];
        const failed = pools.find((p) => p.provisioningState === 'Failed');
        if (failed) throw provisioningFailed('agentPools.createOrUpdate', `agent pool ${failed.name}`);
        return pools.every((p) => p.provisioningState === 'Succeeded') &&
          cur.provisioningState === 'Succeeded'
          ? cur
          : undefined;
      });
      return discovered(c);
    },

    deleteNodePool,
    deleteResourceGroup,

    async deleteCluster(ref: ClusterRef, ctx) {
      const rg = rgOf(ref.scope);
      // AKS deletes the agent pools with the cluster
      await pollUntil('azure', 'managedClusters.delete', ctx, async () => {
        const c = await getCluster(rg, ref.cluster, ctx);
        if (!c) return true;
        if (c.provisioningState === 'Deleting') return undefined;
        try {
          await call('managedClusters.delete', () =>
            aks().managedClusters.beginDelete(rg, ref.cluster, opt(ctx)),
          );
        } catch (e) {
          if (isNotFound(e)) return true;
          if (!isBusy(e)) throw e;
        }
        progress(ctx, 'delete-cluster', `deleting cluster ${ref.cluster}`);
        return undefined;
      });
    },

    async kubeconfig(ref, ctx) {
      const rg = rgOf(ref.scope);
      const creds = await call('managedClusters.listClusterUserCredentials', () =>
        aks().managedClusters.listClusterUserCredentials(rg, ref.cluster, opt(ctx)),
      );
      const value = creds.kubeconfigs?.[0]?.value;
      if (!value) {
        throw new CloudError({
          cloud: 'azure',
          operation: 'managedClusters.listClusterUserCredentials',
          class: 'not_found',
          message: `no kubeconfig for ${ref.cluster}`,
        });
      }
      const parsed = readCloudKubeconfig(
        Buffer.from(value).toString('utf8'),
        'azure',
        'managedClusters.listClusterUserCredentials',
      );
      // Azure AD clusters: the token comes from the account's own credential, through the same
      // egress-checked pipeline and authority host as its ARM tokens. It lives about an hour; the
      // worker asks for a fresh kubeconfig for every migration step.
      return aksKubeconfig(parsed, {
        serverAppId: aksServerAppId,
        aadToken: async (scope) => {
          const token = await call('getToken', () => cred().getToken(scope, opt(ctx)));
          if (!token) {
            throw new CloudError({
              cloud: 'azure',
              operation: 'getToken',
              class: 'auth',
              message: 'the credential returned no token for the AKS server application',
            });
          }
          return token.token;
        },
      });
    },
  };
  return provider;
}
