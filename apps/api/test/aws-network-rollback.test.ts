/**
 * A clone into a fresh AWS account whose regions have no default VPC. With
 * settings.createMissingNetwork (and createMissingRoles, as the account has no roles either) the
 * plan's preflight says the VPC will be created instead of blocking, apply makes it and records it
 * in the ledger, the cluster comes up in its subnets, and rollback deletes the VPC, its subnets and
 * gateway after the cluster; a VPC the operator has since put a subnet of their own into is kept,
 * with a warning naming it.
 */
import { bundledCatalog, type ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateSubnetCommand,
  DescribeInternetGatewaysCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  ec2Of,
} from '../../../packages/providers/test/support/ec2.ts';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

let s: CloudStack;
const tag = Date.now().toString(36).slice(-4);

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
}, 90_000);
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

/** A new AWS account without a default VPC in any region, added to Dolly with both opt-ins. */
async function accountWithoutVpcs(id: string) {
  return s.freshAccount({
    cloud: 'aws',
    id,
    name: `No-VPC AWS ${id} (${tag})`,
    sandbox: { noDefaultVpc: bundledCatalog.regions('aws').map((x) => x.id) },
    settings: { createMissingRoles: true, createMissingNetwork: true },
  });
}

/** Plans and applies a clone of the Azure demo shop-dev (2 × D2s_v5: within a new account's vCPUs). */
async function cloneInto(accountId: string, nameSuffix: string) {
  const plan = await s.api<PlanBody>('operator', 'POST', '/api/v1/plans', {
    source: { clusterIds: [await s.clusterId('azure', 'shop-dev')] },
    target: { accountId, environment: 'dev', nameSuffix },
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  const pf = plan.body.document.preflight;
  expect(pf?.reason).toBeUndefined();
  expect(pf?.findings.map((f) => [f.check, f.severity])).toEqual([
    ['aws.cluster-role', 'warning'],
    ['aws.node-role', 'warning'],
    ['aws.subnets', 'warning'],
  ]);
  expect(pf?.findings[2]?.message).toContain('apply will create VPC dolly-');
  const applied = await s.api<{ runs: { id: string }[] }>(
    'operator',
    'POST',
    `/api/v1/plans/${plan.body.id}/apply`,
    {},
  );
  expect(applied.status, JSON.stringify(applied.body)).toBe(202);
  const run = await s.waitRun(applied.body.runs[0]?.id ?? '');
  expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
  const target = plan.body.document.items[0]?.target as ClusterSpec;
  const ledger = await s.h.db.runResource.findMany({ where: { runId: run.id, kind: 'network' } });
  expect(ledger.map((r) => r.origin)).toEqual(['created']);
  const vpcId = ((ledger[0]?.locator ?? {}) as { name?: string }).name ?? '';
  expect(vpcId).toMatch(/^vpc-/);
  return { run, target, vpcId };
}

async function rollBack(runId: string): Promise<RunView> {
  const rb = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${runId}/rollback`, {});
  expect(rb.status, JSON.stringify(rb.body)).toBe(202);
  const done = await s.waitRun(rb.body.id);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  return done;
}

const vpcExists = (ec2: EC2Client, vpcId: string) =>
  ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })).then(
    () => true,
    (e: unknown) => {
      if ((e as { name?: string }).name === 'InvalidVpcID.NotFound') return false;
      throw e;
    },
  );
const subnetsOf = async (ec2: EC2Client, vpcId: string) =>
  (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets ??
  [];

describe('AWS network of a clone into an account without a default VPC', () => {
  it('is created at apply with createMissingNetwork, recorded in the ledger, and deleted by rollback after the cluster', async () => {
    const { account, info } = await accountWithoutVpcs('656565656565');
    const { run, target, vpcId } = await cloneInto(account.id, `-net${tag}`);
    const ec2 = ec2Of(info, target.location);
    const subnets = await subnetsOf(ec2, vpcId);
    expect(subnets.length).toBeGreaterThanOrEqual(2);
    expect(subnets.every((x) => x.MapPublicIpOnLaunch)).toBe(true);

    const rb = await rollBack(run.id);
    const keys = (rb.steps ?? []).map((st) => st.key);
    const netStep = keys.indexOf(`delete:network:${target.name}/${vpcId}`);
    expect(netStep, JSON.stringify(keys)).toBeGreaterThan(keys.indexOf(`delete:cluster:${target.name}`));
    expect(await vpcExists(ec2, vpcId)).toBe(false);
    for (const x of subnets)
      await expect(ec2.send(new DescribeSubnetsCommand({ SubnetIds: [x.SubnetId ?? ''] }))).rejects.toThrow(
        /does not exist/,
      );
    const igws = await ec2.send(
      new DescribeInternetGatewaysCommand({
        Filters: [{ Name: 'tag:Name', Values: [`dolly-${target.name}`] }],
      }),
    );
    expect(igws.InternetGateways).toEqual([]);
    const after = await s.h.db.runResource.findMany({ where: { runId: run.id } });
    expect(after.filter((r) => r.kind !== 'nodePool' && r.deletedAt === null)).toEqual([]);
    const warned = await s.h.db.runEvent.findMany({ where: { runId: rb.id, level: 'warn' } });
    expect(warned.map((e) => e.message)).toEqual([]);
  }, 180_000);

  it('is kept, with a warning naming it, when the operator put a subnet of their own in it', async () => {
    const { account, info } = await accountWithoutVpcs('666666666666');
    const { run, target, vpcId } = await cloneInto(account.id, `-netk${tag}`);
    const ec2 = ec2Of(info, target.location);
    const zone = (await subnetsOf(ec2, vpcId))[0]?.AvailabilityZone;
    const theirs = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.250.0/24', AvailabilityZone: zone }),
      )
    ).Subnet?.SubnetId;

    const rb = await rollBack(run.id);
    expect(await vpcExists(ec2, vpcId)).toBe(true);
    expect((await subnetsOf(ec2, vpcId)).map((x) => x.SubnetId)).toContain(theirs);
    const warned = await s.h.db.runEvent.findMany({ where: { runId: rb.id, level: 'warn' } });
    expect(warned.map((e) => e.stepKey)).toEqual([`delete:network:${target.name}/${vpcId}`]);
    expect(warned[0]?.message).toContain(theirs);
    expect(warned[0]?.message).toContain('left in place');
    const row = await s.h.db.runResource.findFirst({ where: { runId: run.id, kind: 'network' } });
    expect(row?.deletedAt).toBeNull();
  }, 180_000);
});
