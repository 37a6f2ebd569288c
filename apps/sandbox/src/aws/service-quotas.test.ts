import { describe, expect, it } from 'vitest';
import type { AwsState, EksCluster } from './model.ts';
import { FRESH_VCPU_QUOTAS, handleServiceQuotas, launchRefusal } from './service-quotas.ts';

const machines = { vcpusOf: (t: string) => (t === 'm5.xlarge' ? 4 : t === 'm5.large' ? 2 : 0) };
const state = (quotas?: Record<string, number>): AwsState => ({
  accounts: {
    '111111111111': { id: '111111111111', displayName: 'a', ...(quotas ? { vcpuQuotas: quotas } : {}) },
  },
  clusters: {
    k: {
      account: '111111111111',
      region: 'us-east-1',
      nodegroups: {
        ng: { instanceTypes: ['m5.large'], capacityType: 'ON_DEMAND', scaling: { desiredSize: 1 } },
      },
    } as unknown as EksCluster,
  },
});

describe('sandbox Service Quotas', () => {
  it("answers GetServiceQuota with the account's applied EC2 vCPU quota", () => {
    const fresh = state({ ...FRESH_VCPU_QUOTAS });
    const a = fresh.accounts['111111111111'];
    if (!a) throw new Error('no account');
    const out = handleServiceQuotas(a, 'us-east-1', 'ServiceQuotasV20190624.GetServiceQuota', {
      ServiceCode: 'ec2',
      QuotaCode: 'L-1216C47A',
    }) as { Quota: { Value: number; QuotaName: string } };
    expect(out.Quota).toMatchObject({
      Value: 5,
      QuotaName: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances',
    });
    expect(() =>
      handleServiceQuotas(a, 'us-east-1', 'ServiceQuotasV20190624.GetServiceQuota', {
        ServiceCode: 'ec2',
        QuotaCode: 'L-NOPE',
      }),
    ).toThrow('does not exist');
  });

  it('refuses a launch over the class quota, counting the node groups already running', () => {
    const fresh = state({ ...FRESH_VCPU_QUOTAS });
    // 2 running + 2 = 4 of 5
    expect(
      launchRefusal(
        fresh,
        '111111111111',
        'us-east-1',
        { instanceType: 'm5.large', spot: false, nodes: 1 },
        machines,
      ),
    ).toBeUndefined();
    // 2 running + 4 = 6 of 5
    expect(
      launchRefusal(
        fresh,
        '111111111111',
        'us-east-1',
        { instanceType: 'm5.xlarge', spot: false, nodes: 1 },
        machines,
      ),
    ).toContain(
      'VcpuLimitExceeded - You have requested more vCPU capacity than your current vCPU limit of 5 allows',
    );
    // Spot has its own quota; the running on-demand group does not count there
    expect(
      launchRefusal(
        fresh,
        '111111111111',
        'us-east-1',
        { instanceType: 'm5.xlarge', spot: true, nodes: 1 },
        machines,
      ),
    ).toBeUndefined();
    expect(
      launchRefusal(
        state(),
        '111111111111',
        'us-east-1',
        { instanceType: 'm5.xlarge', spot: false, nodes: 999 },
        machines,
      ),
    ).toBeUndefined();
  });
});
