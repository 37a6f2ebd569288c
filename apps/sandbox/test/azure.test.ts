/**
 * Azure emulation driven only through the official SDKs: @azure/identity ClientSecretCredential,
 * @azure/arm-resources ResourceManagementClient and @azure/arm-containerservice ContainerServiceClient.
 */
import { ClientSecretCredential } from '@azure/identity';
import { ContainerServiceClient, type ManagedCluster } from '@azure/arm-containerservice';
import { ResourceManagementClient } from '@azure/arm-resources';
/** Shape of @azure/core-rest-pipeline's RestError (not a direct dependency of this package). */
interface RestError extends Error {
  statusCode?: number;
  code?: string;
}
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureModule } from '../src/azure/index.ts';
import type { SandboxAccount } from '../src/context.ts';
import { type Harness, startHarness } from './support/cloud-harness.ts';

const SUB = '3f2c9a51-7d1e-4c55-9d0e-1b2a3c4d5e6f';
const LRO = { updateIntervalInMs: 20 };

let h: Harness;
let account: SandboxAccount;
let aks: ContainerServiceClient;
let arm: ResourceManagementClient;

function clients(acc: SandboxAccount, secret?: string) {
  const c = acc.credentials as Record<string, string>;
  const tlsOptions = { ca: acc.caCertPem };
  const credential = new ClientSecretCredential(
    c.tenantId ?? '',
    c.clientId ?? '',
    secret ?? c.clientSecret ?? '',
    {
      authorityHost: c.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions,
    },
  );
  const endpoint = acc.endpoints.arm ?? '';
  return {
    credential,
    aks: new ContainerServiceClient(credential, c.subscriptionId ?? '', {
      endpoint,
      credentials: { scopes: ['https://management.azure.com/.default'] },
      tlsOptions,
    }),
    arm: new ResourceManagementClient(credential, c.subscriptionId ?? '', {
      endpoint,
      $host: endpoint,
      credentialScopes: ['https://management.azure.com/.default'],
      tlsOptions,
    }),
  };
}

function cluster(version = '1.34', extra: Partial<ManagedCluster> = {}): ManagedCluster {
  return {
    location: 'westeurope',
    tags: { env: 'test' },
    kubernetesVersion: version,
    dnsPrefix: 'shop',
    agentPoolProfiles: [
      {
        name: 'system',
        mode: 'System',
        vmSize: 'Standard_D4s_v5',
        count: 3,
        availabilityZones: ['1', '2', '3'],
      },
    ],
    ...extra,
  };
}

async function expectRestError(p: Promise<unknown>, status: number, code: string): Promise<RestError> {
  try {
    await p;
  } catch (e) {
    const err = e as RestError;
    expect(err.name).toBe('RestError');
    expect(err.statusCode).toBe(status);
    expect(err.code).toBe(code);
    return err;
  }
  throw new Error(`expected RestError ${code}`);
}

beforeAll(async () => {
  h = await startHarness((ctx) => [createAzureModule(ctx)], { speed: 2000 });
  const mod = h.modules[0];
  if (!mod) throw new Error('no module');
  account = mod.ensureAccount(SUB, 'Dolly Test Subscription');
  ({ aks, arm } = clients(account));
});

afterAll(async () => {
  await h?.close();
});

