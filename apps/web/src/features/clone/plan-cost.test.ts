import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledCatalog, type ClonePlanItem, type ClusterSpecInput, planClone } from '@dolly/model';
import { describe, expect, it } from 'vitest';
import {
  costDelta,
  costSummaryText,
  formatHourly,
  formatUsd,
  NOT_PRICED,
  type PlanCostView,
  planCostView,
} from './plan-cost.ts';

const examples = join(import.meta.dirname, '../../../../../examples');
const example = (name: string) => JSON.parse(readFileSync(join(examples, name), 'utf8')) as ClusterSpecInput;
function planItem(file: string, cloud: 'aws' | 'azure' | 'gcp'): ClonePlanItem {
  const [item] = planClone([example(file)], { cloud, scope: 'target-scope' }, bundledCatalog, {
    id: 'plan-test',
  }).items;
  if (!item?.cost) throw new Error('no plan item with a cost');
  return item;
}
function ok(view: PlanCostView) {
  if (view.status !== 'ok') throw new Error(`cost view is ${view.status}`);
  return view;
}

describe('cost formatting', () => {
  it('formats dollars, hourly prices and missing prices', () => {
    expect(formatUsd(2735.07)).toBe('$2,735.07');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(null)).toBe(NOT_PRICED);
    expect(formatHourly(0.194236)).toBe('$0.1942/h per node');
    expect(formatHourly(null)).toBe('not priced');
  });

  it('gives the difference target minus source with its sign, share and trend', () => {
    expect(costDelta(2735.07, 2688.73)).toEqual({ text: '-$46.34 (-1.7%)', trend: 'cheaper' });
    expect(costDelta(100, 150)).toEqual({ text: '+$50.00 (+50.0%)', trend: 'dearer' });
    expect(costDelta(0, 186.15)).toEqual({ text: '+$186.15', trend: 'dearer' });
    expect(costDelta(10.1, 10.1)).toEqual({ text: 'no change', trend: 'same' });
    expect(costDelta(null, 10)).toEqual({ text: NOT_PRICED, trend: 'unknown' });
    expect(costDelta(10, null)).toEqual({ text: NOT_PRICED, trend: 'unknown' });
  });
});

describe('planCostView', () => {
  it('shows source beside target per pool, the totals, the difference and the price basis', () => {
    const item = planItem('gke-shop-prod.json', 'aws');
    const cost = item.cost;
    if (!cost) throw new Error('no cost');
    const view = ok(planCostView(item));
    expect(view.rows.map((r) => r.title)).toEqual(['default-pool', 'batch-spot', 'arm-api', 'gpu-inference']);
    const [first] = view.rows;
    const [s0] = cost.source.pools;
    const [t0] = cost.target.pools;
    if (!s0 || !t0) throw new Error('no pools');
    expect(first?.source).toMatchObject({
      nodes: `${s0.nodes} × n2-standard-4`,
      monthly: formatUsd(s0.monthlyUsd),
      spot: false,
    });
    expect(first?.target).toMatchObject({
      nodes: `${t0.nodes} × m6a.xlarge`,
      monthly: formatUsd(t0.monthlyUsd),
    });
    expect(first?.delta).toEqual(costDelta(s0.monthlyUsd, t0.monthlyUsd));
    expect(view.total).toEqual({
      source: formatUsd(cost.source.monthlyUsd),
      target: formatUsd(cost.target.monthlyUsd),
      delta: costDelta(cost.source.monthlyUsd, cost.target.monthlyUsd),
    });
    expect(view.basis).toEqual([
      `Source prices (Google Cloud): ${cost.source.priceSource}, as of ${cost.source.priceDate}, reference region us-central1`,
      `Target prices (AWS): ${cost.target.priceSource}, as of ${cost.target.priceDate}, reference region us-east-1`,
    ]);
    expect(view.method).toMatch(/on-demand/);
    expect(view.spot).toMatch(/^Spot not priced/);
    expect(view.spot).toContain('source batch-spot');
    expect(view.rows[1]?.source?.spot).toBe(true);
    expect(view.unpriced).toEqual([]);
    expect(costSummaryText(view)).toBe(
      `${view.total.source} → ${view.total.target} per month, ${view.total.delta.text}, ${
        view.total.delta.trend === 'cheaper' ? 'cheaper' : 'more expensive'
      }`,
    );
  });

  it('pairs renamed pools and shows a pool the plan added at its full cost', () => {
    const item = planItem('eks-payments-staging.json', 'azure');
    const view = ok(planCostView(item));
    expect(view.rows.map((r) => r.title)).toEqual([
      'general_workers → generalworke',
      'graviton-spot → gravitonspot',
      'tiny',
      'system (added by the plan)',
    ]);
    const added = view.rows[3];
    expect(added?.source).toBeUndefined();
    expect(added?.delta).toEqual(costDelta(0, added?.target?.monthlyUsd ?? null));
    expect(added?.delta.trend).toBe('dearer');
  });

  it('says "not priced" for a type without a catalog price, and for the total and difference', () => {
    const item = structuredClone(planItem('gke-shop-prod.json', 'aws'));
    const cost = item.cost;
    const pool = cost?.target.pools[0];
    if (!cost || !pool) throw new Error('no cost');
    pool.hourlyUsd = null;
    pool.monthlyUsd = null;
    cost.target.monthlyUsd = null;
    const view = ok(planCostView(item));
    expect(view.rows[0]?.target).toMatchObject({ monthly: NOT_PRICED, hourly: NOT_PRICED });
    expect(view.rows[0]?.delta).toEqual({ text: NOT_PRICED, trend: 'unknown' });
    expect(view.rows[1]?.delta.trend).not.toBe('unknown');
    expect(view.total.target).toBe(NOT_PRICED);
    expect(view.total.delta.text).toBe(NOT_PRICED);
    expect(view.unpriced).toEqual(['m6a.xlarge (AWS)']);
    expect(costSummaryText(view)).toBe(`${view.total.source} → not priced per month, not priced`);
  });

  it('shows a source pool that is not carried as saved', () => {
    const item = structuredClone(planItem('gke-shop-prod.json', 'aws'));
    const cost = item.cost;
    if (!cost) throw new Error('no cost');
    item.target.nodePools.splice(1, 1);
    const [removed] = cost.target.pools.splice(1, 1);
    cost.target.monthlyUsd =
      Math.round(((cost.target.monthlyUsd ?? 0) - (removed?.monthlyUsd ?? 0)) * 100) / 100;
    const view = ok(planCostView(item));
    const left = view.rows.find((r) => r.title === 'batch-spot (not carried)');
    expect(left?.target).toBeUndefined();
    expect(left?.delta.trend).toBe('cheaper');
    expect(left?.delta.text).toBe(costDelta(cost.source.pools[1]?.monthlyUsd ?? null, 0).text);
  });

  it('refuses to show numbers that do not belong to the plan', () => {
    const item = structuredClone(planItem('gke-shop-prod.json', 'aws'));
    const pool = item.target.nodePools[0];
    if (!pool) throw new Error('no pool');
    pool.nodeCount += 1;
    expect(planCostView(item)).toMatchObject({ status: 'stale' });
    const { cost: _cost, ...withoutCost } = item;
    expect(planCostView(withoutCost)).toMatchObject({ status: 'missing' });
    expect(costSummaryText(planCostView(withoutCost))).toMatch(/no cost/);
  });
});
