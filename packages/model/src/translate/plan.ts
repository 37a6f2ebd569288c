import type { Catalog } from '../catalog/types';
import type { ClonePlan, ClonePlanItem, ClusterSpec, ClusterSpecInput, NodePoolSpec } from '../schemas';
import { type PlanTarget, type TranslationIssue, translateCluster } from './cluster';
import { planItemCost } from './cost';
import { nearestRegion, resolveLocation } from './location';
import { legalClusterName } from './names';

export interface PlanOptions {
  /** Plan id; default: a hash of the input, so the same input gives the same plan. */
  id?: string;
  createdAt?: string;
  /** Only clusters whose labels contain all these pairs are planned. */
  labelFilter?: Record<string, string>;
}

/** Thrown when a source cannot be translated; paths are inside the plan (`items[0].source...`). */
export class PlanError extends Error {
  readonly issues: TranslationIssue[];
  constructor(issues: TranslationIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
    this.name = 'PlanError';
    this.issues = issues;
  }
}

/** Fills the defaults the schema would (labels, spot, taints) so callers may pass schema input. */
export function normaliseCluster(c: ClusterSpecInput | ClusterSpec): ClusterSpec {
  // Parsed specs already carry the defaults: use them as they are rather than copying.
  if (isNormalised(c)) return c;
  const nodePools: NodePoolSpec[] = c.nodePools.map((p) => ({
    ...p,
    spot: p.spot ?? false,
    labels: p.labels ?? {},
    taints: p.taints ?? [],
  }));
  const out: ClusterSpec = { ...c, labels: c.labels ?? {}, nodePools } as ClusterSpec;
  if (c.endpoint) out.endpoint = { ...c.endpoint, authorizedCidrs: c.endpoint.authorizedCidrs ?? [] };
  return out;
}

function isNormalised(c: ClusterSpecInput | ClusterSpec): c is ClusterSpec {
  return (
    c.labels !== undefined &&
    (c.endpoint === undefined || c.endpoint.authorizedCidrs !== undefined) &&
    c.nodePools.every((p) => p.spot !== undefined && p.labels !== undefined && p.taints !== undefined)
  );
}

export function matchesLabels(
  c: { labels?: Record<string, string> },
  filter: Record<string, string>,
): boolean {
  const labels = c.labels ?? {};
  return Object.entries(filter).every(([k, v]) => labels[k] === v);
}

/** FNV-1a, 32 bit: a short deterministic id for a plan input. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Plans the clone of `sources` into `target`. Pure and deterministic: the same input gives the same
 * plan. Throws PlanError naming every field that cannot be translated (never a placeholder).
 */
export function planClone(
  sources: (ClusterSpecInput | ClusterSpec)[],
  target: PlanTarget,
  catalog: Catalog,
  options: PlanOptions = {},
): ClonePlan {
  const selected = (
    options.labelFilter ? sources.filter((s) => matchesLabels(s, options.labelFilter!)) : sources
  ).map(normaliseCluster);
  const id = options.id ?? `plan-${hash(JSON.stringify([selected, target]))}`;
  const items: ClonePlanItem[] = [];
  const issues: TranslationIssue[] = [];
  selected.forEach((source, i) => {
    const r = translateCluster(source, target, catalog, { planId: id });
    if (r.ok) items.push(r.item);
    else for (const e of r.errors) issues.push({ path: `items[${i}].source.${e.path}`, message: e.message });
  });
  if (issues.length > 0) throw new PlanError(issues);
  makeNamesUnique(items);
  for (const item of items) item.cost = planItemCost(catalog, item);
  const plan: ClonePlan = { apiVersion: 'dolly/v1', kind: 'ClonePlan', id, items };
  if (options.createdAt !== undefined) plan.createdAt = options.createdAt;
  return plan;
}

/**
 * The target regions `planClone` will place `sources` in, known before translating so the target
 * account's lists for them can be fetched first. Region choice reads only the region list, which the
 * account's lists do not change, so translating with either catalog lands in the same regions.
 * Sources whose location is unknown are left out: translating them fails anyway.
 */
export function planTargetRegions(
  sources: (ClusterSpecInput | ClusterSpec)[],
  target: PlanTarget,
  catalog: Catalog,
): string[] {
  const tc = target.cloud;
  if (target.location) {
    const region = resolveLocation(catalog, tc, target.location)?.region.id;
    return region ? [region] : [];
  }
  const regions = new Set<string>();
  for (const s of sources) {
    const from = resolveLocation(catalog, s.cloud, s.location);
    if (!from) continue;
    const region = s.cloud === tc ? from.region : nearestRegion(from.region, catalog.regions(tc))?.region;
    if (region) regions.add(region.id);
  }
  return [...regions].sort();
}

/**
 * Two sources with the same name (from different projects or accounts) would collide in one target
 * account and region: later ones get a numeric suffix, recorded as a decision.
 */
function makeNamesUnique(items: ClonePlanItem[]): void {
  const used = new Set<string>();
  const keyOf = (t: ClonePlanItem['target'], name: string): string =>
    `${t.cloud}|${t.scope ?? ''}|${t.location}|${name}`;
  for (const item of items) {
    const t = item.target;
    if (!used.has(keyOf(t, t.name))) {
      used.add(keyOf(t, t.name));
      continue;
    }
    let n = 2;
    let name = legalClusterName(t.cloud, `${t.name}-${n}`);
    while (used.has(keyOf(t, name))) name = legalClusterName(t.cloud, `${t.name}-${++n}`);
    used.add(keyOf(t, name));
    const previous = item.decisions.findIndex((d) => d.path === 'name');
    if (previous >= 0) item.decisions.splice(previous, 1);
    item.decisions.push({
      path: 'name',
      from: item.source.name,
      to: name,
      rule: 'name.unique-in-plan',
      reason: `another cluster in this plan is already called ${t.name} in ${t.location}`,
    });
    t.name = name;
  }
}

/**
 * Paths where `target` differs from `source` that no decision or dropped entry explains. Empty for
 * every plan Dolly makes; tests and reviewers use it to hold the "every change has a decision" rule.
 */
export function unexplainedChanges(item: ClonePlanItem): string[] {
  const explained = [...item.decisions.map((d) => d.path), ...item.dropped.map((d) => d.path)];
  const renamedFrom = new Set<string>();
  for (const d of item.decisions) {
    if (d.from && typeof d.from === 'object' && !Array.isArray(d.from) && typeof d.from.key === 'string') {
      renamedFrom.add(`${d.path.slice(0, d.path.indexOf('['))}[${JSON.stringify(d.from.key)}]`);
    }
  }
  const covered = (path: string): boolean =>
    renamedFrom.has(path) ||
    explained.some((e) => e === path || path.startsWith(`${e}.`) || path.startsWith(`${e}[`));
  const out: string[] = [];
  const visit = (path: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    const isObj = (v: unknown): v is Record<string, unknown> =>
      typeof v === 'object' && v !== null && !Array.isArray(v);
    if (isObj(a) && isObj(b)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      const isMap = path.endsWith('labels');
      for (const k of [...keys].sort()) {
        const p = isMap ? `${path}[${JSON.stringify(k)}]` : path ? `${path}.${k}` : k;
        visit(p, a[k], b[k]);
      }
      return;
    }
    if (path === 'nodePools' && Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) visit(`nodePools[${i}]`, a[i], b[i]);
      return;
    }
    if (!covered(path)) out.push(path);
  };
  visit('', item.source, item.target);
  return out;
}
