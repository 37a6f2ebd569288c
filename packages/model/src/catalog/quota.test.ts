import { describe, expect, it } from 'vitest';
import { gcpCpuQuotaMetric } from './quota';

describe('gcpCpuQuotaMetric', () => {
  it('counts N1/E2 against CPUS and other families against their own metric', () => {
    expect(gcpCpuQuotaMetric('e2-standard-4')).toBe('CPUS');
    expect(gcpCpuQuotaMetric('n1-highmem-8')).toBe('CPUS');
    expect(gcpCpuQuotaMetric('n2-standard-4')).toBe('N2_CPUS');
    expect(gcpCpuQuotaMetric('n2d-standard-8')).toBe('N2D_CPUS');
    expect(gcpCpuQuotaMetric('t2a-standard-4')).toBe('T2A_CPUS');
  });
});
