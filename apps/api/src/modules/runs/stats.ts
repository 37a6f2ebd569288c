import { stepOperation } from '@dolly/contracts';

export interface StepSample {
  cloud: string;
  stepKey: string;
  ms: number;
}

export interface DurationStat {
  cloud: string;
  operation: string;
  count: number;
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
  meanMs: number;
}

function percentile(sorted: number[], q: number) {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? 0;
}

/** Step durations per cloud and operation (nearest-rank percentiles), sorted by cloud then slowest. */
export function durationStats(samples: StepSample[]): DurationStat[] {
  const groups = new Map<string, { cloud: string; operation: string; ms: number[] }>();
  for (const s of samples) {
    const operation = stepOperation(s.stepKey);
    const key = `${s.cloud}\u0000${operation}`;
    const g = groups.get(key) ?? { cloud: s.cloud, operation, ms: [] };
    g.ms.push(s.ms);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => {
      const sorted = [...g.ms].sort((a, b) => a - b);
      return {
        cloud: g.cloud,
        operation: g.operation,
        count: sorted.length,
        p50Ms: percentile(sorted, 0.5),
        p90Ms: percentile(sorted, 0.9),
        maxMs: sorted.at(-1) ?? 0,
        meanMs: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
      };
    })
    .sort((a, b) => a.cloud.localeCompare(b.cloud) || b.p50Ms - a.p50Ms);
}
