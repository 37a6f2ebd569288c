/**
 * Service Quotas (awsJson1_1, X-Amz-Target ServiceQuotasV20190624.*): the EC2 vCPU quotas per
 * instance class, and the check EC2 makes when an Auto Scaling group (an EKS node group) launches
 * instances. A prepared account has quotas no test reaches; a `fresh` one has a new account's.
 */
import { type AwsVcpuQuota, awsVcpuQuota } from '@dolly/model';
import type { AwsAccount, AwsState } from './model.ts';
import { AwsError } from './protocol.ts';

const TARGET_PREFIX = 'ServiceQuotasV20190624.';
/** A prepared (demo or test) account: far more than any fleet the sandbox runs. */
const PREPARED_VCPUS = 100_000;
/**
 * What a new AWS account starts with, EC2's default values: 5 Standard vCPUs (On-Demand and Spot)
 * and none for the accelerated classes, until someone asks Service Quotas for more.
 */
export const FRESH_VCPU_QUOTAS: Record<string, number> = {
  'L-1216C47A': 5,
  'L-34B43A08': 5,
};

/** The account's applied quota for a code: a fresh account's, or a prepared one's. */
export function quotaValue(a: AwsAccount | undefined, code: string): number {
  return a?.vcpuQuotas ? (a.vcpuQuotas[code] ?? 0) : PREPARED_VCPUS;
}

interface Machines {
  vcpusOf(instanceType: string, region: string): number;
}

/** vCPUs of the account's node groups in a region that count against `code` (desired nodes each). */
export function vcpusInUse(
  state: AwsState,
  account: string,
  region: string,
  code: string,
  m: Machines,
): number {
  let used = 0;
  for (const c of Object.values(state.clusters)) {
    if (c.account !== account || c.region !== region || c.deleteStartedAt !== undefined) continue;
    for (const ng of Object.values(c.nodegroups)) {
      if (ng.deleteStartedAt !== undefined || ng.failed !== undefined) continue;
      const type = ng.instanceTypes[0] ?? '';
      if (awsVcpuQuota(type, ng.capacityType === 'SPOT')?.code !== code) continue;
      used += m.vcpusOf(type, region) * ng.scaling.desiredSize;
    }
  }
  return used;
}

/**
 * What the node group's Auto Scaling group reports when EC2 refuses its instances for the class's
 * vCPU quota (the node group then ends CREATE_FAILED with this AsgInstanceLaunchFailures issue),
 * or undefined when they fit.
 */
export function launchRefusal(
  state: AwsState,
  account: string,
  region: string,
  launch: { instanceType: string; spot: boolean; nodes: number },
  m: Machines,
): string | undefined {
  const q: AwsVcpuQuota | undefined = awsVcpuQuota(launch.instanceType, launch.spot);
  if (!q) return undefined;
  const limit = quotaValue(state.accounts[account], q.code);
  const need = m.vcpusOf(launch.instanceType, region) * launch.nodes;
  if (need === 0 || vcpusInUse(state, account, region, q.code, m) + need <= limit) return undefined;
  return launch.spot
    ? 'Could not launch Spot Instances. MaxSpotInstanceCountExceeded - Max spot instance count exceeded. Launching EC2 instance failed.'
    : `Could not launch On-Demand Instances. VcpuLimitExceeded - You have requested more vCPU capacity than your current vCPU limit of ${limit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit. Launching EC2 instance failed.`;
}

function quotaBody(account: string, region: string, code: string, value: number, name: string) {
  return {
    ServiceCode: 'ec2',
    ServiceName: 'Amazon Elastic Compute Cloud (Amazon EC2)',
    QuotaArn: `arn:aws:servicequotas:${region}:${account}:ec2/${code}`,
    QuotaCode: code,
    QuotaName: name,
    Value: value,
    Unit: 'None',
    Adjustable: true,
    GlobalQuota: false,
  };
}

/** The quota codes the sandbox knows, with their names (from the model's class table). */
function knownQuota(code: string): string | undefined {
  for (const type of [
    'm5.large',
    'g5.xlarge',
    'p4d.24xlarge',
    'f1.2xlarge',
    'inf2.xlarge',
    'trn1.2xlarge',
    'x2idn.16xlarge',
    'dl1.24xlarge',
  ])
    for (const spot of [false, true]) {
      const q = awsVcpuQuota(type, spot);
      if (q?.code === code) return q.name;
    }
  return undefined;
}

/** GetServiceQuota and GetAWSDefaultServiceQuota for EC2; the reply body as JSON. */
export function handleServiceQuotas(
  a: AwsAccount,
  region: string,
  target: string,
  body: Record<string, unknown>,
): unknown {
  const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (op !== 'GetServiceQuota' && op !== 'GetAWSDefaultServiceQuota')
    throw new AwsError(
      'UnknownOperationException',
      400,
      `The sandbox does not implement ${target || '(no X-Amz-Target)'}`,
    );
  const service = typeof body.ServiceCode === 'string' ? body.ServiceCode : '';
  const code = typeof body.QuotaCode === 'string' ? body.QuotaCode : '';
  if (!service || !code)
    throw new AwsError('IllegalArgumentException', 400, 'ServiceCode and QuotaCode are required');
  const name = service === 'ec2' ? knownQuota(code) : undefined;
  if (!name)
    throw new AwsError(
      'NoSuchResourceException',
      400,
      `The request failed because the specified quota ${code} does not exist for service ${service}.`,
    );
  const value = op === 'GetAWSDefaultServiceQuota' ? (FRESH_VCPU_QUOTAS[code] ?? 0) : quotaValue(a, code);
  return { Quota: quotaBody(a.id, region, code, value, name) };
}
