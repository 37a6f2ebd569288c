import { generateKeyPairSync } from 'node:crypto';
import type { ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudError, type CloudProvider, type CloudResourceRef, createProvider } from '../src/index';
import {
  DEMO,
  FAST,
  gcpAccount,
  listNodesWithKubeconfig,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

let sb: TestSandbox;
let gcp: CloudProvider;
let v134: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  gcp = createProvider(gcpAccount(sb.account('gcp', DEMO.gcpProd)));
  const overlay = await gcp.regionCatalog('us-central1');
  v134 =
    overlay.clouds.gcp?.kubernetesVersions?.['us-central1']?.find((v) => v.minor === '1.34')?.versions[0] ??
    '';
});

afterAll(async () => {
  await sb?.close();
});

const ZONES = ['us-central1-a', 'us-central1-b', 'us-central1-c'];

const target = (name: string, planId: string): ClusterSpec => ({
  cloud: 'gcp',
  scope: DEMO.gcpProd,
  location: 'us-central1',
  name,
  kubernetesVersion: v134,
  labels: { env: 'staging', team: 'shop', 'dolly-plan': planId },
  environment: 'staging',
  network: { podCidr: '10.4.0.0/14', serviceCidr: '34.118.224.0/20', plugin: 'gke-native' },
  addons: ['gcePersistentDiskCsiDriverConfig', 'horizontalPodAutoscaling', 'httpLoadBalancing'],
  nodePools: [
    {
      name: 'general',
      machineType: 'n2-standard-4',
      nodeCount: 6,
      autoscaling: { minNodes: 3, maxNodes: 9 },
      spot: false,
      zones: ZONES,
      labels: { workload: 'general' },
      taints: [],
      diskSizeGb: 100,
      diskType: 'pd-balanced',
      maxPods: 110,
      kubernetesVersion: v134,
    },
    {
      name: 'spot-pool',
      machineType: 'e2-standard-4',
      nodeCount: 2,
      spot: true,
      zones: ['us-central1-a'],
      labels: { workload: 'batch' },
      taints: [{ key: 'spot', value: 'true', effect: 'NoSchedule' }],
      diskSizeGb: 100,
      diskType: 'pd-balanced',
      maxPods: 110,
      kubernetesVersion: v134,
    },
  ],
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

describe('GCP provider against the sandbox GKE (REST fallback, SA key with token_uri)', () => {
  it('tests the connection with good and bad credentials', async () => {
    expect(v134).toMatch(/^1\.34\.\d+-gke\.\d+$/);
    const ok = await gcp.testConnection();
    expect(ok).toMatchObject({
      ok: true,
      scopes: [DEMO.gcpProd],
      identity: `dolly-sandbox@${DEMO.gcpProd}.iam.gserviceaccount.com`,
    });
    // a key the token endpoint does not know
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const badKey = gcpAccount(sb.account('gcp', DEMO.gcpProd));
    const bad = await createProvider({
      ...badKey,
      credentials: { ...badKey.credentials, private_key: stranger },
    }).testConnection();
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/^auth:/);
    // another project's key: a token, but no access to this project
    const dev = gcpAccount(sb.account('gcp', DEMO.gcpDev));
    const wrong = await createProvider({ ...dev, scope: DEMO.gcpProd }).testConnection();
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toMatch(/^auth:/);
  });

  it('discovers the demo fleet into ClusterSpecs (per-zone counts multiplied out)', async () => {
    const [prod] = await gcp.discover();
    expect(prod?.status).toBe('RUNNING');
    expect(prod?.spec).toMatchObject({
      cloud: 'gcp',
      scope: DEMO.gcpProd,
      location: 'us-central1',
      name: 'shop-prod',
      labels: { env: 'prod', team: 'shop' },
      environment: 'prod',
    });
    expect(prod?.spec.kubernetesVersion).toMatch(/^1\.34\./);
    const pools = prod?.spec.nodePools ?? [];
    expect(pools.map((p) => [p.name, p.machineType, p.nodeCount, p.spot, p.zones?.length])).toEqual([
      ['default-pool', 'n2-standard-4', 6, false, 3],
      ['spot-pool', 'e2-standard-4', 3, true, 3],
    ]);
    expect(pools[0]?.autoscaling).toEqual({ minNodes: 3, maxNodes: 6 });
    expect(pools[1]?.taints).toEqual([{ key: 'spot', value: 'true', effect: 'NoSchedule' }]);
    const [dev] = await createProvider(gcpAccount(sb.account('gcp', DEMO.gcpDev))).discover();
    expect(dev?.spec).toMatchObject({ location: 'us-central1-a', name: 'shop-dev' });
    expect(dev?.spec.nodePools[0]).toMatchObject({ nodeCount: 2, zones: ['us-central1-a'] });
    expect(await gcp.discover({ regions: ['europe-west1'] })).toEqual([]);
  });

  it('round-trips a regional spec, and a zonal one', async () => {
    const planId = 'plan-gcp-rt';
    const spec = target('rt-gke', planId);
    // the control-plane step ends when the control plane is up, not when it was asked for
    expect((await gcp.ensureControlPlane(spec, { ...FAST, planId })).status).toBe('RUNNING');
    for (const p of spec.nodePools) await gcp.ensureNodePool(spec, p.name, { ...FAST, planId });
    const ready = await gcp.waitClusterReady(spec, FAST);
    expect(ready.spec).toEqual(spec);
    const again = (await gcp.discover()).find((c) => c.spec.name === 'rt-gke');
    expect(again?.spec).toEqual(spec);
    const nodes = await listNodesWithKubeconfig(
      await gcp.kubeconfig({ scope: DEMO.gcpProd, location: 'us-central1', cluster: 'rt-gke' }),
    );
    expect(nodes.status).toBe(200);
    expect(nodes.names).toHaveLength(8);
    await gcp.deleteCluster({ scope: DEMO.gcpProd, location: 'us-central1', cluster: 'rt-gke' }, FAST);

    const zonal: ClusterSpec = {
      ...target('rt-zonal', planId),
      location: 'us-central1-f',
      nodePools: [
        {
          ...(target('x', planId).nodePools[0] as ClusterSpec['nodePools'][number]),
          zones: ['us-central1-f'],
          nodeCount: 2,
          autoscaling: { minNodes: 1, maxNodes: 3 },
        },
      ],
    };
    await gcp.ensureControlPlane(zonal, { ...FAST, planId });
    await gcp.ensureNodePool(zonal, 'general', { ...FAST, planId });
    expect((await gcp.waitClusterReady(zonal, FAST)).spec).toEqual(zonal);
    await gcp.deleteCluster({ scope: DEMO.gcpProd, location: 'us-central1-f', cluster: 'rt-zonal' }, FAST);
  });

  it('creates every pool once, serialised per cluster, when the steps run twice in parallel', async () => {
    const planId = 'Plan_GCP_Retry';
    const spec = target('retry-gke', planId);
    spec.labels['dolly-plan'] = 'plan_gcp_retry';
    spec.nodePools.push({ ...(spec.nodePools[1] as ClusterSpec['nodePools'][number]), name: 'spot-b' });
    const recorded: CloudResourceRef[] = [];
    const ctx = { ...FAST, planId, recordResource: async (r: CloudResourceRef) => void recorded.push(r) };
    await gcp.ensureControlPlane(spec, ctx);
    await gcp.ensureControlPlane(spec, ctx);
    await Promise.all(
      [...spec.nodePools, ...spec.nodePools].map((p) => gcp.ensureNodePool(spec, p.name, ctx)),
    );
    const ready = await gcp.waitClusterReady(spec, FAST);
    expect(ready.spec.nodePools.map((p) => p.name)).toEqual(['general', 'spot-b', 'spot-pool']);
    expect(new Set(recorded.map((r) => `${r.kind}:${r.name ?? r.cluster}`))).toEqual(
      new Set(['cluster:retry-gke', 'nodePool:spot-pool', 'nodePool:spot-b']),
    );

    const other = await expectCloudError(gcp.ensureControlPlane(spec, { ...FAST, planId: 'plan-x' }));
    expect(other.class).toBe('conflict');
    const demo = await expectCloudError(
      gcp.ensureControlPlane(target('shop-prod', planId), { ...FAST, planId }),
    );
    expect(demo.class).toBe('conflict');

    const ref = { scope: DEMO.gcpProd, location: 'us-central1', cluster: 'retry-gke' };
    await gcp.deleteNodePool({ ...ref, name: 'spot-b' }, FAST);
    await gcp.deleteNodePool({ ...ref, name: 'spot-b' }, FAST);
    await gcp.deleteCluster(ref, FAST);
    await gcp.deleteCluster(ref, FAST);
    expect((await gcp.discover()).map((c) => c.spec.name)).toEqual(['shop-prod']);
  });

  it('classifies throttling, server errors and failed operations', async () => {
    await sb.admin('POST', '/_sandbox/faults', {
      cloud: 'gcp',
      operation: 'projects.locations.clusters.list',
      kind: 'throttle',
      count: 1,
    });
    const throttled = await expectCloudError(gcp.discover());
    expect(throttled).toMatchObject({ class: 'throttled', cloud: 'gcp', cloudCode: 'RESOURCE_EXHAUSTED' });

    // create is not idempotent, so gax does not retry it: the 503 reaches the caller
    await sb.admin('POST', '/_sandbox/faults', {
      cloud: 'gcp',
      operation: 'projects.locations.clusters.create',
      kind: 'server-error',
      count: 1,
    });
    const unavailable = await expectCloudError(
      gcp.ensureControlPlane(target('blip', 'p'), { ...FAST, planId: 'p' }),
    );
    expect(unavailable).toMatchObject({ class: 'transient', cloudCode: 'UNAVAILABLE' });
    await sb.admin('DELETE', '/_sandbox/faults');

    const planId = 'plan-gcp-fail';
    const spec = target('doomed-gke', planId);
    await gcp.ensureControlPlane(spec, { ...FAST, planId });
    await gcp.ensureNodePool(spec, 'general', { ...FAST, planId });
    await sb.admin('POST', '/_sandbox/faults', {
      cloud: 'gcp',
      operation: 'projects.locations.clusters.nodePools.create',
      kind: 'async-failure',
      count: 1,
    });
    const failed = await expectCloudError(gcp.ensureNodePool(spec, 'spot-pool', { ...FAST, planId }));
    expect(failed).toMatchObject({ class: 'transient', cloudCode: 'ProvisioningFailed' });
    // the retry deletes the failed pool of its own plan and creates it again
    expect(await gcp.ensureNodePool(spec, 'spot-pool', { ...FAST, planId })).toEqual({ status: 'RUNNING' });

    const bad = await expectCloudError(
      gcp.ensureNodePool(
        {
          ...spec,
          nodePools: [
            {
              ...(spec.nodePools[1] as ClusterSpec['nodePools'][number]),
              name: 'bad',
              machineType: 'z9-mega-1024',
            },
          ],
        },
        'bad',
        { ...FAST, planId },
      ),
    );
    expect(bad).toMatchObject({ class: 'rejected', cloudCode: 'INVALID_ARGUMENT' });
    await gcp.deleteCluster({ scope: DEMO.gcpProd, location: 'us-central1', cluster: 'doomed-gke' }, FAST);
  });

  it('issues a kubeconfig with a GKE access token the cluster accepts', async () => {
    const kc = await gcp.kubeconfig({ scope: DEMO.gcpProd, location: 'us-central1', cluster: 'shop-prod' });
    expect(JSON.parse(kc).users[0].user.token).toMatch(/^ya29\./);
    const nodes = await listNodesWithKubeconfig(kc);
    expect(nodes.status).toBe(200);
    expect(nodes.names).toHaveLength(9);
  });
});
