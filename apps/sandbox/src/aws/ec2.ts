/**
 * The EC2 (ec2Query, XML) calls a clone needs: regions, zones, instance types, VPCs and subnets
 * (the default VPC's and those the account makes, with their gateways and routes: vpc.ts).
 */
import type { SandboxContext } from '../context.ts';
import type { Caller } from './eks.ts';
import type { AwsState } from './model.ts';
import { defaultVpc, regionSubnets, regionVpcs } from './network.ts';
import { handleVpcWrite, tagFilter, tagSetXml } from './vpc.ts';
import {
  AwsError,
  decodeToken,
  encodeToken,
  formFilters,
  formList,
  toXml,
  type XmlNode,
  xmlEscape,
} from './protocol.ts';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function wildcard(pattern: string): RegExp {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

export function matches(
  filters: { name: string; values: string[] }[],
  get: (name: string) => string[] | undefined,
): boolean {
  for (const f of filters) {
    const actual = get(f.name);
    if (actual === undefined)
      throw new AwsError('InvalidParameterValue', 400, `The filter '${f.name}' is invalid`);
    if (!f.values.some((v) => actual.some((a) => wildcard(v).test(a)))) return false;
  }
  return true;
}

export function response(action: string, reqId: string, body: XmlNode): string {
  return `<${action}Response xmlns="${NS}"><requestId>${xmlEscape(reqId)}</requestId>${toXml(body)}</${action}Response>`;
}

export function ec2ErrorXml(code: string, message: string, reqId: string): string {
  return `<Response><Errors><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${xmlEscape(reqId)}</RequestID></Response>`;
}

function page<T>(
  items: T[],
  form: Map<string, string>,
  salt: string,
  dflt: number,
  min: number,
  max: number,
) {
  const raw = form.get('MaxResults');
  const n = raw === undefined ? dflt : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AwsError(
      'InvalidParameterValue',
      400,
      `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
    );
  }
  const offset = decodeToken(form.get('NextToken'), salt);
  if (offset === undefined) throw new AwsError('InvalidParameterValue', 400, 'The token is invalid');
  const next = offset + n < items.length ? encodeToken(offset + n, salt) : undefined;
  return { items: items.slice(offset, offset + n), nextToken: next };
}

export function handleEc2(
  ctx: SandboxContext,
  caller: Caller,
  action: string,
  form: Map<string, string>,
  reqId: string,
  aws: AwsState,
): string {
  const filters = formFilters(form);
  const acct = aws.accounts[caller.account];
  const region = ctx.catalog.region('aws', caller.region);
  if (!region)
    throw new AwsError(
      'AuthFailure',
      401,
      `AWS was not able to validate the provided access credentials for region ${caller.region}`,
    );
  const zones = region.zones;
  const vpc = defaultVpc(caller.account, caller.region, zones);
  switch (action) {
    case 'DescribeRegions': {
      const names = formList(form, 'RegionName');
      const all = ctx.catalog.regions('aws');
      for (const n of names) {
        if (!all.some((r) => r.id === n))
          throw new AwsError('InvalidParameterValue', 400, `Invalid region: ${n}`);
      }
      const items = all
        .filter((r) => names.length === 0 || names.includes(r.id))
        .filter((r) =>
          matches(filters, (f) =>
            f === 'region-name'
              ? [r.id]
              : f === 'endpoint'
                ? [`ec2.${r.id}.amazonaws.com`]
                : f === 'opt-in-status'
                  ? ['opt-in-not-required']
                  : undefined,
          ),
        )
        .map((r) => ({
          regionName: r.id,
          regionEndpoint: `ec2.${r.id}.amazonaws.com`,
          optInStatus: 'opt-in-not-required',
        }));
      return response(action, reqId, { regionInfo: items });
    }
    case 'DescribeAvailabilityZones': {
      const names = formList(form, 'ZoneName');
      const ids = formList(form, 'ZoneId');
      const items = vpc.subnets
        .filter(
          (s) =>
            (names.length === 0 || names.includes(s.zone)) && (ids.length === 0 || ids.includes(s.zoneId)),
        )
        .filter((s) =>
          matches(
            filters,
            (f) =>
              ({
                'zone-name': [s.zone],
                'zone-id': [s.zoneId],
                state: ['available'],
                'region-name': [caller.region],
                'zone-type': ['availability-zone'],
                'group-name': [caller.region],
                'opt-in-status': ['opt-in-not-required'],
              })[f],
          ),
        )
        .map((s) => ({
          optInStatus: 'opt-in-not-required',
          messageSet: [],
          regionName: caller.region,
          zoneName: s.zone,
          zoneId: s.zoneId,
          groupName: caller.region,
          networkBorderGroup: caller.region,
          zoneType: 'availability-zone',
          zoneState: 'available',
        }));
      return response(action, reqId, { availabilityZoneInfo: items });
    }
    case 'DescribeInstanceTypes': {
      const names = formList(form, 'InstanceType');
      const all = ctx.catalog.machineTypes('aws', caller.region);
      const missing = names.filter((n) => !all.some((m) => m.name === n));
      if (missing.length > 0) {
        throw new AwsError(
          'InvalidInstanceType',
          400,
          `The following supplied instance types do not exist: [${missing.join(', ')}]`,
        );
      }
      const list = all
        .filter((m) => names.length === 0 || names.includes(m.name))
        .filter((m) =>
          matches(
            filters,
            (f) =>
              ({
                'instance-type': [m.name],
                'processor-info.supported-architecture': [m.arch],
                'vcpu-info.default-vcpus': [String(m.vcpus)],
                'memory-info.size-in-mib': [String(Math.round(m.memoryGiB * 1024))],
                'current-generation': [String(!m.previousGeneration)],
                'bare-metal': [String(m.baremetal === true)],
                'burstable-performance-supported': [String(m.burstable)],
              })[f],
          ),
        )
        .sort((a, b) => a.name.localeCompare(b.name));
      const p = page(list, form, `it/${caller.region}`, 100, 5, 100);
      const items = p.items.map((m) => {
        const item: XmlNode = {
          instanceType: m.name,
          currentGeneration: !m.previousGeneration,
          freeTierEligible: m.name === 't3.micro' || m.name === 't2.micro',
          supportedUsageClasses: ['on-demand', 'spot'],
          supportedRootDeviceTypes: ['ebs'],
          supportedVirtualizationTypes: ['hvm'],
          bareMetal: m.baremetal === true,
          hypervisor: m.baremetal ? undefined : 'nitro',
          processorInfo: { supportedArchitectures: [m.arch] },
          vCpuInfo: { defaultVCpus: m.vcpus },
          memoryInfo: { sizeInMiB: Math.round(m.memoryGiB * 1024) },
          instanceStorageSupported: false,
          burstablePerformanceSupported: m.burstable,
        };
        if (m.gpus > 0) {
          item.gpuInfo = {
            gpus: [{ name: m.gpuModel ?? 'GPU', manufacturer: 'NVIDIA', count: m.gpus }],
          };
        }
        return item;
      });
      return response(action, reqId, { instanceTypeSet: items, nextToken: p.nextToken });
    }
    case 'DescribeVpcs': {
      const ids = formList(form, 'VpcId');
      const all = regionVpcs(acct, caller.account, caller.region, zones);
      for (const id of ids) {
        if (!all.some((v) => v.vpcId === id))
          throw new AwsError('InvalidVpcID.NotFound', 400, `The vpc ID '${id}' does not exist`);
      }
      const items = all
        .filter((v) => ids.length === 0 || ids.includes(v.vpcId))
        .filter((v) =>
          matches(
            filters,
            (f) =>
              tagFilter(v.tags, f) ??
              {
                'vpc-id': [v.vpcId],
                'is-default': [String(v.isDefault)],
                isDefault: [String(v.isDefault)],
                state: ['available'],
                'cidr-block': [v.cidr],
                'cidr-block-association.cidr-block': [v.cidr],
                'dhcp-options-id': [v.dhcpOptionsId],
                'owner-id': [caller.account],
              }[f],
          ),
        )
        .map((v) => ({
          ownerId: caller.account,
          instanceTenancy: 'default',
          cidrBlockAssociationSet: [
            {
              associationId: `vpc-cidr-assoc-${v.vpcId.slice(4)}`,
              cidrBlock: v.cidr,
              cidrBlockState: { state: 'associated' },
            },
          ],
          isDefault: v.isDefault,
          tagSet: tagSetXml(v.tags),
          vpcId: v.vpcId,
          state: 'available',
          cidrBlock: v.cidr,
          dhcpOptionsId: v.dhcpOptionsId,
        }));
      return response(action, reqId, { vpcSet: items });
    }
    case 'DescribeSubnets': {
      const ids = formList(form, 'SubnetId');
      const all = regionSubnets(acct, caller.account, caller.region, zones);
      for (const id of ids) {
        if (!all.some((s) => s.subnetId === id)) {
          throw new AwsError('InvalidSubnetID.NotFound', 400, `The subnet ID '${id}' does not exist`);
        }
      }
      const list = all
        .filter((s) => ids.length === 0 || ids.includes(s.subnetId))
        .filter((s) =>
          matches(
            filters,
            (f) =>
              tagFilter(s.tags, f) ??
              {
                'vpc-id': [s.vpcId],
                'subnet-id': [s.subnetId],
                'availability-zone': [s.zone],
                'availability-zone-id': [s.zoneId],
                'default-for-az': [String(s.defaultForAz)],
                defaultForAz: [String(s.defaultForAz)],
                'map-public-ip-on-launch': [String(s.mapPublicIpOnLaunch)],
                state: ['available'],
                'cidr-block': [s.cidr],
                'owner-id': [caller.account],
              }[f],
          ),
        );
      const p = page(list, form, `subnets/${caller.region}`, 1000, 5, 1000);
      const items = p.items.map((s) => ({
        availabilityZoneId: s.zoneId,
        mapCustomerOwnedIpOnLaunch: false,
        ownerId: caller.account,
        assignIpv6AddressOnCreation: false,
        ipv6CidrBlockAssociationSet: [],
        tagSet: tagSetXml(s.tags),
        subnetArn: `arn:aws:ec2:${caller.region}:${caller.account}:subnet/${s.subnetId}`,
        enableDns64: false,
        ipv6Native: false,
        privateDnsNameOptionsOnLaunch: {
          hostnameType: 'ip-name',
          enableResourceNameDnsARecord: false,
          enableResourceNameDnsAAAARecord: false,
        },
        subnetId: s.subnetId,
        state: 'available',
        vpcId: s.vpcId,
        cidrBlock: s.cidr,
        availableIpAddressCount: 4091,
        availabilityZone: s.zone,
        defaultForAz: s.defaultForAz,
        mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
      }));
      return response(action, reqId, { subnetSet: items, nextToken: p.nextToken });
    }
    default: {
      const out = handleVpcWrite({ ctx, caller, action, form, filters, zones, aws });
      if (out === undefined)
        throw new AwsError('InvalidAction', 400, `The action ${action} is not valid for this web service.`);
      return response(action, reqId, out);
    }
  }
}
