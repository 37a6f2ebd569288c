/**
 * IAM is eventually consistent: for some seconds after CreateRole, EKS refuses a cluster or node
 * group with the new role as if it did not exist. The sandbox reproduces the window (scaled by its
 * speed, slow here so the window outlasts the few calls between CreateRole and CreateCluster), and
 * apply with settings.createMissingRoles waits it out instead of failing the step.
 */
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider } from '../src/index';
import {
  awsAccount,
  iamOf,
  type SandboxAccountInfo,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

// 10 s of IAM propagation is 100 ms here; a control plane takes 8.4 s
const SPEED = 100;
// polling scaled to the same clock (10 s real)
const CTX = { pollIntervalMs: 10_000 / SPEED, timeoutMs: 60_000 } as const;

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox({ speed: SPEED });
});
afterAll(async () => {
  await sb?.close();
});

async function freshAccount(id: string): Promise<SandboxAccountInfo> {
  const r = await sb.admin('POST', '/_sandbox/accounts', { cloud: 'aws', id, fresh: true });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as SandboxAccountInfo;
}

describe('IAM propagation to EKS', () => {
  it('the sandbox refuses a role created moments ago', async () => {
    const a = await freshAccount('717171717171');
    const role = await iamOf(a).send(
      new CreateRoleCommand({
        RoleName: 'just-made',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const eks = new EKSClient({
      region: 'us-east-1',
      endpoint: a.endpoints.eks,
      credentials: {
        accessKeyId: String(a.credentials.accessKeyId),
        secretAccessKey: String(a.credentials.secretAccessKey),
      },
    });
    await expect(
      eks.send(
        new CreateClusterCommand({
          name: 'too-soon',
          roleArn: role.Role?.Arn,
          resourcesVpcConfig: { subnetIds: ['subnet-x', 'subnet-y'] },
        }),
      ),
    ).rejects.toThrow(/could not be assumed because it does not exist/);
  });

  it('apply with createMissingRoles waits for the roles it made to reach EKS', async () => {
    const a = await freshAccount('727272727272');
    const aws = createProvider(
      awsAccount(a, { createMissingRoles: true, clusterRoleArn: '', nodeRoleArn: '' }),
    );
    const spec: ClusterSpec = {
      cloud: 'aws',
      scope: a.id,
      location: 'us-east-1',
      name: 'propagation',
      kubernetesVersion: '1.34',
      labels: {},
      nodePools: [{ name: 'a', machineType: 't3.medium', nodeCount: 1, spot: false, labels: {}, taints: [] }],
    };
    const phases: string[] = [];
    const ctx = {
      ...CTX,
      planId: 'plan-propagation',
      onProgress: (p: { message?: string }) => void phases.push(p.message ?? ''),
    };
    await aws.ensureControlPlane(spec, ctx);
    await aws.ensureNodePool(spec, 'a', ctx);
    expect((await aws.waitClusterReady(spec, CTX)).status).toBe('ACTIVE');
    // both creates met the window (the cluster role and, later, the node role were new)
    expect(phases.filter((m) => m.includes('is not visible to EKS yet')).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
