import { describe, expect, it } from 'vitest';
import { bundledCatalog } from '../catalog/index';
import type { CloudId } from '../catalog/types';
import { nearestRegion, resolveLocation } from './location';

describe('nearest region', () => {
  // [source cloud, source region, target cloud, expected region, tier that decided]
  it.each([
    ['aws', 'us-east-1', 'azure', 'eastus2', 'same-country'],
    ['aws', 'us-east-1', 'gcp', 'us-east4', 'same-country'],
    ['aws', 'eu-west-3', 'azure', 'francecentral', 'same-country'],
    ['aws', 'eu-west-3', 'gcp', 'europe-west9', 'same-country'],
    ['aws', 'ap-southeast-2', 'gcp', 'australia-southeast1', 'same-country'],
    ['aws', 'me-central-1', 'gcp', 'me-central1', 'same-geography'],
    ['azure', 'westeurope', 'aws', 'eu-west-2', 'same-geography'],
    ['azure', 'westeurope', 'gcp', 'europe-west4', 'same-country'],
    ['azure', 'eastus', 'aws', 'us-east-1', 'same-country'],
    ['azure', 'southafricanorth', 'gcp', 'africa-south1', 'same-country'],
    ['gcp', 'europe-west3', 'aws', 'eu-central-1', 'same-country'],
    ['gcp', 'europe-west3', 'azure', 'germanywestcentral', 'same-country'],
    ['gcp', 'us-central1', 'aws', 'us-east-2', 'same-country'],
    ['gcp', 'us-central1', 'azure', 'centralus', 'same-country'],
    ['gcp', 'me-central2', 'aws', 'me-south-1', 'same-geography'],
    ['gcp', 'asia-northeast1', 'azure', 'japaneast', 'same-country'],
  ] as const)('%s %s -> %s %s (%s)', (sc, sl, tc, expected, tier) => {
    const src = bundledCatalog.region(sc as CloudId, sl)!;
    const r = nearestRegion(src, bundledCatalog.regions(tc as CloudId));
    expect(r?.region.id).toBe(expected);
    expect(r?.tier).toBe(tier);
  });

  it('falls back to anywhere when neither country nor geography has a region', () => {
    const src = { ...bundledCatalog.region('aws', 'sa-east-1')!, countryCode: 'XX', geography: 'Antarctica' };
    const r = nearestRegion(src, bundledCatalog.regions('gcp'));
    expect(r?.tier).toBe('anywhere');
    expect(r?.region.id).toBe('southamerica-east1');
  });

  it('resolves GKE zones to their region', () => {
    expect(resolveLocation(bundledCatalog, 'gcp', 'us-central1-c')).toMatchObject({
      region: { id: 'us-central1' },
      zone: 'us-central1-c',
    });
    expect(resolveLocation(bundledCatalog, 'aws', 'us-east-1a')).toBeUndefined();
    expect(resolveLocation(bundledCatalog, 'gcp', 'us-central1-z')).toBeUndefined();
  });
});
