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
