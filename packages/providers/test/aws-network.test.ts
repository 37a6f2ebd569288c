/**
 * settings.createMissingNetwork on AWS, against a sandbox account region without a default VPC:
 * the sandbox's EC2 refuses what real EC2 refuses (CIDRs, dependencies, EKS in one zone), preflight
 * says the VPC will be created instead of blocking, apply makes it (recorded before anything goes
 * into it, completed rather than duplicated by a retry) and puts the cluster and its node groups
 * in its subnets, and deleteNetwork takes it apart, or keeps it when it holds what Dolly did not make.
 */
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudResourceRef, createProvider, type ResourceOrigin } from '../src/index';
import {
  awsAccount,
  FAST,
  type SandboxAccountInfo,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

const REGION = 'us-east-2';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

async function accountWithoutDefaultVpc(id: string): Promise<SandboxAccountInfo> {
  const r = await sb.admin('POST', '/_sandbox/accounts', { cloud: 'aws', id, noDefaultVpc: [REGION] });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as SandboxAccountInfo;
}

const creds = (a: SandboxAccountInfo) => ({
  accessKeyId: String(a.credentials.accessKeyId),
  secretAccessKey: String(a.credentials.secretAccessKey),
});
const ec2Of = (a: SandboxAccountInfo) =>
  new EC2Client({ region: REGION, endpoint: a.endpoints.ec2, credentials: creds(a) });
const eksOf = (a: SandboxAccountInfo) =>
  new EKSClient({ region: REGION, endpoint: a.endpoints.eks, credentials: creds(a) });
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e as { name?: string }).name,
  );

const target = (scope: string, name: string): ClusterSpec => ({
  cloud: 'aws',
  scope,
  location: REGION,
  name,
  kubernetesVersion: '1.34',
  labels: {},
  nodePools: [{ name: 'a', machineType: 't3.medium', nodeCount: 1, spot: false, labels: {}, taints: [] }],
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

describe('sandbox EC2 networks', () => {
  it('refuses what real EC2 and EKS refuse', async () => {
    const a = await accountWithoutDefaultVpc('616161616161');
    const ec2 = ec2Of(a);
    const defaults = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }),
    );
    expect(defaults.Subnets).toEqual([]);
    expect(await codeOf(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })))).toBe(
      'InvalidVpc.Range',
    );
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId ?? '';
    expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    const subnet = (Cidr: string, AvailabilityZone: string) =>
      ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: Cidr, AvailabilityZone }));
    expect(await codeOf(subnet('10.2.0.0/24', `${REGION}a`))).toBe('InvalidSubnet.Range');
    const s1 = (await subnet('10.1.0.0/24', `${REGION}a`)).Subnet?.SubnetId ?? '';
    expect(await codeOf(subnet('10.1.0.0/20', `${REGION}b`))).toBe('InvalidSubnet.Conflict');
    const s2 = (await subnet('10.1.16.0/24', `${REGION}a`)).Subnet?.SubnetId ?? '';
    expect(await codeOf(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).toBe('DependencyViolation');

    // EKS: subnets that do not exist, and subnets in one zone, are refused
    const eks = eksOf(a);
    const create = (subnetIds: string[]) =>
      eks.send(
        new CreateClusterCommand({
          name: 'one-zone',
          roleArn: `arn:aws:iam::${a.id}:role/eks-cluster-role`,
          resourcesVpcConfig: { subnetIds },
        }),
      );
    expect(await codeOf(create([s1, 'subnet-0000000000000dead']))).toBe('InvalidParameterException');
    await expect(create([s1, s2])).rejects.toThrow(/at least two different AZs/);

    for (const SubnetId of [s1, s2]) await ec2.send(new DeleteSubnetCommand({ SubnetId }));
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    expect(await codeOf(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).toBe('DependencyViolation');
  });
});

