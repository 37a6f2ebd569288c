import { type CloudId, type PlanCatalog, bundledCatalog, resolveLocation } from '@dolly/model';

/** The regions a stored (or edited) document's items are created in. */
export function documentRegions(cloud: CloudId, items: { target: { location: string } }[]): string[] {
  const regions = new Set<string>();
  for (const item of items) {
    const region = resolveLocation(bundledCatalog, cloud, item.target.location)?.region.id;
    if (region) regions.add(region);
  }
  return [...regions].sort();
}

/** Appended to a refusal so the reader knows which list said no. */
export function checkedAgainst(info: PlanCatalog): string {
  return info.source === 'live'
    ? ` (checked against the live lists of ${info.account ?? 'the target account'} for ${info.region})`
    : ' (checked against the bundled catalog snapshot)';
}
