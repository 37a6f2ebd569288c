/**
 * GKE node pools count nodes per zone, so a pool's total is always (per-zone count) × (zones).
 * The most zones, in the given order, over which `total` nodes divide evenly: fewer zones rather
 * than extra nodes (one zone always works). Autoscaling bounds need no such rule: GKE takes them as
 * totals (`totalMinNodeCount` / `totalMaxNodeCount`).
 */
export function zonesKeepingTotal(zones: readonly string[], total: number): string[] {
  for (let n = zones.length; n > 1; n--) if (total % n === 0) return zones.slice(0, n);
  return zones.slice(0, 1);
}
