import type { ClonePlanItem, Decision, NodePoolSpec, PlanDropped, PlanWarning } from '@dolly/model';

export interface PlanNotes {
  decisions: Decision[];
  warnings: PlanWarning[];
  dropped: PlanDropped[];
}

/** One field of the plan, source beside target, with every decision, warning and drop about it. */
export interface PlanRow extends PlanNotes {
  path: string;
  field: string;
  source: string;
  target: string;
  changed: boolean;
}

export interface PlanRowGroup {
  key: string;
  title: string;
  /** `pool` pairs a source pool with its target; `added` exists only in the target (AKS system pool); `left-out` only in the source. */
  kind: 'cluster' | 'pool' | 'added' | 'left-out';
  notes: PlanNotes;
  rows: PlanRow[];
}

type Flat = Map<string, unknown>;
const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);
/** Same syntax as the translation engine's paths: labels["team"], nodePools[0].machineType. */
export const labelPath = (prefix: string, key: string) => `${join(prefix, 'labels')}[${JSON.stringify(key)}]`;

// Objects shown as one value rather than field by field.
const leafObjects = new Set(['autoscaling']);

function flatten(value: unknown, prefix: string, out: Flat, skip: ReadonlySet<string> = new Set()): Flat {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (skip.has(key) || v === undefined) continue;
    if (key === 'labels' && v && typeof v === 'object') {
      for (const [k, lv] of Object.entries(v as Record<string, unknown>)) out.set(labelPath(prefix, k), lv);
    } else if (v && typeof v === 'object' && !Array.isArray(v) && !leafObjects.has(key)) {
      flatten(v, join(prefix, key), out);
    } else {
      out.set(join(prefix, key), v);
    }
  }
  return out;
}

function isTaint(v: unknown): v is NodePoolSpec['taints'][number] {
  return Boolean(v && typeof v === 'object' && 'key' in v && 'effect' in v);
}

export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return 'none';
    return v
      .map((x) => (isTaint(x) ? `${x.key}${x.value ? `=${x.value}` : ''}:${x.effect}` : formatValue(x)))
      .join(', ');
  }
  if (typeof v === 'object' && 'minNodes' in v && 'maxNodes' in v) {
    const a = v as { minNodes: unknown; maxNodes: unknown };
    return `${String(a.minNodes)}–${String(a.maxNodes)}`;
  }
  return JSON.stringify(v);
}

const fieldNames: Record<string, string> = {
  cloud: 'Cloud',
  scope: 'Scope',
  location: 'Location',
  name: 'Name',
  kubernetesVersion: 'Kubernetes version',
  environment: 'Environment',
  'endpoint.public': 'Public endpoint',
  'endpoint.private': 'Private endpoint',
  'endpoint.authorizedCidrs': 'Authorized CIDRs',
  'network.podCidr': 'Pod CIDR',
  'network.serviceCidr': 'Service CIDR',
  'network.plugin': 'Network plugin',
  'secretsEncryption.keyRef': 'Secrets encryption key',
  addons: 'Add-ons',
  machineType: 'Machine type',
  nodeCount: 'Nodes',
  autoscaling: 'Autoscaling (min–max)',
  spot: 'Spot',
  zones: 'Zones',
  taints: 'Taints',
  diskSizeGb: 'Disk size (GB)',
  diskType: 'Disk type',
  maxPods: 'Max pods per node',
  arch: 'Architecture',
  os: 'OS',
  mode: 'Mode',
};

function fieldName(relative: string, inPool: boolean): string {
  const label = /^labels\[(.*)\]$/.exec(relative);
  if (label?.[1]) return `${inPool ? 'Node label' : 'Label'} ${JSON.parse(label[1]) as string}`;
  return fieldNames[relative] ?? relative;
}

const clusterOrder = [
  'cloud',
  'scope',
  'location',
  'name',
  'kubernetesVersion',
  'environment',
  'labels',
  'endpoint',
  'network',
  'secretsEncryption',
  'addons',
];
const poolOrder = [
  'name',
  'machineType',
  'nodeCount',
  'autoscaling',
  'spot',
  'zones',
  'diskSizeGb',
  'diskType',
  'maxPods',
  'kubernetesVersion',
  'arch',
  'os',
  'mode',
  'labels',
  'taints',
];
function orderOf(relative: string, order: string[]): number {
  const head = /^[A-Za-z]+/.exec(relative)?.[0] ?? relative;
  const i = order.indexOf(head);
  return i === -1 ? order.length : i;
}

