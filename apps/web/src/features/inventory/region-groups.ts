import type { ClusterSummary } from '../../lib/clusters.ts';

export const areas = [
  'North America',
  'South America',
  'Europe',
  'Middle East',
  'Africa',
  'Asia Pacific',
  'Other',
] as const;
export type Area = (typeof areas)[number];

// Region names by prefix or keyword, per cloud naming scheme: AWS "eu-west-1", GCP "europe-west3",
// Azure "westeurope" / "eastus2" / "australiaeast". Order matters: "southafrica" before "south".
const rules: [RegExp, Area][] = [
  [/^(me-|il-)|middle|uae|qatar|israel|saudi/, 'Middle East'],
  [/^af-|africa/, 'Africa'],
  [/^(sa-)|southamerica|brazil|chile|mexico/, 'South America'],
  [
    /^(us-|ca-|mx-)|northamerica|canada|^(east|west|central|north|south|westcentral|northcentral|southcentral)us/,
    'North America',
  ],
  [/^eu-|europe|^uk|france|germany|norway|switzerland|sweden|poland|italy|spain/, 'Europe'],
  [
    /^ap-|asia|australia|japan|korea|india|singapore|indonesia|taiwan|hongkong|newzealand|jioindia/,
    'Asia Pacific',
  ],
];

export function areaOf(location: string): Area {
  const l = location.toLowerCase();
  for (const [pattern, area] of rules) if (pattern.test(l)) return area;
  return 'Other';
}

/** A GKE zone (us-central1-a) belongs to its region (us-central1); regions are their own. */
export function regionOf(cluster: Pick<ClusterSummary, 'cloud' | 'location'>): string {
  return cluster.cloud === 'gcp' ? cluster.location.replace(/-[a-z]$/, '') : cluster.location;
}

export interface RegionGroup {
  cloud: ClusterSummary['cloud'];
  region: string;
  clusters: ClusterSummary[];
  nodes: number;
}
export interface AreaGroup {
  area: Area;
  regions: RegionGroup[];
  clusters: number;
}

/** Clusters of every cloud grouped by geographic area, then by region, busiest region first. */
export function groupByRegion(clusters: readonly ClusterSummary[]): AreaGroup[] {
  const byArea = new Map<Area, Map<string, ClusterSummary[]>>();
  for (const c of clusters) {
    const area = areaOf(regionOf(c));
    const regions = byArea.get(area) ?? new Map<string, ClusterSummary[]>();
    const key = `${c.cloud}:${regionOf(c)}`;
    regions.set(key, [...(regions.get(key) ?? []), c]);
    byArea.set(area, regions);
  }
  return areas
    .filter((a) => byArea.has(a))
    .map((area) => {
      const regions = [...(byArea.get(area) ?? new Map<string, ClusterSummary[]>()).values()]
        .map((list) => ({
          cloud: (list[0] as ClusterSummary).cloud,
          region: regionOf(list[0] as ClusterSummary),
          clusters: [...list].sort((a, b) => a.name.localeCompare(b.name)),
          nodes: list.reduce((n, c) => n + c.nodes, 0),
        }))
        .sort((a, b) => b.clusters.length - a.clusters.length || a.region.localeCompare(b.region));
      return { area, regions, clusters: regions.reduce((n, r) => n + r.clusters.length, 0) };
    });
}
