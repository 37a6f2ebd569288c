/**
 * GCP emulation driven only through the official clients: @google-cloud/container ClusterManagerClient
 * (google-gax REST fallback) and google-auth-library (service-account key).
 */
import { ClusterManagerClient } from '@google-cloud/container';
import { JWT, OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxAccount } from '../src/context.ts';
import { createGcpModule } from '../src/gcp/index.ts';
import { type Harness, startHarness } from './support/cloud-harness.ts';

const PROJECT = 'dolly-test-prod';
const OTHER = 'dolly-test-other';
const REGION = 'us-central1';

interface GoogleErrorLike extends Error {
  code?: number;
}

interface SaKey {
  client_email: string;
  private_key: string;
  private_key_id: string;
  token_uri: string;
}

let h: Harness;
let account: SandboxAccount;
let gke: ClusterManagerClient;

function clientFor(acc: SandboxAccount): ClusterManagerClient {
  const endpoint = new URL(acc.endpoints.container ?? '');
  return new ClusterManagerClient({
    fallback: true,
    apiEndpoint: endpoint.hostname,
    port: Number(endpoint.port),
    protocol: endpoint.protocol.replace(':', ''),
    credentials: acc.credentials,
    projectId: acc.id,
    // google-gax 5.0.x REST fallback: without this, gaxios throws a GaxiosError (HTTP status in .code)
    // before gax can decode the Google error, so errors lose their gRPC code and retries never fire.
    clientOptions: { transporterOptions: { validateStatus: () => true } },
  });
}

const parent = (loc = REGION) => `projects/${PROJECT}/locations/${loc}`;

async function waitOp(name: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 500; i++) {
    const [op] = await gke.getOperation({ name });
    if (op.status === 'DONE') return op as unknown as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`operation ${name} did not finish`);
}

async function expectGoogleError(p: Promise<unknown>, code: number, message?: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    const err = e as GoogleErrorLike;
    expect(err.constructor.name).toBe('GoogleError');
    expect(err.code).toBe(code);
    if (message) expect(err.message).toMatch(message);
    return;
  }
  throw new Error(`expected GoogleError ${code}`);
}

beforeAll(async () => {
  h = await startHarness((ctx) => [createGcpModule(ctx)], { speed: 2000 });
  const mod = h.modules[0];
  if (!mod) throw new Error('no module');
  account = mod.ensureAccount(PROJECT, 'Dolly Test Prod');
  mod.ensureAccount(OTHER, 'Other project');
  gke = clientFor(account);
});

afterAll(async () => {
  await gke?.close();
  await h?.close();
});

