import type { Catalog, CloudId, RegionInfo } from '../catalog/types';

export type LocationTier = 'explicit' | 'same-location' | 'same-country' | 'same-geography' | 'anywhere';

export interface ResolvedLocation {
  region: RegionInfo;
  /** Set when the location is a zone (GKE zonal clusters). */
  zone?: string;
}

/** A region id, or (GCP) a zone of a region. */
export function resolveLocation(
  catalog: Catalog,
  cloud: CloudId,
  location: string,
): ResolvedLocation | undefined {
  const region = catalog.region(cloud, location);
  if (region) return { region };
  if (cloud !== 'gcp') return undefined;
  // GKE zonal clusters live in a zone; its region is the zone name without the "-a" suffix.
  const regionId = location.replace(/-[a-z]$/, '');
  const parent = catalog.region(cloud, regionId);
  return parent?.zones.includes(location) ? { region: parent, zone: location } : undefined;
}

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle (haversine) distance in km; undefined when a region has no coordinates. */
export function distanceKm(a: RegionInfo, b: RegionInfo): number | undefined {
  if (a.latitude === null || a.longitude === null || b.latitude === null || b.longitude === null)
    return undefined;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface NearestRegion {
  region: RegionInfo;
  tier: Exclude<LocationTier, 'explicit' | 'same-location'>;
  distanceKm: number | undefined;
}

/**
 * Nearest target region by great-circle distance, restricted first to the source's country, then its
 * geography (EU stays in the EU), then anywhere. Ties and regions without coordinates are ordered by
 * id so the answer is deterministic.
 */
export function nearestRegion(source: RegionInfo, candidates: RegionInfo[]): NearestRegion | undefined {
  const tiers: [NearestRegion['tier'], (r: RegionInfo) => boolean][] = [
    ['same-country', (r) => r.countryCode === source.countryCode],
    ['same-geography', (r) => r.geography === source.geography],
    ['anywhere', () => true],
  ];
  for (const [tier, keep] of tiers) {
    let best: NearestRegion | undefined;
    for (const r of candidates) {
      if (!keep(r)) continue;
      const d = distanceKm(source, r);
      if (
        !best ||
        (d ?? Number.POSITIVE_INFINITY) < (best.distanceKm ?? Number.POSITIVE_INFINITY) ||
        ((d ?? Number.POSITIVE_INFINITY) === (best.distanceKm ?? Number.POSITIVE_INFINITY) &&
          r.id < best.region.id)
      ) {
        best = { region: r, tier, distanceKm: d };
      }
    }
    if (best) return best;
  }
  return undefined;
}
