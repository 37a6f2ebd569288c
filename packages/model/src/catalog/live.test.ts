import { describe, expect, it } from 'vitest';
import { planTargetRegions } from '../translate/plan';
import {
  bundledCatalog,
  type CatalogOverlay,
  catalogForPlan,
  type MachineTypeInfo,
  planCatalogLine,
} from './index';

const offered = (names: string[]): MachineTypeInfo[] =>
  names.map((n) => {
    const t = bundledCatalog.machineType('aws', n);
    if (!t) throw new Error(`${n} is not in the snapshot`);
    return t;
  });

const awsOverlay = (region: string, types: string[], minors: string[]): CatalogOverlay => ({
  clouds: {
    aws: {
      machineTypes: { [region]: offered(types) },
      kubernetesVersions: {
        [region]: minors.map((minor, i) => ({
          cloud: 'aws',
          minor,
          versions: [minor],
          default: i === 0,
          support: 'standard',
        })),
      },
    },
  },
});

describe('catalogForPlan', () => {
  it('translates with the live lists of the region and says so', () => {
    const { catalog, info } = catalogForPlan(
      bundledCatalog,
      'aws',
      [
        {
          region: 'us-east-1',
          ok: true,
          overlay: awsOverlay('us-east-1', ['m5.large'], ['1.33']),
          fetchedAt: '2026-12-07T03:00:00.000Z',
        },
      ],
      'Sandbox AWS',
    );
    expect(info).toEqual({
      source: 'live',
      region: 'us-east-1',
      account: 'Sandbox AWS',
      fetchedAt: '2026-12-07T03:00:00.000Z',
      covers: ['kubernetes-versions', 'machine-types'],
    });
    expect(catalog.machineTypes('aws', 'us-east-1').map((t) => t.name)).toEqual(['m5.large']);
    expect(catalog.machineType('aws', 'm6i.large', 'us-east-1')).toBeUndefined();
    expect(catalog.isSupportedVersion('aws', '1.33', 'us-east-1')).toBe(true);
    expect(bundledCatalog.isSupportedVersion('aws', '1.32', 'us-east-1')).toBe(true);
    expect(catalog.isSupportedVersion('aws', '1.32', 'us-east-1')).toBe(false);
    // Other regions keep the snapshot: the account was only asked about us-east-1.
    expect(catalog.machineType('aws', 'm6i.large', 'eu-west-1')).toBeDefined();
  });

  it('falls back to the snapshot with the reason when the list call failed', () => {
    const { catalog, info } = catalogForPlan(bundledCatalog, 'aws', [
      { region: 'us-east-1', ok: false, reason: 'the account did not answer within 5 s' },
    ]);
    expect(catalog).toBe(bundledCatalog);
    expect(info).toEqual({
      source: 'snapshot',
      region: 'us-east-1',
      reason: 'the account did not answer within 5 s',
    });
  });

  it('treats an empty answer as no answer', () => {
    const { catalog, info } = catalogForPlan(bundledCatalog, 'aws', [
      { region: 'us-east-1', ok: true, overlay: { clouds: { aws: {} } }, fetchedAt: '2026-12-07T03:00:00Z' },
    ]);
    expect(catalog).toBe(bundledCatalog);
    expect(info.source).toBe('snapshot');
    expect(info.reason).toMatch(/listed nothing/);
  });

  it('names the regions that failed when a plan spans several, and still uses the ones that answered', () => {
    const { catalog, info } = catalogForPlan(bundledCatalog, 'aws', [
      {
        region: 'eu-west-1',
        ok: true,
        overlay: awsOverlay('eu-west-1', ['m5.large'], ['1.33']),
        fetchedAt: '2026-12-07T03:00:00Z',
      },
      { region: 'us-east-1', ok: false, reason: 'DescribeClusterVersions: refused the credentials' },
    ]);
    expect(info).toMatchObject({
      source: 'snapshot',
      region: 'eu-west-1, us-east-1',
      reason: 'us-east-1: DescribeClusterVersions: refused the credentials',
    });
    expect(catalog.machineTypes('aws', 'eu-west-1').map((t) => t.name)).toEqual(['m5.large']);
  });

  it('says which lists the live answer covered (versions only, as AKS and GKE give)', () => {
    const overlay: CatalogOverlay = {
      clouds: {
        azure: {
          kubernetesVersions: {
            westeurope: [
              { cloud: 'azure', minor: '1.33', versions: ['1.33.2'], default: true, support: 'standard' },
            ],
          },
        },
      },
    };
    const { info } = catalogForPlan(bundledCatalog, 'azure', [
      { region: 'westeurope', ok: true, overlay, fetchedAt: '2026-12-07T03:00:00Z' },
    ]);
    expect(info.covers).toEqual(['kubernetes-versions']);
  });
});

describe('planTargetRegions', () => {
  const gke = {
    cloud: 'gcp' as const,
    scope: 'p',
    location: 'europe-west3',
    name: 'a',
    kubernetesVersion: '1.33',
    nodePools: [{ name: 'p', machineType: 'n2-standard-4', nodeCount: 1 }],
  };
  it('is the given location, resolved to its region', () => {
    expect(planTargetRegions([gke], { cloud: 'gcp', location: 'us-central1-a' }, bundledCatalog)).toEqual([
      'us-central1',
    ]);
  });
  it('is the region translation picks when none is given', () => {
    const regions = planTargetRegions([gke], { cloud: 'aws' }, bundledCatalog);
    expect(regions).toHaveLength(1);
    expect(bundledCatalog.region('aws', regions[0] ?? '')?.countryCode).toBe('DE');
  });
});

describe('planCatalogLine', () => {
  it('names the account and the time of a live catalog', () => {
    expect(
      planCatalogLine({
        source: 'live',
        region: 'us-east-1',
        account: 'Sandbox AWS',
        fetchedAt: '2026-12-07T03:00:00.000Z',
        covers: ['kubernetes-versions', 'machine-types'],
      }),
    ).toBe('Catalog: live from Sandbox AWS at 2026-12-07T03:00:00.000Z');
  });
  it('says what a versions-only live answer left to the snapshot', () => {
    expect(
      planCatalogLine(
        {
          source: 'live',
          region: 'westeurope',
          account: 'Az',
          fetchedAt: 'T',
          covers: ['kubernetes-versions'],
        },
        { formatTime: () => 'noon' },
      ),
    ).toBe('Catalog: live from Az at noon (Kubernetes versions; machine types from the bundled snapshot)');
  });
  it('gives the reason of a snapshot, or of a plan that recorded none', () => {
    expect(
      planCatalogLine({
        source: 'snapshot',
        region: 'us-east-1',
        reason: 'DescribeClusterVersions: throttled',
      }),
    ).toBe('Catalog: bundled snapshot (DescribeClusterVersions: throttled)');
    expect(planCatalogLine(undefined, { missing: 'offline plan' })).toBe(
      'Catalog: bundled snapshot (offline plan)',
    );
  });
});
