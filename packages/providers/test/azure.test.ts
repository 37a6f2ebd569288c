import { ClientSecretCredential } from '@azure/identity';
import type { ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AKS_AAD_SERVER_APP_ID,
  CloudError,
  type CloudProvider,
  type CloudResourceRef,
  createProvider,
} from '../src/index';
import {
  azureAccount,
  DEMO,
  FAST,
  listNodesWithKubeconfig,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

let sb: TestSandbox;
let az: CloudProvider;
const SUB = DEMO.azure;

beforeAll(async () => {
  sb = await startTestSandbox();
  az = createProvider(azureAccount(sb.account('azure', SUB)));
});

afterAll(async () => {
  await sb?.close();
});

const target = (name: string, planId: string, rg = 'dolly-clones'): ClusterSpec => ({
  cloud: 'azure',
  scope: `${SUB}/${rg}`,
  location: 'westeurope',
  name,
  kubernetesVersion: '1.34',
  labels: { env: 'staging', team: 'shop', 'dolly-plan': planId },
  environment: 'staging',
  network: {
    podCidr: '10.244.0.0/16',
    serviceCidr: '10.0.0.0/16',
    plugin: 'azure',
    pluginMode: 'overlay',
    dnsServiceIp: '10.0.0.10',
  },
  nodePools: [
    {
      name: 'system',
      machineType: 'Standard_D4s_v5',
      nodeCount: 3,
      spot: false,
      zones: ['1', '2', '3'],
      labels: {},
      taints: [],
      diskSizeGb: 128,
      diskType: 'Managed',
      maxPods: 110,
      kubernetesVersion: '1.34',
      os: 'linux',
      mode: 'system',
    },
    {
      name: 'spot',
      machineType: 'Standard_D8s_v5',
      nodeCount: 1,
      autoscaling: { minNodes: 1, maxNodes: 5 },
      spot: true,
      zones: ['1', '2'],
      labels: { workload: 'batch' },
      taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }],
      diskSizeGb: 128,
      diskType: 'Managed',
      maxPods: 110,
      kubernetesVersion: '1.34',
      os: 'linux',
      mode: 'user',
    },
  ],
});

const byName = (spec: ClusterSpec): ClusterSpec => ({
  ...spec,
  nodePools: [...spec.nodePools].sort((a, b) => a.name.localeCompare(b.name)),
});

async function expectCloudError(p: Promise<unknown>): Promise<CloudError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CloudError);
    return e as CloudError;
  }
  throw new Error('expected a CloudError');
}

