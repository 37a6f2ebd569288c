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
