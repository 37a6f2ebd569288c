import { describe, expect, it } from 'vitest';
import type { ClusterSummary } from '../../lib/clusters.ts';
import {
  filterClusters,
  hasActiveFilters,
  inventorySearchParams,
  parseInventoryFilters,
} from './inventory-filters.ts';
import { areaOf, groupByRegion, regionOf } from './region-groups.ts';

const cluster = (over: Partial<ClusterSummary>): ClusterSummary => ({
  id: over.name ?? 'id',
  cloud: 'aws',
  accountId: 'acc-aws',
  accountName: 'Sandbox AWS',
  scope: '111111111111',
  location: 'us-east-1',
  name: 'c',
  kubernetesVersion: '1.33',
  status: 'ACTIVE',
  environment: null,
  environmentSource: null,
  labels: {},
  pools: 1,
  nodes: 3,
  lastSeenAt: '2026-01-01T00:00:00Z',
  vanishedAt: null,
  drifted: null,
  ...over,
});

const fleet = [
  cluster({
    name: 'shop-prod',
    cloud: 'gcp',
    location: 'us-central1',
    environment: 'prod',
    labels: { env: 'prod', team: 'shop' },
    scope: 'dolly-demo-prod',
    accountName: 'Sandbox Google Cloud',
    accountId: 'acc-gcp',
  }),
  cluster({
    name: 'shop-dev',
    cloud: 'gcp',
    location: 'us-central1-a',
    environment: 'dev',
    labels: { env: 'dev', team: 'shop' },
    scope: 'dolly-demo-dev',
    accountId: 'acc-gcp',
  }),
  cluster({
    name: 'payments-prod',
    cloud: 'aws',
    location: 'us-east-1',
    environment: 'prod',
    labels: { env: 'prod' },
  }),
  cluster({
    name: 'web-prod',
    cloud: 'azure',
    location: 'westeurope',
    environment: 'prod',
    accountId: 'acc-az',
  }),
];

describe('inventory filters in the URL', () => {
  it('round-trips every filter through the query string', () => {
    const params = new URLSearchParams(
      'q=shop&cloud=gcp&account=acc-gcp&location=us-central1&env=prod&label=team%3Dshop&label=env%3Dprod&view=regions&sort=-nodes',
    );
    const filters = parseInventoryFilters(params);
    expect(filters).toEqual({
      q: 'shop',
      cloud: 'gcp',
      accountId: 'acc-gcp',
      location: 'us-central1',
      env: 'prod',
      labels: [
        ['team', 'shop'],
        ['env', 'prod'],
      ],
      view: 'regions',
      sort: { key: 'nodes', direction: 'desc' },
    });
    expect(inventorySearchParams(filters).toString()).toBe(params.toString());
  });

  it('ignores unknown clouds and malformed labels, and omits defaults', () => {
    const filters = parseInventoryFilters(new URLSearchParams('cloud=ibm&label=nolabel&label=a%3D&view=map'));
    expect(filters).toEqual({ q: '', labels: [['a', '']], view: 'table' });
    expect(inventorySearchParams({ q: '', labels: [], view: 'table' }).toString()).toBe('');
    expect(hasActiveFilters({ q: '', labels: [], view: 'regions' })).toBe(false);
  });
});

describe('filterClusters', () => {
  const names = (f: string) =>
    filterClusters(fleet, parseInventoryFilters(new URLSearchParams(f))).map((c) => c.name);
  it('combines cloud, environment and labels', () => {
    expect(names('env=prod')).toEqual(['shop-prod', 'payments-prod', 'web-prod']);
    expect(names('cloud=gcp&env=prod')).toEqual(['shop-prod']);
    expect(names('label=team%3Dshop')).toEqual(['shop-prod', 'shop-dev']);
    expect(names('account=acc-az')).toEqual(['web-prod']);
  });
  it('searches name, account, scope, location and labels case-insensitively', () => {
    expect(names('q=PAYMENTS')).toEqual(['payments-prod']);
    expect(names('q=dolly-demo-dev')).toEqual(['shop-dev']);
    expect(names('q=westeurope')).toEqual(['web-prod']);
    expect(names('q=team%3Dshop')).toEqual(['shop-prod', 'shop-dev']);
  });
});

describe('grouped by region', () => {
  it('puts GKE zones under their region and regions under their area', () => {
    expect(regionOf({ cloud: 'gcp', location: 'us-central1-a' })).toBe('us-central1');
    expect(regionOf({ cloud: 'aws', location: 'us-east-1' })).toBe('us-east-1');
    expect(areaOf('westeurope')).toBe('Europe');
    expect(areaOf('eastus2')).toBe('North America');
    expect(areaOf('europe-west3')).toBe('Europe');
    expect(areaOf('ap-southeast-2')).toBe('Asia Pacific');
    expect(areaOf('southafricanorth')).toBe('Africa');
    expect(areaOf('me-central-1')).toBe('Middle East');
    expect(areaOf('southamerica-east1')).toBe('South America');
    const groups = groupByRegion(fleet);
    expect(groups.map((g) => [g.area, g.clusters])).toEqual([
      ['North America', 3],
      ['Europe', 1],
    ]);
    expect(
      groups[0]?.regions.map((r) => [r.cloud, r.region, r.clusters.map((c) => c.name), r.nodes]),
    ).toEqual([
      ['gcp', 'us-central1', ['shop-dev', 'shop-prod'], 6],
      ['aws', 'us-east-1', ['payments-prod'], 3],
    ]);
  });
});