describe('AWS settings.createMissingNetwork', () => {
  it('off: no subnets is a preflight blocker and apply refuses', async () => {
    const a = await accountWithoutDefaultVpc('626262626262');
    const aws = createProvider(awsAccount(a, {}));
    const found = await aws.preflight?.(target(a.id, 'net-off'), FAST);
    expect(found?.map((f) => [f.check, f.severity])).toEqual([['aws.subnets', 'blocker']]);
    await expect(
      aws.ensureControlPlane(target(a.id, 'net-off'), { ...FAST, planId: 'net-off' }),
    ).rejects.toThrow(/no subnets for us-east-2/);
  });

  it('on: apply makes the VPC (ledger first), the cluster and pools use it, deleteNetwork removes it', async () => {
    const a = await accountWithoutDefaultVpc('636363636363');
    const ec2 = ec2Of(a);
    const aws = createProvider(awsAccount(a, { createMissingNetwork: true }));
    const spec = target(a.id, 'net-on');
    const found = await aws.preflight?.(spec, FAST);
    expect(found?.map((f) => [f.check, f.severity])).toEqual([['aws.subnets', 'warning']]);
    expect(found?.[0]?.message).toContain('apply will create VPC dolly-net-on');

    const planId = 'plan-net-on';
    // an earlier attempt that made the VPC and crashed before recording it: found by its tags, reused
    const earlier = (
      await ec2.send(
        new CreateVpcCommand({
          CidrBlock: '10.0.0.0/16',
          TagSpecifications: [
            {
              ResourceType: 'vpc',
              Tags: [
                { Key: 'dolly-plan', Value: planId },
                { Key: 'Name', Value: 'dolly-net-on' },
              ],
            },
          ],
        }),
      )
    ).Vpc?.VpcId;
    const l = ledger();
    const ctx = { ...FAST, planId, recordResource: l.recordResource };
    await aws.ensureControlPlane(spec, ctx);
    await aws.ensureNodePool(spec, 'a', ctx);
    expect(l.rows.slice(0, 2)).toEqual([
      ['network', earlier, 'created'],
      ['cluster', undefined, 'created'],
    ]);

    const subnets =
      (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [earlier ?? ''] }] })))
        .Subnets ?? [];
    expect(new Set(subnets.map((s) => s.AvailabilityZone)).size).toBe(3);
    expect(subnets.every((s) => s.MapPublicIpOnLaunch === true)).toBe(true);
    const igws = await ec2.send(
      new DescribeInternetGatewaysCommand({
        Filters: [{ Name: 'attachment.vpc-id', Values: [earlier ?? ''] }],
      }),
    );
    expect(igws.InternetGateways?.length).toBe(1);
    const main = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [earlier ?? ''] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    );
    expect(main.RouteTables?.[0]?.Routes?.map((r) => [r.DestinationCidrBlock, r.GatewayId])).toContainEqual([
      '0.0.0.0/0',
      igws.InternetGateways?.[0]?.InternetGatewayId,
    ]);
    const ready = await aws.waitClusterReady(spec, FAST);
    const raw = ready.raw as {
      cluster: { resourcesVpcConfig?: { vpcId?: string } };
      nodegroups: { subnets?: string[] }[];
    };
    expect(raw.cluster.resourcesVpcConfig?.vpcId).toBe(earlier);
    expect(raw.nodegroups[0]?.subnets?.sort()).toEqual(subnets.map((s) => s.SubnetId).sort());

    // a retry of the step once the cluster exists adopts it and touches nothing else
    const again = ledger();
    await createProvider(awsAccount(a, { createMissingNetwork: true })).ensureControlPlane(spec, {
      ...ctx,
      recordResource: again.recordResource,
    });
    expect(again.rows).toEqual([['cluster', undefined, 'adopted']]);

    // EC2 refuses to take a subnet from under a cluster
    expect(await codeOf(ec2.send(new DeleteSubnetCommand({ SubnetId: subnets[0]?.SubnetId })))).toBe(
      'DependencyViolation',
    );
    const ref = { scope: a.id, location: REGION, name: earlier ?? '' };
    const early = await aws.deleteNetwork?.(ref, FAST);
    expect(early?.deleted).toBe(false);

    await aws.deleteCluster({ scope: a.id, location: REGION, cluster: spec.name }, FAST);
    expect(await aws.deleteNetwork?.(ref, FAST)).toEqual({ deleted: true });
    expect(await codeOf(ec2.send(new DescribeVpcsCommand({ VpcIds: [earlier ?? ''] })))).toBe(
      'InvalidVpcID.NotFound',
    );
    expect(
      (
        await ec2.send(
          new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'tag:dolly-plan', Values: [planId] }] }),
        )
      ).InternetGateways,
    ).toEqual([]);
    // gone = done
    expect(await aws.deleteNetwork?.(ref, FAST)).toEqual({ deleted: true });
  });

  it('on: a VPC holding a subnet the operator made is kept, untouched', async () => {
    const a = await accountWithoutDefaultVpc('646464646464');
    const ec2 = ec2Of(a);
    const aws = createProvider(awsAccount(a, { createMissingNetwork: true }));
    const spec = { ...target(a.id, 'net-kept'), nodePools: [] };
    const l = ledger();
    await aws.ensureControlPlane(spec, {
      ...FAST,
      planId: 'plan-net-kept',
      recordResource: l.recordResource,
    });
    const vpcId = l.rows[0]?.[1] ?? '';
    expect(l.rows[0]?.[0]).toBe('network');
    await aws.deleteCluster({ scope: a.id, location: REGION, cluster: spec.name }, FAST);
    const theirs = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.192.0/24', AvailabilityZone: `${REGION}a` }),
      )
    ).Subnet?.SubnetId;
    const out = await aws.deleteNetwork?.({ scope: a.id, location: REGION, name: vpcId }, FAST);
    expect(out).toMatchObject({ deleted: false, resources: [theirs] });
    expect(out?.deleted === false && out.reason).toMatch(/Dolly did not create/);
    const left = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(left.Subnets?.length).toBe(4);
  });
});
