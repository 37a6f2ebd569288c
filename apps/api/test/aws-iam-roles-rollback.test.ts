/**
 * A clone into a fresh AWS account (no IAM roles at all). With settings.createMissingRoles the plan's
 * preflight says the EKS roles will be created instead of blocking, apply makes them and records
 * them in the ledger, the cluster comes up ACTIVE on them, and rollback deletes them after the
 * cluster. Without the opt-in the missing roles stay preflight blockers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSpec } from '@dolly/model';
import { createProvider } from '@dolly/providers';
import { awsAccount, type SandboxAccountInfo } from '../../../packages/providers/test/support/sandbox.ts';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

let s: CloudStack;
const tag = Date.now().toString(36).slice(-4);

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
}, 90_000);
const FRESH_IDS = ['616161616161', '626262626262'];
afterAll(async () => {
  await s?.close();
});

interface PlanBody {
  id: string;
  document: {
    items: { target: ClusterSpec }[];
    preflight?: { findings: { check: string; severity: string; message: string }[]; reason?: string };
  };
}

/** A new AWS account as AWS hands it out, added to Dolly like any account (role ARNs that do not exist). */
async function freshAccount(id: string, createMissingRoles: boolean) {
  return s.freshAccount({
    cloud: 'aws',
    id,
    name: `Fresh AWS ${id} (${tag})`,
    ...(createMissingRoles ? { settings: { createMissingRoles } } : {}),
  });
}

/** Plans a clone of the Azure demo shop-dev (2 × D2s_v5: within a new account's 5 standard vCPUs). */
async function planInto(accountId: string, nameSuffix: string) {
  const plan = await s.api<PlanBody>('operator', 'POST', '/api/v1/plans', {
    source: { clusterIds: [await s.clusterId('azure', 'shop-dev')] },
    target: { accountId, environment: 'dev', nameSuffix },
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  return plan.body;
}

/**
 * What the account's IAM says about two roles, read through the provider's own preflight pointed
 * at them (GetRole, trust policy, the EBS CSI policy when planned): no role findings = they exist.
 */
async function roleFindings(info: SandboxAccountInfo, roles: string[], target: ClusterSpec) {
  const [cluster, node] = roles;
  const found = await createProvider(
    awsAccount(info, {
      clusterRoleArn: `arn:aws:iam::${info.id}:role/${cluster}`,
      nodeRoleArn: `arn:aws:iam::${info.id}:role/${node}`,
    }),
  ).preflight?.(target, {});
  return (found ?? []).filter((f) => f.check !== 'aws.vcpu-quota').map((f) => [f.check, f.message]);
}

describe('EKS roles of a clone into a fresh AWS account', () => {
  it('are created at apply with createMissingRoles, recorded in the ledger, and deleted by rollback after the cluster', async () => {
    const { account, info } = await freshAccount(FRESH_IDS[0] ?? '', true);
    const plan = await planInto(account.id, `-iam${tag}`);
    const pf = plan.document.preflight;
    expect(pf?.reason).toBeUndefined();
    expect(pf?.findings.map((f) => [f.check, f.severity])).toEqual([
      ['aws.cluster-role', 'warning'],
      ['aws.node-role', 'warning'],
    ]);
    expect(pf?.findings[0]?.message).toContain('apply will create IAM role dolly-eks-cluster-<plan>');

    const applied = await s.api<{ runs: { id: string }[] }>(
      'operator',
      'POST',
      `/api/v1/plans/${plan.id}/apply`,
      {},
    );
    expect(applied.status, JSON.stringify(applied.body)).toBe(202);
    const run = await s.waitRun(applied.body.runs[0]?.id ?? '');
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const cluster = plan.document.items[0]?.target.name ?? '';

    const ledger = await s.h.db.runResource.findMany({ where: { runId: run.id, kind: 'iamRole' } });
    const roles = ledger.map((r) => (r.locator as { name?: string }).name ?? '').sort();
    expect(ledger.map((r) => r.origin)).toEqual(['created', 'created']);
    expect(roles.map((n) => n.replace(/[0-9a-f]{10}$/, '*'))).toEqual([
      'dolly-eks-cluster-*',
      'dolly-eks-node-*',
    ]);
    const target = plan.document.items[0]?.target as ClusterSpec;
    // both exist, trust EKS / EC2, and the node role has the EBS CSI policy when the add-on is planned
    expect(await roleFindings(info, roles, target)).toEqual([]);
    const region = plan.document.items[0]?.target.location ?? '';
    const discovered = await createProvider(awsAccount(info)).discover({ regions: [region] });
    expect(discovered.find((c) => c.spec.name === cluster)?.status).toBe('ACTIVE');

    const rb = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${run.id}/rollback`, {});
    expect(rb.status, JSON.stringify(rb.body)).toBe(202);
    const undone = await s.waitRun(rb.body.id);
    expect(undone.status, JSON.stringify(undone.error)).toBe('succeeded');
    const keys = (undone.steps ?? []).map((st) => st.key);
    for (const name of roles)
      expect(keys.indexOf(`delete:iamRole:${cluster}/${name}`), JSON.stringify(keys)).toBeGreaterThan(
        keys.indexOf(`delete:cluster:${cluster}`),
      );
    expect(await roleFindings(info, roles, target)).toEqual(
      roles.map((n, i) => [
        i === 0 ? 'aws.cluster-role' : 'aws.node-role',
        `IAM role ${n} (settings.${i === 0 ? 'clusterRoleArn' : 'nodeRoleArn'}) does not exist in the account`,
      ]),
    );
    const after = await s.h.db.runResource.findMany({ where: { runId: run.id } });
    expect(after.filter((r) => r.kind !== 'nodePool' && r.deletedAt === null)).toEqual([]);
  }, 180_000);

  it('are preflight blockers without the opt-in, and apply refuses', async () => {
    const { account } = await freshAccount(FRESH_IDS[1] ?? '', false);
    const plan = await planInto(account.id, `-noiam${tag}`);
    expect(plan.document.preflight?.findings.map((f) => [f.check, f.severity])).toEqual([
      ['aws.cluster-role', 'blocker'],
      ['aws.node-role', 'blocker'],
    ]);
    const refused = await s.api('operator', 'POST', `/api/v1/plans/${plan.id}/apply`, {});
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
  }, 120_000);
});
