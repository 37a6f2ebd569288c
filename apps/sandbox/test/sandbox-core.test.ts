import { request as httpsRequest } from 'node:https';
import {
  CreateClusterCommand,
  DescribeClusterCommand,
  EKSClient,
  waitUntilClusterActive,
} from '@aws-sdk/client-eks';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialsFor, presignGetCallerIdentity } from '../src/aws/index.ts';
import { defaultVpc } from '../src/aws/network.ts';
import { NullKubeHub } from '../src/null-hub.ts';
import type { RunningSandbox } from '../src/server.ts';
import { admin, awsConfig, DEMO_AWS_ACCOUNT, startTestSandbox, tempDataDir } from './helpers.ts';

function httpsGet(
  url: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'GET', ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const started: RunningSandbox[] = [];
const dirs: { cleanup(): void }[] = [];
afterAll(async () => {
  for (const s of started) await s.stop().catch(() => {});
  for (const d of dirs) d.cleanup();
});

async function start(opts: { dataDir?: string; seed?: boolean; speed?: number } = {}) {
  let dataDir = opts.dataDir;
  if (!dataDir) {
    const d = tempDataDir();
    dirs.push(d);
    dataDir = d.dir;
  }
  const sandbox = await startTestSandbox({
    dataDir,
    seed: opts.seed ?? false,
    speed: opts.speed ?? 2000,
    kubeHub: (o) => new NullKubeHub(o.httpsUrl),
  });
  started.push(sandbox);
  return { sandbox, hub: sandbox.hub as NullKubeHub, dataDir };
}

describe('sandbox core', () => {
  it('serves admin endpoints over HTTP and HTTPS with its own CA', async () => {
    const { sandbox } = await start();
    const h = await admin(sandbox, 'GET', '/_sandbox/healthz');
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({ ok: true, clouds: ['aws'] });
    const tls = await httpsGet(`${sandbox.urls.https}/_sandbox/healthz`, sandbox.caCertPem);
    expect(tls.status).toBe(200);
    const viaLocalhost = await httpsGet(
      `https://localhost:${sandbox.tlsPort}/_sandbox/healthz`,
      sandbox.caCertPem,
    ).catch((e: unknown) => e);
    // localhost may resolve to ::1 where nothing listens; when it connects, the SAN must match
    if (!(viaLocalhost instanceof Error) || !/ECONNREFUSED/.test(viaLocalhost.message)) {
      expect(viaLocalhost).toMatchObject({ status: 200 });
    }
    await expect(httpsGet(`${sandbox.urls.https}/_sandbox/healthz`, '')).rejects.toThrow();
    expect((await admin(sandbox, 'GET', '/_sandbox/nope')).status).toBe(404);
    expect((await admin(sandbox, 'GET', '/no/such/service')).status).toBe(404);
    expect((await admin(sandbox, 'GET', '/_sandbox/ca.pem')).text).toBe(sandbox.caCertPem);
  });

  it('lists accounts with endpoints, credentials and the CA', async () => {
    const { sandbox } = await start();
    const res = await admin(sandbox, 'GET', '/_sandbox/accounts');
    const accounts = res.json as {
      cloud: string;
      id: string;
      endpoints: Record<string, string>;
      credentials: Record<string, string>;
      caCertPem: string;
    }[];
    const aws = accounts.find((a) => a.cloud === 'aws');
    expect(aws?.id).toBe(DEMO_AWS_ACCOUNT);
    expect(aws?.endpoints.eks).toBe(`${sandbox.urls.http}/aws`);
    expect(aws?.credentials.accessKeyId).toBe(credentialsFor(DEMO_AWS_ACCOUNT).accessKeyId);
    expect(aws?.caCertPem).toBe(sandbox.caCertPem);
  });

  it('stores, lists and clears fault rules', async () => {
    const { sandbox } = await start();
    expect((await admin(sandbox, 'POST', '/_sandbox/faults', { cloud: 'aws', kind: 'explode' })).status).toBe(
      400,
    );
    const a = await admin(sandbox, 'POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'CreateCluster',
      kind: 'throttle',
      count: 2,
    });
    const b = await admin(sandbox, 'POST', '/_sandbox/faults', {
      cloud: 'gcp',
      operation: '*',
      kind: 'server-error',
      probability: 0.5,
    });
    expect(a.status).toBe(201);
    expect((a.json as { id: string }).id).toBeTruthy();
    expect(((await admin(sandbox, 'GET', '/_sandbox/faults')).json as unknown[]).length).toBe(2);
    await admin(sandbox, 'DELETE', `/_sandbox/faults?id=${(a.json as { id: string }).id}`);
    expect((await admin(sandbox, 'GET', '/_sandbox/faults')).json).toEqual([b.json]);
    await admin(sandbox, 'DELETE', '/_sandbox/faults');
    expect((await admin(sandbox, 'GET', '/_sandbox/faults')).json).toEqual([]);
  });

  it('adds the configured latency to cloud API answers only, and checks the knob', async () => {
    const { sandbox } = await start();
    const eks = new EKSClient(await awsConfig(sandbox));
    const timed = async () => {
      const t = performance.now();
      await eks.send(new DescribeClusterCommand({ name: 'nope' })).catch(() => undefined);
      return performance.now() - t;
    };
    await timed();
    expect(await timed()).toBeLessThan(150);
    expect((await admin(sandbox, 'POST', '/_sandbox/config', { latencyMs: -1 })).status).toBe(400);
    expect((await admin(sandbox, 'POST', '/_sandbox/config', {})).status).toBe(400);
    const set = await admin(sandbox, 'POST', '/_sandbox/config', { latencyMs: 200 });
    expect(set.json).toEqual({ speed: 2000, latencyMs: 200 });
    expect(await timed()).toBeGreaterThanOrEqual(195);
    // the admin API itself is not slowed down
    const t = performance.now();
    await admin(sandbox, 'GET', '/_sandbox/config');
    expect(performance.now() - t).toBeLessThan(150);
    await admin(sandbox, 'POST', '/_sandbox/config', { latencyMs: 0 });
  });

  it('seeds the demo fleet, resets and reseeds', async () => {
    const { sandbox, hub } = await start({ seed: true });
    type View = {
      clouds: {
        aws: {
          clusters: {
            name: string;
            region: string;
            status: string;
            nodegroups: { name: string; status: string }[];
          }[];
        };
      };
    };
    const view = (await admin(sandbox, 'GET', '/_sandbox/state')).json as View;
    const prod = view.clouds.aws.clusters.find((c) => c.name === 'shop-prod');
    expect(prod?.region).toBe('us-east-1');
    expect(prod?.status).toBe('ACTIVE');
    expect(prod?.nodegroups.map((n) => n.name).sort()).toEqual(['general', 'gpu', 'spot']);
    expect(view.clouds.aws.clusters.find((c) => c.name === 'shop-dev')?.region).toBe('us-west-2');
    const prodId = 'aws-111111111111-us-east-1-shop-prod';
    expect(hub.clusters.get(prodId)?.demoWorkloads).toBe(true);
    expect(hub.clusters.get('aws-111111111111-us-west-2-shop-dev')?.demoWorkloads).toBe(false);
    const gpu = hub.clusters.get(prodId)?.nodePools.find((p) => p.name === 'gpu');
    expect(gpu?.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    const spot = hub.clusters.get(prodId)?.nodePools.find((p) => p.name === 'spot');
    expect(spot?.labels['eks.amazonaws.com/capacityType']).toBe('SPOT');

    const seedAgain = await admin(sandbox, 'POST', '/_sandbox/seed');
    expect(seedAgain.status).toBe(200);
    expect(((await admin(sandbox, 'GET', '/_sandbox/state')).json as View).clouds.aws.clusters).toHaveLength(
      2,
    );

    await admin(sandbox, 'POST', '/_sandbox/reset');
    expect(((await admin(sandbox, 'GET', '/_sandbox/state')).json as View).clouds.aws.clusters).toHaveLength(
      0,
    );
    expect(hub.clusters.size).toBe(0);
    // the account and its credentials survive a reset
    const cfg = await awsConfig(sandbox);
    expect(cfg.credentials.accessKeyId).toBe(credentialsFor(DEMO_AWS_ACCOUNT).accessKeyId);
    await admin(sandbox, 'POST', '/_sandbox/reset?seed=1');
    expect(((await admin(sandbox, 'GET', '/_sandbox/state')).json as View).clouds.aws.clusters).toHaveLength(
      2,
    );
  });

  it('serves kube APIs at /k8s/<clusterId> to the admin kubeconfig and to EKS presigned tokens', async () => {
    const { sandbox, hub } = await start({ seed: true });
    const bad = await admin(
      sandbox,
      'GET',
      '/_sandbox/kubeconfig?cloud=aws&scope=111111111111&location=us-east-1&name=nope',
    );
    expect(bad.status).toBe(404);
    const kc = await admin(
      sandbox,
      'GET',
      '/_sandbox/kubeconfig?cloud=aws&scope=111111111111&location=us-east-1&name=shop-prod',
    );
    expect(kc.status).toBe(200);
    // (@kubernetes/client-node 2.x cannot be imported on Node 20 here: its undici 8 needs zlib zstd)
    const server = JSON.parse(/server: (".*")/.exec(kc.text)?.[1] ?? '""') as string;
    const kcToken = JSON.parse(/token: (".*")/.exec(kc.text)?.[1] ?? '""') as string;
    const caData = /certificate-authority-data: (\S+)/.exec(kc.text)?.[1] ?? '';
    expect(server).toBe(`${sandbox.urls.https}/k8s/aws-111111111111-us-east-1-shop-prod`);
    expect(Buffer.from(caData, 'base64').toString()).toBe(sandbox.caCertPem);
    const version = await httpsGet(`${server}/version`, Buffer.from(caData, 'base64').toString(), {
      authorization: `Bearer ${kcToken}`,
    });
    expect(JSON.parse(version.body).gitVersion).toBe('v1.34');
    expect(hub.requests.at(-1)?.who.username).toBe('sandbox-admin');

    const creds = credentialsFor(DEMO_AWS_ACCOUNT);
    const url = `${sandbox.urls.https}/k8s/aws-111111111111-us-east-1-shop-prod/version`;
    const token = (clusterName: string, now = Date.now(), secretAccessKey = creds.secretAccessKey) =>
      `k8s-aws-v1.${Buffer.from(
        presignGetCallerIdentity({
          endpoint: `${sandbox.urls.http}/aws`,
          region: 'us-east-1',
          accessKeyId: creds.accessKeyId,
          secretAccessKey,
          clusterName,
          now,
        }),
      ).toString('base64url')}`;
    const ok = await httpsGet(url, sandbox.caCertPem, { authorization: `Bearer ${token('shop-prod')}` });
    expect(ok.status).toBe(200);
    expect(hub.requests.at(-1)?.who.username).toBe(creds.userArn);
    const otherCluster = await httpsGet(url, sandbox.caCertPem, {
      authorization: `Bearer ${token('shop-dev')}`,
    });
    expect(otherCluster.status).toBe(401);
    const expired = await httpsGet(url, sandbox.caCertPem, {
      authorization: `Bearer ${token('shop-prod', Date.now() - 20 * 60_000)}`,
    });
    expect(expired.status).toBe(401);
    const forged = await httpsGet(url, sandbox.caCertPem, {
      authorization: `Bearer ${token('shop-prod', Date.now(), 'nope')}`,
    });
    expect(forged.status).toBe(401);
    const none = await httpsGet(url, sandbox.caCertPem);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    // kube faults: 'verb resource', 'verb' or 'resource'
    await admin(sandbox, 'POST', '/_sandbox/faults', {
      cloud: 'kube',
      operation: 'get',
      kind: 'throttle',
      retryAfterSeconds: 2,
    });
    const throttled = await httpsGet(url, sandbox.caCertPem, {
      authorization: `Bearer ${token('shop-prod')}`,
    });
    expect(throttled.status).toBe(429);
    expect(JSON.parse(throttled.body)).toMatchObject({
      kind: 'Status',
      reason: 'TooManyRequests',
      code: 429,
    });
    expect(
      (await httpsGet(url, sandbox.caCertPem, { authorization: `Bearer ${token('shop-prod')}` })).status,
    ).toBe(200);
    const missing = await httpsGet(`${sandbox.urls.https}/k8s/aws-nope/version`, sandbox.caCertPem);
    expect(missing.status).toBe(404);
  });

  it('keeps state across a restart with the same data dir', async () => {
    const first = await start({ speed: 2000 });
    const cfg = await awsConfig(first.sandbox);
    const eks = new EKSClient(cfg);
    const ids = defaultVpc(DEMO_AWS_ACCOUNT, 'us-east-1', ['us-east-1a', 'us-east-1b']).subnets.map(
      (s) => s.subnetId,
    );
    await eks.send(
      new CreateClusterCommand({
        name: 'persist',
        roleArn: 'arn:aws:iam::111111111111:role/eks-cluster-role',
        resourcesVpcConfig: { subnetIds: ids },
        tags: { keep: 'me' },
      }),
    );
    await admin(first.sandbox, 'POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'DeleteCluster',
      kind: 'throttle',
      count: 3,
    });
    const ca = first.sandbox.caCertPem;
    await first.sandbox.stop();
    eks.destroy();

    const second = await start({ dataDir: first.dataDir, speed: 2000 });
    expect(second.sandbox.caCertPem).toBe(ca);
    const cfg2 = await awsConfig(second.sandbox);
    expect(cfg2.credentials.accessKeyId).toBe(cfg.credentials.accessKeyId);
    const eks2 = new EKSClient(cfg2);
    await waitUntilClusterActive(
      { client: eks2, minDelay: 0.02, maxDelay: 0.1, maxWaitTime: 30 },
      { name: 'persist' },
    );
    const c = (await eks2.send(new DescribeClusterCommand({ name: 'persist' }))).cluster;
    expect(c?.status).toBe('ACTIVE');
    expect(c?.tags).toEqual({ keep: 'me' });
    expect(c?.endpoint).toBe(`${second.sandbox.urls.https}/k8s/aws-111111111111-us-east-1-persist`);
    const faults = (await admin(second.sandbox, 'GET', '/_sandbox/faults')).json as {
      operation: string;
      count: number;
    }[];
    expect(faults).toMatchObject([{ operation: 'DeleteCluster', count: 3 }]);
    expect(second.hub.hasCluster('aws-111111111111-us-east-1-persist')).toBe(true);
    eks2.destroy();
  });
});
