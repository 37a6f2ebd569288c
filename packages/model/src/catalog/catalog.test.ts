import { describe, expect, it } from 'vitest';
import {
  bundledCatalog,
  type CloudId,
  catalogSources,
  isPreviousGeneration,
  type MachineTypeInfo,
  overlayCatalog,
} from './index';

const clouds: CloudId[] = ['aws', 'azure', 'gcp'];

describe('bundled catalog', () => {
  it.each(clouds)('lists only %s regions that offer the managed Kubernetes service', (cloud) => {
    const regions = bundledCatalog.regions(cloud);
    expect(regions.length).toBeGreaterThan(30);
    for (const r of regions) {
      expect(r.managedKubernetes === true || r.managedKubernetes === 'assumed').toBe(true);
      expect(r.cloud).toBe(cloud);
    }
  });

  it.each([
    ['aws', 'us-east-1', ['us-east-1a', 'us-east-1b']],
    ['azure', 'westeurope', ['1', '2', '3']],
    ['gcp', 'us-central1', ['us-central1-a', 'us-central1-b']],
  ] as const)('%s region %s has its zones in the cloud spelling', (cloud, id, someZones) => {
    const r = bundledCatalog.region(cloud, id);
    expect(r).toBeDefined();
    for (const z of someZones) expect(r!.zones).toContain(z);
  });

  it('has no AWS China or GovCloud regions (other partitions need other accounts)', () => {
    expect(bundledCatalog.region('aws', 'cn-north-1')).toBeUndefined();
  });

  it.each([
    ['aws', 'm5.xlarge', true],
    ['aws', 'c5.large', true],
    ['aws', 'm6i.xlarge', false],
    ['aws', 'i4i.large', false],
    ['aws', 't3.medium', false],
    ['aws', 'g4dn.xlarge', false],
    ['azure', 'Standard_D4s_v3', true],
    ['azure', 'Standard_F4s_v2', true],
    ['azure', 'Standard_D4s_v5', false],
    ['azure', 'Standard_B2s_v2', false],
    ['gcp', 'n1-standard-4', true],
    ['gcp', 'c2-standard-8', true],
    ['gcp', 'n2-standard-4', false],
    ['gcp', 'e2-medium', false],
  ] as const)('%s %s previousGeneration=%s', (cloud, name, expected) => {
    const t = bundledCatalog.machineType(cloud, name);
    expect(t, name).toBeDefined();
    expect(t!.previousGeneration).toBe(expected);
  });

  it('reads GCP memory in GiB (n1-standard-4 is 15 GiB, not 15 GB converted)', () => {
    expect(bundledCatalog.machineType('gcp', 'n1-standard-4')?.memoryGiB).toBe(15);
    expect(bundledCatalog.machineType('gcp', 'n2-standard-4')?.memoryGiB).toBe(16);
  });

  it('treats Google Axion (c4a, n4a) as arm64 although the snapshot says x86_64', () => {
    expect(bundledCatalog.machineType('gcp', 'c4a-standard-4')?.arch).toBe('arm64');
    expect(bundledCatalog.machineType('gcp', 't2a-standard-4')?.arch).toBe('arm64');
    expect(bundledCatalog.machineType('gcp', 'n2-standard-4')?.arch).toBe('x86_64');
  });

  it('marks retired Azure NCv3 sizes', () => {
    expect(bundledCatalog.machineType('azure', 'Standard_NC6s_v3')?.retiredOn).toBe('2025-09-30');
  });

  it('offers a machine type in every region of its cloud, including GCP zones, and none elsewhere', () => {
    expect(bundledCatalog.machineType('gcp', 'n2-standard-4', 'us-central1-a')).toBeDefined();
    expect(bundledCatalog.machineType('gcp', 'n2-standard-4', 'mars-1')).toBeUndefined();
    expect(bundledCatalog.machineTypes('aws', 'eu-west-1').length).toBe(
      bundledCatalog.machineTypes('aws').length,
    );
  });

  it.each(clouds)('lists %s Kubernetes minors newest first, one default', (cloud) => {
    const versions = bundledCatalog.kubernetesVersions(cloud);
    const minors = versions.map((v) => Number(v.minor.split('.')[1]));
    expect([...minors].sort((a, b) => b - a)).toEqual(minors);
    expect(versions.filter((v) => v.default)).toHaveLength(1);
  });

  it.each([
    ['aws', '1.34', true],
    ['aws', '1.34.2', false], // EKS takes minors only
    ['aws', '1.30', false], // end of extended support
    ['azure', '1.35', true], // minor alias
    ['azure', '1.35.6', true],
    ['azure', '1.35.99', false],
    ['azure', '1.37', false], // planned, not yet offered
    ['gcp', '1.34.10-gke.1236000', true],
    ['gcp', '1.34.10', true],
    ['gcp', '1.34.10-gke.1', false],
    ['gcp', '1.30', false],
    ['gcp', 'latest', false],
  ] as const)('%s supports %s: %s', (cloud, version, expected) => {
    expect(bundledCatalog.isSupportedVersion(cloud, version)).toBe(expected);
  });

  it('exposes the sources of its data', () => {
    const sources = catalogSources();
    expect(
      sources.some((s) => s.data === 'machine-types' && s.source.includes('karpenter-provider-aws')),
    ).toBe(true);
    expect(sources.some((s) => s.data === 'kubernetes-versions' && s.cloud === 'azure')).toBe(true);
    expect(sources.some((s) => s.data === 'regions' && s.cloud === 'gcp')).toBe(true);
  });
});

