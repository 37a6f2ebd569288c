/**
 * settings.createMissingNetwork on AWS: the VPC Dolly makes for a cluster in a region that has
 * neither settings.subnetIds nor a default VPC, and its deletion at rollback.
 *
 * The network is a VPC (10.0.0.0/16) with one public subnet in each of the region's first three
 * Availability Zones (EKS needs two or more), an internet gateway and a default route to it in the
 * VPC's main route table: what the default VPC would have offered. Every piece carries the plan
 * label and a Name, so a retry finds and completes what an earlier attempt made.
 */
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  type EC2Client,
  ModifySubnetAttributeCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { CloudError, isNotFound } from '../errors';
import type { NetworkRef, OperationContext, PlanContext, ResourceGroupDeletion } from '../types';
import { PLAN_LABEL } from '../types';
import { DEFAULT_POLL_MS, progress, sleep } from '../util';

export const NETWORK_CIDR = '10.0.0.0/16';
/** One /18 per zone: room for the VPC CNI's pod IPs, which come from the subnets. */
const subnetCidr = (i: number) => `10.0.${i * 64}.0/18`;
const MAX_ZONES = 3;
/**
 * After a cluster is deleted EKS releases its network interfaces in the subnets asynchronously:
 * DeleteSubnet answers DependencyViolation for a few minutes. Real time, scaled as polling is.
 */
const SUBNET_RELEASE_MS = 5 * 60_000;

export function networkName(cluster: string): string {
  return `dolly-${cluster}`;
}

const tagOf = (tags: Tag[] | undefined, key: string) => tags?.find((t) => t.Key === key)?.Value;

export interface NetworkDeps {
  ec2: (region: string) => EC2Client;
  call: <T>(operation: string, fn: () => Promise<T>) => Promise<T>;
  opt: (ctx?: OperationContext) => { abortSignal?: AbortSignal };
}

const code = (e: unknown) => (e instanceof CloudError ? e.cloudCode : undefined);