function buildRows(source: Flat, target: Flat, prefix: string, inPool: boolean): PlanRow[] {
  const paths = [...new Set([...source.keys(), ...target.keys()])];
  const relative = (p: string) => (prefix ? p.slice(prefix.length + 1) : p);
  const order = inPool ? poolOrder : clusterOrder;
  return paths
    .map((path, index) => ({ path, index, rank: orderOf(relative(path), order) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ path }) => {
      const s = source.get(path);
      const t = target.get(path);
      return {
        path,
        field: fieldName(relative(path), inPool),
        source: formatValue(s),
        target: formatValue(t),
        changed: JSON.stringify(s) !== JSON.stringify(t),
        decisions: [],
        warnings: [],
        dropped: [],
      };
    });
}

const emptyNotes = (): PlanNotes => ({ decisions: [], warnings: [], dropped: [] });

/** Which source pool each target pool came from: by the rename decision, else by name. */
export function sourcePoolIndex(item: ClonePlanItem, targetIndex: number): number | undefined {
  const pool = item.target.nodePools[targetIndex];
  if (!pool) return undefined;
  const rename = item.decisions.find((d) => d.path === `nodePools[${targetIndex}].name`);
  const name = typeof rename?.from === 'string' ? rename.from : pool.name;
  const byName = item.source.nodePools.findIndex((p) => p.name === name);
  if (byName !== -1) return byName;
  // A pool the plan created (AKS system pool) has a decision for the whole pool and no source.
  if (item.decisions.some((d) => d.path === `nodePools[${targetIndex}]` && d.from === undefined))
    return undefined;
  return targetIndex < item.source.nodePools.length ? targetIndex : undefined;
}

/** The path a left-out source pool is known by (it has no index in the target). */
export const leftOutPoolPath = (name: string) => `nodePools[${JSON.stringify(name)}]`;

/**
 * The plan item as a side-by-side table: the cluster's fields, then one group per node pool,
 * source beside target, each decision, warning and drop attached to the field it is about (or to
 * the pool or the cluster when it is about the whole thing).
 */
export function planRowGroups(item: ClonePlanItem): PlanRowGroup[] {
  const groups: PlanRowGroup[] = [];
  const skipPools = new Set(['nodePools']);
  groups.push({
    key: 'cluster',
    title: 'Cluster',
    kind: 'cluster',
    notes: emptyNotes(),
    rows: buildRows(
      flatten(item.source, '', new Map(), skipPools),
      flatten(item.target, '', new Map(), skipPools),
      '',
      false,
    ),
  });
  const matched = new Set<number>();
  item.target.nodePools.forEach((pool, i) => {
    const prefix = `nodePools[${i}]`;
    const si = sourcePoolIndex(item, i);
    const sourcePool = si === undefined ? undefined : item.source.nodePools[si];
    if (si !== undefined) matched.add(si);
    groups.push({
      key: prefix,
      title: sourcePool
        ? sourcePool.name === pool.name
          ? `Node pool ${pool.name}`
          : `Node pool ${sourcePool.name} → ${pool.name}`
        : `Node pool ${pool.name} (added by the plan)`,
      kind: sourcePool ? 'pool' : 'added',
      notes: emptyNotes(),
      rows: buildRows(flatten(sourcePool, prefix, new Map()), flatten(pool, prefix, new Map()), prefix, true),
    });
  });
  item.source.nodePools.forEach((pool, j) => {
    if (matched.has(j)) return;
    const prefix = leftOutPoolPath(pool.name);
    groups.push({
      key: prefix,
      title: `Node pool ${pool.name} (not carried)`,
      kind: 'left-out',
      notes: emptyNotes(),
      rows: buildRows(flatten(pool, prefix, new Map()), new Map(), prefix, true),
    });
  });
  attachNotes(item, groups);
  return groups;
}

function attachNotes(item: ClonePlanItem, groups: PlanRowGroup[]) {
  const rows = new Map(groups.flatMap((g) => g.rows.map((r) => [r.path, r] as const)));
  const byGroup = new Map(groups.map((g) => [g.key, g]));
  const cluster = groups[0] as PlanRowGroup;
  const place = (path: string): PlanNotes => {
    const row = rows.get(path);
    if (row) return row;
    const group = byGroup.get(path);
    if (group) return group.notes;
    // A note about an object whose fields are rows (secretsEncryption → secretsEncryption.keyRef).
    for (const [p, r] of rows) if (p.startsWith(`${path}.`) || p.startsWith(`${path}[`)) return r;
    return cluster.notes;
  };
  for (const d of item.decisions) place(d.path).decisions.push(d);
  for (const w of item.warnings) place(w.path).warnings.push(w);
  for (const d of item.dropped) place(d.path).dropped.push(d);
}

export function countNotes(item: ClonePlanItem) {
  return { decisions: item.decisions.length, warnings: item.warnings.length, dropped: item.dropped.length };
}
