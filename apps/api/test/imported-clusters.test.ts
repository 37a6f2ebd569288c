/**
 * Imported clusters (issue #20): a cluster reachable by kubeconfig registered by an operator as a
 * migration source or target. The "on-prem" cluster is a sandbox cluster's own kube API reached
 * with a static token kubeconfig, through the test allow-list (127.0.0.1).
 */
import { createCloudAccess } from '@dolly/jobs';
import { createKubeClient } from '@dolly/kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

interface Problem {
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}
interface Imported {
  accountId: string;
  clusterId: string;
  name: string;
  environment: string | null;
  kubernetesVersion: string;
  nodes: number;
}

let s: CloudStack;
let server = '';
let caData = '';
const suffix = Date.now().toString(36).slice(-5);
const ns = `shop-imp-${suffix}`;

/** A kubeconfig with a static token, as an on-prem cluster's admin would hand one over. */
const kubeconfig = (
  cluster: Record<string, unknown> = {},
  user: Record<string, unknown> = { token: s.sandbox.sandbox.adminToken },
) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'onprem', cluster: { server, 'certificate-authority-data': caData, ...cluster } }],
    users: [{ name: 'admin', user }],
    contexts: [{ name: 'onprem', context: { cluster: 'onprem', user: 'admin' } }],
    'current-context': 'onprem',
  });

const importCluster = (who: 'operator' | 'developer' | 'owner', body: Record<string, unknown>) =>
  s.api<Imported & Problem>(who, 'POST', '/api/v1/clusters/import', body);

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
  // the kube API of the sandbox's EKS shop-dev cluster plays the on-prem cluster
  const id = await s.clusterId('aws', 'shop-dev');
  const c = await s.h.db.cluster.findUniqueOrThrow({ where: { id } });
  const cloudKubeconfig = JSON.parse(
    await createCloudAccess(s.h.db, s.h.vault)
      .provider(s.account('aws'), c.scope)
      .kubeconfig({ scope: c.scope, location: c.location, cluster: c.name }),
  ) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[] };
  const first = cloudKubeconfig.clusters[0];
  if (!first) throw new Error('no cluster in the sandbox kubeconfig');
  server = first.cluster.server;
  caData = first.cluster['certificate-authority-data'];
}, 120_000);
afterAll(async () => {
  await s?.close();
});

