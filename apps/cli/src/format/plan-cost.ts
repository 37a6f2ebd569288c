import type { ClonePlanItem, ClusterCost } from '@dolly/model';
import { SERVICE_NAME } from '@dolly/model';

type PoolCost = ClusterCost['pools'][number];

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const signed = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  signDisplay: 'exceptZero',
});

/** `$2,735.07`, or `not priced` when the catalog has no price for the type. */
export const money = (n: number | null): string => (n === null ? 'not priced' : usd.format(n));

/** Target minus source: `-$46.34 (-1.7%, cheaper)`, `+$186.15 (more expensive)`, `no change`, `not priced`. */
export function costDeltaText(source: number | null, target: number | null): string {
  if (source === null || target === null) return 'not priced';
  const d = Math.round((target - source) * 100) / 100;
  if (d === 0) return 'no change';
  const pct = source > 0 ? `${d > 0 ? '+' : ''}${((d / source) * 100).toFixed(1)}%, ` : '';
  return `${signed.format(d)} (${pct}${d < 0 ? 'cheaper' : 'more expensive'})`;
}

const poolText = (p: PoolCost | undefined, spot: boolean): string =>
  p
    ? `${p.nodes} × ${p.machineType}${spot ? ' (spot, at on-demand price)' : ''} ${money(p.monthlyUsd)}`
    : '—';

function basis(cost: ClusterCost, service: string): string {
  const parts = [cost.priceSource ?? 'price source not recorded'];
  if (cost.priceDate) parts.push(cost.priceDate);
  if (cost.priceRegion) parts.push(`reference region ${cost.priceRegion}`);
  return `${service}: ${parts.join(', ')}`;
}

/**
 * The item's monthly on-demand cost for people: the totals with the difference, one line per
 * node pool (source → target), and where the prices come from.
 */
export function planCostLines(item: ClonePlanItem): string[] {
  const cost = item.cost;
  if (!cost) return ['Cost: not in this plan'];
  const s = SERVICE_NAME[item.source.cloud];
  const t = SERVICE_NAME[item.target.cloud];
  const lines = [
    `Cost per month (USD, on-demand): ${money(cost.source.monthlyUsd)} → ${money(cost.target.monthlyUsd)}, ${costDeltaText(cost.source.monthlyUsd, cost.target.monthlyUsd)}`,
  ];
  const matched = new Set<number>();
  cost.target.pools.forEach((tp, i) => {
    const rename = item.decisions.find((d) => d.path === `nodePools[${i}].name`);
    const name = typeof rename?.from === 'string' ? rename.from : tp.pool;
    const si = cost.source.pools.findIndex((p) => p.pool === name);
    const sp = si === -1 ? undefined : cost.source.pools[si];
    if (si !== -1) matched.add(si);
    const title = sp ? (sp.pool === tp.pool ? tp.pool : `${sp.pool} → ${tp.pool}`) : `${tp.pool} (added)`;
    const spSpot = si !== -1 && item.source.nodePools[si]?.spot === true;
    lines.push(
      `  ${title}: ${poolText(sp, spSpot)} → ${poolText(tp, item.target.nodePools[i]?.spot === true)}, ${costDeltaText(sp ? sp.monthlyUsd : 0, tp.monthlyUsd)}`,
    );
  });
  cost.source.pools.forEach((sp, j) => {
    if (matched.has(j)) return;
    lines.push(
      `  ${sp.pool} (not carried): ${poolText(sp, item.source.nodePools[j]?.spot === true)} → —, ${costDeltaText(sp.monthlyUsd, 0)}`,
    );
  });
  lines.push(`  Prices: ${basis(cost.source, s)}; ${basis(cost.target, t)}`);
  lines.push(`  Basis: ${cost.basis}; spot not priced (the catalog has on-demand prices only)`);
  return lines;
}