describe('gcp sandbox via the official clients', () => {
  it('issues a deterministic service-account key', () => {
    const key = account.credentials as unknown as SaKey & { type: string };
    expect(key.type).toBe('service_account');
    expect(key.private_key).toMatch(/BEGIN PRIVATE KEY/);
    expect(key.token_uri).toBe(`${h.httpUrl}/gcp/token`);
    const again = h.modules[0]?.accounts().find((a) => a.id === PROJECT);
    expect((again?.credentials as unknown as SaKey | undefined)?.private_key).toBe(key.private_key);
  });

  it('serves the server config (versions and channels)', async () => {
    const [cfg] = await gke.getServerConfig({ name: parent() });
    expect(cfg.defaultClusterVersion).toMatch(/^1\.\d+\.\d+-gke\.\d+$/);
    expect(cfg.validMasterVersions).toContain(cfg.defaultClusterVersion);
    expect(cfg.channels?.map((c) => c.channel)).toEqual(['RAPID', 'REGULAR', 'STABLE', 'EXTENDED']);
  });

  it('creates a regional cluster: PROVISIONING -> RUNNING through an Operation', async () => {
    h.setSpeed(60); // 4 s: long enough to observe PROVISIONING under load, then jump the clock
    const [op] = await gke.createCluster({
      parent: parent(),
      cluster: {
        name: 'shop-prod',
        initialClusterVersion: '1.35',
        resourceLabels: { env: 'prod' },
        releaseChannel: { channel: 'REGULAR' },
        nodePools: [
          {
            name: 'general',
            initialNodeCount: 1,
            config: { machineType: 'e2-standard-4', labels: { tier: 'web' } },
            autoscaling: { enabled: true, minNodeCount: 1, maxNodeCount: 3 },
          },
        ],
      },
    });
    h.setSpeed(2000);
    expect(op.operationType).toBe('CREATE_CLUSTER');
    expect(['PENDING', 'RUNNING']).toContain(op.status);
    const [during] = await gke.getCluster({ name: `${parent()}/clusters/shop-prod` });
    expect(during.status).toBe('PROVISIONING');
    // one mutating operation per cluster
    await expectGoogleError(
      gke.createNodePool({
        parent: `${parent()}/clusters/shop-prod`,
        nodePool: { name: 'extra', initialNodeCount: 1, config: { machineType: 'e2-standard-2' } },
      }),
      9,
      /incompatible operation/,
    );
    h.advance(5000);
    const done = await waitOp(`${parent()}/operations/${op.name}`);
    expect(done.error).toBeFalsy();
    const [c] = await gke.getCluster({ name: `${parent()}/clusters/shop-prod` });
    expect(c.status).toBe('RUNNING');
    expect(c.locations).toEqual(['us-central1-a', 'us-central1-b', 'us-central1-c']);
    expect(c.currentMasterVersion).toMatch(/^1\.35\./);
    expect(c.currentNodeCount).toBe(3);
    expect(c.endpoint).toBe(`${h.httpsUrl.replace('https://', '')}/k8s/gcp-${PROJECT}-${REGION}-shop-prod`);
    expect(Buffer.from(c.masterAuth?.clusterCaCertificate ?? '', 'base64').toString()).toBe(h.caCertPem);
    const info = h.kube.clusters.get(`gcp-${PROJECT}-${REGION}-shop-prod`);
    const pool = info?.nodePools[0];
    expect(pool?.nodeCount).toBe(3);
    expect(pool?.zones).toHaveLength(3);
    expect(pool?.labels['cloud.google.com/gke-nodepool']).toBe('general');
    expect(pool?.labels['cloud.google.com/machine-family']).toBe('e2');
    expect(pool?.labels.tier).toBe('web');
  });

  it('rejects duplicates and invalid input with gRPC codes', async () => {
    await expectGoogleError(
      gke.createCluster({ parent: parent(), cluster: { name: 'shop-prod', initialNodeCount: 1 } }),
      6,
      /Already exists/,
    );
    await expectGoogleError(
      gke.createCluster({
        parent: parent(),
        cluster: { name: 'bad-mt', initialNodeCount: 1, nodeConfig: { machineType: 'z9-mega-1024' } },
      }),
      3,
      /machine type/,
    );
    await expectGoogleError(
      gke.createCluster({
        parent: parent(),
        cluster: { name: 'bad-v', initialClusterVersion: '1.20', initialNodeCount: 1 },
      }),
      3,
      /unsupported/,
    );
    await expectGoogleError(
      gke.createCluster({ parent: parent('mars-north1'), cluster: { name: 'bad-loc', initialNodeCount: 1 } }),
      3,
    );
    await expectGoogleError(gke.getCluster({ name: `${parent()}/clusters/nope` }), 5);
    // another project's data is not reachable with this project's key
    await expectGoogleError(gke.listClusters({ parent: `projects/${OTHER}/locations/-` }), 7);
  });

  it('creates, resizes and deletes node pools (spot, taints)', async () => {
    h.setSpeed(60);
    const [op] = await gke.createNodePool({
      parent: `${parent()}/clusters/shop-prod`,
      nodePool: {
        name: 'spot-pool',
        initialNodeCount: 2,
        locations: ['us-central1-a'],
        config: {
          machineType: 'n2-standard-8',
          spot: true,
          taints: [{ key: 'dedicated', value: 'batch', effect: 'NO_SCHEDULE' }],
        },
      },
    });
    h.setSpeed(2000);
    expect(op.operationType).toBe('CREATE_NODE_POOL');
    const [reconciling] = await gke.getCluster({ name: `${parent()}/clusters/shop-prod` });
    expect(reconciling.status).toBe('RECONCILING');
    h.advance(3000);
    await waitOp(`${parent()}/operations/${op.name}`);
    const [pools] = await gke.listNodePools({ parent: `${parent()}/clusters/shop-prod` });
    expect(pools.nodePools?.map((p) => p.name)).toEqual(['general', 'spot-pool']);
    const [np] = await gke.getNodePool({ name: `${parent()}/clusters/shop-prod/nodePools/spot-pool` });
    expect(np.status).toBe('RUNNING');
    expect(np.config?.taints?.[0]?.effect).toBe('NO_SCHEDULE');
    const spot = h.kube.clusters
      .get(`gcp-${PROJECT}-${REGION}-shop-prod`)
      ?.nodePools.find((p) => p.name === 'spot-pool');
    expect(spot?.labels['cloud.google.com/gke-spot']).toBe('true');
    expect(spot?.taints).toEqual([{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }]);
    expect(spot?.nodeCount).toBe(2);

    const [resize] = await gke.setNodePoolSize({
      name: `${parent()}/clusters/shop-prod/nodePools/spot-pool`,
      nodeCount: 4,
    });
    await waitOp(`${parent()}/operations/${resize.name}`);
    expect(
      h.kube.clusters.get(`gcp-${PROJECT}-${REGION}-shop-prod`)?.nodePools.find((p) => p.name === 'spot-pool')
        ?.nodeCount,
    ).toBe(4);

    const [del] = await gke.deleteNodePool({ name: `${parent()}/clusters/shop-prod/nodePools/spot-pool` });
    expect(del.operationType).toBe('DELETE_NODE_POOL');
    await waitOp(`${parent()}/operations/${del.name}`);
    await expectGoogleError(
      gke.getNodePool({ name: `${parent()}/clusters/shop-prod/nodePools/spot-pool` }),
      5,
    );
    const [ops] = await gke.listOperations({ parent: parent() });
    expect(ops.operations?.map((o) => o.operationType).slice(0, 4)).toEqual([
      'CREATE_CLUSTER',
      'CREATE_NODE_POOL',
      'SET_NODE_POOL_SIZE',
      'DELETE_NODE_POOL',
    ]);
  });

  it('documents the stock google-gax 5.0 REST error shape (GaxiosError with the HTTP status)', async () => {
    const endpoint = new URL(account.endpoints.container ?? '');
    const stock = new ClusterManagerClient({
      fallback: true,
      apiEndpoint: endpoint.hostname,
      port: Number(endpoint.port),
      protocol: 'http',
      credentials: account.credentials,
    });
    try {
      await stock.getCluster({ name: `${parent()}/clusters/nope` });
      throw new Error('expected an error');
    } catch (e) {
      const err = e as GoogleErrorLike & { status?: number };
      expect(err.constructor.name).toBe('GaxiosError');
      expect(err.status).toBe(404);
      expect(JSON.parse(err.message)).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    } finally {
      await stock.close();
    }
  });

  it('updates pools and upgrades the control plane through operations', async () => {
    const pool = `${parent()}/clusters/shop-prod/nodePools/general`;
    const [auto] = await gke.setNodePoolAutoscaling({
      name: pool,
      autoscaling: { enabled: true, minNodeCount: 2, maxNodeCount: 4 },
    });
    expect(auto.operationType).toBe('UPDATE_CLUSTER');
    await waitOp(`${parent()}/operations/${auto.name}`);
    const [np] = await gke.getNodePool({ name: pool });
    expect(np.autoscaling?.minNodeCount).toBe(2);
    expect(h.kube.clusters.get(`gcp-${PROJECT}-${REGION}-shop-prod`)?.nodePools[0]?.nodeCount).toBe(6);

    const [labels] = await gke.updateNodePool({
      name: pool,
      labels: { labels: { tier: 'web', team: 'shop' } },
      taints: { taints: [{ key: 'dedicated', value: 'web', effect: 'PREFER_NO_SCHEDULE' }] },
    });
    await waitOp(`${parent()}/operations/${labels.name}`);
    const kubePool = h.kube.clusters.get(`gcp-${PROJECT}-${REGION}-shop-prod`)?.nodePools[0];
    expect(kubePool?.labels.team).toBe('shop');
    expect(kubePool?.taints).toEqual([{ key: 'dedicated', value: 'web', effect: 'PreferNoSchedule' }]);

    const [cfg] = await gke.getServerConfig({ name: parent() });
    const newer = cfg.validMasterVersions?.find((v) => v.startsWith('1.36.'));
    const [up] = await gke.updateCluster({
      name: `${parent()}/clusters/shop-prod`,
      update: { desiredMasterVersion: newer },
    });
    expect(up.operationType).toBe('UPGRADE_MASTER');
    await waitOp(`${parent()}/operations/${up.name}`);
    const [c] = await gke.getCluster({ name: `${parent()}/clusters/shop-prod` });
    expect(c.currentMasterVersion).toBe(newer);
    await expectGoogleError(
      gke.updateCluster({ name: `${parent()}/clusters/shop-prod`, update: { desiredMasterVersion: '1.34' } }),
      3,
      /downgraded/,
    );
  });

  it('lists clusters across locations', async () => {
    const [op] = await gke.createCluster({
      parent: parent('us-central1-f'),
      cluster: { name: 'shop-dev', initialNodeCount: 1, nodeConfig: { machineType: 'e2-standard-2' } },
    });
    await waitOp(`${parent('us-central1-f')}/operations/${op.name}`);
    const [all] = await gke.listClusters({ parent: `projects/${PROJECT}/locations/-` });
    expect(all.clusters?.map((c) => `${c.location}/${c.name}`)).toEqual([
      'us-central1/shop-prod',
      'us-central1-f/shop-dev',
    ]);
    const [zonal] = await gke.listClusters({ parent: parent('us-central1-f') });
    expect(zonal.clusters?.[0]?.locations).toEqual(['us-central1-f']);
    // the deprecated projectId/zone request fields use the /zones/ HTTP bindings
    const [legacy] = await gke.listClusters({ projectId: PROJECT, zone: 'us-central1-f' });
    expect(legacy.clusters?.map((c) => c.name)).toEqual(['shop-dev']);
    const [legacyCfg] = await gke.getServerConfig({ projectId: PROJECT, zone: 'us-central1-f' });
    expect(legacyCfg.defaultClusterVersion).toBeTruthy();
  });

  it('enforces the project concurrent-operations quota', async () => {
    process.env.SANDBOX_GKE_MAX_CONCURRENT_OPERATIONS = '1';
    try {
      h.setSpeed(60);
      const [op] = await gke.createCluster({
        parent: parent(),
        cluster: { name: 'quota-a', initialNodeCount: 1 },
      });
      await expectGoogleError(
        gke.createCluster({ parent: parent(), cluster: { name: 'quota-b', initialNodeCount: 1 } }),
        8,
        /concurrent operations/,
      );
      h.setSpeed(2000);
      h.advance(5000);
      await waitOp(`${parent()}/operations/${op.name}`);
    } finally {
      delete process.env.SANDBOX_GKE_MAX_CONCURRENT_OPERATIONS;
      h.setSpeed(2000);
    }
  });

  it('recovers from injected faults with google-gax retries', async () => {
    const count = (status: number) => h.requests.filter((r) => r.status === status).length;
    const before503 = count(503);
    const before429 = count(429);
    // UNAVAILABLE (503) is in the default retry codes of the idempotent GKE methods.
    h.faults.add({
      cloud: 'gcp',
      operation: 'projects.locations.clusters.get',
      kind: 'server-error',
      count: 2,
    });
    const [c] = await gke.getCluster({ name: `${parent()}/clusters/shop-prod` });
    expect(c.name).toBe('shop-prod');
    expect(count(503) - before503).toBe(2);
    // RESOURCE_EXHAUSTED (429) is not retried by default; the caller opts in with retry codes.
    h.faults.add({ cloud: 'gcp', operation: 'projects.locations.clusters.list', kind: 'throttle', count: 1 });
    await expectGoogleError(gke.listClusters({ parent: parent() }), 8);
    h.faults.add({ cloud: 'gcp', operation: 'projects.locations.clusters.list', kind: 'throttle', count: 2 });
    const [list] = await gke.listClusters(
      { parent: parent() },
      {
        retry: {
          retryCodes: [8, 14],
          backoffSettings: {
            initialRetryDelayMillis: 50,
            retryDelayMultiplier: 2,
            maxRetryDelayMillis: 1000,
            initialRpcTimeoutMillis: 5000,
            rpcTimeoutMultiplier: 1,
            maxRpcTimeoutMillis: 5000,
            totalTimeoutMillis: 20000,
          },
        },
      },
    );
    expect(list.clusters?.[0]?.name).toBe('shop-prod');
    expect(count(429) - before429).toBe(3);
  });

  it('ends an operation DONE with error on an injected async failure', async () => {
    h.faults.add({
      cloud: 'gcp',
      operation: 'projects.locations.clusters.create',
      kind: 'async-failure',
      count: 1,
    });
    const [op] = await gke.createCluster({
      parent: parent(),
      cluster: { name: 'doomed', initialNodeCount: 1 },
    });
    const done = await waitOp(`${parent()}/operations/${op.name}`);
    expect((done.error as { code?: number } | null)?.code).toBe(13);
    const [c] = await gke.getCluster({ name: `${parent()}/clusters/doomed` });
    expect(c.status).toBe('ERROR');
    const [del] = await gke.deleteCluster({ name: `${parent()}/clusters/doomed` });
    await waitOp(`${parent()}/operations/${del.name}`);
  });

  it('exchanges a signed SA assertion for an access token accepted by GKE and the kube API', async () => {
    const key = account.credentials as unknown as SaKey;
    const jwt = new JWT({
      email: key.client_email,
      key: key.private_key,
      keyId: key.private_key_id,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    // google-auth-library always posts to https://oauth2.googleapis.com/token; honour the key's token_uri.
    jwt.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url).startsWith('https://oauth2.googleapis.com/token'))
          config.url = new URL(key.token_uri);
        return config;
      },
    });
    const { token } = await jwt.getAccessToken();
    expect(token).toMatch(/^ya29\./);
    const mod = h.modules[0];
    const id = `gcp-${PROJECT}-${REGION}-shop-prod`;
    expect(mod?.authenticateKube(id, token ?? '')?.username).toBe(key.client_email);
    expect(mod?.authenticateKube(id, 'ya29.forged.token')).toBeUndefined();

    const oauth = new OAuth2Client({ transporterOptions: { validateStatus: () => true } });
    oauth.setCredentials({ access_token: token ?? '' });
    const endpoint = new URL(account.endpoints.container ?? '');
    const viaToken = new ClusterManagerClient({
      fallback: true,
      apiEndpoint: endpoint.hostname,
      port: Number(endpoint.port),
      protocol: 'http',
      authClient: oauth,
    });
    const [list] = await viaToken.listClusters({ parent: parent() });
    expect(list.clusters?.map((c) => c.name)).toContain('shop-prod');
    await viaToken.close();

    const bad = new OAuth2Client({ transporterOptions: { validateStatus: () => true } });
    bad.setCredentials({ access_token: 'ya29.not-ours.sig' });
    const badClient = new ClusterManagerClient({
      fallback: true,
      apiEndpoint: endpoint.hostname,
      port: Number(endpoint.port),
      protocol: 'http',
      authClient: bad,
    });
    await expectGoogleError(badClient.listClusters({ parent: parent() }), 16);
    await badClient.close();
  });

  it('deletes a cluster: STOPPING -> gone', async () => {
    h.setSpeed(60);
    const [op] = await gke.deleteCluster({ name: `${parent('us-central1-f')}/clusters/shop-dev` });
    h.setSpeed(2000);
    expect(op.operationType).toBe('DELETE_CLUSTER');
    const [c] = await gke.getCluster({ name: `${parent('us-central1-f')}/clusters/shop-dev` });
    expect(c.status).toBe('STOPPING');
    h.advance(4000);
    await waitOp(`${parent('us-central1-f')}/operations/${op.name}`);
    await expectGoogleError(gke.getCluster({ name: `${parent('us-central1-f')}/clusters/shop-dev` }), 5);
    expect(h.kube.clusters.has(`gcp-${PROJECT}-us-central1-f-shop-dev`)).toBe(false);
  });

  it('seeds running clusters and survives snapshot/restore', async () => {
    const mod = h.modules[0];
    if (!mod) throw new Error('no module');
    mod.seedCluster(PROJECT, {
      scope: PROJECT,
      location: REGION,
      regional: true,
      name: 'seeded',
      kubernetesVersion: '1.34',
      labels: { env: 'prod' },
      nodePools: [
        {
          name: 'general',
          machineType: 'e2-standard-4',
          nodeCount: 6,
          autoscaling: { minNodes: 3, maxNodes: 9 },
        },
        { name: 'spot', machineType: 'e2-standard-4', nodeCount: 3, spot: true },
      ],
      withDemoWorkloads: true,
    });
    expect(h.kube.events).toContainEqual({ kind: 'seed', clusterId: `gcp-${PROJECT}-${REGION}-seeded` });
    const snap = JSON.parse(JSON.stringify(mod.snapshot())) as unknown;
    mod.reset();
    mod.restore(snap);
    const [c] = await gke.getCluster({ name: `${parent()}/clusters/seeded` });
    expect(c.status).toBe('RUNNING');
    expect(c.nodePools?.[0]?.autoscaling?.maxNodeCount).toBe(3);
    expect(c.currentNodeCount).toBe(9);
  });
});
