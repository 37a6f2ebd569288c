import type {
  Catalog,
  CatalogOverlay,
  CatalogSource,
  CloudId,
  KubernetesVersionInfo,
  MachineTypeInfo,
  PriceReference,
  RegionInfo,
} from './types';
import { compareVersionStrings, minorOf, parseVersion } from './versions';

/** Data behind a catalog: per cloud, regions, machine types and versions (see `createCatalog`). */
export interface CatalogData {
  regions: Record<CloudId, RegionInfo[]>;
  /**
   * Per cloud, types offered in every region. The bundled snapshot has no per-region availability,
   * so a type is offered in every region of its cloud that has the managed service; a provider
   * overlay can narrow this per region with what the cloud's API returns.
   */
  machineTypes: Record<CloudId, MachineTypeInfo[]>;
  kubernetesVersions: Record<CloudId, KubernetesVersionInfo[]>;
  sources: CatalogSource[];
  priceReferences?: Partial<Record<CloudId, PriceReference>>;
}

const hasManagedKubernetes = (r: RegionInfo): boolean => r.managedKubernetes !== false;

/**
 * Checks a version against a cloud's list. EKS takes minors only ('1.34'); AKS and GKE take the minor
 * alias, a listed full version, or (GKE) '1.34.10' meaning the newest build of that patch.
 */
export function versionIsListed(cloud: CloudId, version: string, list: KubernetesVersionInfo[]): boolean {
  const parsed = parseVersion(version);
  if (!parsed) return false;
  const info = list.find((v) => v.minor === minorOf(version));
  if (!info) return false;
  if (parsed.patch === undefined) return parsed.build === undefined;
  if (cloud === 'aws') return false;
  if (info.versions.includes(version)) return true;
  if (cloud === 'gcp' && parsed.build === undefined) {
    return info.versions.some((v) => parseVersion(v)?.patch === parsed.patch);
  }
  return false;
}

function regionIndex(list: RegionInfo[]): { byId: Map<string, RegionInfo>; byZone: Map<string, RegionInfo> } {
  const byId = new Map<string, RegionInfo>();
  const byZone = new Map<string, RegionInfo>();
  for (const r of list) {
    byId.set(r.id, r);
    for (const z of r.zones) if (z !== r.id && !/^\d+$/.test(z)) byZone.set(z, r);
  }
  return { byId, byZone };
}

/** Builds a catalog over in-memory data. Lists are returned as shared, read-only arrays. */
export function createCatalog(data: CatalogData): Catalog {
  const managed = {} as Record<CloudId, RegionInfo[]>;
  const index = {} as Record<CloudId, ReturnType<typeof regionIndex>>;
  const typeIndex = {} as Record<CloudId, Map<string, MachineTypeInfo>>;
  for (const cloud of ['aws', 'azure', 'gcp'] as const) {
    managed[cloud] = data.regions[cloud].filter(hasManagedKubernetes);
    index[cloud] = regionIndex(managed[cloud]);
    typeIndex[cloud] = new Map(data.machineTypes[cloud].map((t) => [t.name, t]));
  }
  // A region argument may be a GCP zone (zonal clusters): resolve it to its region.
  const known = (cloud: CloudId, region: string | undefined): boolean =>
    region === undefined || index[cloud].byId.has(region) || index[cloud].byZone.has(region);
  const empty: never[] = [];
  return {
    regions: (cloud) => managed[cloud],
    region: (cloud, id) => index[cloud].byId.get(id),
    machineTypes: (cloud, region) => (known(cloud, region) ? data.machineTypes[cloud] : empty),
    machineType: (cloud, name, region) => (known(cloud, region) ? typeIndex[cloud].get(name) : undefined),
    kubernetesVersions: (cloud, region) => (known(cloud, region) ? data.kubernetesVersions[cloud] : empty),
    isSupportedVersion: (cloud, version, region) =>
      known(cloud, region) && versionIsListed(cloud, version, data.kubernetesVersions[cloud]),
    sources: () => data.sources,
    priceReference: (cloud) => data.priceReferences?.[cloud],
  };
}

function mergeBy<T>(base: T[], extra: T[], key: (t: T) => string): T[] {
  const map = new Map(base.map((t) => [key(t), t]));
  for (const t of extra) map.set(key(t), t);
  return [...map.values()];
}

/**
 * A provider replaces or extends the catalog per cloud and region with what the cloud's API returned
 * for an account. Results are memoised so repeated look-ups return the same arrays (the planner
 * caches its sorted indexes by array identity).
 */
export function overlayCatalog(base: Catalog, overlay: CatalogOverlay): Catalog {
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };
  const regions = (cloud: CloudId): RegionInfo[] =>
    once(`r:${cloud}`, () => {
      const o = overlay.clouds[cloud];
      if (!o?.regions) return base.regions(cloud);
      const list = o.replace === false ? mergeBy(base.regions(cloud), o.regions, (r) => r.id) : o.regions;
      return list.filter(hasManagedKubernetes);
    });
  const regionOf = (cloud: CloudId, id: string): RegionInfo | undefined =>
    regions(cloud).find((r) => r.id === id) ??
    regions(cloud).find((r) => r.zones.includes(id) && !/^\d+$/.test(id));
  const machineTypes = (cloud: CloudId, region?: string): MachineTypeInfo[] =>
    once(`m:${cloud}:${region ?? '*'}`, () => {
      const o = overlay.clouds[cloud]?.machineTypes;
      const regionId = region === undefined ? undefined : regionOf(cloud, region)?.id;
      if (region !== undefined && regionId === undefined) return [];
      const baseList = base.machineTypes(cloud, regionId);
      const extra = (regionId !== undefined ? o?.[regionId] : undefined) ?? o?.['*'];
      if (!extra) return baseList;
      return overlay.clouds[cloud]?.replace === false ? mergeBy(baseList, extra, (t) => t.name) : extra;
    });
  const kubernetesVersions = (cloud: CloudId, region?: string): KubernetesVersionInfo[] =>
    once(`v:${cloud}:${region ?? '*'}`, () => {
      const o = overlay.clouds[cloud]?.kubernetesVersions;
      const regionId = region === undefined ? undefined : regionOf(cloud, region)?.id;
      if (region !== undefined && regionId === undefined) return [];
      const baseList = base.kubernetesVersions(cloud, regionId);
      const extra = (regionId !== undefined ? o?.[regionId] : undefined) ?? o?.['*'];
      if (!extra) return baseList;
      const list =
        overlay.clouds[cloud]?.replace === false ? mergeBy(baseList, extra, (v) => v.minor) : extra;
      return [...list].sort((a, b) => compareVersionStrings(b.minor, a.minor));
    });
  const typeMaps = new Map<MachineTypeInfo[], Map<string, MachineTypeInfo>>();
  return {
    regions,
    region: (cloud, id) => regions(cloud).find((r) => r.id === id),
    machineTypes,
    machineType: (cloud, name, region) => {
      const list = machineTypes(cloud, region);
      let map = typeMaps.get(list);
      if (!map) {
        map = new Map(list.map((t) => [t.name, t]));
        typeMaps.set(list, map);
      }
      return map.get(name);
    },
    kubernetesVersions,
    isSupportedVersion: (cloud, version, region) =>
      versionIsListed(cloud, version, kubernetesVersions(cloud, region)),
    sources: () => [...(base.sources?.() ?? []), ...(overlay.sources ?? [])],
    priceReference: (cloud) => base.priceReference?.(cloud),
  };
}
