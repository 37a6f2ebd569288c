import { createHash } from 'node:crypto';
import type { AwsAccount, Ec2Region } from './model.ts';

/** The default VPC the sandbox gives every account in every region: deterministic ids. */
export interface DefaultSubnet {
  subnetId: string;
  vpcId: string;
  zone: string;
  zoneId: string;
  cidr: string;
}

export interface DefaultVpc {
  vpcId: string;
  cidr: string;
  dhcpOptionsId: string;
  subnets: DefaultSubnet[];
}

function hex(...parts: string[]): string {
  return createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 17);
}

/** us-east-1 → use1, ap-southeast-2 → apse2, eu-central-1 → euc1 */
export function regionAbbrev(region: string): string {
  const m = /^([a-z]+)-([a-z]+)-(\d+)$/.exec(region);
  if (!m) return region.replace(/[^a-z0-9]/g, '');
  const dir = (m[2] ?? '')
    .replace('northeast', 'ne')
    .replace('southeast', 'se')
    .replace('northwest', 'nw')
    .replace('southwest', 'sw')
    .replace('north', 'n')
    .replace('south', 's')
    .replace('east', 'e')
    .replace('west', 'w')
    .replace('central', 'c');
  return `${m[1]}${dir}${m[3]}`;
}

const vpcs = new Map<string, Readonly<DefaultVpc>>();

/**
 * The default VPC is a pure function of its inputs, derived by hashing; every EKS answer resolves
 * each cluster's subnets to zones through it, so it is computed once per account, region and zones.
 */
export function defaultVpc(accountId: string, region: string, zones: string[]): Readonly<DefaultVpc> {
  const key = `${accountId}\n${region}\n${zones.join(',')}`;
  let vpc = vpcs.get(key);
  if (!vpc) {
    vpc = deepFreeze(deriveDefaultVpc(accountId, region, zones));
    vpcs.set(key, vpc);
  }
  return vpc;
}

function deepFreeze(vpc: DefaultVpc): Readonly<DefaultVpc> {
  for (const s of vpc.subnets) Object.freeze(s);
  Object.freeze(vpc.subnets);
  return Object.freeze(vpc);
}

function deriveDefaultVpc(accountId: string, region: string, zones: string[]): DefaultVpc {
  const vpcId = `vpc-${hex(accountId, region, 'vpc')}`;
  return {
    vpcId,
    cidr: '172.31.0.0/16',
    dhcpOptionsId: `dopt-${hex(accountId, region, 'dopt')}`,
    subnets: zones.map((zone, i) => ({
      subnetId: `subnet-${hex(accountId, region, zone)}`,
      vpcId,
      zone,
      zoneId: `${regionAbbrev(region)}-az${i + 1}`,
      cidr: `172.31.${i * 16}.0/20`,
    })),
  };
}

export function securityGroupId(accountId: string, region: string, name: string): string {
  return `sg-${hex(accountId, region, 'sg', name)}`;
}

/** A subnet as EC2 answers for it: the default VPC's (derived) or one the account made. */
export interface SubnetView extends DefaultSubnet {
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  tags: Record<string, string>;
}

export interface VpcView {
  vpcId: string;
  cidr: string;
  dhcpOptionsId: string;
  isDefault: boolean;
  tags: Record<string, string>;
}

/** The account's own EC2 network state in a region (made on first write). */
export function ec2Region(a: AwsAccount, region: string): Ec2Region {
  a.ec2 ??= {};
  a.ec2[region] ??= { vpcs: {}, subnets: {}, internetGateways: {}, routeTables: {} };
  return a.ec2[region];
}

export function hasDefaultVpc(a: AwsAccount | undefined, region: string): boolean {
  return !a?.noDefaultVpc?.includes(region);
}

export function regionVpcs(
  a: AwsAccount | undefined,
  accountId: string,
  region: string,
  zones: string[],
): VpcView[] {
  const out: VpcView[] = [];
  if (hasDefaultVpc(a, region)) {
    const d = defaultVpc(accountId, region, zones);
    out.push({ vpcId: d.vpcId, cidr: d.cidr, dhcpOptionsId: d.dhcpOptionsId, isDefault: true, tags: {} });
  }
  for (const v of Object.values(a?.ec2?.[region]?.vpcs ?? {}))
    out.push({
      vpcId: v.vpcId,
      cidr: v.cidr,
      dhcpOptionsId: v.dhcpOptionsId,
      isDefault: false,
      tags: v.tags,
    });
  return out;
}

export function regionSubnets(
  a: AwsAccount | undefined,
  accountId: string,
  region: string,
  zones: string[],
): SubnetView[] {
  const out: SubnetView[] = [];
  if (hasDefaultVpc(a, region))
    for (const s of defaultVpc(accountId, region, zones).subnets)
      out.push({ ...s, defaultForAz: true, mapPublicIpOnLaunch: true, tags: {} });
  for (const s of Object.values(a?.ec2?.[region]?.subnets ?? {})) out.push({ ...s, defaultForAz: false });
  return out;
}
