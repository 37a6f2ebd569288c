/**
 * The whole sandbox as `main.ts` starts it (AWS + whatever of Azure, GCP and the kube hub exists):
 * demo fleet seeding for every present cloud, kube APIs behind the core's auth, persistence of the
 * kube state across a restart.
 */
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsFor, presignGetCallerIdentity } from '../src/aws/index.ts';
import { DEMO_FLEET } from '../src/demo-fleet.ts';
import { loadSandboxParts, type SandboxParts } from '../src/parts.ts';
import type { RunningSandbox } from '../src/server.ts';
import { admin, startTestSandbox, tempDataDir } from './helpers.ts';

function https(
  method: string,
  url: string,
  ca: string,
  token: string,
  body?: unknown,
): Promise<{
  status: number;
  json: { items?: { metadata: { name: string; labels?: Record<string, string> } }[] } & Record<
    string,
    unknown
  >;
}> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpsRequest(
      url,
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = {};
          try {
            json = JSON.parse(text);
          } catch {
            json = { text };
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let parts: SandboxParts;
let sandbox: RunningSandbox;
const data = tempDataDir();
const hasKube = () => parts.kubeHub !== undefined;

beforeAll(async () => {
  parts = await loadSandboxParts();
  sandbox = await startTestSandbox({
    dataDir: data.dir,
    seed: true,
    modules: parts.modules,
    ...(parts.kubeHub ? { kubeHub: parts.kubeHub } : {}),
  });
});

afterAll(async () => {
  await sandbox?.stop();
  data.cleanup();
});

describe('the full sandbox', () => {
  it('seeds the demo fleet into every present cloud', async () => {
    const clouds = sandbox.modules.map((m) => m.cloud);
    expect(clouds[0]).toBe('aws');
    for (const account of DEMO_FLEET.filter((a) => clouds.includes(a.cloud))) {
      for (const c of account.clusters) {
        const kc = await admin(
          sandbox,
          'GET',
          `/_sandbox/kubeconfig?cloud=${account.cloud}&scope=${c.scope}&location=${c.location}&name=${c.name}`,
        );
        expect(kc.status, `${account.cloud}/${c.name}`).toBe(200);
      }
    }
    const accounts = (await admin(sandbox, 'GET', '/_sandbox/accounts')).json as {
      cloud: string;
      id: string;
    }[];
    for (const a of DEMO_FLEET.filter((x) => clouds.includes(x.cloud))) {
      expect(accounts.some((x) => x.cloud === a.cloud && x.id === a.id)).toBe(true);
    }
  });

  it('serves the seeded EKS cluster to an EKS token', async () => {
    if (!hasKube()) return;
    const creds = credentialsFor('111111111111');
    const token = `k8s-aws-v1.${Buffer.from(
      presignGetCallerIdentity({
        endpoint: `${sandbox.urls.http}/aws`,
        region: 'us-east-1',
        accessKeyId: creds.accessKeyId,
        secretAccessKey: creds.secretAccessKey,
        clusterName: 'shop-prod',
        now: Date.now(),
      }),
    ).toString('base64url')}`;
    const base = `${sandbox.urls.https}/k8s/aws-111111111111-us-east-1-shop-prod`;
    const nodes = await https('GET', `${base}/api/v1/nodes`, sandbox.caCertPem, token);
    expect(nodes.status).toBe(200);
    const items = nodes.json.items ?? [];
    expect(items).toHaveLength(6); // general 3 + gpu 1 + spot 2
    const gpu = items.filter((n) => n.metadata.labels?.['eks.amazonaws.com/nodegroup'] === 'gpu');
    expect(gpu[0]?.metadata.labels?.['node.kubernetes.io/instance-type']).toBe('g5.xlarge');
    const deployments = await https('GET', `${base}/apis/apps/v1/deployments`, sandbox.caCertPem, token);
    expect((deployments.json.items ?? []).length).toBeGreaterThan(0);
  });

  it('keeps kube objects across a restart', async () => {
    if (!hasKube()) return;
    const base = `${sandbox.urls.https}/k8s/aws-111111111111-us-west-2-shop-dev`;
    const created = await https(
      'POST',
      `${base}/api/v1/namespaces/default/configmaps`,
      sandbox.caCertPem,
      sandbox.adminToken,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'survivor' },
        data: { hello: 'world' },
      },
    );
    expect(created.status).toBe(201);
    await sandbox.stop();
    sandbox = await startTestSandbox({
      dataDir: data.dir,
      seed: true,
      modules: parts.modules,
      ...(parts.kubeHub ? { kubeHub: parts.kubeHub } : {}),
    });
    const base2 = `${sandbox.urls.https}/k8s/aws-111111111111-us-west-2-shop-dev`;
    const got = await https(
      'GET',
      `${base2}/api/v1/namespaces/default/configmaps/survivor`,
      sandbox.caCertPem,
      sandbox.adminToken,
    );
    expect(got.status).toBe(200);
    expect(got.json.data).toEqual({ hello: 'world' });
  });
});
