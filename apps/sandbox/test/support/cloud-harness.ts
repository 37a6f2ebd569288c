/**
 * A small stand-in for the sandbox core so cloud modules can be tested on their own: an HTTP and an
 * HTTPS server on 127.0.0.1 (random ports) with a throwaway CA, a SandboxContext with a simple fault
 * injector and a recording KubeHub, routing every request to the modules under test.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { bundledCatalog } from '@dolly/model';
import forge from 'node-forge';
import type {
  CloudModule,
  FaultInjector,
  FaultRule,
  KubeClusterInfo,
  KubeHub,
  KubeIdentity,
  SandboxContext,
} from '../../src/context.ts';

export function makeCa(): { caCertPem: string; certPem: string; keyPem: string } {
  const toForgeKeys = () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    return {
      privateKey: forge.pki.privateKeyFromPem(privateKey),
      publicKey: forge.pki.publicKeyFromPem(publicKey),
    };
  };
  const caKeys = toForgeKeys();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = '01';
  ca.validity.notBefore = new Date(Date.now() - 60_000);
  ca.validity.notAfter = new Date(Date.now() + 86_400_000);
  const caAttrs = [{ name: 'commonName', value: 'Dolly Sandbox Test CA' }];
  ca.setSubject(caAttrs);
  ca.setIssuer(caAttrs);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = toForgeKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  cert.setIssuer(caAttrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
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
    caCertPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

export class SimpleFaults implements FaultInjector {
  rules: (FaultRule & { id: string })[] = [];
  take(cloud: FaultRule['cloud'], operation: string): FaultRule | undefined {
    for (const r of this.rules) {
      if (r.cloud !== cloud || (r.operation !== '*' && r.operation !== operation)) continue;
      if (r.count === undefined && r.probability !== undefined) {
        if (Math.random() < r.probability) return r;
        continue;
      }
      const left = r.count ?? 1;
      if (left <= 0) continue;
      r.count = left - 1;
      if (r.count <= 0) this.rules = this.rules.filter((x) => x !== r);
      return r;
    }
    return undefined;
  }
  list(): FaultRule[] {
    return [...this.rules];
  }
  add(rule: FaultRule): FaultRule {
    const r = { ...rule, id: rule.id ?? randomUUID() };
    this.rules.push(r);
    return r;
  }
  clear(): void {
    this.rules = [];
  }
}

/** Records what the cloud modules tell the hub; serves /k8s/<id>/... with a whoami answer. */
export class RecordingKubeHub implements KubeHub {
  clusters = new Map<string, KubeClusterInfo>();
  events: { kind: 'ensure' | 'remove' | 'seed'; clusterId: string }[] = [];
  constructor(private readonly httpsBase: () => string) {}
  ensureCluster(clusterId: string, info: KubeClusterInfo): void {
    this.clusters.set(clusterId, structuredClone(info));
    this.events.push({ kind: 'ensure', clusterId });
  }
  removeCluster(clusterId: string): void {
    this.clusters.delete(clusterId);
    this.events.push({ kind: 'remove', clusterId });
  }
  hasCluster(clusterId: string): boolean {
    return this.clusters.has(clusterId);
  }
  serverUrl(clusterId: string): string {
    return `${this.httpsBase()}/k8s/${clusterId}`;
  }
  async handle(
    _req: IncomingMessage,
    res: ServerResponse,
    clusterId: string,
    subPath: string,
    who: KubeIdentity,
  ): Promise<void> {
    const text = JSON.stringify({ clusterId, subPath, who });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  }
  seedDemoWorkloads(clusterId: string): void {
    this.events.push({ kind: 'seed', clusterId });
  }
  snapshot(): unknown {
    return Object.fromEntries(this.clusters);
  }
  restore(): void {}
  reset(): void {
    this.clusters.clear();
  }
  stateView(): unknown {
    return this.snapshot();
  }
}

export interface Harness {
  ctx: SandboxContext;
  faults: SimpleFaults;
  kube: RecordingKubeHub;
  modules: CloudModule[];
  caCertPem: string;
  httpUrl: string;
  httpsUrl: string;
  /** shift the sandbox clock (ms) */
  advance(ms: number): void;
  setSpeed(speed: number): void;
  requests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

export async function startHarness(
  build: (ctx: SandboxContext) => CloudModule[],
  opts: { speed?: number } = {},
): Promise<Harness> {
  const { caCertPem, certPem, keyPem } = makeCa();
  let offset = 0;
  let speed = opts.speed ?? 2000;
  const urls = { http: '', https: '' };
  const faults = new SimpleFaults();
  const kube = new RecordingKubeHub(() => urls.https);
  const quiet = () => {};
  const ctx: SandboxContext = {
    catalog: bundledCatalog,
    speed: () => speed,
    now: () => Date.now() + offset,
    faults,
    kube,
    urls,
    caCertPem,
    markDirty: quiet,
    log: { info: quiet, warn: quiet, error: (o, m) => console.error(m, o), debug: quiet },
  };
  const modules = build(ctx);
  const requests: Harness['requests'] = [];

  const route = (transport: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', transport === 'https' ? urls.https : urls.http);
        res.on('finish', () =>
          requests.push({ method: req.method ?? '', path: url.pathname, status: res.statusCode }),
        );
        try {
          const k8s = /^\/k8s\/([^/]+)(\/.*)?$/.exec(url.pathname);
          if (k8s?.[1]) {
            const clusterId = k8s[1];
            const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
            const m = modules.find((x) => clusterId.startsWith(`${x.cloud}-`));
            const who = m?.authenticateKube(clusterId, token);
            if (!who) {
              res.writeHead(401, { 'content-type': 'application/json' });
              res.end(
                JSON.stringify({
                  kind: 'Status',
                  apiVersion: 'v1',
                  status: 'Failure',
                  reason: 'Unauthorized',
                  code: 401,
                }),
              );
              return;
            }
            await kube.handle(req, res, clusterId, k8s[2] ?? '/', who);
            return;
          }
          for (const m of modules) {
            if (await m.handle(req, res, body, url, transport)) return;
          }
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'no module handled this request' }));
        } catch (e) {
          console.error('harness route error', e);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        }
      })();
    });
  };

  const http: Server = createHttpServer(route('http'));
  const https = createHttpsServer({ cert: certPem, key: keyPem }, route('https'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  urls.http = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  urls.https = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;

  return {
    ctx,
    faults,
    kube,
    modules,
    caCertPem,
    httpUrl: urls.http,
    httpsUrl: urls.https,
    advance(ms) {
      offset += ms;
    },
    setSpeed(s) {
      speed = s;
    },
    requests,
    async close() {
      http.closeAllConnections();
      https.closeAllConnections();
      await Promise.all([
        new Promise<void>((r) => http.close(() => r())),
        new Promise<void>((r) => https.close(() => r())),
      ]);
    },
  };
}
