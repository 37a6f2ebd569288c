/**
 * The EC2 calls that make and take apart a network (ec2Query, XML): VPCs, subnets, internet
 * gateways, the main route table's routes and tags, with the refusals real EC2 answers with, so
 * the provider code that creates and deletes a network meets them here first: CIDRs outside the
 * VPC or overlapping another subnet, a VPC or gateway that still has dependencies, a subnet an
 * EKS cluster or node group still uses, a gateway detached from a VPC whose nodes have public IPs.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxContext } from '../context.ts';
import { matches } from './ec2.ts';
import type { Caller } from './eks.ts';
import type { AwsAccount, AwsState, Ec2Region, Ec2RouteTable } from './model.ts';
import { ec2Region, regionAbbrev, regionSubnets, regionVpcs } from './network.ts';
import { AwsError, formList, type XmlNode } from './protocol.ts';

/** EC2's default quota of VPCs per region (the default VPC counts). */
const MAX_VPCS_PER_REGION = 5;

const newId = (prefix: string) => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;

/** `tag:<key>` and `tag-key` filters; undefined for any other filter name. */
export function tagFilter(tags: Record<string, string>, filter: string): string[] | undefined {
  if (filter.startsWith('tag:')) {
    const v = tags[filter.slice(4)];
    return v === undefined ? [] : [v];
  }
  if (filter === 'tag-key') return Object.keys(tags);
  if (filter === 'tag-value') return Object.values(tags);
  return undefined;
}

export function tagSetXml(tags: Record<string, string>): XmlNode[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

interface Cidr {
  start: number;
  end: number;
  prefix: number;
}

function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  // EC2 wants the network address itself: 10.0.1.0/16 is not a VPC range
  if (ip % size !== 0) return undefined;
  return { start: ip, end: ip + size - 1, prefix };
}

/** TagSpecification.N.{ResourceType,Tag.M.Key,Tag.M.Value}: the tags for one resource type. */
function tagSpecs(form: Map<string, string>, resourceType: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; form.has(`TagSpecification.${i}.ResourceType`); i++) {
    const type = form.get(`TagSpecification.${i}.ResourceType`);
    if (type !== resourceType)
      throw new AwsError(
        'InvalidParameterValue',
        400,
        `'${type}' is not a valid taggable resource type for this operation.`,
      );
    Object.assign(out, tagList(form, `TagSpecification.${i}.Tag`));
  }
  return out;
}

function tagList(form: Map<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let j = 1; form.has(`${prefix}.${j}.Key`); j++) {
    const key = form.get(`${prefix}.${j}.Key`) as string;
    if (key.toLowerCase().startsWith('aws:'))
      throw new AwsError(
        'InvalidParameterValue',
        400,
        "Tag keys starting with 'aws:' are reserved for internal use",
      );
    out[key] = form.get(`${prefix}.${j}.Value`) ?? '';
  }
  return out;
}

function required(form: Map<string, string>, name: string): string {
  const v = form.get(name);
  if (!v) throw new AwsError('MissingParameter', 400, `The request must contain the parameter ${name}`);
  return v;
}

const ok = { return: true };

export interface VpcRequest {
  ctx: SandboxContext;
  caller: Caller;
  action: string;
  form: Map<string, string>;
  filters: { name: string; values: string[] }[];
  zones: string[];
  aws: AwsState;
}