describe('POST /api/v1/clusters/import', () => {
  let imported: Imported;

  it('imports a cluster from a static-token kubeconfig, tested first, and never returns the credential', async () => {
    const res = await importCluster('operator', {
      name: `onprem-dev-${suffix}`,
      kubeconfig: kubeconfig(),
      environment: 'dev',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    imported = res.body;
    expect(res.body.kubernetesVersion).toMatch(/^\d+\.\d+/);
    expect(res.body.nodes).toBeGreaterThan(0);
    expect(res.body.environment).toBe('dev');
    const token = s.sandbox.sandbox.adminToken;
    expect(JSON.stringify(res.body)).not.toContain(token);

    const list = await s.api<{ items: { id: string; cloud: string; environment: string }[] }>(
      'developer',
      'GET',
      '/api/v1/clusters?cloud=kubernetes',
    );
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: imported.clusterId, cloud: 'kubernetes', environment: 'dev' }),
      ]),
    );
    const shown = await s.api('owner', 'GET', `/api/v1/clusters/${imported.clusterId}`);
    const accounts = await s.api('owner', 'GET', '/api/v1/accounts');
    const account = await s.api('owner', 'GET', `/api/v1/accounts/${imported.accountId}`);
    for (const body of [shown.body, accounts.body, account.body])
      expect(JSON.stringify(body)).not.toContain(token);
    // sealed at rest like cloud credentials
    const row = await s.h.db.cloudAccount.findUniqueOrThrow({ where: { id: imported.accountId } });
    expect(row.cloud).toBe('kubernetes');
    expect(Buffer.from(row.credentialsCipher ?? []).toString('latin1')).not.toContain(token);
    expect(
      s.h.vault.open<{ token: string }>({ cipher: row.credentialsCipher!, keyId: row.credentialsKeyId! })
        .token,
    ).toBe(token);
    const audit = await s.h.db.auditEntry.findFirst({
      where: { action: 'cluster.import', tenantId: s.tenant.id },
      orderBy: { createdAt: 'desc' },
    });
    expect(audit?.outcome).toBe('success');
    expect(JSON.stringify(audit?.detail ?? {})).not.toContain(token);
  }, 60_000);

  it.each([
    [
      'an exec plugin',
      {},
      {
        exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'touch', args: ['/tmp/dolly-pwned'] },
      },
      'body.kubeconfig.users[].user.exec',
    ],
    [
      'an auth-provider',
      {},
      { 'auth-provider': { name: 'oidc', config: {} } },
      'body.kubeconfig.users[].user.auth-provider',
    ],
    [
      'insecure-skip-tls-verify',
      { 'insecure-skip-tls-verify': true },
      undefined,
      'body.kubeconfig.clusters[].cluster.insecure-skip-tls-verify',
    ],
  ])('refuses a kubeconfig with %s, naming the field', async (_what, cluster, user, path) => {
    const before = await s.h.db.cloudAccount.count();
    const res = await importCluster('operator', {
      name: `refused-${suffix}`,
      kubeconfig: kubeconfig(cluster, user),
      environment: 'dev',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
    expect(await s.h.db.cloudAccount.count()).toBe(before);
  });

  it('refuses a plain-http server and a private address the operator did not allow', async () => {
    const http = await importCluster('operator', {
      name: `refused-${suffix}`,
      kubeconfig: kubeconfig({ server: server.replace(/^https:/, 'http:') }),
    });
    expect(http.status).toBe(422);
    expect(http.body.errors).toEqual([
      expect.objectContaining({
        path: 'body.kubeconfig.clusters[].cluster.server',
        message: expect.stringMatching(/https/),
      }),
    ]);
    const internal = await importCluster('operator', {
      name: `refused-${suffix}`,
      server: 'https://10.42.0.1:6443',
      token: 'a-token-for-the-lan',
    });
    expect(internal.status).toBe(422);
    expect(internal.body.errors).toEqual([
      expect.objectContaining({ path: 'body.server', message: expect.stringMatching(/internal address/) }),
    ]);
  });

  it('refuses a credential the cluster does not accept before storing anything', async () => {
    const res = await importCluster('operator', {
      name: `refused-${suffix}`,
      kubeconfig: kubeconfig({}, { token: 'not-a-token-the-cluster-knows' }),
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/connection test failed: the cluster answered 401/);
    expect(await s.h.db.cloudAccount.findFirst({ where: { name: `refused-${suffix}` } })).toBeNull();
  });

  it('does not let a developer import a cluster', async () => {
    const res = await importCluster('developer', { name: `dev-${suffix}`, kubeconfig: kubeconfig() });
    expect(res.status).toBe(403);
  });

  it('refuses a clone plan from or into an imported cluster', async () => {
    const from = await s.api<Problem>('developer', 'POST', '/api/v1/plans', {
      source: { clusterIds: [imported.clusterId] },
      target: { accountId: s.account('aws').id, environment: 'dev' },
    });
    expect(from.status).toBe(422);
    expect(from.body.detail).toMatch(/imported clusters can be migrated, not cloned/);
    const into = await s.api<Problem>('developer', 'POST', '/api/v1/plans', {
      source: { clusterIds: [await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
      target: { accountId: imported.accountId, environment: 'dev' },
    });
    expect(into.status).toBe(422);
    expect(into.body.errors).toEqual([expect.objectContaining({ path: 'body.target.accountId' })]);
  });

  it('keeps a developer out of an imported prod cluster (the prod guard applies unchanged)', async () => {
    const prod = await importCluster('operator', {
      name: `onprem-prod-${suffix}`,
      kubeconfig: kubeconfig(),
      environment: 'production',
    });
    expect(prod.status, JSON.stringify(prod.body)).toBe(201);
    expect(prod.body.environment).toBe('prod');
    const res = await s.api<Problem>('developer', 'POST', '/api/v1/migrations', {
      sourceClusterId: await s.clusterId('aws', 'shop-dev'),
      targetClusterId: prod.body.clusterId,
      namespaces: ['shop'],
      namespaceMap: { shop: `${ns}-p` },
      dryRun: true,
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('policy_denied');
    expect((await s.api('operator', 'DELETE', `/api/v1/clusters/${prod.body.clusterId}/import`)).status).toBe(
      204,
    );
    expect(await s.h.db.cloudAccount.findUnique({ where: { id: prod.body.accountId } })).toBeNull();
  });

  it('migrates a namespace from a cloud cluster into the imported one, with explicit mappings reported', async () => {
    const request = {
      sourceClusterId: await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod'),
      targetClusterId: imported.clusterId,
      namespaces: ['shop'],
      namespaceMap: { shop: ns },
      includeSecrets: true,
      readyTimeoutSec: 60,
    };
    const dry = await s.api<{ warnings: { message: string }[]; target: { cloud: string } }>(
      'operator',
      'POST',
      '/api/v1/migrations',
      { ...request, dryRun: true },
    );
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.target.cloud).toBe('kubernetes');
    // the GKE class means nothing Dolly knows on an imported cluster: said, not guessed
    expect(JSON.stringify(dry.body.warnings)).toMatch(
      /storage classes of imported clusters are only mapped explicitly/,
    );
    expect(JSON.stringify(dry.body.warnings)).toMatch(
      /ingress classes of imported clusters are only mapped explicitly/,
    );

    const res = await s.api<RunView>('operator', 'POST', '/api/v1/migrations', {
      ...request,
      storageClassMap: { 'standard-rwo': 'gp3' },
      ingressClassMap: { gce: 'alb' },
      dryRun: false,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const done = await s.waitRun(res.body.id, undefined, 120_000);
    expect(done.status, JSON.stringify(done.error ?? done.result)).toBe('succeeded');

    // the objects are there, read straight from the cluster with the on-prem admin's kubeconfig
    const kube = createKubeClient(kubeconfig());
    try {
      const deployments = await kube.request<{ items: { metadata: { name: string; namespace: string } }[] }>(
        'GET',
        `/apis/apps/v1/namespaces/${ns}/deployments`,
      );
      expect(deployments.items.length).toBeGreaterThan(0);
      expect(deployments.items.map((d) => d.metadata.namespace)).toEqual(deployments.items.map(() => ns));
      const pvcs = await kube.request<{ items: { spec: { storageClassName?: string } }[] }>(
        'GET',
        `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
      );
      for (const pvc of pvcs.items) expect(pvc.spec.storageClassName).toBe('gp3');
    } finally {
      kube.close();
    }
  }, 300_000);

  it('refreshes the imported cluster on sync and rotates its credential, tested first', async () => {
    const sync = await s.api<RunView>('operator', 'POST', '/api/v1/inventory/sync', {
      accountIds: [imported.accountId],
    });
    expect(sync.status).toBe(202);
    const done = await s.waitRun(sync.body.id);
    expect(done.status, JSON.stringify(done.result)).toBe('succeeded');
    const row = await s.h.db.cluster.findUniqueOrThrow({ where: { id: imported.clusterId } });
    expect(row.vanishedAt).toBeNull();

    const bad = await s.api<Problem>(
      'operator',
      'PUT',
      `/api/v1/clusters/${imported.clusterId}/import/credential`,
      {
        kubeconfig: kubeconfig({}, { token: 'revoked' }),
      },
    );
    expect(bad.status).toBe(422);
    const ok = await s.api<Imported>(
      'operator',
      'PUT',
      `/api/v1/clusters/${imported.clusterId}/import/credential`,
      {
        server,
        caPem: Buffer.from(caData, 'base64').toString('utf8'),
        token: s.sandbox.sandbox.adminToken,
      },
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(JSON.stringify(ok.body)).not.toContain(s.sandbox.sandbox.adminToken);
  }, 60_000);
});
