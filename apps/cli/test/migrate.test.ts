import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from './support/stack.ts';
import { syncSandbox } from './support/sync.ts';

// Needs POST /api/v1/migrations and the worker's migrate processor.
let s: CliStack;
const operator = () => ({ env: { DOLLY_TOKEN: s.tokens.operator } });
const ns = `shop-cli-${Date.now().toString(36).slice(-4)}`;
const args = [
  'migrate',
  '--source-cluster',
  'aws/us-east-1/shop-prod',
  '--target-cluster',
  'aws/us-west-2/shop-dev',
  '--namespace',
  'shop',
  '--namespace-map',
  `shop=${ns}`,
];

beforeAll(async () => {
  s = await startCliStack();
  await syncSandbox(s);
});
afterAll(async () => {
  await s?.close();
});

describe('dolly migrate', () => {
  it('prints the dry-run document and writes nothing', async () => {
    const doc = await s.dollyJson<{
      namespaces: { source: string; target: string }[];
      summary: { create: number };
      preflight: { ok: boolean };
    }>([...args, '--dry-run'], operator());
    expect(doc.namespaces).toEqual([expect.objectContaining({ source: 'shop', target: ns })]);
    expect(doc.summary.create).toBeGreaterThan(0);
    const table = await s.dolly([...args, '--dry-run', '-o', 'table'], operator());
    expect(table.stdout).toMatch(/^Migration shop-prod \(aws\) → shop-dev \(aws\): \d+ object\(s\)/m);
    expect(table.stdout).toMatch(new RegExp(`Namespaces: shop → ${ns}`));
  });

  it('migrates and watches the run to success with exit code 0', async () => {
    // the shop's workloads read their database password from a Secret, which operators may copy
    const r = await s.dolly(
      [...args, '--include-secrets', '--ready-timeout', '60', '--watch', '-o', 'table'],
      operator(),
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/✔ Succeeded/);
  });

  it('refuses a developer migrating into prod, naming the rule', async () => {
    const r = await s.dolly([
      'migrate',
      '--source-cluster',
      'aws/us-west-2/shop-dev',
      '--target-cluster',
      'aws/us-east-1/shop-prod',
      '-n',
      'default',
      '--dry-run',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/403 policy_denied/);
    expect(r.stderr).toMatch(/Developers cannot migrate into prod/);
  });
});
