import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundledCatalog, clonePlanSchema, validatePlan } from '@dolly/model';
import { describe, expect, it } from 'vitest';

// Runs the CLI as users do, from the repository root; no services needed.
const root = fileURLToPath(new URL('../../../', import.meta.url));

function dolly(args: string[], via: 'pnpm' | 'bin' = 'pnpm') {
  const [cmd, argv] =
    via === 'pnpm'
      ? ['pnpm', ['--silent', 'dolly', ...args]]
      : [process.execPath, ['apps/cli/bin/dolly.mjs', ...args]];
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pnpm --silent dolly plan', () => {
  it('prints exactly one valid ClonePlan for the GKE example cloned to EKS', () => {
    const r = dolly(['plan', '--source', 'examples/gke-shop-prod.json', '--target-cloud', 'aws']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plan = clonePlanSchema.parse(JSON.parse(r.stdout));
    expect(plan.items).toHaveLength(1);
    expect(plan.items[0]!.target.cloud).toBe('aws');
    expect(validatePlan(plan, bundledCatalog).ok).toBe(true);
  });

  it('prints the same plan twice (deterministic)', () => {
    const args = ['plan', '--source', 'examples/eks-payments-staging.json', '--target-cloud', 'gcp'];
    expect(dolly(args).stdout).toBe(dolly(args).stdout);
  });

  it('prints a readable table with --output table', () => {
    const r = dolly([
      'plan',
      '--source',
      'examples/gke-shop-prod.json',
      '--target-cloud',
      'aws',
      '--output',
      'table',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('shop-prod (GKE europe-west3)  →  shop-prod (EKS eu-central-1)');
    expect(r.stdout).toContain('nodePools[0].machineType');
  });

  it('exits non-zero naming the file and field at fault', () => {
    const r = dolly([
      'plan',
      '--source',
      'apps/cli/test/fixtures/missing-machine-type.json',
      '--target-cloud',
      'gcp',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      'apps/cli/test/fixtures/missing-machine-type.json: nodePools[0].machineType: Required',
    );
  });

  it('refuses an unknown target cloud', () => {
    const r = dolly(['plan', '--source', 'examples/gke-shop-prod.json', '--target-cloud', 'ibm']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--target-cloud.*ibm.*Allowed choices are aws, azure, gcp/s);
  });

  it('runs through the bin launcher too', () => {
    const r = dolly(
      ['plan', '--source', 'examples/cluster-cloner-export.json', '--target-cloud', 'azure'],
      'bin',
    );
    expect(r.code).toBe(0);
    expect(clonePlanSchema.parse(JSON.parse(r.stdout)).items).toHaveLength(2);
  });
});
