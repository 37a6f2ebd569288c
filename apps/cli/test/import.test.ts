import { parse } from 'yaml';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from './support/stack.ts';
import { syncSandbox, uniqueSuffix } from './support/sync.ts';

let s: CliStack;
let file = '';
const suffix = uniqueSuffix();
const operator = () => ({ env: { DOLLY_TOKEN: s.tokens.operator } });

beforeAll(async () => {
  s = await startCliStack();
  await syncSandbox(s, ['Sandbox AWS']);
  // the sandbox's EKS shop-dev kube API plays the on-prem cluster, reached with a static token
  const clusters = await s.dollyJson<{ id: string; name: string; cloud: string }[]>(
    ['clusters', 'list', '--cloud', 'aws', '-q', 'shop-dev', '-o', 'json'],
    operator(),
  );
  const id = clusters.find((c) => c.name === 'shop-dev')?.id ?? '';
  const issued = await s.dolly(['clusters', 'kubeconfig', id], operator());
  expect(issued.code, issued.stderr).toBe(0);
  const kc = parse(issued.stdout) as {
    clusters: { name: string; cluster: Record<string, unknown> }[];
    users: { name: string; user: Record<string, unknown> }[];
    contexts: unknown[];
  };
  const cluster = kc.clusters[0];
  if (!cluster) throw new Error('no cluster in the kubeconfig');
  file = join(s.dir, 'onprem.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'onprem', cluster: cluster.cluster }],
      users: [
        { name: 'admin', user: { token: s.sandbox.sandbox.adminToken } },
        {
          name: 'sso',
          user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'kubelogin' } },
        },
      ],
      contexts: [
        { name: 'sso', context: { cluster: 'onprem', user: 'sso' } },
        { name: 'admin', context: { cluster: 'onprem', user: 'admin' } },
      ],
      // the current context runs a plugin: only the chosen one is ever read
      'current-context': 'sso',
    }),
  );
}, 180_000);
afterAll(async () => {
  await s?.close();
});

describe('dolly clusters import', () => {
  it('refuses the exec context of a kubeconfig, naming the field', async () => {
    const r = await s.dolly(
      ['clusters', 'import', '--name', `cli-exec${suffix}`, '--kubeconfig', file],
      operator(),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exec/);
    expect(r.stderr).toMatch(/body\.kubeconfig\.users\[\]\.user\.exec/);
  });

  it('is refused to a developer', async () => {
    const r = await s.dolly([
      'clusters',
      'import',
      '--name',
      `cli-dev${suffix}`,
      '--kubeconfig',
      file,
      '--kube-context',
      'admin',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/permission|not allowed|forbidden|role/i);
  });

  it('imports the chosen context and lists the cluster in the inventory', async () => {
    const name = `cli-onprem${suffix}`;
    const imported = await s.dollyJson<{ clusterId: string; environment: string; credentialAuth: string }>(
      [
        'clusters',
        'import',
        '--name',
        name,
        '--kubeconfig',
        file,
        '--kube-context',
        'admin',
        '--environment',
        'dev',
        '-o',
        'json',
      ],
      operator(),
    );
    expect(imported.environment).toBe('dev');
    expect(imported.credentialAuth).toBe('token');
    expect(JSON.stringify(imported)).not.toContain(s.sandbox.sandbox.adminToken);
    const listed = await s.dollyJson<{ name: string; cloud: string; location: string }[]>(
      ['clusters', 'list', '--cloud', 'kubernetes', '-o', 'json'],
      operator(),
    );
    expect(listed).toEqual(
      expect.arrayContaining([expect.objectContaining({ name, cloud: 'kubernetes', location: 'imported' })]),
    );
  }, 60_000);
});