/** The answer body of a network call, or undefined for an action this file does not serve. */
export function handleVpcWrite(req: VpcRequest): XmlNode | undefined {
  const { caller, action, form, filters, zones, aws } = req;
  aws.accounts[caller.account] ??= { id: caller.account, displayName: caller.account };
  const acct = aws.accounts[caller.account] as AwsAccount;
  const net = () => ec2Region(acct, caller.region);
  const own = acct.ec2?.[caller.region];
  const vpcOf = (id: string) => {
    const v = own?.vpcs[id];
    if (!v) throw new AwsError('InvalidVpcID.NotFound', 400, `The vpc ID '${id}' does not exist`);
    return v;
  };
  const igwOf = (id: string) => {
    const g = own?.internetGateways[id];
    if (!g)
      throw new AwsError(
        'InvalidInternetGatewayID.NotFound',
        400,
        `The internetGateway ID '${id}' does not exist`,
      );
    return g;
  };
  // EKS puts its network interfaces (control plane, nodes) into the subnets it was given; they
  // go only when the cluster or node group is gone
  const clustersIn = (subnetIds: Set<string>) =>
    Object.values(aws.clusters).filter(
      (c) =>
        c.account === caller.account &&
        c.region === caller.region &&
        (c.vpc.subnetIds.some((s) => subnetIds.has(s)) ||
          Object.values(c.nodegroups).some((ng) => ng.subnets.some((s) => subnetIds.has(s)))),
    );
  const subnetsOfVpc = (vpcId: string) => Object.values(own?.subnets ?? {}).filter((s) => s.vpcId === vpcId);
  const mark = () => req.ctx.markDirty();

  switch (action) {
    case 'CreateVpc': {
      const text = required(form, 'CidrBlock');
      const cidr = parseCidr(text);
      if (!cidr || cidr.prefix < 16 || cidr.prefix > 28)
        throw new AwsError('InvalidVpc.Range', 400, `The CIDR '${text}' is invalid.`);
      if (regionVpcs(acct, caller.account, caller.region, zones).length >= MAX_VPCS_PER_REGION)
        throw new AwsError('VpcLimitExceeded', 400, 'The maximum number of VPCs has been reached.');
      const tags = tagSpecs(form, 'vpc');
      const n = net();
      const vpcId = newId('vpc');
      const rtb: Ec2RouteTable = {
        routeTableId: newId('rtb'),
        vpcId,
        main: true,
        routes: [{ destinationCidrBlock: text, gatewayId: 'local' }],
        tags: {},
      };
      n.routeTables[rtb.routeTableId] = rtb;
      n.vpcs[vpcId] = {
        vpcId,
        cidr: text,
        dhcpOptionsId: newId('dopt'),
        mainRouteTableId: rtb.routeTableId,
        tags,
      };
      mark();
      return {
        vpc: {
          vpcId,
          ownerId: caller.account,
          state: 'pending',
          cidrBlock: text,
          cidrBlockAssociationSet: [
            {
              associationId: `vpc-cidr-assoc-${vpcId.slice(4)}`,
              cidrBlock: text,
              cidrBlockState: { state: 'associated' },
            },
          ],
          ipv6CidrBlockAssociationSet: [],
          dhcpOptionsId: n.vpcs[vpcId]?.dhcpOptionsId,
          tagSet: tagSetXml(tags),
          instanceTenancy: 'default',
          isDefault: false,
        },
      };
    }
    case 'DeleteVpc': {
      const id = required(form, 'VpcId');
      if (!own?.vpcs[id]) {
        // the default VPC is not stored, and still has its subnets and gateway
        if (regionVpcs(acct, caller.account, caller.region, zones).some((v) => v.vpcId === id))
          throw new AwsError(
            'DependencyViolation',
            400,
            `The vpc '${id}' has dependencies and cannot be deleted.`,
          );
        vpcOf(id);
      }
      const n = own as Ec2Region;
      const attached = Object.values(n.internetGateways).some((g) => g.vpcId === id);
      const extraTables = Object.values(n.routeTables).some((t) => t.vpcId === id && !t.main);
      if (subnetsOfVpc(id).length > 0 || attached || extraTables)
        throw new AwsError(
          'DependencyViolation',
          400,
          `The vpc '${id}' has dependencies and cannot be deleted.`,
        );
      for (const t of Object.values(n.routeTables)) if (t.vpcId === id) delete n.routeTables[t.routeTableId];
      delete n.vpcs[id];
      mark();
      return ok;
    }
    case 'CreateSubnet': {
      const vpc = vpcOf(required(form, 'VpcId'));
      const text = required(form, 'CidrBlock');
      const cidr = parseCidr(text);
      const range = parseCidr(vpc.cidr) as Cidr;
      if (!cidr || cidr.prefix < 16 || cidr.prefix > 28 || cidr.start < range.start || cidr.end > range.end)
        throw new AwsError('InvalidSubnet.Range', 400, `The CIDR '${text}' is invalid.`);
      const clash = subnetsOfVpc(vpc.vpcId).some((s) => {
        const o = parseCidr(s.cidr) as Cidr;
        return o.start <= cidr.end && cidr.start <= o.end;
      });
      if (clash)
        throw new AwsError('InvalidSubnet.Conflict', 400, `The CIDR '${text}' conflicts with another subnet`);
      const zoneIds = zones.map((_, i) => `${regionAbbrev(caller.region)}-az${i + 1}`);
      const byId = form.get('AvailabilityZoneId');
      const zone = byId ? zones[zoneIds.indexOf(byId)] : (form.get('AvailabilityZone') ?? zones[0]);
      if (!zone || !zones.includes(zone))
        throw new AwsError(
          'InvalidParameterValue',
          400,
          `Value (${byId ?? form.get('AvailabilityZone')}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.join(', ')}.`,
        );
      const tags = tagSpecs(form, 'subnet');
      const subnetId = newId('subnet');
      const s = {
        subnetId,
        vpcId: vpc.vpcId,
        zone,
        zoneId: zoneIds[zones.indexOf(zone)] as string,
        cidr: text,
        // EC2 makes a new subnet private-addressed; ModifySubnetAttribute turns public IPs on
        mapPublicIpOnLaunch: false,
        tags,
      };
      net().subnets[subnetId] = s;
      mark();
      return {
        subnet: {
          subnetId,
          subnetArn: `arn:aws:ec2:${caller.region}:${caller.account}:subnet/${subnetId}`,
          state: 'pending',
          vpcId: s.vpcId,
          cidrBlock: text,
          ownerId: caller.account,
          availableIpAddressCount: 2 ** (32 - (cidr?.prefix ?? 24)) - 5,
          availabilityZone: zone,
          availabilityZoneId: s.zoneId,
          defaultForAz: false,
          mapPublicIpOnLaunch: false,
          assignIpv6AddressOnCreation: false,
          ipv6CidrBlockAssociationSet: [],
          tagSet: tagSetXml(tags),
        },
      };
    }
    case 'DeleteSubnet': {
      const id = required(form, 'SubnetId');
      const s = own?.subnets[id];
      if (!s) {
        if (regionSubnets(acct, caller.account, caller.region, zones).some((x) => x.subnetId === id)) {
          // a default subnet: deletable in EC2, but the sandbox derives them, so it keeps them
          throw new AwsError(
            'DependencyViolation',
            400,
            `The subnet '${id}' has dependencies and cannot be deleted.`,
          );
        }
        throw new AwsError('InvalidSubnetID.NotFound', 400, `The subnet ID '${id}' does not exist`);
      }
      if (clustersIn(new Set([id])).length > 0)
        throw new AwsError(
          'DependencyViolation',
          400,
          `The subnet '${id}' has dependencies and cannot be deleted.`,
        );
      delete (own as Ec2Region).subnets[id];
      mark();
      return ok;
    }
    case 'ModifySubnetAttribute': {
      const id = required(form, 'SubnetId');
      const s = own?.subnets[id];
      if (!s) throw new AwsError('InvalidSubnetID.NotFound', 400, `The subnet ID '${id}' does not exist`);
      const v = form.get('MapPublicIpOnLaunch.Value');
      if (v !== undefined) s.mapPublicIpOnLaunch = v === 'true';
      mark();
      return ok;
    }
    case 'CreateInternetGateway': {
      const tags = tagSpecs(form, 'internet-gateway');
      const id = newId('igw');
      net().internetGateways[id] = { internetGatewayId: id, tags };
      mark();
      return {
        internetGateway: {
          internetGatewayId: id,
          ownerId: caller.account,
          attachmentSet: [],
          tagSet: tagSetXml(tags),
        },
      };
    }
    case 'AttachInternetGateway': {
      const g = igwOf(required(form, 'InternetGatewayId'));
      const vpc = vpcOf(required(form, 'VpcId'));
      if (g.vpcId)
        throw new AwsError(
          'Resource.AlreadyAssociated',
          400,
          `resource ${g.internetGatewayId} is already attached to network ${g.vpcId}`,
        );
      if (Object.values(own?.internetGateways ?? {}).some((x) => x.vpcId === vpc.vpcId))
        throw new AwsError(
          'Resource.AlreadyAssociated',
          400,
          `Network ${vpc.vpcId} already has an internet gateway attached`,
        );
      g.vpcId = vpc.vpcId;
      mark();
      return ok;
    }
    case 'DetachInternetGateway': {
      const g = igwOf(required(form, 'InternetGatewayId'));
      const vpcId = required(form, 'VpcId');
      if (g.vpcId !== vpcId)
        throw new AwsError(
          'Gateway.NotAttached',
          400,
          `resource ${g.internetGatewayId} is not attached to network ${vpcId}`,
        );
      // the nodes (and the public endpoint's interfaces) of a cluster in the VPC hold public IPs
      if (clustersIn(new Set(subnetsOfVpc(vpcId).map((s) => s.subnetId))).length > 0)
        throw new AwsError(
          'DependencyViolation',
          400,
          `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
        );
      g.vpcId = undefined;
      mark();
      return ok;
    }
    case 'DeleteInternetGateway': {
      const g = igwOf(required(form, 'InternetGatewayId'));
      if (g.vpcId)
        throw new AwsError(
          'DependencyViolation',
          400,
          `The internetGateway '${g.internetGatewayId}' has dependencies and cannot be deleted.`,
        );
      delete (own as Ec2Region).internetGateways[g.internetGatewayId];
      mark();
      return ok;
    }
    case 'DescribeInternetGateways': {
      const ids = formList(form, 'InternetGatewayId');
      const all = Object.values(own?.internetGateways ?? {});
      for (const id of ids) igwOf(id);
      const items = all
        .filter((g) => ids.length === 0 || ids.includes(g.internetGatewayId))
        .filter((g) =>
          matches(
            filters,
            (f) =>
              tagFilter(g.tags, f) ??
              {
                'internet-gateway-id': [g.internetGatewayId],
                'attachment.vpc-id': g.vpcId ? [g.vpcId] : [],
                'attachment.state': g.vpcId ? ['available'] : [],
                'owner-id': [caller.account],
              }[f],
          ),
        )
        .map((g) => ({
          internetGatewayId: g.internetGatewayId,
          ownerId: caller.account,
          attachmentSet: g.vpcId ? [{ vpcId: g.vpcId, state: 'available' }] : [],
          tagSet: tagSetXml(g.tags),
        }));
      return { internetGatewaySet: items };
    }
    case 'DescribeRouteTables': {
      const ids = formList(form, 'RouteTableId');
      const all = Object.values(own?.routeTables ?? {});
      for (const id of ids)
        if (!all.some((t) => t.routeTableId === id))
          throw new AwsError('InvalidRouteTableID.NotFound', 400, `The routeTable ID '${id}' does not exist`);
      const items = all
        .filter((t) => ids.length === 0 || ids.includes(t.routeTableId))
        .filter((t) =>
          matches(
            filters,
            (f) =>
              tagFilter(t.tags, f) ??
              {
                'route-table-id': [t.routeTableId],
                'vpc-id': [t.vpcId],
                'association.main': [String(t.main)],
                'route.destination-cidr-block': t.routes.map((r) => r.destinationCidrBlock),
                'route.gateway-id': t.routes.map((r) => r.gatewayId),
                'owner-id': [caller.account],
              }[f],
          ),
        )
        .map((t) => ({
          routeTableId: t.routeTableId,
          vpcId: t.vpcId,
          ownerId: caller.account,
          routeSet: t.routes.map((r) => ({
            destinationCidrBlock: r.destinationCidrBlock,
            gatewayId: r.gatewayId,
            state: 'active',
            origin: r.gatewayId === 'local' ? 'CreateRouteTable' : 'CreateRoute',
          })),
          associationSet: t.main
            ? [
                {
                  routeTableAssociationId: `rtbassoc-${t.routeTableId.slice(4)}`,
                  routeTableId: t.routeTableId,
                  main: true,
                  associationState: { state: 'associated' },
                },
              ]
            : [],
          propagatingVgwSet: [],
          tagSet: tagSetXml(t.tags),
        }));
      return { routeTableSet: items };
    }
    case 'CreateRoute': {
      const id = required(form, 'RouteTableId');
      const t = own?.routeTables[id];
      if (!t)
        throw new AwsError('InvalidRouteTableID.NotFound', 400, `The routeTable ID '${id}' does not exist`);
      const dest = required(form, 'DestinationCidrBlock');
      if (!parseCidr(dest))
        throw new AwsError(
          'InvalidParameterValue',
          400,
          `Value (${dest}) for parameter destinationCidrBlock is invalid.`,
        );
      const gatewayId = required(form, 'GatewayId');
      const g = own?.internetGateways[gatewayId];
      if (!g)
        throw new AwsError('InvalidGatewayID.NotFound', 400, `The gateway ID '${gatewayId}' does not exist`);
      if (g.vpcId !== t.vpcId)
        throw new AwsError(
          'InvalidParameterValue',
          400,
          `route table ${t.routeTableId} and network gateway ${gatewayId} belong to different networks`,
        );
      if (t.routes.some((r) => r.destinationCidrBlock === dest))
        throw new AwsError('RouteAlreadyExists', 400, `The route identified by ${dest} already exists.`);
      t.routes.push({ destinationCidrBlock: dest, gatewayId });
      mark();
      return ok;
    }
    case 'CreateTags':
    case 'DeleteTags': {
      const ids = formList(form, 'ResourceId');
      const tags = tagList(form, 'Tag');
      for (const id of ids) {
        const r = own?.vpcs[id] ?? own?.subnets[id] ?? own?.internetGateways[id] ?? own?.routeTables[id];
        if (!r) throw new AwsError('InvalidID', 400, `The ID '${id}' is not valid`);
        if (action === 'CreateTags') Object.assign(r.tags, tags);
        else for (const k of Object.keys(tags)) delete r.tags[k];
      }
      mark();
      return ok;
    }
    default:
      return undefined;
  }
}
