import type { DurationStatsItem } from '../../lib/runs.ts';

export interface DurationChartData {
  /** Clouds that have data, in a fixed order so colours and legend stay put. */
  clouds: string[];
  groups: { operation: string; bars: DurationStatsItem[] }[];
}

const cloudOrder = ['aws', 'azure', 'gcp'];
// Steps in the order a clone runs them; unknown operations go last, by name.
const operationOrder = [
  'policy-check',
  'validate',
  'control-plane',
  'node-pool',
  'addons',
  'wait-ready',
  'read-back',
];
const rank = (list: string[], v: string) => {
  const i = list.indexOf(v);
  return i === -1 ? list.length : i;
};

/**
 * The API's duration statistics (GET /runs/stats/durations) as chart groups: one group per
 * operation in clone order, one bar per cloud. Policy and validation steps take milliseconds and
 * only flatten the scale, so they are left out.
 */
export function durationChartData(items: readonly DurationStatsItem[]): DurationChartData {
  const shown = items.filter(
    (i) => i.operation !== 'policy-check' && i.operation !== 'validate' && i.count > 0,
  );
  const clouds = [...new Set(shown.map((i) => i.cloud))].sort(
    (a, b) => rank(cloudOrder, a) - rank(cloudOrder, b) || a.localeCompare(b),
  );
  const operations = [...new Set(shown.map((i) => i.operation))].sort(
    (a, b) => rank(operationOrder, a) - rank(operationOrder, b) || a.localeCompare(b),
  );
  return {
    clouds,
    groups: operations.map((operation) => ({
      operation,
      bars: shown
        .filter((i) => i.operation === operation)
        .sort((a, b) => clouds.indexOf(a.cloud) - clouds.indexOf(b.cloud)),
    })),
  };
}

/** Where a clone wrote to, from its input (the plan item's target) or its title ("→ name (aws us-east-1)"). */
export function runTargetCloud(run: { input: unknown; title: string }): string | undefined {
  const input = run.input as { item?: { target?: { cloud?: unknown } } } | null;
  const cloud = input?.item?.target?.cloud;
  if (typeof cloud === 'string') return cloud;
  return /→.*\((aws|azure|gcp)\b/.exec(run.title)?.[1];
}