describe('Azure provider against the sandbox AKS (ARM over HTTPS with the account CA bundle)', () => {
  it('tests the connection with good and bad credentials', async () => {
    const ok = await az.testConnection();
    expect(ok).toMatchObject({ ok: true, scopes: [SUB, `${SUB}/dolly-clones`], missing: [] });
    expect(ok.identity).toBeTruthy();
    const bad = createProvider({
      ...azureAccount(sb.account('azure', SUB)),
      credentials: { ...azureAccount(sb.account('azure', SUB)).credentials, clientSecret: 'wrong-secret' },
    });
    const res = await bad.testConnection();
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/^auth:/);
    expect(res.message).not.toContain('wrong-secret');
    // without the CA bundle the sandbox's certificate is not trusted
    const noCa = createProvider({ ...azureAccount(sb.account('azure', SUB)), caBundle: null });
    expect((await noCa.testConnection()).ok).toBe(false);
  });

  it('discovers the demo fleet into ClusterSpecs', async () => {
    const found = await az.discover();
    const prod = found.find((c) => c.spec.name === 'shop-prod');
    expect(found.map((c) => c.spec.name).sort()).toEqual(['shop-dev', 'shop-prod']);
    expect(prod?.status).toBe('Succeeded');
    expect(prod?.spec).toMatchObject({
      cloud: 'azure',
      scope: `${SUB}/dolly-demo`,
      location: 'westeurope',
      kubernetesVersion: '1.34',
      labels: { env: 'prod', team: 'shop' },
      environment: 'prod',
    });
    expect(
      prod?.spec.nodePools.map((p) => [p.name, p.mode, p.machineType, p.nodeCount, p.autoscaling]),
    ).toEqual([
      ['apps', 'user', 'Standard_D8s_v5', 3, { minNodes: 2, maxNodes: 10 }],
      ['system', 'system', 'Standard_D4s_v5', 3, undefined],
    ]);
    expect(prod?.spec.nodePools[1]?.zones).toEqual(['1', '2', '3']);
    expect(await az.discover({ regions: ['eastus'] })).toEqual([]);
  });

  it('round-trips a spec (spot pool: the AKS spot label and taint are not user labels)', async () => {
    const planId = 'plan-az-rt';
    const spec = target('rt-aks', planId);
    // the control-plane step ends when the control plane is up, not when it was asked for
    expect((await az.ensureControlPlane(spec, { ...FAST, planId })).status).toBe('Succeeded');
    for (const p of spec.nodePools) await az.ensureNodePool(spec, p.name, { ...FAST, planId });
    const ready = await az.waitClusterReady(spec, FAST);
    expect(ready.spec).toEqual(byName(spec));
    const again = (await az.discover()).find((c) => c.spec.name === 'rt-aks');
    expect(again?.spec).toEqual(byName(spec));
    // the nodes do carry the cloud's spot label and taint
    const nodes = await listNodesWithKubeconfig(
      await az.kubeconfig({ scope: spec.scope, location: 'westeurope', cluster: 'rt-aks' }),
    );
    expect(nodes.status).toBe(200);
    expect(nodes.names).toHaveLength(4);
    await az.deleteCluster({ scope: spec.scope, location: 'westeurope', cluster: 'rt-aks' }, FAST);
    expect((await az.discover()).map((c) => c.spec.name)).not.toContain('rt-aks');
  });

  it('creates every pool once when the steps run twice, in parallel too, then deletes it all', async () => {
    const planId = 'plan-az-retry';
    const spec = target('retry-aks', planId, 'rg-retry');
    spec.nodePools.push({ ...(spec.nodePools[1] as ClusterSpec['nodePools'][number]), name: 'spot2' });
    const recorded: CloudResourceRef[] = [];
    const ctx = { ...FAST, planId, recordResource: async (r: CloudResourceRef) => void recorded.push(r) };
    await az.ensureControlPlane(spec, ctx);
    await az.ensureControlPlane(spec, ctx);
    // pools of one cluster in parallel: AKS takes one operation at a time, the provider queues them
    await Promise.all(spec.nodePools.map((p) => az.ensureNodePool(spec, p.name, ctx)));
    await Promise.all(spec.nodePools.map((p) => az.ensureNodePool(spec, p.name, ctx)));
    const ready = await az.waitClusterReady(spec, FAST);
    expect(ready.spec.nodePools.map((p) => p.name)).toEqual(['spot', 'spot2', 'system']);
    const kinds = recorded.map((r) => `${r.kind}:${r.name ?? r.cluster}`);
    expect(kinds[0]).toBe('resourceGroup:rg-retry');
    expect(new Set(kinds)).toEqual(
      new Set(['resourceGroup:rg-retry', 'cluster:retry-aks', 'nodePool:spot', 'nodePool:spot2']),
    );

    const other = await expectCloudError(az.ensureControlPlane(spec, { ...FAST, planId: 'plan-x' }));
    expect(other.class).toBe('conflict');
    const demo = await expectCloudError(
      az.ensureControlPlane(
        { ...target('shop-prod', planId), scope: `${SUB}/dolly-demo` },
        { ...FAST, planId },
      ),
    );
    expect(demo.class).toBe('conflict');

    const ref = { scope: spec.scope, location: 'westeurope', cluster: 'retry-aks' };
    await az.deleteNodePool({ ...ref, name: 'spot2' }, FAST);
    await az.deleteNodePool({ ...ref, name: 'spot2' }, FAST);
    await az.deleteCluster(ref, FAST);
    await az.deleteCluster(ref, FAST);
    expect((await az.discover()).map((c) => c.spec.name)).not.toContain('retry-aks');
  });

  it('classifies throttling and asynchronous failures', async () => {
    await sb.admin('POST', '/_sandbox/faults', {
      cloud: 'azure',
      operation: 'managedClusters.list',
      kind: 'throttle',
      count: 6,
      retryAfterSeconds: 0,
    });
    const throttled = await expectCloudError(az.discover());
    expect(throttled).toMatchObject({ class: 'throttled', cloud: 'azure', retryAfterMs: 0 });
    expect(throttled.requestId).toBeTruthy();
    await sb.admin('DELETE', '/_sandbox/faults');

    const planId = 'plan-az-fail';
    const spec = target('doomed-aks', planId);
    await az.ensureControlPlane(spec, { ...FAST, planId });
    await az.ensureNodePool(spec, 'system', { ...FAST, planId });
    await sb.admin('POST', '/_sandbox/faults', {
      cloud: 'azure',
      operation: 'agentPools.createOrUpdate',
      kind: 'async-failure',
      count: 1,
    });
    const failed = await expectCloudError(az.ensureNodePool(spec, 'spot', { ...FAST, planId }));
    expect(failed).toMatchObject({ class: 'transient', cloudCode: 'ProvisioningFailed' });
    // the retry PUTs the pool again over the failed one
    expect(await az.ensureNodePool(spec, 'spot', { ...FAST, planId })).toEqual({ status: 'Succeeded' });

    const rejected = await expectCloudError(
      az.ensureNodePool(
        {
          ...spec,
          nodePools: [
            {
              ...(spec.nodePools[1] as ClusterSpec['nodePools'][number]),
              name: 'huge',
              machineType: 'Standard_Nope_v9',
            },
          ],
        },
        'huge',
        { ...FAST, planId },
      ),
    );
    expect(rejected).toMatchObject({ class: 'rejected', cloudCode: 'InvalidParameter' });
    await az.deleteCluster({ scope: spec.scope, location: 'westeurope', cluster: 'doomed-aks' }, FAST);
  });

  it('issues the kubeconfig AKS hands out (listClusterUserCredential)', async () => {
    const kc = await az.kubeconfig({
      scope: `${SUB}/dolly-demo`,
      location: 'westeurope',
      cluster: 'shop-prod',
    });
    const nodes = await listNodesWithKubeconfig(kc);
    expect(nodes.status).toBe(200);
    expect(nodes.names).toHaveLength(6);
  });

  it('serves an Azure AD cluster without local accounts with a token it obtains itself, never exec', async () => {
    const azure = sb.sandbox.modules.find((m) => m.cloud === 'azure');
    azure?.seedCluster(SUB, {
      scope: 'dolly-aad',
      location: 'westeurope',
      name: 'aad-prod',
      kubernetesVersion: '1.34',
      labels: { env: 'prod' },
      nodePools: [{ name: 'system', machineType: 'Standard_D4s_v5', nodeCount: 2, mode: 'system' }],
      aadProfile: { enableAzureRBAC: true },
      disableLocalAccounts: true,
    });
    const kc = await az.kubeconfig({
      scope: `${SUB}/dolly-aad`,
      location: 'westeurope',
      cluster: 'aad-prod',
    });
    expect(kc).not.toMatch(/exec|kubelogin|auth-provider|insecure/);
    const doc = JSON.parse(kc) as { users: { user: { token: string } }[] };
    const token = doc.users[0]?.user.token ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      aud: string;
    };
    expect(claims.aud).toBe(AKS_AAD_SERVER_APP_ID);
    const nodes = await listNodesWithKubeconfig(kc);
    expect(nodes).toMatchObject({ status: 200 });
    expect(nodes.names).toHaveLength(2);

    // the same service principal's ARM token (another audience) is refused by that kube API
    const a = azureAccount(sb.account('azure', SUB));
    const arm = await new ClientSecretCredential(
      String(a.credentials.tenantId),
      String(a.credentials.clientId),
      String(a.credentials.clientSecret),
      {
        authorityHost: a.endpoints?.login ?? '',
        disableInstanceDiscovery: true,
        tlsOptions: { ca: a.caBundle ?? '' },
      },
    ).getToken('https://management.azure.com/.default');
    expect(arm.token).not.toBe(token);
    expect((await listNodesWithKubeconfig(kc.replace(token, arm.token))).status).toBe(401);
    expect((await listNodesWithKubeconfig(kc.replace(token, 'not-a-token'))).status).toBe(401);

    // a non-AAD cluster keeps its local-account token
    const local = await az.kubeconfig({
      scope: `${SUB}/dolly-demo`,
      location: 'westeurope',
      cluster: 'shop-dev',
    });
    expect(JSON.parse(local).users[0].user.token).not.toContain('.');
  });

  it('reads Kubernetes versions for the region catalog', async () => {
    const overlay = await az.regionCatalog('westeurope');
    const v = overlay.clouds.azure?.kubernetesVersions?.westeurope ?? [];
    expect(v.find((x) => x.minor === '1.34')?.versions).toContain('1.34.9');
    expect(v.filter((x) => x.default)).toHaveLength(1);
  });
});
