import type { LiveListResult } from '@dolly/model';
import { describe, expect, it } from 'vitest';
import { RecentLists } from './live-catalog.ts';

const answer = (region: string): LiveListResult => ({
  region,
  ok: true,
  overlay: { clouds: {} },
  fetchedAt: new Date(0).toISOString(),
});

describe('RecentLists', () => {
  it('asks once for runs that read the same lists together', async () => {
    const lists = new RecentLists(30_000, () => 0);
    let calls = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const fetch = async () => {
      calls++;
      await gate;
      return answer('us-east-1');
    };
    const reads = Array.from({ length: 20 }, () => lists.get('plan-1:acct:us-east-1', fetch));
    release();
    const results = await Promise.all(reads);
    expect(calls).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('reads again for another plan, after the TTL, and after a failed read', async () => {
    let now = 0;
    const lists = new RecentLists(1000, () => now);
    let calls = 0;
    const ok = async () => {
      calls++;
      return answer('eu-west-1');
    };
    await lists.get('plan-1:eu-west-1', ok);
    await lists.get('plan-1:eu-west-1', ok);
    expect(calls).toBe(1);
    await lists.get('plan-2:eu-west-1', ok);
    expect(calls).toBe(2);
    now = 1001;
    await lists.get('plan-1:eu-west-1', ok);
    expect(calls).toBe(3);

    const failed = async (): Promise<LiveListResult> => {
      calls++;
      return { region: 'eu-west-1', ok: false, reason: 'DescribeAddonVersions: throttled' };
    };
    expect((await lists.get('plan-3:eu-west-1', failed)).ok).toBe(false);
    expect((await lists.get('plan-3:eu-west-1', ok)).ok).toBe(true);
    expect(calls).toBe(5);
  });
});
