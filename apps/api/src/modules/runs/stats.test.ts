import { describe, expect, it } from 'vitest';
import { durationStats } from './stats.ts';

describe('durationStats', () => {
  it('groups node pools into one operation per cloud with nearest-rank percentiles', () => {
    const stats = durationStats([
      { cloud: 'aws', stepKey: 'control-plane', ms: 600 },
      { cloud: 'aws', stepKey: 'control-plane', ms: 900 },
      { cloud: 'aws', stepKey: 'node-pool:general', ms: 300 },
      { cloud: 'aws', stepKey: 'node-pool:batch', ms: 100 },
      { cloud: 'aws', stepKey: 'node-pool:gpu', ms: 200 },
      { cloud: 'gcp', stepKey: 'control-plane', ms: 120 },
    ]);
    expect(stats).toEqual([
      { cloud: 'aws', operation: 'control-plane', count: 2, p50Ms: 600, p90Ms: 900, maxMs: 900, meanMs: 750 },
      { cloud: 'aws', operation: 'node-pool', count: 3, p50Ms: 200, p90Ms: 300, maxMs: 300, meanMs: 200 },
      { cloud: 'gcp', operation: 'control-plane', count: 1, p50Ms: 120, p90Ms: 120, maxMs: 120, meanMs: 120 },
    ]);
  });

  it('is empty without samples', () => {
    expect(durationStats([])).toEqual([]);
  });
});
