/**
 * settings.createMissingRoles on a fresh AWS account (no IAM roles at all): preflight says the EKS
 * roles will be created instead of blocking, apply makes them with the trust and managed policies
 * EKS needs and records them in the ledger before the create, and deleteRole removes them. An
 * existing role is used as it is and never recorded.
 */
import {
  CreateRoleCommand,
  GetRoleCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import type { ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { madeRoleName } from '../src/aws/provider';
import { type CloudResourceRef, createProvider, type ResourceOrigin } from '../src/index';
import {
  awsAccount,
  FAST,
  iamOf,
  type SandboxAccountInfo,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

async function freshAccount(id: string): Promise<SandboxAccountInfo> {
  const r = await sb.admin('POST', '/_sandbox/accounts', { cloud: 'aws', id, fresh: true });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as SandboxAccountInfo;
}

const roleGone = async (iam: IAMClient, RoleName: string) =>
  iam.send(new GetRoleCommand({ RoleName })).then(
    () => false,
    (e: unknown) => (e as { name?: string }).name === 'NoSuchEntityException',
  );
const policiesOf = async (iam: IAMClient, RoleName: string) =>
  ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies ?? [])
    .map((p) => p.PolicyName)
    .sort();

const target = (scope: string, name: string): ClusterSpec => ({
  cloud: 'aws',
  scope,
  location: 'us-east-1',
  name,
  kubernetesVersion: '1.34',
  labels: {},
  addons: ['aws-ebs-csi-driver'],
  nodePools: ['a', 'b'].map((n) => ({
    name: n,
    machineType: 't3.medium',
    nodeCount: 1,
    spot: false,
    labels: {},
    taints: [],
  })),
});

function ledger() {
  const rows: [CloudResourceRef['kind'], string | undefined, ResourceOrigin][] = [];
  return {
    rows,
    recordResource: async (r: CloudResourceRef, origin: ResourceOrigin = 'created') => {
      rows.push([r.kind, r.name, origin]);
    },
  };
}

describe('AWS settings.createMissingRoles', () => {
  it('off: the missing roles are preflight blockers and apply refuses', async () => {
    const a = await freshAccount('515151515151');
    const aws = createProvider(awsAccount(a, {}));
    const found = await aws.preflight?.(target(a.id, 'roles-off'), FAST);
    expect(found?.map((f) => [f.check, f.severity])).toEqual([
      ['aws.cluster-role', 'blocker'],
      ['aws.node-role', 'blocker'],
    ]);
    await expect(
      aws.ensureControlPlane(target(a.id, 'roles-off'), { ...FAST, planId: 'roles-off' }),
    ).rejects.toThrow(/could not be assumed because it does not exist/);
  });

  it('on: preflight warns, apply creates both roles (recorded created) and deleteRole removes them', async () => {
    const a = await freshAccount('525252525252');
    const iam = iamOf(a);
    // a configured role that does not exist is replaced by one Dolly makes
    const aws = createProvider(
      awsAccount(a, { createMissingRoles: true, nodeRoleArn: `arn:aws:iam::${a.id}:role/never-made` }),
    );
    const spec = target(a.id, 'roles-on');
    const found = await aws.preflight?.(spec, FAST);
    expect(found?.map((f) => [f.check, f.severity])).toEqual([
      ['aws.cluster-role', 'warning'],
      ['aws.node-role', 'warning'],
    ]);
    expect(found?.[1]?.message).toContain('does not exist in the account');
    expect(found?.[1]?.message).toContain('apply will create IAM role dolly-eks-node-<plan>');

    const planId = 'plan-roles-on';
    const clusterRole = madeRoleName('clusterRoleArn', planId);
    const nodeRole = madeRoleName('nodeRoleArn', planId);
    const l = ledger();
    const ctx = { ...FAST, planId, recordResource: l.recordResource };
    await aws.ensureControlPlane(spec, ctx);
    // the two pools at once: both want the node role, only one makes it
    await Promise.all([aws.ensureNodePool(spec, 'a', ctx), aws.ensureNodePool(spec, 'b', ctx)]);
    const ready = await aws.waitClusterReady(spec, FAST);
    expect(ready.status).toBe('ACTIVE');

    const roles = l.rows.filter((r) => r[0] === 'iamRole');
    expect(roles.filter((r) => r[2] === 'created').map((r) => r[1])).toEqual([clusterRole, nodeRole]);
    expect(roles.length).toBe(2);
    // a second cluster of the same plan finds the plan's role made: used, recorded adopted only
    const second = { ...spec, name: 'roles-on-2', nodePools: [] };
    await aws.ensureControlPlane(second, ctx);
    expect(l.rows.filter((r) => r[0] === 'iamRole').slice(2)).toEqual([['iamRole', clusterRole, 'adopted']]);
    await aws.deleteCluster({ scope: a.id, location: 'us-east-1', cluster: second.name }, FAST);
    expect(clusterRole).toMatch(/^dolly-eks-cluster-[0-9a-f]{10}$/);
    // the create was recorded before the cluster's
    expect(l.rows.findIndex((r) => r[1] === clusterRole)).toBeLessThan(
      l.rows.findIndex((r) => r[0] === 'cluster'),
    );
    expect(await policiesOf(iam, clusterRole)).toEqual(['AmazonEKSClusterPolicy']);
    expect(await policiesOf(iam, nodeRole)).toEqual([
      'AmazonEBSCSIDriverPolicy',
      'AmazonEC2ContainerRegistryReadOnly',
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
    ]);
    // once the roles exist, the same preflight finds nothing
    expect(
      await createProvider(
        awsAccount(a, {
          clusterRoleArn: `arn:aws:iam::${a.id}:role/${clusterRole}`,
          nodeRoleArn: `arn:aws:iam::${a.id}:role/${nodeRole}`,
        }),
      ).preflight?.(spec, FAST),
    ).toEqual([]);

    await aws.deleteCluster({ scope: a.id, location: 'us-east-1', cluster: spec.name }, FAST);
    for (const name of [clusterRole, nodeRole]) {
      await aws.deleteRole?.({ scope: a.id, name }, FAST);
      expect(await roleGone(iam, name)).toBe(true);
      // gone = done
      await aws.deleteRole?.({ scope: a.id, name }, FAST);
    }
  });

  it('on: an existing configured role is used as it is, never created or recorded', async () => {
    const a = await freshAccount('535353535353');
    const iam = iamOf(a);
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'ops-eks',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const aws = createProvider(
      awsAccount(a, { createMissingRoles: true, clusterRoleArn: `arn:aws:iam::${a.id}:role/ops-eks` }),
    );
    const spec = target(a.id, 'roles-kept');
    const found = await aws.preflight?.(spec, FAST);
    expect(found?.map((f) => [f.check, f.severity])).toEqual([['aws.node-role', 'warning']]);
    const l = ledger();
    await aws.ensureControlPlane(spec, { ...FAST, planId: 'plan-kept', recordResource: l.recordResource });
    expect(l.rows).toEqual([['cluster', undefined, 'created']]);
    expect(await policiesOf(iam, 'ops-eks')).toEqual([]);
    expect(await roleGone(iam, madeRoleName('clusterRoleArn', 'plan-kept'))).toBe(true);
    await aws.deleteCluster({ scope: a.id, location: 'us-east-1', cluster: spec.name }, FAST);
  });
});
