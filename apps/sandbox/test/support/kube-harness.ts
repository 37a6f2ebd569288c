/** Test harness: the KubeHub behind an HTTPS server on 127.0.0.1 with a throwaway CA. */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import workerThreads from 'node:worker_threads';
import zlib from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import forge from 'node-forge';
import type { KubeClusterInfo, KubeNodePool } from '../../src/context.ts';
import { createKubeHub, type KubeHubWithUpgrade } from '../../src/kube/index.ts';

// @kubernetes/client-node 2.x pulls in undici 8, which needs Node >= 22.19; these shims let it load and
// work on Node 20 (we never use zstd or structured-clone marking). Import the client through `k8s` below.
const zlibShim = zlib as unknown as Record<string, unknown>;
zlibShim.createZstdDecompress ??= () => {
  throw new Error('zstd is not available on this Node version');
};
const wtShim = workerThreads as unknown as Record<string, unknown>;
wtShim.markAsUncloneable ??= () => {};
const promiseShim = Promise as unknown as { withResolvers?: unknown };
promiseShim.withResolvers ??= <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};

/** @kubernetes/client-node, loaded after the Node 20 shims. */
export const k8s = await import('@kubernetes/client-node');

export const TEST_TOKEN = 'kube-harness-test-token';

export interface KubeHarness {
  hub: KubeHubWithUpgrade;
  baseUrl: string;
  caPem: string;
  kubeConfig(clusterId: string): KubeConfig;
  kubeConfigYaml(clusterId: string): string;
  close(): Promise<void>;
}

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  // native key generation (forge's pure-JS RSA keygen takes seconds)
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e) };
}

function makeCerts(): { caPem: string; certPem: string; keyPem: string } {
  const pki = forge.pki;
  const caKeys = keyPair();
  const ca = pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = '01';
  ca.validity.notBefore = new Date(Date.now() - 3600_000);
  ca.validity.notAfter = new Date(Date.now() + 86400_000);
  const caAttrs = [{ name: 'commonName', value: 'kube-harness-ca' }];
  ca.setSubject(caAttrs);
  ca.setIssuer(caAttrs);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());
  const keys = keyPair();
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 86400_000);
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  cert.setIssuer(caAttrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());
  return {
    caPem: pki.certificateToPem(ca),
    certPem: pki.certificateToPem(cert),
    keyPem: pki.privateKeyToPem(keys.privateKey),
  };
}

let cachedCerts: ReturnType<typeof makeCerts> | undefined;

const WHO = { username: 'kube-harness', groups: ['system:masters', 'system:authenticated'] };

function route(url: string | undefined): { clusterId: string; subPath: string } | undefined {
  const m = /^\/k8s\/([^/?]+)(\/[^?]*)?(\?.*)?$/.exec(url ?? '');
  if (!m) return undefined;
  return { clusterId: decodeURIComponent(m[1]!), subPath: `${m[2] ?? '/'}${m[3] ?? ''}` };
}

function authorized(header: string | undefined): boolean {
  return header === `Bearer ${TEST_TOKEN}`;
}

const UNAUTHORIZED = JSON.stringify({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
});

export async function startKubeHarness(now?: () => number): Promise<KubeHarness> {
  cachedCerts ??= makeCerts();
  const { caPem, certPem, keyPem } = cachedCerts;
  let hub: KubeHubWithUpgrade | undefined;
  const server: Server = createServer({ key: keyPem, cert: certPem }, (req, res) => {
    const r = route(req.url);
    if (!r || !hub) {
      res.writeHead(404).end();
      return;
    }
    if (!authorized(req.headers.authorization)) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(UNAUTHORIZED);
      return;
    }
    void hub.handle(req, res, r.clusterId, r.subPath, WHO);
  });
  server.on('upgrade', (req, socket, head) => {
    const r = route(req.url);
    if (!r || !hub || !authorized(req.headers.authorization)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    hub.handleUpgrade(req, socket, head, r.clusterId, r.subPath, WHO);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `https://127.0.0.1:${port}`;
  hub = createKubeHub({ baseUrl, ...(now ? { now } : {}) });
  const h = hub;
  const kubeConfigYaml = (clusterId: string) =>
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${clusterId}`,
      '  cluster:',
      `    server: ${h.serverUrl(clusterId)}`,
      `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
      'users:',
      '- name: harness',
      '  user:',
      `    token: ${TEST_TOKEN}`,
      'contexts:',
      `- name: ${clusterId}`,
      '  context:',
      `    cluster: ${clusterId}`,
      '    user: harness',
      `current-context: ${clusterId}`,
      '',
    ].join('\n');
  return {
    hub: h,
    baseUrl,
    caPem,
    kubeConfig(clusterId: string) {
      const kc = new k8s.KubeConfig();
      kc.loadFromString(kubeConfigYaml(clusterId));
      return kc;
    },
    kubeConfigYaml,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function pool(
  cloud: KubeClusterInfo['cloud'],
  name: string,
  opts: Partial<KubeNodePool> = {},
): KubeNodePool {
  const key =
    cloud === 'aws'
      ? 'eks.amazonaws.com/nodegroup'
      : cloud === 'azure'
        ? 'agentpool'
        : 'cloud.google.com/gke-nodepool';
  return {
    name,
    machineType: cloud === 'aws' ? 'm6i.large' : cloud === 'azure' ? 'Standard_D2s_v5' : 'e2-standard-2',
    nodeCount: 2,
    zones: [],
    vcpus: 2,
    memoryGiB: 8,
    arch: 'x86_64',
    os: 'linux',
    spot: false,
    labels: { [key]: name, ...(opts.labels ?? {}) },
    taints: [],
    ...opts,
    ...(opts.labels ? { labels: { [key]: name, ...opts.labels } } : {}),
  };
}

export function clusterInfo(
  cloud: KubeClusterInfo['cloud'],
  name: string,
  pools: KubeNodePool[],
): KubeClusterInfo {
  return {
    cloud,
    scope:
      cloud === 'aws'
        ? '111122223333'
        : cloud === 'azure'
          ? '00000000-0000-0000-0000-000000000001'
          : 'dolly-demo-prod',
    location: cloud === 'aws' ? 'eu-west-1' : cloud === 'azure' ? 'westeurope' : 'europe-west1',
    name,
    kubernetesVersion: '1.31',
    nodePools: pools,
  };
}
