import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// the CLI does not depend on these packages; its tests reach the clusters as the API's tests do
import { createCloudAccess } from '../../../packages/jobs/src/index.ts';
import { createKubeClient } from '../../../packages/kube/src/index.ts';
import { scaleEksNodegroup } from '../../../packages/providers/test/support/eks-scale.ts';
import { type CliStack, startCliStack } from './support/stack.ts';
import { syncSandbox, uniqueSuffix } from './support/sync.ts';

type Run = { id: string; status: string; result?: { clusterId?: string } };
type Report = { drifted: boolean; findings: { path: string; severity: string }[]; fingerprint: string };

let s: CliStack;
const suffix = uniqueSuffix();

beforeAll(async () => {
  s = await startCliStack();
  await syncSandbox(s);
});
afterAll(async () => {
  await s?.close();
});

describe('dolly drift', () => {
  let clone = '';
  let cloneId = '';

  it('says why a cluster Dolly did not clone cannot be checked, exit code 1', async () => {
    const r = await s.dolly(['drift', 'aws/us-west-2/shop-dev', '-o', 'table']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/shop-dev has no known source/);
  });

  it('shows no drift for a fresh clone (exit 0), then the scaled node group (exit 2)', async () => {
    const plan = await s.dollyJson<{ id: string }>([
      'plan',
      '--source-cluster',
      'aws/us-west-2/shop-dev',
      '--target-account',
      'Sandbox AWS',
      '--target-environment',
      'dev',
      '--name-suffix',
      suffix,
    ]);
    const applied = await s.dolly(['apply', plan.id, '--watch', '-o', 'table']);
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
    const [run] = await s.dollyJson<Run[]>(['runs', 'list', '--plan', plan.id]);
    const full = await s.dollyJson<Run>(['runs', 'get', run?.id ?? '']);
    cloneId = full.result?.clusterId ?? '';
    expect(cloneId).not.toBe('');
    clone = `shop-dev${suffix}`;

    const fresh = await s.dolly(['drift', clone, '-o', 'table']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/^drifted: +no$/m);
    expect(fresh.stdout).toMatch(/^source: +aws\/us-west-2\/shop-dev$/m);
    expect(fresh.stdout).toContain('No drift: the clone matches its source.');

    const row = await s.harness.db.cluster.findUniqueOrThrow({
      where: { id: cloneId },
      include: { nodePools: { orderBy: { name: 'asc' } } },
    });
    const pool = row.nodePools[0];
    if (!pool) throw new Error('the clone has no pools');
    const spec = pool.spec as { nodeCount: number; autoscaling?: { minNodes: number; maxNodes: number } };
    const where = { region: row.location, cluster: row.name, nodegroup: pool.name };
    const awsAccount = s.sandbox.account('aws', row.scope);
    const path = spec.autoscaling
      ? `nodePools[${pool.name}].autoscaling`
      : `nodePools[${pool.name}].nodeCount`;
    if (spec.autoscaling)
      await scaleEksNodegroup(awsAccount, where, {
        minSize: spec.autoscaling.minNodes,
        maxSize: spec.autoscaling.maxNodes + 2,
        desiredSize: spec.nodeCount,
      });
    else
      await scaleEksNodegroup(awsAccount, where, {
        minSize: spec.nodeCount + 1,
        maxSize: spec.nodeCount + 1,
        desiredSize: spec.nodeCount + 1,
      });
    await syncSandbox(s, ['Sandbox AWS']);

    const table = await s.dolly(['drift', `aws/${row.location}/${clone}`, '-o', 'table']);
    expect(table.code, table.stderr).toBe(2);
    expect(table.stdout).toMatch(/^drifted: +yes, 1 finding\(s\)$/m);
    expect(table.stdout).toMatch(/SEVERITY +PATH +EXPECTED +ACTUAL/);
    expect(table.stdout).toContain(path);

    const json = await s.dolly(['drift', cloneId, '--json']);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.drifted).toBe(true);
    expect(report.findings.map((f) => f.path)).toEqual([path]);

    // A viewer's view: the latest stored report, no new check.
    const latest = await s.dolly(['drift', cloneId, '--latest', '--json']);
    expect(latest.code).toBe(2);
    expect((JSON.parse(latest.stdout) as Report).fingerprint).toBe(report.fingerprint);

    // Back as planned: no infra drift left.
    if (spec.autoscaling)
      await scaleEksNodegroup(awsAccount, where, {
        minSize: spec.autoscaling.minNodes,
        maxSize: spec.autoscaling.maxNodes,
        desiredSize: spec.nodeCount,
      });
    else
      await scaleEksNodegroup(awsAccount, where, {
        minSize: spec.nodeCount,
        maxSize: spec.nodeCount,
        desiredSize: spec.nodeCount,
      });
    await syncSandbox(s, ['Sandbox AWS']);
    expect((await s.dolly(['drift', cloneId, '-o', 'table'])).code).toBe(0);
  }, 180_000);

  it('compares the workloads of the last migration into the clone: exit 2 when an object drifted', async () => {
    const ns = `shop-cli-drift${suffix}`;
    const migrated = await s.dolly(
      [
        'migrate',
        '--source-cluster',
        'aws/us-east-1/shop-prod',
        '--target-cluster',
        cloneId,
        '-n',
        'shop',
        '--namespace-map',
        `shop=${ns}`,
        '--include-secrets',
        '--ready-timeout',
        '60',
        '--watch',
        '-o',
        'table',
      ],
      { env: { DOLLY_TOKEN: s.tokens.operator } },
    );
    expect(migrated.code, `${migrated.stdout}\n${migrated.stderr}`).toBe(0);

    const fresh = await s.dolly(['drift', clone, '-o', 'table']);
    expect(fresh.code, `${fresh.stdout}\n${fresh.stderr}`).toBe(0);
    expect(fresh.stdout).toMatch(new RegExp(`^workloads: +${ns} against migration `, 'm'));
    expect(fresh.stdout).toContain(`No workload drift: ${ns} match the last migration.`);

    const row = await s.harness.db.cluster.findUniqueOrThrow({ where: { id: cloneId } });
    const account = await s.harness.db.cloudAccount.findUniqueOrThrow({ where: { id: row.accountId } });
    const kube = createKubeClient(
      await createCloudAccess(s.harness.db, s.harness.vault)
        .provider(account, row.scope)
        .kubeconfig({ scope: row.scope, location: row.location, cluster: row.name }),
    );
    try {
      await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'frontend-config' });
    } finally {
      kube.close();
    }

    const drifted = await s.dolly(['drift', clone, '-o', 'table']);
    expect(drifted.code, drifted.stderr).toBe(2);
    expect(drifted.stdout).toMatch(/^drifted: +yes, 0 finding\(s\), 1 workload finding\(s\)$/m);
    expect(drifted.stdout).toMatch(/OBJECT +PATH +EXPECTED +ACTUAL/);
    expect(drifted.stdout).toMatch(
      new RegExp(`ConfigMap ${ns}/frontend-config +\\(missing in the clone\\) +present`),
    );
    const json = await s.dolly(['drift', cloneId, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).workloads.findings).toEqual([
      {
        namespace: ns,
        kind: 'ConfigMap',
        name: 'frontend-config',
        path: 'object',
        expected: 'present',
        actual: null,
      },
    ]);
  }, 240_000);
});
