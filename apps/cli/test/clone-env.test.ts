import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from './support/stack.ts';
import { syncSandbox, uniqueSuffix } from './support/sync.ts';

type Run = {
  id: string;
  kind: string;
  status: string;
  children?: { id: string; kind: string; status: string; step: string }[];
};

let s: CliStack;
const suffix = uniqueSuffix();
const operator = () => ({ env: { DOLLY_TOKEN: s.tokens.operator } });

beforeAll(async () => {
  s = await startCliStack();
  await syncSandbox(s);
});
afterAll(async () => {
  await s?.close();
});

describe('dolly apply --with-namespaces', () => {
  it('clones EKS prod into Azure dev with the shop namespace as one watched run', async () => {
    const plan = await s.dollyJson<{ id: string }>([
      'plan',
      '--source-cluster',
      'aws/us-east-1/shop-prod',
      '--target-account',
      'Sandbox Azure',
      '--target-environment',
      'dev',
      '--name-suffix',
      `${suffix}w`,
    ]);
    // the shop reads a Secret and keeps data on a volume: an operator's clone copies both
    const r = await s.dolly(
      [
        'apply',
        plan.id,
        '--with-namespaces',
        'shop',
        '--include-secrets',
        '--copy-volumes',
        '--ready-timeout',
        '60',
        '--watch',
        '-o',
        'table',
      ],
      operator(),
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/✔ clone succeeded in/);
    expect(r.stdout).toMatch(/✔ migrate succeeded in/);

    const runs = await s.dollyJson<Run[]>(['runs', 'list', '--plan', plan.id, '--kind', 'environment']);
    expect(runs).toHaveLength(1);
    const parent = await s.dollyJson<Run>(['runs', 'get', runs[0]?.id ?? '']);
    expect(parent).toMatchObject({ kind: 'environment', status: 'succeeded' });
    expect(parent.children?.map((c) => [c.step, c.status])).toEqual([
      ['clone', 'succeeded'],
      ['migrate', 'succeeded'],
    ]);
  }, 300_000);

  it('refuses companion flags without --with-namespaces, before any request', async () => {
    const r = await s.dolly(['apply', '00000000-0000-4000-8000-000000000000', '--include-secrets']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('need --with-namespaces');
  });
});
