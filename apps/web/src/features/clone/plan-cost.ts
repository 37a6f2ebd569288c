import type { ClonePlanItem, ClusterCost, CloudId, NodePoolSpec } from '@dolly/model';
import { sourcePoolIndex } from './plan-rows.ts';

type PoolCost = ClusterCost['pools'][number];

/** What a price the catalog does not have reads as. */
export const NOT_PRICED = 'not priced';

const cloudNames: Record<CloudId, string> = { aws: 'AWS', azure: 'Azure', gcp: 'Google Cloud' };
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const signedUsd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  signDisplay: 'exceptZero',
});
const hourlyUsd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 4,
});
const cents = (n: number): number => Math.round(n * 100) / 100;

/** `$2,735.07`; `not priced` when the catalog has no price. */
export function formatUsd(amount: number | null): string {
  return amount === null ? NOT_PRICED : usd.format(amount);
}

/** `$0.1942/h per node`; `not priced` when the catalog has no price. */
export function formatHourly(amount: number | null): string {
  return amount === null ? NOT_PRICED : `${hourlyUsd.format(amount)}/h per node`;
}

export type CostTrend = 'cheaper' | 'dearer' | 'same' | 'unknown';

export interface CostDelta {
  /** `-$46.34 (-1.7%)`, `+$90.00`, `no change` or `not priced`. */
  text: string;
  trend: CostTrend;
}

/** Target minus source per month; not priced when either side has no price. */
export function costDelta(source: number | null, target: number | null): CostDelta {
  if (source === null || target === null) return { text: NOT_PRICED, trend: 'unknown' };
  const d = cents(target - source);
  if (d === 0) return { text: 'no change', trend: 'same' };
  const pct = source > 0 ? ` (${d > 0 ? '+' : ''}${((d / source) * 100).toFixed(1)}%)` : '';
  return { text: `${signedUsd.format(d)}${pct}`, trend: d < 0 ? 'cheaper' : 'dearer' };
}

/** The trend in words (never by colour alone) and the tone class it is shown with. */
export const trendLabel = {
  cheaper: { word: 'cheaper', tone: 'success' },
  dearer: { word: 'more expensive', tone: 'attention' },
  same: { word: 'same cost', tone: 'neutral' },
  unknown: { word: 'not comparable', tone: 'neutral' },
} as const satisfies Record<CostTrend, { word: string; tone: string }>;

/** One side (source or target) of a pool's cost row. */
export interface CostSide {
  pool: string;
  /** `6 × n2-standard-4` */
  nodes: string;
  spot: boolean;
  hourly: string;
  monthly: string;
  monthlyUsd: number | null;
}

export interface CostPoolRow {
  key: string;
  title: string;
  /** Absent for a pool the plan added (AKS system pool). */
  source?: CostSide;
  /** Absent for a source pool that is not carried. */
  target?: CostSide;
  delta: CostDelta;
}

export type PlanCostView =
  | { status: 'missing' | 'stale'; message: string }
  | {
      status: 'ok';
      rows: CostPoolRow[];
      total: { source: string; target: string; delta: CostDelta };
      /** One line per side: where the prices come from, their date and reference region. */
      basis: string[];
      /** How the figure is computed (the model's own words). */
      method: string;
      /** Spot is not in the catalog: said so, with the spot pools that are shown at on-demand price. */
      spot: string;
      /** The machine types without a catalog price, when there are any. */
      unpriced: string[];
    };

function side(cost: PoolCost, pool: NodePoolSpec | undefined): CostSide {
  return {
    pool: cost.pool,
    nodes: `${cost.nodes} × ${cost.machineType}`,
    spot: pool?.spot === true,
    hourly: formatHourly(cost.hourlyUsd),
    monthly: formatUsd(cost.monthlyUsd),
    monthlyUsd: cost.monthlyUsd,
  };
}

/** The cost was computed for these pools (an older plan edited by hand may no longer match). */
function matches(cost: ClusterCost, pools: readonly NodePoolSpec[]): boolean {
  return (
    cost.pools.length === pools.length &&
    cost.pools.every((c, i) => {
      const p = pools[i];
      return (
        p !== undefined && c.pool === p.name && c.machineType === p.machineType && c.nodes === p.nodeCount
      );
    })
  );
}

