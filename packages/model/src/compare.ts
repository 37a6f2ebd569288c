import type { ClusterSpec, NodePoolSpec, TargetClusterSpec } from './schemas';

export interface ComparisonRow {
  path: string;
  asked: unknown;
  created: unknown;
  match: boolean;
}

export interface Comparison {
  matches: number;
  mismatches: number;
  rows: ComparisonRow[];
}

const minor = (v: string) => v.split('.').slice(0, 2).join('.');
/** Key order is the SDK's business, not a difference. */
export const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
const sortTaints = (t: NodePoolSpec['taints']) =>
  [...t].sort((a, b) => `${a.key}${a.effect}`.localeCompare(`${b.key}${b.effect}`));

/**
 * What the plan asked for against what the cloud reports after creation (the clone's read-back).
 * Versions compare by minor (clouds pick the patch); labels compare as "everything asked is there"
 * (clouds add their own); zones compare as sets. Disk and max pods are compared when the plan set
 * them: an absent value means "the cloud's default", which is not a difference.
 */
export function compareClusters(asked: TargetClusterSpec, created: ClusterSpec): Comparison {
  const rows: ComparisonRow[] = [];
  const add = (path: string, a: unknown, c: unknown, match = same(a, c)) =>
    rows.push({ path, asked: a, created: c, match });
  add('name', asked.name, created.name);
  add('location', asked.location, created.location);
  add(
    'kubernetesVersion',
    asked.kubernetesVersion,
    created.kubernetesVersion,
    minor(asked.kubernetesVersion) === minor(created.kubernetesVersion),
  );
  for (const [k, v] of Object.entries(asked.labels ?? {})) add(`labels.${k}`, v, created.labels[k]);
  for (const pool of asked.nodePools) {
    const got = created.nodePools.find((p) => p.name === pool.name);
    const base = `nodePools[${pool.name}]`;
    if (!got) {
      add(base, pool.name, null, false);
      continue;
    }
    add(`${base}.machineType`, pool.machineType, got.machineType);
    add(`${base}.nodeCount`, pool.nodeCount, got.nodeCount);
    add(`${base}.autoscaling`, pool.autoscaling ?? null, got.autoscaling ?? null);
    add(`${base}.spot`, pool.spot, got.spot);
    for (const [k, v] of Object.entries(pool.labels ?? {})) add(`${base}.labels.${k}`, v, got.labels[k]);
    add(`${base}.taints`, sortTaints(pool.taints ?? []), sortTaints(got.taints ?? []));
    if (pool.zones?.length) add(`${base}.zones`, [...pool.zones].sort(), [...(got.zones ?? [])].sort());
    for (const field of ['diskSizeGb', 'diskType', 'maxPods'] as const) {
      if (pool[field] !== undefined) add(`${base}.${field}`, pool[field], got[field] ?? null);
    }
  }
  const mismatches = rows.filter((r) => !r.match).length;
  return { matches: rows.length - mismatches, mismatches, rows };
}
