/**
 * Which Compute Engine regional vCPU quota a GCP machine type counts against: the older general
 * purpose families (N1, E2 and the shared-core F1/G1) share `CPUS`; every other family has its own
 * `<FAMILY>_CPUS` metric (N2_CPUS, N2D_CPUS, C3_CPUS, T2A_CPUS ...). Used by the GCP preflight and
 * the sandbox's quota, so both count the same way.
 */
const SHARED_CPUS = new Set(['n1', 'e2', 'f1', 'g1']);

export function gcpCpuQuotaMetric(machineType: string): string {
  const family = machineType.split('-')[0]?.toLowerCase() ?? '';
  return SHARED_CPUS.has(family) || family === '' ? 'CPUS' : `${family.toUpperCase()}_CPUS`;
}

/** One EC2 vCPU quota (Service Quotas, service code `ec2`): its code and its name in the console. */
export interface AwsVcpuQuota {
  code: string;
  name: string;
}

/**
 * EC2 counts running vCPUs per instance class, one quota per class and per purchase option
 * (On-Demand, Spot). The class is the leading letters of the instance type (m5.large -> m,
 * inf2.xlarge -> inf); the Standard class groups A, C, D, H, I, M, R, T and Z.
 */
const AWS_CLASSES: { classes: string[]; label: string; onDemand: string; spot: string }[] = [
  {
    classes: ['a', 'c', 'd', 'h', 'i', 'm', 'r', 't', 'z'],
    label: 'Standard (A, C, D, H, I, M, R, T, Z)',
    onDemand: 'L-1216C47A',
    spot: 'L-34B43A08',
  },
  { classes: ['g', 'vt'], label: 'G and VT', onDemand: 'L-DB2E81BA', spot: 'L-3819A6DF' },
  { classes: ['p'], label: 'P', onDemand: 'L-417A185B', spot: 'L-7212CCBC' },
  { classes: ['f'], label: 'F', onDemand: 'L-74FC7D96', spot: 'L-88CF9481' },
  { classes: ['inf'], label: 'Inf', onDemand: 'L-1945791B', spot: 'L-B5D1601B' },
  { classes: ['trn'], label: 'Trn', onDemand: 'L-2C3B7624', spot: 'L-6B0D517C' },
  { classes: ['x'], label: 'X', onDemand: 'L-7295265B', spot: 'L-E3A00192' },
  { classes: ['dl'], label: 'DL', onDemand: 'L-6E869C2A', spot: 'L-85EED4F7' },
];

/** The vCPU quota an EC2 instance type counts against, or undefined for a class without one here. */
export function awsVcpuQuota(instanceType: string, spot: boolean): AwsVcpuQuota | undefined {
  const cls = /^([a-z]+)/.exec(instanceType.toLowerCase())?.[1] ?? '';
  // a longer class falls back to its first letter (hpc7g -> h, im4gn -> i); u-6tb1.metal and the
  // other "high memory" types have a quota of their own, not modelled here
  const entry =
    AWS_CLASSES.find((c) => c.classes.includes(cls)) ??
    AWS_CLASSES.find((c) => c.classes.includes(cls.slice(0, 1)));
  if (!entry) return undefined;
  return spot
    ? { code: entry.spot, name: `All ${entry.label} Spot Instance Requests` }
    : { code: entry.onDemand, name: `Running On-Demand ${entry.label} instances` };
}

/**
 * The Compute usage (Microsoft.Compute/locations/{location}/usages) an Azure VM family counts
 * against, by the catalog's family name: Dsv5 -> standardDSv5Family, Dasv5 -> standardDASv5Family.
 * Azure spells a few families its own way (GPU ones); compare names case-insensitively.
 */
const AZURE_FAMILY_NAMES: Record<string, string> = {
  NCv3: 'standardNCSv3Family',
  NCasT4_v3: 'standardNCASv3_T4Family',
  NDasrA100_v4: 'standardNDASv4_A100Family',
  NDamsrA100_v4: 'standardNDAMSv4_A100Family',
  NCadsA100_v4: 'StandardNCADSA100v4Family',
  NCadsH100_v5: 'standardNCadsH100v5Family',
  NDisrH100_v5: 'standardNDSH100v5Family',
};

export function azureQuotaFamily(family: string): string {
  const known = AZURE_FAMILY_NAMES[family];
  if (known) return known;
  const m = /^([A-Za-z]+?)(v\d+)?$/.exec(family.replace(/_/g, ''));
  const letters = m?.[1] ?? family;
  return `standard${letters.toUpperCase()}${m?.[2] ?? ''}Family`;
}

/** Azure's regional totals: every regular VM counts against `cores`, every Spot VM against `lowPriorityCores`. */
export const AZURE_REGIONAL_CORES = 'cores';
export const AZURE_SPOT_CORES = 'lowPriorityCores';
