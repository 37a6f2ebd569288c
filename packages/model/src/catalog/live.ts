import type { PlanCatalog } from '../schemas';
import { overlayCatalog } from './catalog';
import type { Catalog, CatalogOverlay, CloudId } from './types';

/** What asking a target account for one region's lists gave: the overlay, or why there is none. */
export type LiveListResult =
  | { region: string; ok: true; overlay: CatalogOverlay; fetchedAt: string }
  | { region: string; ok: false; reason: string };

type Covered = NonNullable<PlanCatalog['covers']>[number];

/** What an overlay replaces for `cloud` in `region`: an empty answer replaces nothing. */
export function overlayCovers(overlay: CatalogOverlay, cloud: CloudId, region: string): Covered[] {
  const o = overlay.clouds[cloud];
  const covers: Covered[] = [];
  if ((o?.kubernetesVersions?.[region] ?? o?.kubernetesVersions?.['*'])?.length)
    covers.push('kubernetes-versions');
  if ((o?.machineTypes?.[region] ?? o?.machineTypes?.['*'])?.length) covers.push('machine-types');
  return covers;
}

function mergeOverlays(cloud: CloudId, overlays: CatalogOverlay[]): CatalogOverlay {
  const kubernetesVersions: NonNullable<
    NonNullable<CatalogOverlay['clouds'][CloudId]>['kubernetesVersions']
  > = {};
  const machineTypes: NonNullable<NonNullable<CatalogOverlay['clouds'][CloudId]>['machineTypes']> = {};
  for (const o of overlays) {
    Object.assign(kubernetesVersions, o.clouds[cloud]?.kubernetesVersions);
    Object.assign(machineTypes, o.clouds[cloud]?.machineTypes);
  }
  return {
    clouds: { [cloud]: { kubernetesVersions, machineTypes } },
    sources: overlays.flatMap((o) => o.sources ?? []),
  };
}

/**
 * The catalog a plan is translated with, and the plan's account of it. Regions whose lists came back
 * replace the snapshot's versions and types there; a region that failed, or answered with empty
 * lists, keeps the snapshot, and then the plan as a whole is `snapshot` with the reason, because a
 * reader cannot tell which item was checked against what otherwise.
 */
export function catalogForPlan(
  base: Catalog,
  cloud: CloudId,
  results: LiveListResult[],
  account?: string,
): { catalog: Catalog; info: PlanCatalog } {
  const region = [...new Set(results.map((r) => r.region))].join(', ');
  const named = account === undefined ? {} : { account };
  if (results.length === 0)
    return {
      catalog: base,
      info: { source: 'snapshot', region, ...named, reason: 'no target region to ask for lists' },
    };
  const live: { overlay: CatalogOverlay; fetchedAt: string; covers: Covered[] }[] = [];
  const failures: { region: string; reason: string }[] = [];
  for (const r of results) {
    if (!r.ok) {
      failures.push(r);
      continue;
    }
    const covers = overlayCovers(r.overlay, cloud, r.region);
    if (covers.length === 0) failures.push({ region: r.region, reason: 'the account listed nothing' });
    else live.push({ overlay: r.overlay, fetchedAt: r.fetchedAt, covers });
  }
  const catalog =
    live.length === 0
      ? base
      : overlayCatalog(
          base,
          mergeOverlays(
            cloud,
            live.map((l) => l.overlay),
          ),
        );
  if (failures.length > 0) {
    const reason =
      results.length === 1
        ? (failures[0]?.reason ?? '')
        : failures.map((f) => `${f.region}: ${f.reason}`).join('; ');
    return { catalog, info: { source: 'snapshot', region, ...named, reason } };
  }
  const fetchedAt = live.map((l) => l.fetchedAt).sort()[0];
  const covers = (['kubernetes-versions', 'machine-types'] as const).filter((c) =>
    live.every((l) => l.covers.includes(c)),
  );
  return {
    catalog,
    info: { source: 'live', region, ...named, ...(fetchedAt ? { fetchedAt } : {}), covers },
  };
}

const COVERED_TEXT: Record<Covered, string> = {
  'kubernetes-versions': 'Kubernetes versions',
  'machine-types': 'machine types',
};

/**
 * The one line the wizard and `dolly plan` show about a plan's catalog. `missing` explains a plan
 * without the field (made offline, or stored before plans recorded it).
 */
export function planCatalogLine(
  info: PlanCatalog | undefined,
  options: { formatTime?: (iso: string) => string; missing?: string } = {},
): string {
  if (!info) return `Catalog: bundled snapshot (${options.missing ?? 'not recorded with this plan'})`;
  if (info.source === 'snapshot') return `Catalog: bundled snapshot (${info.reason ?? 'no live lists'})`;
  const at = info.fetchedAt ? ` at ${(options.formatTime ?? ((iso) => iso))(info.fetchedAt)}` : '';
  const covers = info.covers ?? [];
  const partial = (['kubernetes-versions', 'machine-types'] as const).filter((c) => !covers.includes(c));
  const scope =
    covers.length > 0 && partial.length > 0
      ? ` (${covers.map((c) => COVERED_TEXT[c]).join(', ')}; ${partial.map((c) => COVERED_TEXT[c]).join(', ')} from the bundled snapshot)`
      : '';
  return `Catalog: live from ${info.account ?? 'the target account'}${at}${scope}`;
}
