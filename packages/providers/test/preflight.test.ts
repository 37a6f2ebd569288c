/**
 * A fresh account, as each cloud hands one out: the sandbox refuses what the real cloud refuses
 * (no EKS roles, AKS resource provider not registered, Kubernetes Engine API disabled and no
 * `default` network), and each provider's preflight names what is missing with the exact fix.
 * Once the fix is applied through the cloud's own API, the same preflight finds nothing.
 */
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import type { ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudError, createProvider } from '../src/index';
import { armOf } from './support/azure-arm';
import {
  awsAccount,
  azureAccount,
  FAST,
  gcpAccessToken,
  gcpAccount,
  iamOf,
  type SandboxAccountInfo,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

let sb: TestSandbox;
const FRESH = {
  aws: '424242424242',
  azure: '00000000-0000-4000-8000-0000000000f1',
  gcp: 'dolly-fresh-project',
} as const;

async function freshAccount(
  cloud: 'aws' | 'azure' | 'gcp',
  id: string = FRESH[cloud],
): Promise<SandboxAccountInfo> {
  const r = await sb.admin('POST', '/_sandbox/accounts', { cloud, id, fresh: true });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as SandboxAccountInfo;
}

async function cloudError(p: Promise<unknown>): Promise<CloudError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CloudError);
    return e as CloudError;
  }
  throw new Error('expected a CloudError');
}

const spec = (
  cloud: ClusterSpec['cloud'],
  scope: string,
  location: string,
  machineType: string,
): ClusterSpec => ({
  cloud,
  scope,
  location,
  name: 'fresh-shop',
  kubernetesVersion: '1.34',
  labels: {},
  nodePools: [
    {
      name: 'general',
      machineType,
      nodeCount: 2,
      spot: false,
      labels: {},
      taints: [],
      ...(cloud === 'azure' ? { mode: 'system' as const } : {}),
    },
  ],
});

beforeAll(async () => {
  sb = await startTestSandbox();
});

const trustPolicy = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
afterAll(async () => {
  await sb?.close();
});

