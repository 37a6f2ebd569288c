import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type _InstanceType,
  paginateDescribeInstanceTypes,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/server.ts';
import { type AwsClientConfig, admin, awsConfig, startTestSandbox, tempDataDir } from './helpers.ts';

let sandbox: RunningSandbox;
let cfg: AwsClientConfig;
let ec2: EC2Client;
const data = tempDataDir();

beforeAll(async () => {
  sandbox = await startTestSandbox({ dataDir: data.dir });
  cfg = await awsConfig(sandbox);
  ec2 = new EC2Client(cfg);
});

afterAll(async () => {
  ec2?.destroy();
  await sandbox?.stop();
  data.cleanup();
});

describe('STS through @aws-sdk/client-sts', () => {
  it('returns the caller identity of the issued credentials', async () => {
    const sts = new STSClient(cfg);
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('111111111111');
    expect(me.Arn).toBe('arn:aws:iam::111111111111:user/dolly-sandbox');
    expect(me.UserId).toMatch(/^AIDA/);
    sts.destroy();
  });

  it('answers unknown keys with InvalidClientTokenId', async () => {
    const sts = new STSClient({ ...cfg, credentials: { accessKeyId: 'AKIANOPE', secretAccessKey: 'x' } });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
    sts.destroy();
  });

  it('issues credentials per account, stable across resets', async () => {
    const created = await admin(sandbox, 'POST', '/_sandbox/accounts', {
      cloud: 'aws',
      id: '222222222222',
      displayName: 'Second',
    });
    expect(created.status).toBe(200);
    const second = await awsConfig(sandbox, '222222222222');
    const sts = new STSClient(second);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('222222222222');
    const before = { ...second.credentials };
    expect((await admin(sandbox, 'POST', '/_sandbox/reset')).status).toBe(200);
    await admin(sandbox, 'POST', '/_sandbox/accounts', {
      cloud: 'aws',
      id: '222222222222',
      displayName: 'Second',
    });
    const after = (await awsConfig(sandbox, '222222222222')).credentials;
    expect(after.accessKeyId).toBe(before.accessKeyId);
    expect(after.secretAccessKey).toBe(before.secretAccessKey);
    sts.destroy();
  });

  it('recovers from STS throttling (Throttling, 400) with the SDK retry', async () => {
    await admin(sandbox, 'POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'GetCallerIdentity',
      kind: 'throttle',
      count: 1,
      retryAfterSeconds: 0,
    });
    const sts = new STSClient(cfg);
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.$metadata.attempts).toBe(2);
    sts.destroy();
  });
});

describe('EC2 through @aws-sdk/client-ec2', () => {
  it('describes regions from the catalog', async () => {
    const out = await ec2.send(new DescribeRegionsCommand({}));
    const names = (out.Regions ?? []).map((r) => r.RegionName);
    expect(names).toContain('us-east-1');
    expect(names).toContain('eu-west-1');
    const one = await ec2.send(new DescribeRegionsCommand({ RegionNames: ['us-west-2'] }));
    expect(one.Regions).toEqual([
      {
        RegionName: 'us-west-2',
        Endpoint: 'ec2.us-west-2.amazonaws.com',
        OptInStatus: 'opt-in-not-required',
      },
    ]);
  });

  it('describes availability zones of the signing region', async () => {
    const out = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    const zones = out.AvailabilityZones ?? [];
    expect(zones.length).toBeGreaterThanOrEqual(3);
    expect(zones[0]).toMatchObject({
      ZoneName: 'us-east-1a',
      ZoneId: 'use1-az1',
      RegionName: 'us-east-1',
      State: 'available',
    });
    const filtered = await ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-name', Values: ['us-east-1b'] }] }),
    );
    expect(filtered.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['us-east-1b']);
  });

  it('describes instance types with specs and paging', async () => {
    const out = await ec2.send(
      new DescribeInstanceTypesCommand({ InstanceTypes: ['g5.xlarge', 'm7g.large', 'm6i.xlarge'] }),
    );
    const byName = Object.fromEntries((out.InstanceTypes ?? []).map((t) => [t.InstanceType, t]));
    expect(byName['m6i.xlarge']?.VCpuInfo?.DefaultVCpus).toBe(4);
    expect(byName['m6i.xlarge']?.MemoryInfo?.SizeInMiB).toBe(16384);
    expect(byName['m7g.large']?.ProcessorInfo?.SupportedArchitectures).toEqual(['arm64']);
    expect(byName['g5.xlarge']?.GpuInfo?.Gpus?.[0]?.Count).toBe(1);
    await expect(
      ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m9.mega' as _InstanceType] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceType',
    });
    let pages = 0;
    let total = 0;
    for await (const page of paginateDescribeInstanceTypes({ client: ec2, pageSize: 100 }, {})) {
      pages++;
      total += page.InstanceTypes?.length ?? 0;
    }
    expect(pages).toBeGreaterThan(1);
    expect(total).toBeGreaterThan(300);
    const arm = await ec2.send(
      new DescribeInstanceTypesCommand({
        Filters: [{ Name: 'processor-info.supported-architecture', Values: ['arm64'] }],
      }),
    );
    expect(arm.InstanceTypes?.every((t) => t.ProcessorInfo?.SupportedArchitectures?.includes('arm64'))).toBe(
      true,
    );
  });

  it('describes the default VPC and one subnet per zone, deterministically', async () => {
    const vpcs = await ec2.send(new DescribeVpcsCommand({}));
    expect(vpcs.Vpcs).toHaveLength(1);
    const vpc = vpcs.Vpcs?.[0];
    expect(vpc?.IsDefault).toBe(true);
    expect(vpc?.CidrBlock).toBe('172.31.0.0/16');
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc?.VpcId ?? ''] }] }),
    );
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(subnets.Subnets?.map((s) => s.AvailabilityZone)).toEqual(
      zones.AvailabilityZones?.map((z) => z.ZoneName),
    );
    const again = await ec2.send(new DescribeSubnetsCommand({}));
    expect(again.Subnets?.map((s) => s.SubnetId)).toEqual(subnets.Subnets?.map((s) => s.SubnetId));
    await expect(
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-00000000000000000'] })),
    ).rejects.toMatchObject({
      name: 'InvalidSubnetID.NotFound',
    });
    const west = new EC2Client({ ...cfg, region: 'us-west-2' });
    const westVpc = await west.send(new DescribeVpcsCommand({}));
    expect(westVpc.Vpcs?.[0]?.VpcId).not.toBe(vpc?.VpcId);
    west.destroy();
  });
});
