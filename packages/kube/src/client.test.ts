import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKubeClient } from './client.ts';

const config = (cluster: Record<string, unknown>, user: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });

describe('createKubeClient', () => {
  it('never runs an exec credential plugin', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'kube-exec-')), 'ran');
    const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: 'touch', args: [marker] };
    let error: unknown;
    try {
      const client = createKubeClient(config({}, { exec }));
      await client.request('GET', '/version').catch((e: unknown) => {
        error = e;
      });
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/credential plugins/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses auth-provider users and skipped TLS verification', () => {
    expect(() => createKubeClient(config({}, { 'auth-provider': { name: 'gcp', config: {} } }))).toThrow(
      /credential plugins/,
    );
    expect(() => createKubeClient(config({ 'insecure-skip-tls-verify': true }, { token: 't' }))).toThrow(
      /insecure-skip-tls-verify/,
    );
  });
});

describe('createKubeClient egress', () => {
  it('refuses a server on an internal address unless the operator allowed it, at connect time', async () => {
    const { parseEgressPolicy } = await import('@dolly/contracts/egress');
    const client = createKubeClient(config({ server: 'https://169.254.169.254:6443' }, { token: 't' }), {
      egress: parseEgressPolicy(''),
    });
    await expect(client.request('GET', '/version')).rejects.toThrow(
      /internal address \(169\.254\.169\.254\)/,
    );
    client.close();
  });
});

describe('createKubeClient credential renewal', () => {
  /** An API server that accepts only the bearer token in `valid`, counting what it saw. */
  async function apiServer() {
    const { createServer } = await import('node:https');
    const { createCa, createServerCert } = await import('../../../apps/sandbox/src/tls.ts');
    const ca = createCa('kube client test CA');
    const tls = createServerCert(ca);
    const state = { valid: 'old', seen: [] as string[] };
    const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      state.seen.push(token);
      const ok = token === state.valid;
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify(
          ok ? { gitVersion: 'v1.33.0' } : { kind: 'Status', reason: 'Unauthorized', code: 401 },
        ),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return {
      state,
      url: `https://127.0.0.1:${port}`,
      cluster: {
        server: `https://127.0.0.1:${port}`,
        'certificate-authority-data': Buffer.from(ca.certPem).toString('base64'),
      },
      close: () => server.close(),
    };
  }

  it('asks for a fresh credential once when the token expires under many requests, and retries them', async () => {
    const { parseEgressPolicy } = await import('@dolly/contracts/egress');
    const api = await apiServer();
    let renewals = 0;
    const client = createKubeClient(config(api.cluster, { token: 'old' }), {
      egress: parseEgressPolicy('127.0.0.1'),
      renew: async () => {
        renewals++;
        return config(api.cluster, { token: 'new' });
      },
    });
    await expect(client.request('GET', '/version')).resolves.toMatchObject({ gitVersion: 'v1.33.0' });
    api.state.valid = 'new';
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.request('GET', '/version')));
    expect(answers).toHaveLength(5);
    expect(renewals).toBe(1);
    expect(api.state.seen.at(-1)).toBe('new');
    client.close();
    api.close();
  });

  it('without a way to renew, an expired token is the 401 it is; a renewal naming another server is refused', async () => {
    const { parseEgressPolicy } = await import('@dolly/contracts/egress');
    const api = await apiServer();
    api.state.valid = 'new';
    const plain = createKubeClient(config(api.cluster, { token: 'old' }), {
      egress: parseEgressPolicy('127.0.0.1'),
    });
    await expect(plain.request('GET', '/version')).rejects.toMatchObject({ status: 401 });
    const elsewhere = createKubeClient(config(api.cluster, { token: 'old' }), {
      egress: parseEgressPolicy('127.0.0.1'),
      renew: async () => config({ ...api.cluster, server: 'https://127.0.0.1:2' }, { token: 'new' }),
    });
    await expect(elsewhere.request('GET', '/version')).rejects.toThrow(/another API server/);
    plain.close();
    elsewhere.close();
    api.close();
  });
});
