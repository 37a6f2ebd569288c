import { IAMClient } from '@aws-sdk/client-iam';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
/**
 * The sandbox clouds in-process for the provider integration tests: the real core (startSandbox), the
 * cloud modules and kube hub main.ts wires (whatever of them exists), port 0, a temp data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Catalog } from '@dolly/model';
import { JWT } from 'google-auth-library';
import type { CloudAccountConfig, CloudId } from '../../src/index';
import { loadSandboxParts } from '../../../../apps/sandbox/src/parts.ts';
import { type RunningSandbox, startSandbox } from '../../../../apps/sandbox/src/server.ts';

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
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
}

const quiet = {
  info: () => {},
  warn: () => {},
  error: (o: object | string, m?: string) => console.error('[sandbox error]', o, m ?? ''),
  debug: () => {},
};

export async function startTestSandbox(
  opts: {
    speed?: number;
    /** how soon a change is written to the state file; benchmarks set it long, so they measure the
     *  API and not the sandbox's disk */
    persistDebounceMs?: number;
    /** what the clouds offer (their live lists); default the bundled snapshot */
    catalog?: Catalog;
  } = {},
): Promise<TestSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'dolly-providers-test-'));
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
    ...(opts.catalog ? { catalog: opts.catalog } : {}),
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
  return {
    sandbox,
    missing: parts.missing,
    accounts,
    account(cloud, id) {
      const a = accounts.find((x) => x.cloud === cloud && x.id === id);
      if (!a) throw new Error(`no sandbox ${cloud} account ${id}`);
      return a;
    },
    admin,
    async close() {
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const DEMO = {
  aws: '111111111111',
  azure: '00000000-0000-4000-8000-000000000001',
  gcpProd: 'dolly-demo-prod',
  gcpDev: 'dolly-demo-dev',
} as const;

/** A Dolly cloud account for a sandbox account, exactly as a user would enter it. */
/** IAM of a sandbox AWS account, as the operator's own tooling would use it. */
export function iamOf(a: SandboxAccountInfo): IAMClient {
  return new IAMClient({
    region: 'us-east-1',
    endpoint: a.endpoints.iam,
    credentials: {
      accessKeyId: String(a.credentials.accessKeyId),
      secretAccessKey: String(a.credentials.secretAccessKey),
    },
  });
}

export function awsAccount(
  a: SandboxAccountInfo,
  settings: CloudAccountConfig['settings'] = {},
): CloudAccountConfig {
  return {
    id: `acc-aws-${a.id}`,
    cloud: 'aws',
    name: a.displayName,
    scope: a.id,
    endpoints: {
      eks: a.endpoints.eks ?? '',
      ec2: a.endpoints.ec2 ?? '',
      sts: a.endpoints.sts ?? '',
      iam: a.endpoints.iam ?? '',
      servicequotas: a.endpoints.servicequotas ?? '',
    },
    credentialKind: 'aws-access-key',
    credentials: { accessKeyId: a.credentials.accessKeyId, secretAccessKey: a.credentials.secretAccessKey },
    settings: {
      clusterRoleArn: `arn:aws:iam::${a.id}:role/eks-cluster-role`,
      nodeRoleArn: `arn:aws:iam::${a.id}:role/eks-node-role`,
      ...settings,
    },
  };
}

export function azureAccount(
  a: SandboxAccountInfo,
  settings: CloudAccountConfig['settings'] = {},
): CloudAccountConfig {
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
    settings: { resourceGroup: 'dolly-clones', ...settings },
  };
}

export function gcpAccount(
  a: SandboxAccountInfo,
  settings: CloudAccountConfig['settings'] = {},
): CloudAccountConfig {
  return {
    id: `acc-gcp-${a.id}`,
    cloud: 'gcp',
    name: a.displayName,
    scope: a.id,
    endpoints: {
      container: a.endpoints.container ?? '',
      token: a.endpoints.token ?? '',
      serviceusage: a.endpoints.serviceusage ?? '',
      compute: a.endpoints.compute ?? '',
    },
    credentialKind: 'gcp-service-account-key',
    credentials: { ...a.credentials },
    settings,
  };
}

/** Lists nodes through @kubernetes/client-node with exactly the kubeconfig the provider produced. */
export async function listNodesWithKubeconfig(
  kubeconfig: string,
): Promise<{ status: number; names: string[] }> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  try {
    const list = await core.listNode();
    return { status: 200, names: list.items.map((n) => n.metadata?.name ?? '') };
  } catch (error) {
    if (error instanceof ApiException) return { status: error.code, names: [] };
    throw error;
  }
}

/**
 * An OAuth access token for a sandbox GCP project's service-account key, as gcloud would get one
 * (google-auth-library always posts to oauth2.googleapis.com; the key's token_uri is honoured).
 */
export async function gcpAccessToken(a: SandboxAccountInfo): Promise<string> {
  const key = a.credentials as Record<string, string>;
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
  return (await jwt.getAccessToken()).token ?? '';
}

/** Fast polling for the sandbox's sped-up clock. */
export const FAST = { pollIntervalMs: 25, timeoutMs: 60_000 } as const;
