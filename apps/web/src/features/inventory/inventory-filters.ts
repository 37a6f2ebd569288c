import type { ClusterSummary } from '../../lib/clusters.ts';
import { formatSort, parseSort, type SortState } from '../../lib/table-sort.ts';

export const clouds = ['aws', 'azure', 'gcp'] as const;
export type InventoryView = 'table' | 'regions';

/** The inventory's filters, kept in the URL so a filtered view can be shared and survives reload. */
export interface InventoryFilters {
  q: string;
  cloud?: ClusterSummary['cloud'];
  accountId?: string;
  location?: string;
  env?: string;
  /** k=v pairs that must all match. */
  labels: [string, string][];
  view: InventoryView;
  sort?: SortState;
}

export function parseLabelPair(pair: string): [string, string] | undefined {
  const at = pair.indexOf('=');
  if (at <= 0) return undefined;
  return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
}

export function parseInventoryFilters(params: URLSearchParams): InventoryFilters {
  const cloud = params.get('cloud');
  const sort = parseSort(params.get('sort'));
  return {
    q: params.get('q') ?? '',
    ...((clouds as readonly string[]).includes(cloud ?? '')
      ? { cloud: cloud as InventoryFilters['cloud'] }
      : {}),
    ...(params.get('account') ? { accountId: params.get('account') as string } : {}),
    ...(params.get('location') ? { location: params.get('location') as string } : {}),
    ...(params.get('env') ? { env: params.get('env') as string } : {}),
    labels: params
      .getAll('label')
      .map(parseLabelPair)
      .filter((p): p is [string, string] => p !== undefined),
    view: params.get('view') === 'regions' ? 'regions' : 'table',
    ...(sort ? { sort } : {}),
  };
}

/** Only what differs from the defaults goes into the URL. */
export function inventorySearchParams(filters: InventoryFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.cloud) params.set('cloud', filters.cloud);
  if (filters.accountId) params.set('account', filters.accountId);
  if (filters.location) params.set('location', filters.location);
  if (filters.env) params.set('env', filters.env);
  for (const [k, v] of filters.labels) params.append('label', `${k}=${v}`);
  if (filters.view !== 'table') params.set('view', filters.view);
  const sort = formatSort(filters.sort);
  if (sort) params.set('sort', sort);
  return params;
}

/** Free text matches the name, account, scope, location, version, environment and label values. */
function matchesText(c: ClusterSummary, q: string): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return [
    c.name,
    c.accountName,
    c.scope,
    c.location,
    c.kubernetesVersion,
    c.environment ?? '',
    ...Object.entries(c.labels).map(([k, v]) => `${k}=${v}`),
  ].some((field) => field.toLowerCase().includes(needle));
}

export function filterClusters(clusters: readonly ClusterSummary[], f: InventoryFilters): ClusterSummary[] {
  const q = f.q.trim();
  return clusters.filter(
    (c) =>
      (!f.cloud || c.cloud === f.cloud) &&
      (!f.accountId || c.accountId === f.accountId) &&
      (!f.location || c.location === f.location) &&
      (!f.env || c.environment === f.env) &&
      f.labels.every(([k, v]) => c.labels[k] === v) &&
      matchesText(c, q),
  );
}

/** Distinct values for the filter menus, sorted. */
export function distinct(clusters: readonly ClusterSummary[], pick: (c: ClusterSummary) => string | null) {
  return [...new Set(clusters.map(pick).filter((v): v is string => Boolean(v)))].sort();
}

export function hasActiveFilters(f: InventoryFilters): boolean {
  return Boolean(f.q || f.cloud || f.accountId || f.location || f.env || f.labels.length);
}
