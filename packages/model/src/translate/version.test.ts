import { describe, expect, it } from 'vitest';
import { bundledCatalog } from '../catalog/index';
import type { CloudId } from '../catalog/types';
import { chooseVersion } from './version';

const REGION: Record<CloudId, string> = { aws: 'us-east-1', azure: 'eastus', gcp: 'us-central1' };

describe('Kubernetes version translation', () => {
  // [source version, target cloud, expected, rule, warning code]
  it.each([
    ['1.34.9-gke.1655001', 'aws', '1.34', 'kubernetes-version.same-minor', undefined],
    ['1.34.9-gke.1655001', 'azure', '1.34.9', 'kubernetes-version.same-minor', undefined],
    ['1.34', 'azure', '1.34.9', 'kubernetes-version.same-minor', undefined], // EKS gives no patch: newest
    ['1.34', 'gcp', '1.34.10-gke.1236000', 'kubernetes-version.same-minor', undefined],
    ['1.34.3', 'gcp', '1.34.9-gke.1655001', 'kubernetes-version.same-minor', undefined], // least patch >= source
    ['1.34.10-gke.1236000', 'azure', '1.34.9', 'kubernetes-version.same-minor', undefined], // none >=: newest
    ['1.35.6', 'aws', '1.35', 'kubernetes-version.same-minor', undefined],
    ['1.32', 'azure', '1.32.11', 'kubernetes-version.same-minor', 'kubernetes-version.lts-only'],
    ['1.33.13', 'aws', '1.33', 'kubernetes-version.same-minor', 'kubernetes-version.extended-support'],
    [
      '1.30.4',
      'azure',
      '1.31',
      'kubernetes-version.nearest-newer-minor',
      'kubernetes-version.minor-upgraded',
    ],
    [
      '1.30',
      'gcp',
      '1.31.14-gke.2613000',
      'kubernetes-version.nearest-newer-minor',
      'kubernetes-version.minor-upgraded',
    ],
    ['1.29', 'aws', '1.31', 'kubernetes-version.nearest-newer-minor', 'kubernetes-version.minor-upgraded'],
    ['1.37.0-gke.100', 'aws', '1.36', 'kubernetes-version.older-than-source', 'kubernetes-version.downgrade'],
    ['1.37', 'azure', '1.36.2', 'kubernetes-version.older-than-source', 'kubernetes-version.downgrade'],
  ] as const)('%s -> %s %s', (source, cloud, expected, rule, warning) => {
    const v = chooseVersion(bundledCatalog, source, cloud, REGION[cloud]);
    expect('error' in v).toBe(false);
    if ('error' in v) return;
    expect(v.version).toBe(expected);
    expect(v.rule).toBe(rule);
    expect(v.warning?.code).toBe(warning);
    expect(bundledCatalog.isSupportedVersion(cloud, v.version)).toBe(true);
  });

  it('marks a downgrade as an error-level warning', () => {
    const v = chooseVersion(bundledCatalog, '1.40', 'gcp', 'us-central1');
    expect('error' in v ? undefined : v.warning?.severity).toBe('error');
  });

  it.each([
    ['1.36', 'aws', '1.35', '1.35'],
    ['1.36.2', 'azure', '1.35.6', '1.35.6'],
    ['1.34', 'azure', '1.35.6', '1.34.9'],
  ] as const)('keeps pool %s on %s at or below the control plane %s', (pool, cloud, ceiling, expected) => {
    const v = chooseVersion(bundledCatalog, pool, cloud, REGION[cloud], ceiling);
    expect('error' in v ? v.error : v.version).toBe(expected);
  });

  it('refuses what is not a version', () => {
    expect(chooseVersion(bundledCatalog, 'latest', 'aws', 'us-east-1')).toEqual({
      error: '"latest" is not a Kubernetes version',
    });
  });
});
