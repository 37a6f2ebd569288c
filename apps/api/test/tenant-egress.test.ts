/**
 * A tenant points Dolly at hosts; Dolly's hosts must not be reachable that way. Through the REST
 * API, as a script user meets it: a fake ARM endpoint that hands out a kubeconfig with an exec
 * plugin, and stored endpoints (older rows, DNS that changed its answer) on internal addresses.
 */
import { existsSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, createServerCert } from '../../sandbox/src/tls.ts';
import { type CloudStack, startCloudStack } from './support/cloud-stack.ts';
import { type Harness, login, startHarness } from './support/harness.ts';

const marker = join(tmpdir(), `dolly-egress-pwned-${process.pid}`);
const requests: string[] = [];
let fake: Server;
let fakeUrl: string;
/** the same host over https (Azure's SDK sends bearer tokens only over TLS), with its own CA */
let fakeTls: Server;
let fakeTlsUrl: string;
let fakeCa: string;
let s: CloudStack;
const tag = Date.now().toString(36).slice(-5);

/** Answers like ARM would, with the kubeconfig an attacker wants Dolly to load. */
function hostileKubeconfig(): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    '  cluster:',
    '    server: https://203.0.113.10',
    'users:',
    '- name: u',
    '  user:',
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1beta1',
    '      command: /bin/sh',
    `      args: ["-c", "touch ${marker}; echo '{\\"apiVersion\\":\\"client.authentication.k8s.io/v1beta1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"t\\"}}'"]`,
    'contexts:',
    '- name: c',
    '  context: {cluster: c, user: u}',
    'current-context: c',
    '',
  ].join('\n');
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  requests.push(`${req.method} ${req.url}`);
  res.setHeader('content-type', 'application/json');
  if (req.url?.includes('listClusterUserCredential')) {
    res.end(
      JSON.stringify({
        kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(hostileKubeconfig()).toString('base64') }],
      }),
    );
    return;
  }
  res.statusCode = 500;
  res.setHeader('content-type', 'text/html');
  res.end('<html><body><h1>Internal admin console</h1><p>secret-token-123</p></body></html>');
}

beforeAll(async () => {
  fake = createHttpServer(answer);
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  // a CA of its own name: two CAs of one subject in a bundle make TLS verify against the wrong one
  const ca = createCa('Egress Test Fake ARM CA');
  const tls = createServerCert(ca);
  fakeCa = ca.certPem;
  fakeTls = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, answer);
  await new Promise<void>((r) => fakeTls.listen(0, '127.0.0.1', r));
  fakeTlsUrl = `https://127.0.0.1:${(fakeTls.address() as AddressInfo).port}`;
  s = await startCloudStack({ worker: false });
}, 90_000);

afterAll(async () => {
  rmSync(marker, { force: true });
  await s?.h.db.cloudAccount.deleteMany({ where: { name: { startsWith: 'egress-' } } });
  await s?.close();
  await new Promise((r) => fake?.close(r));
  await new Promise((r) => fakeTls?.close(r));
});

/** A copy of a sandbox account (same sealed credentials) with some endpoints moved to `fakeUrl`. */
async function accountLike(
  h: Harness,
  cloud: 'aws' | 'azure',
  endpoints: Record<string, string>,
  endpoint: string | null,
  caBundle?: string,
) {
  const src = s.account(cloud);
  const settings = (src.settings ?? {}) as { endpoints?: Record<string, string> };
  const {
    id: _id,
    createdAt: _c,
    updatedAt: _u,
    ...rest
  } = src as typeof src & {
    createdAt?: unknown;
    updatedAt?: unknown;
  };
  return h.db.cloudAccount.create({
    data: {
      ...rest,
      name: `egress-${cloud}-${tag}-${Math.random().toString(36).slice(2, 6)}`,
      endpoint,
      settings: { ...settings, endpoints: { ...settings.endpoints, ...endpoints } },
      lastTestResult: undefined,
      // the sandbox's CA (its login endpoint is still the sandbox) and the fake host's
      ...(caBundle ? { caBundle: `${src.caBundle ?? ''}\n${caBundle}` } : {}),
    } as Parameters<typeof h.db.cloudAccount.create>[0]['data'],
  });
}

describe('a cloud answer never runs a command on Dolly', () => {
  it('refuses a kubeconfig with an exec plugin from a fake ARM endpoint, and runs nothing', async () => {
    const account = await accountLike(s.h, 'azure', { arm: fakeTlsUrl }, fakeTlsUrl, fakeCa);
    const cluster = await s.h.db.cluster.create({
      data: {
        tenantId: s.tenant.id,
        accountId: account.id,
        cloud: 'azure',
        scope: `${account.scope}/dolly-demo`,
        location: 'westeurope',
        name: `egress-${tag}`,
        kubernetesVersion: '1.31.2',
        spec: {},
      },
    });
    const res = await s.api<{ detail: string }>(
      'operator',
      'GET',
      `/api/v1/clusters/${cluster.id}/kubeconfig`,
    );
    expect(requests.some((r) => r.includes('listClusterUserCredential'))).toBe(true);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.detail).toMatch(/credential plugin/);
    // give a spawned command time to have run, had one been spawned
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(marker)).toBe(false);
  });

  it('never relays the page a host it was pointed at served', async () => {
    const account = await accountLike(s.h, 'azure', { arm: fakeTlsUrl }, fakeTlsUrl, fakeCa);
    const res = await s.api<{ ok: boolean; message?: string }>(
      'owner',
      'POST',
      `/api/v1/accounts/${account.id}/test`,
    );
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.message ?? '').not.toMatch(/secret-token-123|admin console|<html/i);
  });
});

describe('connections are egress-checked when they are made, not only when an endpoint is saved', () => {
  let strict: Harness;
  beforeAll(async () => {
    // An installation with no allow-list: nothing internal is reachable through any account.
    strict = await startHarness({ DOLLY_ENDPOINT_ALLOWLIST: '' }, { worker: false });
  });
  afterAll(async () => {
    await strict?.close();
  });

  /** The account's connection test, as its tenant admin runs it on the strict installation. */
  async function connectionTest(accountId: string) {
    const session = await login(strict.app, 'admin@demo.dolly');
    const res = await strict.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/test`,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    return { statusCode: res.statusCode, body: res.json() as { ok: boolean; message?: string } };
  }

  it('refuses a stored endpoint on loopback before a byte is sent', async () => {
    const account = await accountLike(strict, 'aws', { sts: fakeUrl, eks: fakeUrl, ec2: fakeUrl }, fakeUrl);
    const before = requests.length;
    const { statusCode, body } = await connectionTest(account.id);
    expect(statusCode).toBe(200);
    expect(body.ok).toBe(false);
    expect(body.message).toMatch(/internal address \(127\.0\.0\.1\).*DOLLY_ENDPOINT_ALLOWLIST/);
    expect(requests.length).toBe(before);
  });

  it('refuses a host name that resolves to loopback (as a rebinding name would)', async () => {
    const port = new URL(fakeUrl).port;
    const account = await accountLike(
      strict,
      'aws',
      { sts: `http://localhost:${port}`, eks: `http://localhost:${port}` },
      `http://localhost:${port}`,
    );
    const before = requests.length;
    const { body } = await connectionTest(account.id);
    expect(body.ok).toBe(false);
    expect(body.message).toMatch(/refused to connect to localhost/);
    expect(requests.length).toBe(before);
  });
});
