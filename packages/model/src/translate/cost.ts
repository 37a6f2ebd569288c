import type { Catalog, CloudId } from '../catalog/types';
import type { ClusterCost, NodePoolSpec, PlanCost } from '../schemas';
import { lookupMachineType } from './machine-type';

/** The usual month of cloud price lists (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

const BASIS = `on-demand Linux list price × ${HOURS_PER_MONTH} h × current node count per pool; each cloud's price is from the catalog's reference region (priceRegion), not the cluster's region; spot, reserved and committed-use discounts, disks, control-plane fees and traffic are not included`;

const cents = (n: number): number => Math.round(n * 100) / 100;

/** Monthly on-demand cost of a cluster's pools from the catalog's prices. */
export function clusterCost(
  catalog: Catalog,
  cloud: CloudId,
  location: string,
  pools: readonly NodePoolSpec[],
): ClusterCost {
  let total: number | null = 0;
  const rows = pools.map((p) => {
    const hourly = lookupMachineType(catalog, cloud, p.machineType, location)?.hourlyUsd ?? null;
    const monthly = hourly === null ? null : cents(hourly * HOURS_PER_MONTH * p.nodeCount);
    total = total === null || monthly === null ? null : total + monthly;
    return {
      pool: p.name,
      machineType: p.machineType,
      nodes: p.nodeCount,
      hourlyUsd: hourly,
      monthlyUsd: monthly,
    };
  });
  const out: ClusterCost = { monthlyUsd: total === null ? null : cents(total), pools: rows };
  const ref = catalog.priceReference?.(cloud);
  if (ref) {
    out.priceRegion = ref.region;
    out.priceSource = ref.source;
    out.priceDate = ref.dataAsOf;
  }
  return out;
}

export function planItemCost(
  catalog: Catalog,
  item: {
    source: { cloud: CloudId; location: string; nodePools: NodePoolSpec[] };
    target: { cloud: CloudId; location: string; nodePools: NodePoolSpec[] };
  },
): PlanCost {
  return {
    currency: 'USD',
    basis: BASIS,
    source: clusterCost(catalog, item.source.cloud, item.source.location, item.source.nodePools),
    target: clusterCost(catalog, item.target.cloud, item.target.location, item.target.nodePools),
  };
}
