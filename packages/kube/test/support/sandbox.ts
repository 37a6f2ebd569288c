/**
 * The sandbox clouds in-process for the kube integration tests (adapted from the providers' copy):
 * the real core, cloud modules and kube hub, port 0, a temp data dir. Kubeconfigs come from the
 * providers exactly as the worker gets them, so the credential path under test is the real one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSandboxParts } from '../../../../apps/sandbox/src/parts.ts';
import { type RunningSandbox, startSandbox } from '../../../../apps/sandbox/src/server.ts';
import { type CloudAccountConfig, type CloudId, createProvider } from '../../../providers/src/index.ts';

export interface SandboxAccountInfo {
  cloud: CloudId;
  id: string;
  displayName: string;
  endpoints: Record<string, string>;
  credentials: Record<string, unknown>;
  caCertPem: string;
}

export interface TestSandbox {
  sandbox: RunningSandbox;
  missing: string[];
  accounts: SandboxAccountInfo[];
  account(cloud: CloudId, id: string): SandboxAccountInfo;
  /** kubeconfig of a demo fleet cluster, issued by the cloud's provider */
  kubeconfig(cloud: CloudId, which: 'prod' | 'dev'): Promise<string>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
}

const quiet = {
  info: () => {},
  warn: () => {},
  error: (o: object | string, m?: string) => console.error('[sandbox error]', o, m ?? ''),
  debug: () => {},
};

export const DEMO = {
  aws: '111111111111',
  azure: '00000000-0000-4000-8000-000000000001',
  gcpProd: 'dolly-demo-prod',
  gcpDev: 'dolly-demo-dev',
} as const;

/** Where the demo fleet's shop clusters live (apps/sandbox/src/demo-fleet.ts). */
export const FLEET: Record<
  CloudId,
  Record<'prod' | 'dev', { account: string; scope: string; location: string; cluster: string }>
> = {
  aws: {
    prod: { account: DEMO.aws, scope: DEMO.aws, location: 'us-east-1', cluster: 'shop-prod' },
    dev: { account: DEMO.aws, scope: DEMO.aws, location: 'us-west-2', cluster: 'shop-dev' },
  },
  azure: {
    prod: {
      account: DEMO.azure,
      scope: `${DEMO.azure}/dolly-demo`,
      location: 'westeurope',
      cluster: 'shop-prod',
    },
    dev: {
      account: DEMO.azure,
      scope: `${DEMO.azure}/dolly-demo`,
      location: 'westeurope',
      cluster: 'shop-dev',
    },
  },
  gcp: {
    prod: { account: DEMO.gcpProd, scope: DEMO.gcpProd, location: 'us-central1', cluster: 'shop-prod' },
    dev: { account: DEMO.gcpDev, scope: DEMO.gcpDev, location: 'us-central1-a', cluster: 'shop-dev' },
  },
};

export async function startTestSandbox(
  opts: {
    speed?: number;
    /** how soon a change is written to the state file; the benchmark sets it long, since writing
     *  the whole state after every burst of writes would measure the sandbox's disk, not the API */
    persistDebounceMs?: number;
  } = {},
): Promise<TestSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'dolly-kube-test-'));
  const parts = await loadSandboxParts();
  const sandbox = await startSandbox({
    port: 0,
    tlsPort: 0,
    host: '127.0.0.1',
    dataDir: dir,
    speed: opts.speed ?? 3000,
    seed: true,
    logger: quiet,
    tickMs: 20,
    persistDebounceMs: opts.persistDebounceMs ?? 50,
    modules: parts.modules,
    ...(parts.kubeHub ? { kubeHub: parts.kubeHub } : {}),
  });
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.urls.http}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json };
  };
  const accounts = (await admin('GET', '/_sandbox/accounts')).json as SandboxAccountInfo[];
  const account = (cloud: CloudId, id: string) => {
    const a = accounts.find((x) => x.cloud === cloud && x.id === id);
    if (!a) throw new Error(`no sandbox ${cloud} account ${id}`);
    return a;
  };
  return {
    sandbox,
    missing: parts.missing,
    accounts,
    account,
    async kubeconfig(cloud, which) {
      const f = FLEET[cloud][which];
      const provider = createProvider(accountConfig(account(cloud, f.account)));
      return provider.kubeconfig({ scope: f.scope, location: f.location, cluster: f.cluster });
    },
    admin,
    async close() {
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Dolly cloud account for a sandbox account, exactly as a user would enter it. */
export function accountConfig(a: SandboxAccountInfo): CloudAccountConfig {
  switch (a.cloud) {
    case 'aws':
      return {
        id: `acc-aws-${a.id}`,
        cloud: 'aws',
        name: a.displayName,
        scope: a.id,
        endpoints: { eks: a.endpoints.eks ?? '', ec2: a.endpoints.ec2 ?? '', sts: a.endpoints.sts ?? '' },
        credentialKind: 'aws-access-key',
        credentials: {
          accessKeyId: a.credentials.accessKeyId,
          secretAccessKey: a.credentials.secretAccessKey,
        },
        settings: {},
      };
    case 'azure':
      return {
        id: `acc-azure-${a.id}`,
        cloud: 'azure',
        name: a.displayName,
        scope: a.id,
        endpoints: { arm: a.endpoints.arm ?? '', login: a.endpoints.login ?? '' },
        caBundle: a.caCertPem,
        credentialKind: 'azure-client-secret',
        credentials: {
          tenantId: a.credentials.tenantId,
          clientId: a.credentials.clientId,
          clientSecret: a.credentials.clientSecret,
        },
        settings: {},
      };
    case 'gcp':
      return {
        id: `acc-gcp-${a.id}`,
        cloud: 'gcp',
        name: a.displayName,
        scope: a.id,
        endpoints: { container: a.endpoints.container ?? '', token: a.endpoints.token ?? '' },
        credentialKind: 'gcp-service-account-key',
        credentials: { ...a.credentials },
        settings: {},
      };
  }
}