describe('azure sandbox via the official SDKs', () => {
  it('issues tokens through ClientSecretCredential and rejects a wrong secret', async () => {
    const { credential } = clients(account);
    const tok = await credential.getToken('https://management.azure.com/.default');
    expect(tok.token.split('.')).toHaveLength(3);
    expect(tok.expiresOnTimestamp).toBeGreaterThan(Date.now());
    const bad = clients(account, 'not-the-secret');
    await expect(bad.credential.getToken('https://management.azure.com/.default')).rejects.toThrow(
      /AADSTS7000215/,
    );
  });

  it('creates a resource group and lists Kubernetes versions', async () => {
    const rg = await arm.resourceGroups.createOrUpdate('rg-shop', {
      location: 'westeurope',
      tags: { team: 'a' },
    });
    expect(rg.name).toBe('rg-shop');
    expect((await arm.resourceGroups.get('rg-shop')).location).toBe('westeurope');
    const versions = await aks.managedClusters.listKubernetesVersions('westeurope');
    const minors = (versions.values ?? []).map((v) => v.version);
    expect(minors).toContain('1.34');
    expect(versions.values?.find((v) => v.isDefault)?.version).toBeDefined();
    const v134 = versions.values?.find((v) => v.version === '1.34');
    expect(Object.keys(v134?.patchVersions ?? {})).toContain('1.34.9');
  });

  it('runs a managed cluster through Creating -> Succeeded with the LRO poller', async () => {
    h.setSpeed(60); // 3.5 s: long enough to observe Creating under load, then jump the clock
    const poller = await aks.managedClusters.beginCreateOrUpdate('rg-shop', 'shop-prod', cluster(), LRO);
    h.setSpeed(2000);
    const during = await aks.managedClusters.get('rg-shop', 'shop-prod');
    expect(during.provisioningState).toBe('Creating');
    // one operation at a time
    await expectRestError(
      aks.agentPools.beginCreateOrUpdateAndWait(
        'rg-shop',
        'shop-prod',
        'user1',
        { vmSize: 'Standard_D4s_v5', count: 1 },
        LRO,
      ),
      409,
      'OperationNotAllowed',
    );
    h.advance(4000);
    const done = await poller.pollUntilDone();
    expect(done.provisioningState).toBe('Succeeded');
    expect(done.currentKubernetesVersion).toBe('1.34.9');
    expect(done.agentPoolProfiles?.[0]?.name).toBe('system');
    const id = `azure-${SUB}-rg-shop-shop-prod`;
    const info = h.kube.clusters.get(id);
    expect(info?.nodePools[0]?.labels['kubernetes.azure.com/mode']).toBe('system');
    expect(info?.nodePools[0]?.zones).toEqual(['westeurope-1', 'westeurope-2', 'westeurope-3']);
    expect(info?.nodePools[0]?.vcpus).toBe(4);
  });

  it('lists clusters by subscription and resource group', async () => {
    const all: string[] = [];
    for await (const c of aks.managedClusters.list()) all.push(c.name ?? '');
    expect(all).toContain('shop-prod');
    const byRg: string[] = [];
    for await (const c of aks.managedClusters.listByResourceGroup('rg-shop')) byRg.push(c.name ?? '');
    expect(byRg).toEqual(['shop-prod']);
  });

  it('pages cluster lists with nextLink', async () => {
    const mod = h.modules[0];
    for (let i = 0; i < 23; i++) {
      mod?.seedCluster(SUB, {
        scope: 'rg-many',
        location: 'northeurope',
        name: `bulk-${String(i).padStart(2, '0')}`,
        kubernetesVersion: '1.35',
        labels: { env: 'dev' },
        nodePools: [{ name: 'system', machineType: 'Standard_D2s_v5', nodeCount: 1 }],
      });
    }
    const pages: number[] = [];
    for await (const page of aks.managedClusters.listByResourceGroup('rg-many').byPage())
      pages.push(page.length);
    expect(pages).toEqual([20, 3]);
    expect(h.requests.some((r) => r.path.endsWith('/managedClusters') && r.status === 200)).toBe(true);
  });

  it('creates and deletes agent pools (spot pool with labels and taints)', async () => {
    const pool = await aks.agentPools.beginCreateOrUpdateAndWait(
      'rg-shop',
      'shop-prod',
      'spot1',
      {
        vmSize: 'Standard_D8s_v5',
        mode: 'User',
        scaleSetPriority: 'Spot',
        enableAutoScaling: true,
        minCount: 1,
        maxCount: 5,
        nodeLabels: { workload: 'batch' },
        nodeTaints: ['dedicated=batch:NoSchedule'],
      },
      LRO,
    );
    expect(pool.provisioningState).toBe('Succeeded');
    expect(pool.count).toBe(1);
    const names: string[] = [];
    for await (const p of aks.agentPools.list('rg-shop', 'shop-prod')) names.push(p.name ?? '');
    expect(names.sort()).toEqual(['spot1', 'system']);
    const info = h.kube.clusters.get(`azure-${SUB}-rg-shop-shop-prod`);
    const spot = info?.nodePools.find((p) => p.name === 'spot1');
    expect(spot?.spot).toBe(true);
    expect(spot?.labels['kubernetes.azure.com/scalesetpriority']).toBe('spot');
    expect(spot?.labels.workload).toBe('batch');
    expect(spot?.taints).toEqual([
      { key: 'dedicated', value: 'batch', effect: 'NoSchedule' },
      { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' },
    ]);

    await aks.agentPools.beginDeleteAndWait('rg-shop', 'shop-prod', 'spot1', LRO);
    await expectRestError(aks.agentPools.get('rg-shop', 'shop-prod', 'spot1'), 404, 'NotFound');
    // the last system pool cannot go
    await expectRestError(
      aks.agentPools.beginDeleteAndWait('rg-shop', 'shop-prod', 'system', LRO),
      400,
      'OperationNotAllowed',
    );
  });

  it('returns the cloud validation errors as RestError codes', async () => {
    await expectRestError(
      aks.managedClusters.beginCreateOrUpdateAndWait('rg-shop', 'bad1', cluster('1.20'), LRO),
      400,
      'K8sVersionNotSupported',
    );
    await expectRestError(
      aks.managedClusters.beginCreateOrUpdateAndWait(
        'rg-shop',
        'bad2',
        cluster('1.34', {
          agentPoolProfiles: [{ name: 'System-Pool', mode: 'System', vmSize: 'Standard_D4s_v5', count: 1 }],
        }),
        LRO,
      ),
      400,
      'InvalidParameter',
    );
    await expectRestError(
      aks.managedClusters.beginCreateOrUpdateAndWait(
        'rg-shop',
        'bad3',
        cluster('1.34', {
          agentPoolProfiles: [{ name: 'user', mode: 'User', vmSize: 'Standard_D4s_v5', count: 1 }],
        }),
        LRO,
      ),
      400,
      'MustDefineAtLeastOneSystemPool',
    );
    await expectRestError(
      aks.agentPools.beginCreateOrUpdateAndWait(
        'rg-shop',
        'shop-prod',
        'huge',
        { vmSize: 'Standard_Nope_v9', count: 1 },
        LRO,
      ),
      400,
      'InvalidParameter',
    );
    await expectRestError(
      aks.managedClusters.beginCreateOrUpdateAndWait(
        'rg-shop',
        'bad4',
        cluster('1.34', { location: 'marsnorth' }),
        LRO,
      ),
      400,
      'LocationNotAvailableForResourceType',
    );
    await expectRestError(aks.managedClusters.get('rg-shop', 'nope'), 404, 'ResourceNotFound');
    await expectRestError(aks.managedClusters.get('rg-missing', 'nope'), 404, 'ResourceGroupNotFound');
  });

  it('recovers from injected throttling with the SDK retry policy (Retry-After)', async () => {
    h.faults.add({
      cloud: 'azure',
      operation: 'managedClusters.get',
      kind: 'throttle',
      count: 2,
      retryAfterSeconds: 1,
    });
    const started = Date.now();
    const c = await aks.managedClusters.get('rg-shop', 'shop-prod');
    expect(c.name).toBe('shop-prod');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    const throttled = h.requests.filter((r) => r.path.endsWith('/shop-prod') && r.status === 429);
    expect(throttled).toHaveLength(2);
    // a 500 is retried too
    h.faults.add({ cloud: 'azure', operation: 'agentPools.list', kind: 'server-error', count: 1 });
    const names: string[] = [];
    for await (const p of aks.agentPools.list('rg-shop', 'shop-prod')) names.push(p.name ?? '');
    expect(names).toEqual(['system']);
  });

  it('ends an LRO Failed on an injected async failure', async () => {
    h.faults.add({ cloud: 'azure', operation: 'agentPools.createOrUpdate', kind: 'async-failure', count: 1 });
    await expect(
      aks.agentPools.beginCreateOrUpdateAndWait(
        'rg-shop',
        'shop-prod',
        'doomed',
        { vmSize: 'Standard_D4s_v5', count: 1 },
        LRO,
      ),
    ).rejects.toThrow(/AgentPoolProvisioningFailed/);
    expect((await aks.agentPools.get('rg-shop', 'shop-prod', 'doomed')).provisioningState).toBe('Failed');
    await aks.agentPools.beginDeleteAndWait('rg-shop', 'shop-prod', 'doomed', LRO);
  });

  it('hands out a kubeconfig whose token the kube API accepts', async () => {
    const creds = await aks.managedClusters.listClusterUserCredentials('rg-shop', 'shop-prod');
    const kc = Buffer.from(creds.kubeconfigs?.[0]?.value ?? new Uint8Array()).toString('utf8');
    const server = /server: (\S+)/.exec(kc)?.[1] ?? '';
    const token = /token: (\S+)/.exec(kc)?.[1] ?? '';
    const ca = /certificate-authority-data: (\S+)/.exec(kc)?.[1] ?? '';
    expect(server).toBe(`${h.httpsUrl}/k8s/azure-${SUB}-rg-shop-shop-prod`);
    expect(Buffer.from(ca, 'base64').toString()).toBe(h.caCertPem);
    const mod = h.modules[0];
    expect(mod?.authenticateKube(`azure-${SUB}-rg-shop-shop-prod`, token)?.groups).toContain(
      'system:masters',
    );
    expect(mod?.authenticateKube(`azure-${SUB}-rg-shop-shop-prod`, 'nope')).toBeUndefined();
  });

  it('serves an Azure AD cluster without local accounts: kubelogin user credential, no admin one, Entra tokens only', async () => {
    const created = await aks.managedClusters.beginCreateOrUpdateAndWait(
      'rg-shop',
      'shop-aad',
      cluster('1.34', { aadProfile: { managed: true, enableAzureRbac: true }, disableLocalAccounts: true }),
      LRO,
    );
    expect(created.aadProfile).toMatchObject({ managed: true, enableAzureRbac: true });
    expect(created.disableLocalAccounts).toBe(true);
    const creds = await aks.managedClusters.listClusterUserCredentials('rg-shop', 'shop-aad');
    const kc = Buffer.from(creds.kubeconfigs?.[0]?.value ?? new Uint8Array()).toString('utf8');
    expect(kc).toContain('command: kubelogin');
    expect(kc).toContain('- --server-id\n      - 6dae42f8-4368-4678-94ff-3960e28e3630');
    expect(kc).not.toContain('token:');
    await expectRestError(
      aks.managedClusters.listClusterAdminCredentials('rg-shop', 'shop-aad'),
      400,
      'BadRequest',
    );

    const id = `azure-${SUB}-rg-shop-shop-aad`;
    const mod = h.modules[0];
    const { credential } = clients(account);
    const aad = await credential.getToken('6dae42f8-4368-4678-94ff-3960e28e3630/.default');
    const armToken = await credential.getToken('https://management.azure.com/.default');
    expect(mod?.authenticateKube(id, aad.token)?.groups).toEqual(['system:authenticated']);
    expect(mod?.authenticateKube(id, armToken.token)).toBeUndefined();
    const other = mod?.ensureAccount('9a9a9a9a-0000-4000-8000-000000000009', 'Other tenant');
    const foreign = await clients(other as SandboxAccount).credential.getToken(
      '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
    );
    expect(mod?.authenticateKube(id, foreign.token)).toBeUndefined();
    // the static token of the cluster (a local account) no longer opens it
    const shop = await aks.managedClusters.listClusterUserCredentials('rg-shop', 'shop-prod');
    const local = /token: (\S+)/.exec(
      Buffer.from(shop.kubeconfigs?.[0]?.value ?? new Uint8Array()).toString(),
    )?.[1];
    expect(mod?.authenticateKube(`azure-${SUB}-rg-shop-shop-prod`, local ?? '')).toBeDefined();
    expect(mod?.authenticateKube(id, `${aad.token}x`)).toBeUndefined();
    await aks.managedClusters.beginDeleteAndWait('rg-shop', 'shop-aad', LRO);
  });

  it('updates a cluster with PUT (idempotent create-or-update) and deletes it', async () => {
    const updated = await aks.managedClusters.beginCreateOrUpdateAndWait(
      'rg-shop',
      'shop-prod',
      cluster('1.35', { tags: { env: 'prod' } }),
      LRO,
    );
    expect(updated.currentKubernetesVersion).toBe('1.35.6');
    expect(updated.tags).toEqual({ env: 'prod' });
    h.setSpeed(60);
    const poller = await aks.managedClusters.beginDelete('rg-shop', 'shop-prod', LRO);
    h.setSpeed(2000);
    expect((await aks.managedClusters.get('rg-shop', 'shop-prod')).provisioningState).toBe('Deleting');
    h.advance(3000);
    await poller.pollUntilDone();
    await expectRestError(aks.managedClusters.get('rg-shop', 'shop-prod'), 404, 'ResourceNotFound');
    expect(h.kube.clusters.has(`azure-${SUB}-rg-shop-shop-prod`)).toBe(false);
  });

  it('deletes a resource group with its clusters (arm-resources LRO)', async () => {
    expect((await arm.resourceGroups.checkExistence('rg-many')).body).toBe(true);
    const groups: string[] = [];
    for await (const g of arm.resourceGroups.list()) groups.push(g.name ?? '');
    expect(groups.sort()).toEqual(['rg-many', 'rg-shop']);
    await arm.resourceGroups.beginDeleteAndWait('rg-many', { updateIntervalInMs: 20 });
    expect((await arm.resourceGroups.checkExistence('rg-many')).body).toBe(false);
    const left: string[] = [];
    for await (const c of aks.managedClusters.list()) left.push(c.name ?? '');
    expect(left.filter((n) => n.startsWith('bulk-'))).toEqual([]);
    expect(h.kube.clusters.has(`azure-${SUB}-rg-many-bulk-00`)).toBe(false);
  });

  it('survives snapshot/restore with operations in flight', async () => {
    const mod = h.modules[0];
    if (!mod) throw new Error('no module');
    await aks.managedClusters.beginCreateOrUpdate('rg-shop', 'shop-dev', cluster(), LRO);
    const snap = JSON.parse(JSON.stringify(mod.snapshot())) as unknown;
    mod.reset();
    await expectRestError(aks.managedClusters.get('rg-shop', 'shop-dev'), 404, 'SubscriptionNotFound');
    mod.restore(snap);
    h.advance(10 * 60_000);
    expect((await aks.managedClusters.get('rg-shop', 'shop-dev')).provisioningState).toBe('Succeeded');
  });
});