describe('preflight of a fresh account', () => {
  it('AWS: roles must exist and trust eks/ec2; EKS refuses otherwise, with its own message', async () => {
    const a = await freshAccount('aws');
    const account = awsAccount(a, {
      clusterRoleArn: `arn:aws:iam::${a.id}:role/dolly-cluster`,
      nodeRoleArn: `arn:aws:iam::${a.id}:role/dolly-node`,
    });
    const aws = createProvider(account);
    const target = spec('aws', a.id, 'us-east-1', 'm5.large');
    const before = await aws.preflight?.(target, FAST);
    expect(before?.map((f) => [f.check, f.severity, f.field])).toEqual([
      ['aws.cluster-role', 'blocker', 'settings.clusterRoleArn'],
      ['aws.node-role', 'blocker', 'settings.nodeRoleArn'],
    ]);
    expect(before?.[0]?.message).toContain('dolly-cluster');
    expect(before?.[0]?.fix).toMatch(/trusted by eks\.amazonaws\.com/);
    expect(before?.[1]?.fix).toMatch(/trusted by ec2\.amazonaws\.com/);

    const refused = await cloudError(aws.ensureControlPlane(target, { ...FAST, planId: 'pf-aws' }));
    expect(refused.class).toBe('rejected');
    expect(refused.message).toContain(
      `Role with arn: arn:aws:iam::${a.id}:role/dolly-cluster, could not be assumed because it does not exist or the trusted entity is not correct`,
    );

    // the operator creates the roles; the node role trusts the wrong service
    const iam = iamOf(a);
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'dolly-cluster',
        AssumeRolePolicyDocument: trustPolicy('eks.amazonaws.com'),
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'dolly-node',
        AssumeRolePolicyDocument: trustPolicy('eks.amazonaws.com'),
      }),
    );
    iam.destroy();
    const after = await aws.preflight?.(target, FAST);
    expect(after?.map((f) => f.check)).toEqual(['aws.node-role']);
    expect(after?.[0]?.message).toContain('does not trust ec2.amazonaws.com');

    await aws.ensureControlPlane(target, { ...FAST, planId: 'pf-aws' });
    const noNodes = await cloudError(aws.ensureNodePool(target, 'general', { ...FAST, planId: 'pf-aws' }));
    expect(noNodes.message).toContain(
      `Following required service principals [ec2.amazonaws.com] were not found in the trust relationships of nodeRole arn:aws:iam::${a.id}:role/dolly-node`,
    );
    await aws.deleteCluster({ scope: a.id, location: 'us-east-1', cluster: target.name }, FAST);
  });

  it('Azure: Microsoft.ContainerService must be registered; ARM refuses AKS otherwise', async () => {
    const a = await freshAccount('azure');
    const azure = createProvider(azureAccount(a));
    const target = spec('azure', `${a.id}/dolly-clones`, 'westeurope', 'Standard_D4s_v5');
    const before = await azure.preflight?.(target, FAST);
    expect(before?.map((f) => [f.check, f.severity])).toEqual([['azure.resource-provider', 'blocker']]);
    expect(before?.[0]?.fix).toContain('az provider register --namespace Microsoft.ContainerService');

    const refused = await cloudError(azure.ensureControlPlane(target, { ...FAST, planId: 'pf-az' }));
    expect(refused.cloudCode).toBe('MissingSubscriptionRegistration');
    expect(refused.message).toContain(
      "The subscription is not registered to use namespace 'Microsoft.ContainerService'. See https://aka.ms/rps-not-found for how to register subscriptions.",
    );

    // `az provider register`: Registering for a while, then Registered
    const arm = armOf(a);
    expect((await arm.providers.register('Microsoft.ContainerService')).registrationState).toBe(
      'Registering',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect((await arm.providers.get('Microsoft.ContainerService')).registrationState).toBe('Registered');
    expect(await azure.preflight?.(target, FAST)).toEqual([]);

    // a location AKS does not offer is said before apply too
    const nowhere = await azure.preflight?.({ ...target, location: 'atlantis' }, FAST);
    expect(nowhere?.map((f) => f.check)).toEqual(['azure.location']);
    // and an account with no resource group for new clusters
    const noRg = createProvider({ ...azureAccount(a), settings: {} });
    const rg = await noRg.preflight?.({ ...target, scope: a.id }, FAST);
    expect(rg?.map((f) => [f.check, f.field])).toEqual([['azure.resource-group', 'settings.resourceGroup']]);
  });

  it('GCP: the Kubernetes Engine API must be enabled and the network exist; GKE refuses otherwise', async () => {
    const a = await freshAccount('gcp');
    const gcp = createProvider(gcpAccount(a));
    const target = spec('gcp', a.id, 'us-central1', 'e2-standard-4');
    const before = await gcp.preflight?.(target, FAST);
    expect(before?.map((f) => [f.check, f.severity])).toEqual([
      ['gcp.container-api', 'blocker'],
      ['gcp.network', 'blocker'],
    ]);
    expect(before?.[0]?.fix).toBe(`gcloud services enable container.googleapis.com --project ${a.id}`);
    expect(before?.[1]?.fix).toContain(
      `gcloud compute networks create default --subnet-mode=auto --project ${a.id}`,
    );

    const disabled = await cloudError(gcp.ensureControlPlane(target, { ...FAST, planId: 'pf-gcp' }));
    expect(disabled.class).toBe('auth');
    expect(disabled.message).toMatch(
      /Kubernetes Engine API has not been used in project \d+ before or it is disabled/,
    );

    // the operator enables the API (serviceusage) and creates the network (compute), as gcloud does
    const token = await gcpAccessToken(a);
    const post = (url: string, body?: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
    const enable = await post(
      `${a.endpoints.serviceusage}/v1/projects/${a.id}/services/container.googleapis.com:enable`,
    );
    expect(enable.status).toBe(200);
    // with the API on, GKE answers as for a project without the network
    const noNetwork = await cloudError(gcp.ensureControlPlane(target, { ...FAST, planId: 'pf-gcp' }));
    expect(noNetwork.class).toBe('rejected');
    expect(noNetwork.message).toContain(`Project "${a.id}" has no network named "default".`);
    expect((await gcp.preflight?.(target, FAST))?.map((f) => f.check)).toEqual(['gcp.network']);

    const net = await post(`${a.endpoints.compute}/compute/v1/projects/${a.id}/global/networks`, {
      name: 'default',
      autoCreateSubnetworks: true,
    });
    expect(net.status).toBe(200);
    expect(await gcp.preflight?.(target, FAST)).toEqual([]);

    // a new project's regional vCPU quota (24 CPUS): 9 e2-standard-4 nodes need 36
    const pool = target.nodePools[0] as ClusterSpec['nodePools'][number];
    const big = { ...target, name: 'fresh-big', nodePools: [{ ...pool, nodeCount: 9 }] };
    const quota = await gcp.preflight?.(big, FAST);
    expect(quota?.map((f) => [f.check, f.severity])).toEqual([['gcp.cpu-quota', 'blocker']]);
    expect(quota?.[0]?.message).toBe(
      `the planned node pools need 36 CPUS vCPUs in us-central1; project ${a.id} has a quota of 24 with 24 available`,
    );
    const over = await cloudError(
      (async () => {
        await gcp.ensureControlPlane(big, { ...FAST, planId: 'pf-gcp' });
        await gcp.ensureNodePool(big, 'general', { ...FAST, planId: 'pf-gcp' });
      })(),
    );
    expect(over.message).toContain(
      `nsufficient regional quota to satisfy request: resource "CPUS": request requires '36.0' and is short '12.0'. project has a quota of '24.0' with '24.0' available.`,
    );
  });
});

