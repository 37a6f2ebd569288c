import { describe, expect, it } from 'vitest';
import { durationChartData, runTargetCloud } from './duration-stats.ts';

const stat = (cloud: string, operation: string, p50Ms: number, count = 2) => ({
  cloud,
  operation,
  count,
  p50Ms,
  p90Ms: p50Ms * 2,
  maxMs: p50Ms * 3,
  meanMs: p50Ms,
});

describe('durationChartData', () => {
  it('groups by operation in clone order with one bar per cloud in a fixed order', () => {
    const data = durationChartData([
      stat('gcp', 'node-pool', 120_000),
      stat('aws', 'wait-ready', 5_000),
      stat('aws', 'control-plane', 840_000),
      stat('gcp', 'control-plane', 240_000),
      stat('aws', 'node-pool', 180_000),
      stat('aws', 'policy-check', 20),
      stat('azure', 'custom-step', 1_000),
    ]);
    expect(data.clouds).toEqual(['aws', 'azure', 'gcp']);
    expect(data.groups.map((g) => [g.operation, g.bars.map((b) => b.cloud)])).toEqual([
      ['control-plane', ['aws', 'gcp']],
      ['node-pool', ['aws', 'gcp']],
      ['wait-ready', ['aws']],
      ['custom-step', ['azure']],
    ]);
  });

  it('is empty without finished clones', () => {
    expect(durationChartData([])).toEqual({ clouds: [], groups: [] });
  });
});

describe('runTargetCloud', () => {
  it('reads the plan item target, else the title', () => {
    expect(runTargetCloud({ input: { item: { target: { cloud: 'azure' } } }, title: '' })).toBe('azure');
    expect(runTargetCloud({ input: {}, title: 'Clone a (gcp us-central1) → a-copy (aws us-east-1)' })).toBe(
      'aws',
    );
    expect(runTargetCloud({ input: null, title: 'Self-test' })).toBeUndefined();
  });
});
