/**
 * Azure and GCP modules inside the real sandbox core (startSandbox) with the real kube hub: the demo
 * fleet is seeded, the official SDKs list it, and the credentials each cloud issues open the clusters'
 * Kubernetes APIs. (@kubernetes/client-node 2.0.1 cannot load on Node 20 — its undici 8 needs zlib zstd —
 * so the kube calls use node:https with the kubeconfig's server, CA and token.)
 */
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { ClientSecretCredential } from '@azure/identity';
import { ClusterManagerClient } from '@google-cloud/container';
import { request } from 'node:https';
import { JWT } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureModule } from '../src/azure/index.ts';
import type { SandboxAccount } from '../src/context.ts';
import { createGcpModule } from '../src/gcp/index.ts';
import { createKubeHub } from '../src/kube/index.ts';
import type { RunningSandbox } from '../src/server.ts';
import { startTestSandbox, tempDataDir } from './helpers.ts';

const AZ_SUB = '00000000-0000-4000-8000-000000000001';
const GCP_PROJECT = 'dolly-demo-prod';

let sandbox: RunningSandbox;
let cleanup: () => void;
let accounts: SandboxAccount[];

function account(cloud: string, id: string): SandboxAccount {
  const a = accounts.find((x) => x.cloud === cloud && x.id === id);
  if (!a) throw new Error(`no ${cloud} account ${id}`);
  return a;
}

interface NodeList {
  items: { metadata?: { labels?: Record<string, string> } }[];
}

function listNodes(
  server: string,
  caPem: string,
  token: string,
): Promise<{ status: number; body: NodeList }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server}/api/v1/nodes`,
      { ca: caPem, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: (text ? JSON.parse(text) : { items: [] }) as NodeList,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function kubeconfigField(kc: string, field: string): string {
  return new RegExp(`${field}: (\\S+)`).exec(kc)?.[1] ?? '';
}

beforeAll(async () => {
  const d = tempDataDir();
  cleanup = d.cleanup;
  sandbox = await startTestSandbox({
    dataDir: d.dir,
    seed: true,
    modules: (ctx) => [createAzureModule(ctx), createGcpModule(ctx)],
    kubeHub: (o) => createKubeHub({ baseUrl: o.baseUrl, now: o.now, log: o.log }),
  });
  const res = await fetch(`${sandbox.urls.http}/_sandbox/accounts`);
  accounts = (await res.json()) as SandboxAccount[];
});

afterAll(async () => {
  await sandbox?.stop();
  cleanup?.();
});

describe('azure + gcp in the sandbox core', () => {
  it('lists the seeded AKS clusters and opens one with the clusterUser kubeconfig', async () => {
    const acc = account('azure', AZ_SUB);
    const c = acc.credentials as Record<string, string>;
    const tlsOptions = { ca: acc.caCertPem };
    const credential = new ClientSecretCredential(c.tenantId ?? '', c.clientId ?? '', c.clientSecret ?? '', {
      authorityHost: c.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions,
    });
    const aks = new ContainerServiceClient(credential, AZ_SUB, {
      endpoint: acc.endpoints.arm,
      credentials: { scopes: ['https://management.azure.com/.default'] },
      tlsOptions,
    });
    const names: string[] = [];
    for await (const mc of aks.managedClusters.list()) {
      expect(mc.provisioningState).toBe('Succeeded');
      names.push(mc.name ?? '');
    }
    expect(names.sort()).toEqual(['shop-dev', 'shop-prod']);

    const creds = await aks.managedClusters.listClusterUserCredentials('dolly-demo', 'shop-prod');
    const kc = Buffer.from(creds.kubeconfigs?.[0]?.value ?? new Uint8Array()).toString('utf8');
    const server = kubeconfigField(kc, 'server');
    const ca = Buffer.from(kubeconfigField(kc, 'certificate-authority-data'), 'base64').toString('utf8');
    const res = await listNodes(server, ca, kubeconfigField(kc, 'token'));
    expect(res.status).toBe(200);
    const nodes = res.body;
    const pools = new Set(nodes.items.map((n) => n.metadata?.labels?.['kubernetes.azure.com/agentpool']));
    expect(pools).toEqual(new Set(['system', 'apps']));
    expect(nodes.items[0]?.metadata?.labels?.['topology.kubernetes.io/region']).toBe('westeurope');

    expect((await listNodes(server, ca, 'not-a-token')).status).toBe(401);
  });

  it('lists the seeded GKE cluster and opens it with an OAuth access token from the SA key', async () => {
    const acc = account('gcp', GCP_PROJECT);
    const key = acc.credentials as Record<string, string>;
    const endpoint = new URL(acc.endpoints.container ?? '');
    const gke = new ClusterManagerClient({
      fallback: true,
      apiEndpoint: endpoint.hostname,
      port: Number(endpoint.port),
      protocol: endpoint.protocol.replace(':', ''),
      credentials: acc.credentials,
      clientOptions: { transporterOptions: { validateStatus: () => true } },
    });
    const [list] = await gke.listClusters({ parent: `projects/${GCP_PROJECT}/locations/-` });
    const cluster = list.clusters?.find((x) => x.name === 'shop-prod');
    expect(cluster?.status).toBe('RUNNING');
    expect(cluster?.locations).toEqual(['us-central1-a', 'us-central1-b', 'us-central1-c']);
    await gke.close();

    const jwt = new JWT({
      email: key.client_email,
      key: key.private_key,
      keyId: key.private_key_id,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    jwt.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url).startsWith('https://oauth2.googleapis.com/token'))
          config.url = new URL(key.token_uri ?? '');
        return config;
      },
    });
    const { token } = await jwt.getAccessToken();
    const ca = Buffer.from(cluster?.masterAuth?.clusterCaCertificate ?? '', 'base64').toString();
    const res = await listNodes(`https://${cluster?.endpoint ?? ''}`, ca, token ?? '');
    expect(res.status).toBe(200);
    const nodes = res.body;
    const byPool = new Map<string, number>();
    for (const n of nodes.items) {
      const p = n.metadata?.labels?.['cloud.google.com/gke-nodepool'] ?? '';
      byPool.set(p, (byPool.get(p) ?? 0) + 1);
    }
    expect(byPool.get('default-pool')).toBe(6);
    expect(byPool.get('spot-pool')).toBe(3);
  });
});
