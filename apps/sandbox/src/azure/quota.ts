/**
 * Compute vCPU quotas of a subscription per location, as Microsoft.Compute/locations/{l}/usages
 * lists them (Total Regional vCPUs, Total Regional Spot vCPUs, one per VM family), and the check
 * AKS makes before it accepts agent pools (ErrCode_InsufficientVCPUQuota). A prepared
 * subscription has limits no test reaches; a `fresh` one has a new pay-as-you-go subscription's.
 */
import { AZURE_REGIONAL_CORES, AZURE_SPOT_CORES, azureQuotaFamily, type Catalog } from '@dolly/model';
import type { ClusterRec, PoolRec } from './model.ts';

type PoolCount = Pick<PoolRec, 'vmSize' | 'count' | 'scaleSetPriority'> & {
  provisioningState?: PoolRec['provisioningState'];
};

/** limits by lower-case usage name; `*` stands for every VM family */
export type QuotaLimits = Record<string, number>;

const PREPARED_LIMIT = 100_000;
/** A new pay-as-you-go subscription: 10 vCPUs in a region, and 10 per VM family. */
export const FRESH_LIMITS: QuotaLimits = {
  [AZURE_REGIONAL_CORES.toLowerCase()]: 10,
  [AZURE_SPOT_CORES.toLowerCase()]: 10,
  '*': 10,
};

export function limitOf(limits: QuotaLimits | undefined, name: string): number {
  if (!limits) return PREPARED_LIMIT;
  const n = name.toLowerCase();
  const regional = n === AZURE_REGIONAL_CORES.toLowerCase() || n === AZURE_SPOT_CORES.toLowerCase();
  return limits[n] ?? (regional ? 0 : (limits['*'] ?? 0));
}

/** The usage names one pool counts against and its vCPUs: Spot VMs only count against the Spot total. */
function countsOf(cat: Catalog, location: string, p: Pick<PoolRec, 'vmSize' | 'count' | 'scaleSetPriority'>) {
  const m = cat.machineType('azure', p.vmSize, location) ?? cat.machineType('azure', p.vmSize);
  const vcpus = (m?.vcpus ?? 0) * p.count;
  if (p.scaleSetPriority === 'Spot') return { vcpus, names: [AZURE_SPOT_CORES] };
  return { vcpus, names: [AZURE_REGIONAL_CORES, ...(m ? [azureQuotaFamily(m.family)] : [])] };
}

/** vCPUs in use per lower-case usage name: the pools of the subscription's clusters in the location. */
export function usageOf(
  cat: Catalog,
  clusters: Iterable<ClusterRec>,
  sub: string,
  location: string,
): Map<string, number> {
  const used = new Map<string, number>();
  for (const c of clusters) {
    if (c.subscriptionId !== sub || c.location !== location) continue;
    if (c.provisioningState === 'Deleting') continue;
    for (const p of c.pools) {
      if (p.provisioningState === 'Deleting') continue;
      const { vcpus, names } = countsOf(cat, location, p);
      for (const n of names) used.set(n.toLowerCase(), (used.get(n.toLowerCase()) ?? 0) + vcpus);
    }
  }
  return used;
}

/** The usages list body (Usage[] in `value`), in Compute's shape. */
export function usagesBody(
  cat: Catalog,
  clusters: Iterable<ClusterRec>,
  sub: string,
  location: string,
  limits: QuotaLimits | undefined,
): { value: unknown[] } {
  const used = usageOf(cat, clusters, sub, location);
  const families = [
    ...new Set(cat.machineTypes('azure', location).map((t) => azureQuotaFamily(t.family))),
  ].sort();
  const entry = (value: string, localizedValue: string) => ({
    limit: limitOf(limits, value),
    unit: 'Count',
    currentValue: used.get(value.toLowerCase()) ?? 0,
    name: { value, localizedValue },
  });
  return {
    value: [
      entry(AZURE_REGIONAL_CORES, 'Total Regional vCPUs'),
      entry(AZURE_SPOT_CORES, 'Total Regional Spot vCPUs'),
      ...families.map((f) =>
        entry(f, `${f.replace(/^standard/i, 'Standard ').replace(/Family$/, ' Family')} vCPUs`),
      ),
    ],
  };
}

/**
 * AKS's refusal of a cluster or pool write whose pools would run more vCPUs than the location's
 * quotas leave, or undefined when they fit. `before` is what the cluster runs now (counted in the
 * usage already), `after` what the write asks for; only the difference is requested.
 */
export function vcpuQuotaRefusal(
  cat: Catalog,
  clusters: Iterable<ClusterRec>,
  cluster: Pick<ClusterRec, 'subscriptionId' | 'location'>,
  change: { before: PoolCount[]; after: PoolCount[] },
  limits: QuotaLimits | undefined,
): string | undefined {
  if (!limits) return undefined;
  const { location } = cluster;
  const used = usageOf(cat, clusters, cluster.subscriptionId, location);
  const want = new Map<string, { name: string; vcpus: number }>();
  const tally = (pools: PoolCount[], sign: number) => {
    for (const p of pools) {
      if (p.provisioningState === 'Deleting') continue;
      const { vcpus, names } = countsOf(cat, location, p);
      for (const name of names) {
        const w = want.get(name.toLowerCase()) ?? { name, vcpus: 0 };
        w.vcpus += sign * vcpus;
        want.set(name.toLowerCase(), w);
      }
    }
  };
  tally(change.after, 1);
  tally(change.before, -1);
  const regional = (k: string) =>
    k === AZURE_REGIONAL_CORES.toLowerCase() || k === AZURE_SPOT_CORES.toLowerCase();
  // the family is checked first, then the regional totals
  const order = [...want.entries()].sort(([a], [b]) => Number(regional(a)) - Number(regional(b)));
  for (const [key, { name, vcpus }] of order) {
    const remaining = Math.max(0, limitOf(limits, name) - (used.get(key) ?? 0));
    if (vcpus <= 0 || vcpus <= remaining) continue;
    if (regional(key))
      return `Insufficient regional vcpu quota left for location ${location}. left regional vcpu quota ${remaining}, requested quota ${vcpus}`;
    return `Insufficient vcpu quota requested ${vcpus}, remaining ${remaining} for family ${name} for region ${location}.`;
  }
  return undefined;
}