export function awsNetwork({ ec2, call, opt }: NetworkDeps) {
  /**
   * The subnets of the plan's network for `cluster` in `region`, made or completed as needed.
   * `recordVpc` runs once the VPC id is known and before anything goes into it, so a rollback
   * that follows a failure anywhere later deletes the VPC with whatever it holds by then.
   */
  const ensureNetwork = async (
    region: string,
    cluster: string,
    ctx: PlanContext,
    recordVpc: (vpcId: string) => Promise<void>,
  ): Promise<string[]> => {
    const client = ec2(region);
    const name = networkName(cluster);
    const tags = (suffix = '') => [
      { Key: PLAN_LABEL, Value: ctx.planId },
      { Key: 'Name', Value: `${name}${suffix}` },
    ];
    const mine = [
      { Name: `tag:${PLAN_LABEL}`, Values: [ctx.planId] },
      { Name: 'tag:Name', Values: [name] },
    ];
    // EC2 takes no idempotency token on CreateVpc: the plan's tags are how a retry finds its VPC
    const found = await call('DescribeVpcs', () =>
      client.send(new DescribeVpcsCommand({ Filters: mine }), opt(ctx)),
    );
    let vpcId = found.Vpcs?.find((v) => v.VpcId)?.VpcId;
    if (!vpcId) {
      progress(ctx, 'network', `creating VPC ${name} (${NETWORK_CIDR}) in ${region}`);
      const out = await call('CreateVpc', () =>
        client.send(
          new CreateVpcCommand({
            CidrBlock: NETWORK_CIDR,
            TagSpecifications: [{ ResourceType: 'vpc', Tags: tags() }],
          }),
          opt(ctx),
        ),
      );
      vpcId = out.Vpc?.VpcId;
      if (!vpcId)
        throw new CloudError({
          cloud: 'aws',
          operation: 'CreateVpc',
          class: 'transient',
          message: 'CreateVpc answered without a VPC id',
        });
    }
    // Found by the plan's own tags, it is this plan's (an earlier attempt made it, and perhaps
    // crashed before recording it): `created` again, so rollback deletes it.
    await recordVpc(vpcId);

    const az = await call('DescribeAvailabilityZones', () =>
      client.send(
        new DescribeAvailabilityZonesCommand({
          Filters: [
            { Name: 'state', Values: ['available'] },
            { Name: 'zone-type', Values: ['availability-zone'] },
          ],
        }),
        opt(ctx),
      ),
    );
    const zones = (az.AvailabilityZones ?? [])
      .map((z) => z.ZoneName ?? '')
      .filter((z) => z !== '')
      .sort()
      .slice(0, MAX_ZONES);
    if (zones.length < 2)
      throw new CloudError({
        cloud: 'aws',
        operation: 'CreateSubnet',
        class: 'rejected',
        field: `settings.subnetIds.${region}`,
        message: `${region} offers ${zones.length} Availability Zone(s); EKS needs subnets in two or more`,
      });

    const existing = (
      await call('DescribeSubnets', () =>
        client.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }), opt(ctx)),
      )
    ).Subnets?.filter((s) => tagOf(s.Tags, PLAN_LABEL) === ctx.planId);
    const subnets: { id: string; public: boolean }[] = [];
    for (const [i, zone] of zones.entries()) {
      const have = existing?.find((s) => s.AvailabilityZone === zone && s.SubnetId);
      if (have?.SubnetId) {
        subnets.push({ id: have.SubnetId, public: have.MapPublicIpOnLaunch === true });
        continue;
      }
      progress(ctx, 'network', `creating subnet ${subnetCidr(i)} in ${zone}`);
      const out = await call('CreateSubnet', () =>
        client.send(
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: subnetCidr(i),
            AvailabilityZone: zone,
            TagSpecifications: [{ ResourceType: 'subnet', Tags: tags(`-${zone}`) }],
          }),
          opt(ctx),
        ),
      );
      if (out.Subnet?.SubnetId) subnets.push({ id: out.Subnet.SubnetId, public: false });
    }
    // EKS nodes in a public subnet without public IPs cannot reach the cluster's endpoint
    for (const s of subnets.filter((x) => !x.public))
      await call('ModifySubnetAttribute', () =>
        client.send(
          new ModifySubnetAttributeCommand({ SubnetId: s.id, MapPublicIpOnLaunch: { Value: true } }),
          opt(ctx),
        ),
      );

    const attached = await call('DescribeInternetGateways', () =>
      client.send(
        new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
        opt(ctx),
      ),
    );
    let igwId = attached.InternetGateways?.[0]?.InternetGatewayId;
    if (!igwId) {
      // one an earlier attempt made but did not attach
      const ours = await call('DescribeInternetGateways', () =>
        client.send(new DescribeInternetGatewaysCommand({ Filters: mine }), opt(ctx)),
      );
      igwId = ours.InternetGateways?.find((g) => (g.Attachments ?? []).length === 0)?.InternetGatewayId;
      if (!igwId) {
        progress(ctx, 'network', `creating internet gateway for ${name}`);
        const out = await call('CreateInternetGateway', () =>
          client.send(
            new CreateInternetGatewayCommand({
              TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: tags() }],
            }),
            opt(ctx),
          ),
        );
        igwId = out.InternetGateway?.InternetGatewayId;
      }
      const gateway = igwId;
      await call('AttachInternetGateway', () =>
        client.send(new AttachInternetGatewayCommand({ InternetGatewayId: gateway, VpcId: vpcId }), opt(ctx)),
      );
    }

    const tables = await call('DescribeRouteTables', () =>
      client.send(
        new DescribeRouteTablesCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'association.main', Values: ['true'] },
          ],
        }),
        opt(ctx),
      ),
    );
    const main = tables.RouteTables?.[0];
    if (main?.RouteTableId && !main.Routes?.some((r) => r.DestinationCidrBlock === '0.0.0.0/0')) {
      const table = main.RouteTableId;
      await call('CreateRoute', () =>
        client.send(
          new CreateRouteCommand({
            RouteTableId: table,
            DestinationCidrBlock: '0.0.0.0/0',
            GatewayId: igwId,
          }),
          opt(ctx),
        ),
      ).catch((e: unknown) => {
        // a concurrent attempt added it between the describe and the create
        if (code(e) !== 'RouteAlreadyExists') throw e;
      });
    }
    return subnets.map((s) => s.id);
  };

  /**
   * Deletes a VPC Dolly made: its subnets, its internet gateway (detached first), then the VPC.
   * A VPC holding a subnet or gateway without the VPC's own plan label, or one EC2 still refuses
   * to delete (DependencyViolation: instances, load balancers, endpoints someone added), is
   * left as it is, with why: those are not Dolly's to delete, and they may need the gateway.
   */
  const deleteNetwork = async (ref: NetworkRef, ctx: OperationContext): Promise<ResourceGroupDeletion> => {
    const client = ec2(ref.location);
    const vpcId = ref.name;
    const vpc = await call('DescribeVpcs', () =>
      client.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }), opt(ctx)),
    ).then(
      (o) => o.Vpcs?.[0],
      (e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      },
    );
    if (!vpc) return { deleted: true };
    const plan = tagOf(vpc.Tags, PLAN_LABEL);
    const byVpc = [{ Name: 'vpc-id', Values: [vpcId] }];
    const subnets =
      (
        await call('DescribeSubnets', () =>
          client.send(new DescribeSubnetsCommand({ Filters: byVpc }), opt(ctx)),
        )
      ).Subnets ?? [];
    const gateways =
      (
        await call('DescribeInternetGateways', () =>
          client.send(
            new DescribeInternetGatewaysCommand({
              Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }],
            }),
            opt(ctx),
          ),
        )
      ).InternetGateways ?? [];
    const foreign = [
      ...subnets.filter((s) => !plan || tagOf(s.Tags, PLAN_LABEL) !== plan).map((s) => s.SubnetId ?? ''),
      ...gateways
        .filter((g) => !plan || tagOf(g.Tags, PLAN_LABEL) !== plan)
        .map((g) => g.InternetGatewayId ?? ''),
    ];
    const keep = (reason: string, resources: string[]): ResourceGroupDeletion => ({
      deleted: false,
      resources,
      reason: `VPC ${vpcId} in ${ref.location} ${reason}, so it is left in place — delete it yourself (aws ec2 delete-vpc --vpc-id ${vpcId} --region ${ref.location}) once they can go`,
    });
    if (foreign.length > 0)
      return keep(
        `holds ${foreign.length} resource(s) Dolly did not create (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''})`,
        foreign,
      );

    progress(ctx, 'delete-network', `deleting VPC ${vpcId} with ${subnets.length} subnet(s)`);
    const scale = (ctx.pollIntervalMs ?? DEFAULT_POLL_MS) / DEFAULT_POLL_MS;
    const releaseBy = Date.now() + SUBNET_RELEASE_MS * scale;
    for (const s of subnets) {
      const id = s.SubnetId ?? '';
      for (;;) {
        try {
          await call('DeleteSubnet', () => client.send(new DeleteSubnetCommand({ SubnetId: id }), opt(ctx)));
          break;
        } catch (e) {
          if (isNotFound(e)) break;
          if (code(e) !== 'DependencyViolation') throw e;
          if (Date.now() + (ctx.pollIntervalMs ?? DEFAULT_POLL_MS) > releaseBy)
            return keep(`has a subnet EC2 will not delete (${id}: ${(e as Error).message})`, [id]);
          await sleep(ctx.pollIntervalMs ?? DEFAULT_POLL_MS, ctx.signal);
        }
      }
    }
    // one an attempt made but never attached (it failed in between) goes with the VPC
    const vpcName = tagOf(vpc.Tags, 'Name');
    const loose = vpcName
      ? (
          (
            await call('DescribeInternetGateways', () =>
              client.send(
                new DescribeInternetGatewaysCommand({
                  Filters: [
                    { Name: `tag:${PLAN_LABEL}`, Values: [plan ?? ''] },
                    { Name: 'tag:Name', Values: [vpcName] },
                  ],
                }),
                opt(ctx),
              ),
            )
          ).InternetGateways ?? []
        ).filter((g) => (g.Attachments ?? []).length === 0)
      : [];
    for (const g of [...gateways, ...loose]) {
      const id = g.InternetGatewayId ?? '';
      if ((g.Attachments ?? []).length > 0)
        await call('DetachInternetGateway', () =>
          client.send(new DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId }), opt(ctx)),
        ).catch((e: unknown) => {
          if (!isNotFound(e) && code(e) !== 'Gateway.NotAttached') throw e;
        });
      await call('DeleteInternetGateway', () =>
        client.send(new DeleteInternetGatewayCommand({ InternetGatewayId: id }), opt(ctx)),
      ).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
    try {
      await call('DeleteVpc', () => client.send(new DeleteVpcCommand({ VpcId: vpcId }), opt(ctx)));
    } catch (e) {
      if (isNotFound(e)) return { deleted: true };
      if (code(e) === 'DependencyViolation')
        return keep(`still has dependencies Dolly did not create (${(e as Error).message})`, [vpcId]);
      throw e;
    }
    return { deleted: true };
  };

  return { ensureNetwork, deleteNetwork };
}
