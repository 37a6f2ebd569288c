import { clusterSpecSchema, type TargetClusterSpec } from '@dolly/model';
import { gkeSource } from '../../model/src/testing/fixtures.ts';
import { describe, expect, it } from 'vitest';
import { planPreflight, type PreflightSource } from './preflight.ts';

const target = (name: string, location: string): TargetClusterSpec =>
  clusterSpecSchema.parse({ ...gkeSource, name, location });

describe('planPreflight', () => {
  it('asks the account once per region, and gives each item of the region the findings', async () => {
    const asked: string[] = [];
    const pools: number[] = [];
    let made = 0;
    const source: PreflightSource = {
      async preflight(t) {
        asked.push(t.location);
        pools.push(t.nodePools.length);
        return [
          { check: 'x.missing', severity: 'blocker', message: `nothing in ${t.location}`, fix: 'add it' },
        ];
      },
    };
    const pf = await planPreflight(
      () => {
        made += 1;
        return source;
      },
      { name: 'acct', cloud: 'gcp' },
      [target('a', 'europe-west1'), target('b', 'europe-west1'), target('c', 'us-central1')],
    );
    expect(asked).toEqual(['europe-west1', 'us-central1']);
    // the region's ask sees the pools of both its clusters (quota is per region, not per cluster)
    const perCluster = gkeSource.nodePools.length;
    expect(pools).toEqual([2 * perCluster, perCluster]);
    expect(made).toBe(1);
    expect(pf.findings.map((f) => [f.target, f.message])).toEqual([
      ['a', 'nothing in europe-west1'],
      ['b', 'nothing in europe-west1'],
      ['c', 'nothing in us-central1'],
    ]);
    expect(pf.reason).toBeUndefined();
  });
});