/** A fresh AWS account once the operator made the two EKS roles (no policies attached yet). */
async function withEksRoles(a: SandboxAccountInfo) {
  const iam = iamOf(a);
  for (const [RoleName, service] of [
    ['dolly-cluster', 'eks.amazonaws.com'],
    ['dolly-node', 'ec2.amazonaws.com'],
  ] as const)
    await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trustPolicy(service) }));
  const aws = createProvider(
    awsAccount(a, {
      clusterRoleArn: `arn:aws:iam::${a.id}:role/dolly-cluster`,
      nodeRoleArn: `arn:aws:iam::${a.id}:role/dolly-node`,
    }),
  );
  return { iam, aws };
}

describe('preflight of a fresh account: quotas and add-on permissions', () => {
  it('AWS: EC2 vCPU quotas per class (Service Quotas); a node group over it ends CREATE_FAILED as EKS reports it', async () => {
    const a = await freshAccount('aws', '434343434343');
    const { iam, aws } = await withEksRoles(a);
    const base = spec('aws', a.id, 'us-east-1', 'm5.large');
    const pool = base.nodePools[0] as ClusterSpec['nodePools'][number];
    // 2 m5.large (4 vCPUs) fit a new account's 5 Standard vCPUs
    expect(await aws.preflight?.(base, FAST)).toEqual([]);

    // 2 m5.xlarge need 8 Standard vCPUs; 1 g5.xlarge needs 4 G vCPUs of a quota of 0
    const big = {
      ...base,
      name: 'fresh-big',
      nodePools: [
        { ...pool, machineType: 'm5.xlarge' },
        { ...pool, name: 'gpu', machineType: 'g5.xlarge', nodeCount: 1 },
      ],
    };
    const over = await aws.preflight?.(big, FAST);
    expect(over?.map((f) => [f.check, f.severity])).toEqual([
      ['aws.vcpu-quota', 'blocker'],
      ['aws.vcpu-quota', 'blocker'],
    ]);
    expect(over?.[0]?.message).toBe(
      `the planned node groups need 8 vCPUs of "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" in us-east-1; the account's quota (L-1216C47A) is 5, and instances already running in that class count against it too`,
    );
    expect(over?.[0]?.fix).toContain(
      'aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-1216C47A --desired-value 8 --region us-east-1',
    );
    expect(over?.[1]?.message).toContain('"Running On-Demand G and VT instances"');
    expect(over?.[1]?.message).toContain('(L-DB2E81BA) is 0');
    // Spot pools count against the Spot quota, autoscaling maxima are a warning
    const spot = {
      ...base,
      nodePools: [{ ...pool, spot: true, nodeCount: 1, autoscaling: { minNodes: 1, maxNodes: 3 } }],
    };
    const spotFindings = await aws.preflight?.(spot, FAST);
    expect(spotFindings?.map((f) => [f.check, f.severity])).toEqual([['aws.vcpu-quota', 'warning']]);
    expect(spotFindings?.[0]?.message).toContain(
      '"All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests"',
    );
    expect(spotFindings?.[0]?.message).toContain('autoscaling to their maximum needs 6 vCPUs');

    // what EKS does with the node group the preflight warned about
    const oneBig = { ...big, nodePools: [big.nodePools[0] as ClusterSpec['nodePools'][number]] };
    await aws.ensureControlPlane(oneBig, { ...FAST, planId: 'pf-quota' });
    const refused = await cloudError(aws.ensureNodePool(oneBig, 'general', { ...FAST, planId: 'pf-quota' }));
    expect(refused.class).toBe('quota');
    expect(refused.cloudCode).toBe('VcpuLimitExceeded');
    expect(refused.message).toContain(
      'Could not launch On-Demand Instances. VcpuLimitExceeded - You have requested more vCPU capacity than your current vCPU limit of 5 allows for the instance bucket that the specified instance type belongs to.',
    );
    await aws.deleteCluster({ scope: a.id, location: 'us-east-1', cluster: oneBig.name }, FAST);
    iam.destroy();
  });

  it('AWS: the node role needs AmazonEBSCSIDriverPolicy for the EBS CSI add-on', async () => {
    const a = await freshAccount('aws', '454545454545');
    const { iam, aws } = await withEksRoles(a);
    const target = { ...spec('aws', a.id, 'us-east-1', 'm5.large'), addons: ['aws-ebs-csi-driver'] };
    const before = await aws.preflight?.(target, FAST);
    expect(before?.map((f) => [f.check, f.severity, f.field])).toEqual([
      ['aws.ebs-csi-policy', 'blocker', 'settings.nodeRoleArn'],
    ]);
    expect(before?.[0]?.fix).toBe(
      'aws iam attach-role-policy --role-name dolly-node --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
    );
    // without the add-on there is nothing to check
    expect(await aws.preflight?.({ ...target, addons: [] }, FAST)).toEqual([]);
    // the fix, as printed
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'dolly-node',
        PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
      }),
    );
    expect(await aws.preflight?.(target, FAST)).toEqual([]);
    iam.destroy();
  });

  it('Azure: Compute vCPU quotas per VM family and region (usage.list); AKS refuses pools over them', async () => {
    const a = await freshAccount('azure', '00000000-0000-4000-8000-0000000000f2');
    const arm = armOf(a);
    await arm.providers.register('Microsoft.ContainerService');
    await new Promise((r) => setTimeout(r, 100));
    const azure = createProvider(azureAccount(a));
    const base = spec('azure', `${a.id}/dolly-clones`, 'westeurope', 'Standard_D4s_v5');
    const pool = base.nodePools[0] as ClusterSpec['nodePools'][number];
    // 2 × D4s_v5 (8 vCPUs) fit a new subscription's 10 per family and 10 per region
    expect(await azure.preflight?.(base, FAST)).toEqual([]);

    // 3 × D4s_v5 need 12 of standardDSv5Family's 10, and 12 of the region's 10
    const big = { ...base, name: 'fresh-big', nodePools: [{ ...pool, nodeCount: 3 }] };
    const over = await azure.preflight?.(big, FAST);
    expect(over?.map((f) => [f.check, f.severity])).toEqual([
      ['azure.vcpu-quota', 'blocker'],
      ['azure.vcpu-quota', 'blocker'],
    ]);
    expect(over?.[0]?.message).toBe(
      `the planned node pools need 12 vCPUs of Standard DSv5 Family vCPUs (standardDSv5Family) in westeurope; subscription ${a.id} has a limit of 10 with 10 available`,
    );
    expect(over?.[0]?.fix).toContain(
      `az quota update --resource-name standardDSv5Family --scope /subscriptions/${a.id}/providers/Microsoft.Compute/locations/westeurope --limit-object value=12`,
    );
    expect(over?.[1]?.message).toContain('Total Regional vCPUs (cores)');
    // autoscaling beyond the quota is a warning: the pools start, the autoscaler stops short
    const scaling = {
      ...base,
      nodePools: [{ ...pool, nodeCount: 1, autoscaling: { minNodes: 1, maxNodes: 4 } }],
    };
    expect((await azure.preflight?.(scaling, FAST))?.map((f) => f.severity)).toEqual(['warning', 'warning']);

    // AKS refuses the cluster with its own error code, before it creates anything
    const refused = await cloudError(azure.ensureControlPlane(big, { ...FAST, planId: 'pf-az-quota' }));
    expect(refused.class).toBe('quota');
    expect(refused.cloudCode).toBe('ErrCode_InsufficientVCPUQuota');
    expect(refused.message).toContain(
      'Insufficient vcpu quota requested 12, remaining 10 for family standardDSv5Family for region westeurope.',
    );
    // a cluster that fits uses the quota: usage.list counts it, and the next pool over it is refused
    await azure.ensureControlPlane(base, { ...FAST, planId: 'pf-az-quota' });
    const more = {
      ...base,
      nodePools: [pool, { ...pool, name: 'more', mode: 'user' as const, nodeCount: 1 }],
    };
    const left = await azure.preflight?.(more, FAST);
    expect(left?.[0]?.message).toContain('has a limit of 10 with 2 available');
    const poolRefused = await cloudError(
      azure.ensureNodePool(more, 'more', { ...FAST, planId: 'pf-az-quota' }),
    );
    expect(poolRefused.message).toContain(
      'Insufficient vcpu quota requested 4, remaining 2 for family standardDSv5Family for region westeurope.',
    );
    await azure.deleteCluster(
      { scope: `${a.id}/dolly-clones`, location: 'westeurope', cluster: base.name },
      FAST,
    );
  });
});
