import { describe, expect, it } from 'vitest';
import { awsVcpuQuota, azureQuotaFamily, gcpCpuQuotaMetric } from './quota';

describe('gcpCpuQuotaMetric', () => {
  it('counts N1/E2 against CPUS and other families against their own metric', () => {
    expect(gcpCpuQuotaMetric('e2-standard-4')).toBe('CPUS');
    expect(gcpCpuQuotaMetric('n1-highmem-8')).toBe('CPUS');
    expect(gcpCpuQuotaMetric('n2-standard-4')).toBe('N2_CPUS');
    expect(gcpCpuQuotaMetric('n2d-standard-8')).toBe('N2D_CPUS');
    expect(gcpCpuQuotaMetric('t2a-standard-4')).toBe('T2A_CPUS');
  });
});

describe('awsVcpuQuota', () => {
  it('maps instance types to the EC2 vCPU quota of their class and purchase option', () => {
    expect(awsVcpuQuota('m5.large', false)).toEqual({
      code: 'L-1216C47A',
      name: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances',
    });
    expect(awsVcpuQuota('t4g.medium', true)?.code).toBe('L-34B43A08');
    expect(awsVcpuQuota('m7i-flex.large', false)?.code).toBe('L-1216C47A');
    expect(awsVcpuQuota('i4i.large', false)?.code).toBe('L-1216C47A');
    expect(awsVcpuQuota('g5.xlarge', false)?.code).toBe('L-DB2E81BA');
    expect(awsVcpuQuota('g4dn.xlarge', true)?.code).toBe('L-3819A6DF');
    expect(awsVcpuQuota('p4d.24xlarge', false)?.code).toBe('L-417A185B');
    expect(awsVcpuQuota('inf2.xlarge', false)?.code).toBe('L-1945791B');
    expect(awsVcpuQuota('trn1.2xlarge', false)?.code).toBe('L-2C3B7624');
    expect(awsVcpuQuota('u-6tb1.metal', false)).toBeUndefined();
  });
});

describe('azureQuotaFamily', () => {
  it('names the Compute usage of a VM family as Azure does', () => {
    expect(azureQuotaFamily('Dsv5')).toBe('standardDSv5Family');
    expect(azureQuotaFamily('Dasv5')).toBe('standardDASv5Family');
    expect(azureQuotaFamily('Ddsv5')).toBe('standardDDSv5Family');
    expect(azureQuotaFamily('Fsv2')).toBe('standardFSv2Family');
    expect(azureQuotaFamily('NCasT4_v3')).toBe('standardNCASv3_T4Family');
  });
});