describe('isPreviousGeneration', () => {
  it.each([
    ['aws', 'm4', 'general', true],
    ['aws', 'r5', 'memory', true],
    ['aws', 'm7i', 'general', false],
    ['aws', 'p3', 'gpu', false],
    ['azure', 'Dsv4', 'general', true],
    ['azure', 'Lsv3', 'storage', false],
    ['gcp', 'n1', 'general', true],
    ['gcp', 'm1', 'memory', false],
  ] as const)('%s %s (%s) -> %s', (cloud, family, category, expected) => {
    expect(isPreviousGeneration(cloud, family, category)).toBe(expected);
  });
});

describe('overlayCatalog', () => {
  const custom: MachineTypeInfo = {
    cloud: 'aws',
    name: 'x9.large',
    family: 'x9',
    category: 'general',
    vcpus: 2,
    memoryGiB: 8,
    gpus: 0,
    gpuModel: null,
    arch: 'x86_64',
    hourlyUsd: 0.01,
    previousGeneration: false,
    burstable: false,
  };

  it('replaces the machine types of one region with what the cloud returned', () => {
    const c = overlayCatalog(bundledCatalog, {
      clouds: { aws: { machineTypes: { 'eu-west-1': [custom] } } },
    });
    expect(c.machineTypes('aws', 'eu-west-1').map((t) => t.name)).toEqual(['x9.large']);
    expect(c.machineType('aws', 'm6i.xlarge', 'eu-west-1')).toBeUndefined();
    expect(c.machineType('aws', 'm6i.xlarge', 'us-east-1')).toBeDefined();
    expect(c.machineTypes('aws', 'eu-west-1')).toBe(c.machineTypes('aws', 'eu-west-1'));
  });

  it('merges by name when replace is false', () => {
    const c = overlayCatalog(bundledCatalog, {
      clouds: { aws: { machineTypes: { '*': [custom] }, replace: false } },
    });
    expect(c.machineType('aws', 'x9.large', 'us-east-1')).toBeDefined();
    expect(c.machineType('aws', 'm6i.xlarge', 'us-east-1')).toBeDefined();
  });

  it('replaces versions and regions per cloud', () => {
    const c = overlayCatalog(bundledCatalog, {
      clouds: {
        azure: {
          kubernetesVersions: {
            '*': [
              { cloud: 'azure', minor: '1.36', versions: ['1.36.3'], default: true, support: 'standard' },
            ],
          },
          regions: [bundledCatalog.region('azure', 'westeurope')!],
        },
      },
      sources: [
        { cloud: 'azure', data: 'regions', source: 'az account list-locations', dataAsOf: '2026-09-01' },
      ],
    });
    expect(c.isSupportedVersion('azure', '1.36.3')).toBe(true);
    expect(c.isSupportedVersion('azure', '1.35.6')).toBe(false);
    expect(c.regions('azure').map((r) => r.id)).toEqual(['westeurope']);
    expect(catalogSources(c).at(-1)?.source).toBe('az account list-locations');
  });
});

describe('burstable and older general-purpose types used for managed Kubernetes', () => {
  it.each([
    ['azure', 'Standard_B2s'],
    ['azure', 'Standard_B2ms'],
    ['azure', 'Standard_DS2_v2'],
    ['azure', 'Standard_D4_v5'],
    ['aws', 't3.medium'],
    ['aws', 't4g.medium'],
    ['gcp', 'e2-small'],
    ['gcp', 'e2-medium'],
  ] as const)('knows %s %s in every region of its cloud', (cloud, name) => {
    for (const region of bundledCatalog.regions(cloud))
      expect(bundledCatalog.machineType(cloud, name, region.id), `${name} in ${region.id}`).toBeDefined();
  });

  it('plans a Standard_B2s pool onto burstable types elsewhere, and names where the data came from', () => {
    const b2s = bundledCatalog.machineType('azure', 'Standard_B2s')!;
    expect(b2s).toMatchObject({ vcpus: 2, memoryGiB: 4, burstable: true, arch: 'x86_64' });
    expect(bundledCatalog.machineType('azure', 'Standard_DS2_v2')?.previousGeneration).toBe(true);
    expect(catalogSources().some((s) => s.source.includes('B-series burstable'))).toBe(true);
  });
});
