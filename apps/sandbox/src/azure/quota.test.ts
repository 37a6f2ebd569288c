import { bundledCatalog } from '@dolly/model';
import { describe, expect, it } from 'vitest';
import type { ClusterRec, PoolRec } from './model.ts';
import { FRESH_LIMITS, usagesBody, vcpuQuotaRefusal } from './quota.ts';

const pool = (vmSize: string, count: number, spot = false): PoolRec =>
  ({
    name: 'p',
    vmSize,
    count,
    scaleSetPriority: spot ? 'Spot' : 'Regular',
    provisioningState: 'Succeeded',
  }) as PoolRec;
const cluster = (key: string, pools: PoolRec[]): ClusterRec =>
  ({ key, subscriptionId: 's', location: 'westeurope', provisioningState: 'Succeeded', pools }) as ClusterRec;

describe('sandbox Compute vCPU quotas', () => {
  it('lists usages per family and region, counting the pools of the subscription there', () => {
    const running = [cluster('a', [pool('Standard_D4s_v5', 2)])];
    const body = usagesBody(bundledCatalog, running, 's', 'westeurope', FRESH_LIMITS) as {
      value: { name: { value: string; localizedValue: string }; limit: number; currentValue: number }[];
    };
    const by = (n: string) => body.value.find((u) => u.name.value === n);
    expect(by('cores')).toMatchObject({
      limit: 10,
      currentValue: 8,
      name: { localizedValue: 'Total Regional vCPUs' },
    });
    expect(by('standardDSv5Family')).toMatchObject({ limit: 10, currentValue: 8 });
    expect(by('lowPriorityCores')?.currentValue).toBe(0);
    // a prepared subscription: limits no test reaches
    expect(usagesBody(bundledCatalog, running, 's', 'westeurope', undefined).value.length).toBe(
      body.value.length,
    );
  });

  it('refuses what goes over a family or the region, counting only what a write adds', () => {
    const running = [cluster('a', [pool('Standard_D4s_v5', 2)])];
    const refusal = (before: PoolRec[], after: PoolRec[]) =>
      vcpuQuotaRefusal(
        bundledCatalog,
        running,
        { subscriptionId: 's', location: 'westeurope' },
        { before, after },
        FRESH_LIMITS,
      );
    expect(refusal([], [pool('Standard_D2s_v5', 1)])).toBeUndefined();
    expect(refusal([], [pool('Standard_D4s_v5', 1)])).toBe(
      'Insufficient vcpu quota requested 4, remaining 2 for family standardDSv5Family for region westeurope.',
    );
    // another family, but the region's 10 are nearly used
    expect(refusal([], [pool('Standard_E2s_v5', 2)])).toBe(
      'Insufficient regional vcpu quota left for location westeurope. left regional vcpu quota 2, requested quota 4',
    );
    // Spot counts against the Spot total only
    expect(refusal([], [pool('Standard_D4s_v5', 2, true)])).toBeUndefined();
    // an update of the running cluster that keeps its nodes adds nothing
    const own = running[0]?.pools ?? [];
    expect(refusal(own, own)).toBeUndefined();
    expect(
      vcpuQuotaRefusal(
        bundledCatalog,
        running,
        { subscriptionId: 's', location: 'westeurope' },
        { before: [], after: [pool('Standard_D4s_v5', 99)] },
        undefined,
      ),
    ).toBeUndefined();
  });
});