function basisLine(label: string, cloud: CloudId, cost: ClusterCost): string {
  const parts = [cost.priceSource ?? 'price source not recorded'];
  if (cost.priceDate) parts.push(`as of ${cost.priceDate}`);
  if (cost.priceRegion) parts.push(`reference region ${cost.priceRegion}`);
  return `${label} (${cloudNames[cloud]}): ${parts.join(', ')}`;
}

/**
 * The plan item's monthly on-demand cost, source beside target: one row per node pool (paired
 * the way the side-by-side table pairs them), the totals with the difference, and the price basis.
 */
export function planCostView(item: ClonePlanItem): PlanCostView {
  const cost = item.cost;
  if (!cost)
    return { status: 'missing', message: 'This plan has no cost: it was made before costs were computed.' };
  if (!matches(cost.source, item.source.nodePools) || !matches(cost.target, item.target.nodePools))
    return {
      status: 'stale',
      message: "The plan's cost no longer matches its node pools (the plan was edited); make the plan again.",
    };
  const rows: CostPoolRow[] = [];
  const matched = new Set<number>();
  cost.target.pools.forEach((t, i) => {
    const si = sourcePoolIndex(item, i);
    const s = si === undefined ? undefined : cost.source.pools[si];
    if (si !== undefined) matched.add(si);
    const target = side(t, item.target.nodePools[i]);
    const source = s && si !== undefined ? side(s, item.source.nodePools[si]) : undefined;
    rows.push({
      key: `nodePools[${i}]`,
      title: source
        ? source.pool === target.pool
          ? target.pool
          : `${source.pool} → ${target.pool}`
        : `${target.pool} (added by the plan)`,
      ...(source ? { source } : {}),
      target,
      delta: costDelta(source ? source.monthlyUsd : 0, target.monthlyUsd),
    });
  });
  cost.source.pools.forEach((s, j) => {
    if (matched.has(j)) return;
    const source = side(s, item.source.nodePools[j]);
    rows.push({
      key: `source:${s.pool}`,
      title: `${s.pool} (not carried)`,
      source,
      delta: costDelta(source.monthlyUsd, 0),
    });
  });
  const spotPools = [
    ...item.source.nodePools.filter((p) => p.spot).map((p) => `source ${p.name}`),
    ...item.target.nodePools.filter((p) => p.spot).map((p) => `target ${p.name}`),
  ];
  const unpriced = [
    ...cost.source.pools
      .filter((p) => p.hourlyUsd === null)
      .map((p) => `${p.machineType} (${cloudNames[item.source.cloud]})`),
    ...cost.target.pools
      .filter((p) => p.hourlyUsd === null)
      .map((p) => `${p.machineType} (${cloudNames[item.target.cloud]})`),
  ];
  return {
    status: 'ok',
    rows,
    total: {
      source: formatUsd(cost.source.monthlyUsd),
      target: formatUsd(cost.target.monthlyUsd),
      delta: costDelta(cost.source.monthlyUsd, cost.target.monthlyUsd),
    },
    basis: [
      basisLine('Source prices', item.source.cloud, cost.source),
      basisLine('Target prices', item.target.cloud, cost.target),
    ],
    method: cost.basis,
    spot: spotPools.length
      ? `Spot not priced: the catalog has on-demand prices only, so the spot pools (${spotPools.join(', ')}) are shown at the on-demand price.`
      : 'Spot not priced: the catalog has on-demand prices only.',
    unpriced: [...new Set(unpriced)],
  };
}

/** One line for the item heading: `$2,735.07 → $2,688.73 per month, -$46.34 (-1.7%), cheaper`. */
export function costSummaryText(view: PlanCostView): string {
  if (view.status !== 'ok') return view.message;
  const { source, target, delta } = view.total;
  const trend =
    delta.trend === 'cheaper' || delta.trend === 'dearer' ? `, ${trendLabel[delta.trend].word}` : '';
  return `${source} → ${target} per month, ${delta.text}${trend}`;
}
