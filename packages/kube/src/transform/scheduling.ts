/**
 * Node selection that names the source cloud: pool labels become the target's pool label (same
 * pool name or nodePoolMap), spot/on-demand labels become the target's, zone and instance-type
 * values survive only if some target node has them; the rest is dropped with a warning, so pods are
 * never left waiting for nodes that cannot exist. Tolerations of the source cloud's taints follow.
 */
import { asArray, asObject, asString, type ClusterCloud, isObject, type JsonObject } from '../types.ts';
import {
  CAPACITY_LABELS,
  cloudOfPoolLabel,
  isCloudKey,
  PLACEMENT_LABELS,
  POOL_LABELS,
  SPOT_TAINT,
} from './cloud.ts';
import { Edit, type PathSegment, podSpecPaths, type TransformContext, type TransformRule } from './rule.ts';

/** A node label requirement rewritten for the target, or a reason to drop it. */
export type LabelMapping = { key: string; values: string[] } | { drop: string };

function capacityOf(cloud: ClusterCloud, key: string, value: string): 'spot' | 'regular' | undefined {
  const l = CAPACITY_LABELS[cloud].find((x) => x.key === key);
  if (!l) return undefined;
  if (value === l.spot) return 'spot';
  if (l.regular !== undefined && value === l.regular) return 'regular';
  return undefined;
}

function targetPool(pool: string, ctx: TransformContext): string | undefined {
  const mapped = ctx.request.nodePoolMap?.[pool];
  if (mapped) return mapped;
  const pools = ctx.targetFacts?.pools;
  if (!pools) return ctx.source.cloud === ctx.target.cloud ? pool : undefined;
  return pools.some((p) => p.name === pool) ? pool : undefined;
}

/**
 * Maps one label requirement (key with the values it accepts; no values = Exists) to the target.
 * Pure: the same requirement always maps the same way for a given target.
 */
export function mapNodeLabel(key: string, values: string[], ctx: TransformContext): LabelMapping {
  const src = ctx.source.cloud;
  const dst = ctx.target.cloud;
  const poolCloud = cloudOfPoolLabel(key);
  if (poolCloud) {
    const outKey = POOL_LABELS[dst][0];
    // an imported target has no pool label Dolly knows: a selector on one would never match
    if (!outKey && poolCloud !== dst)
      return {
        drop: `an imported cluster has no known equivalent of ${key} (set the selector for its own nodes)`,
      };
    if (!values.length)
      return poolCloud === dst ? { key, values } : { drop: `no ${dst} equivalent of "${key} exists"` };
    const mapped = values.map((v) => targetPool(v, ctx));
    const missing = values.filter((_, i) => !mapped[i]);
    if (missing.length)
      return {
        drop: `the target has no node pool ${missing.join(', ')} (set nodePoolMap to choose one)`,
      };
    return { key: poolCloud === dst || !outKey ? key : outKey, values: mapped as string[] };
  }
  const capacity = CAPACITY_LABELS[src].find((x) => x.key === key);
  if (capacity && src !== dst) {
    const kinds = values.map((v) => capacityOf(src, key, v));
    if (!values.length || kinds.some((k) => k === undefined))
      return { drop: `no ${dst} equivalent of ${key}` };
    if (kinds.every((k) => k === 'spot')) {
      const l = CAPACITY_LABELS[dst][0];
      if (!l) return { drop: `no ${dst} equivalent of ${key}` };
      return { key: l.key, values: [l.spot] };
    }
    const regular = CAPACITY_LABELS[dst].find((x) => x.regular !== undefined);
    if (kinds.every((k) => k === 'regular') && regular)
      return { key: regular.key, values: [regular.regular!] };
    return { drop: `${dst} has no label for on-demand capacity` };
  }
  if (PLACEMENT_LABELS.includes(key)) {
    const nodes = ctx.targetFacts?.nodes;
    if (!nodes)
      return src === dst ? { key, values } : { drop: `${key} values of ${src} do not exist on ${dst}` };
    const present = values.filter((v) => nodes.some((n) => n.labels[key] === v));
    if (values.length && !present.length)
      return { drop: `no target node has ${key} in [${values.join(', ')}]` };
    return { key, values: values.length ? present : values };
  }
  if (src !== dst && isCloudKey(src, key)) return { drop: `${key} is a ${src} node label` };
  return { key, values };
}

function describeMapping(key: string, values: string[], m: LabelMapping): string {
  if ('drop' in m) return `dropped ${key}${values.length ? `=${values.join('|')}` : ''}: ${m.drop}`;
  return `${key}${values.length ? `=${values.join('|')}` : ''} → ${m.key}${m.values.length ? `=${m.values.join('|')}` : ''}`;
}

function rewriteSelector(
  e: Edit,
  path: PathSegment[],
  selector: JsonObject,
  ctx: TransformContext,
  what: string,
) {
  const next: Record<string, string> = {};
  let changed = false;
  for (const [key, raw] of Object.entries(selector)) {
    const value = String(raw);
    const m = mapNodeLabel(key, [value], ctx);
    if ('drop' in m) {
      changed = true;
      e.warn(`${what}: ${describeMapping(key, [value], m)}`, 'pods may now run on any node that fits');
      continue;
    }
    if (m.key !== key || m.values[0] !== value) changed = true;
    next[m.key] = m.values[0] ?? value;
  }
  if (!changed) return;
  if (Object.keys(next).length) e.set(path, next, 'node selector for the target');
  else e.remove(path, 'every requirement named the source cloud');
}

/** One matchExpressions list; undefined when the term lost every requirement. */
function rewriteExpressions(
  e: Edit,
  exprs: JsonObject[],
  ctx: TransformContext,
  what: string,
): { exprs: JsonObject[]; changed: boolean } {
  const out: JsonObject[] = [];
  let changed = false;
  for (const x of exprs) {
    const key = asString(x.key) ?? '';
    const op = asString(x.operator) ?? 'In';
    const values = asArray(x.values).map(String);
    // NotIn/DoesNotExist keep pods away from nodes; on another cloud there are none such: drop quietly
    if (
      (op === 'NotIn' || op === 'DoesNotExist') &&
      ctx.source.cloud !== ctx.target.cloud &&
      isCloudKey(ctx.source.cloud, key)
    ) {
      changed = true;
      continue;
    }
    if (op === 'Gt' || op === 'Lt') {
      out.push(x);
      continue;
    }
    const m = mapNodeLabel(key, op === 'Exists' ? [] : values, ctx);
    if ('drop' in m) {
      changed = true;
      e.warn(`${what}: ${describeMapping(key, values, m)}`);
      continue;
    }
    if (m.key !== key || JSON.stringify(m.values) !== JSON.stringify(op === 'Exists' ? [] : values))
      changed = true;
    out.push(
      op === 'Exists' || op === 'DoesNotExist'
        ? { key: m.key, operator: op }
        : { key: m.key, operator: op, values: m.values },
    );
  }
  return { exprs: out, changed };
}

function rewriteAffinity(
  e: Edit,
  specPath: PathSegment[],
  spec: JsonObject,
  ctx: TransformContext,
  what: string,
) {
  const na = asObject(asObject(spec.affinity).nodeAffinity);
  const reqPath: PathSegment[] = [
    ...specPath,
    'affinity',
    'nodeAffinity',
    'requiredDuringSchedulingIgnoredDuringExecution',
  ];
  const terms = asArray(asObject(na.requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms).map(
    asObject,
  );
  if (terms.length) {
    let changed = false;
    const kept: JsonObject[] = [];
    for (const t of terms) {
      const r = rewriteExpressions(
        e,
        asArray(t.matchExpressions).map(asObject),
        ctx,
        `${what} required node affinity`,
      );
      changed ||= r.changed;
      const fields = asArray(t.matchFields);
      // an empty term matches no node at all, so a term that lost everything is removed, not kept empty
      if (r.exprs.length || fields.length)
        kept.push({
          ...(r.exprs.length ? { matchExpressions: r.exprs } : {}),
          ...(fields.length ? { matchFields: fields } : {}),
        });
    }
    if (changed) {
      if (kept.length) e.set([...reqPath, 'nodeSelectorTerms'], kept, 'node affinity for the target');
      else e.remove(reqPath, 'every term named the source cloud');
    }
  }
  const prefPath: PathSegment[] = [
    ...specPath,
    'affinity',
    'nodeAffinity',
    'preferredDuringSchedulingIgnoredDuringExecution',
  ];
  const prefs = asArray(na.preferredDuringSchedulingIgnoredDuringExecution).map(asObject);
  if (prefs.length) {
    let changed = false;
    const kept: JsonObject[] = [];
    for (const p of prefs) {
      const pref = asObject(p.preference);
      const r = rewriteExpressions(
        e,
        asArray(pref.matchExpressions).map(asObject),
        ctx,
        `${what} preferred node affinity`,
      );
      changed ||= r.changed;
      if (r.exprs.length || asArray(pref.matchFields).length)
        kept.push({ ...p, preference: { ...pref, matchExpressions: r.exprs } });
    }
    if (changed) {
      if (kept.length) e.set(prefPath, kept, 'node affinity for the target');
      else e.remove(prefPath, 'every preference named the source cloud');
    }
  }
  // leave no empty nodeAffinity/affinity maps behind
  const after = asObject(e.get([...specPath, 'affinity', 'nodeAffinity']));
  if (isObject(e.get([...specPath, 'affinity', 'nodeAffinity'])) && Object.keys(after).length === 0) {
    e.remove([...specPath, 'affinity', 'nodeAffinity']);
    if (Object.keys(asObject(e.get([...specPath, 'affinity']))).length === 0)
      e.remove([...specPath, 'affinity']);
  }
}

function isSpotToleration(cloud: ClusterCloud, key: string): boolean {
  return SPOT_TAINT[cloud]?.key === key || CAPACITY_LABELS[cloud].some((l) => l.key === key);
}

function rewriteTolerations(
  e: Edit,
  specPath: PathSegment[],
  spec: JsonObject,
  ctx: TransformContext,
  what: string,
) {
  const src = ctx.source.cloud;
  const dst = ctx.target.cloud;
  if (src === dst) return;
  const tolerations = asArray(spec.tolerations).map(asObject);
  if (!tolerations.length) return;
  const out: JsonObject[] = [];
  let changed = false;
  for (const t of tolerations) {
    const key = asString(t.key);
    if (!key || !isCloudKey(src, key)) {
      out.push(t);
      continue;
    }
    changed = true;
    const spot = SPOT_TAINT[dst];
    if (isSpotToleration(src, key) && spot) {
      const mapped = {
        key: spot.key,
        operator: 'Equal',
        value: spot.value,
        effect: asString(t.effect) ?? 'NoSchedule',
      };
      if (!out.some((x) => x.key === mapped.key)) out.push(mapped);
    } else if (!isSpotToleration(src, key))
      e.warn(
        `${what}: dropped toleration of ${key}, a ${src} taint`,
        'add a toleration for the matching target taint if there is one',
      );
  }
  if (!changed) return;
  const path = [...specPath, 'tolerations'];
  if (out.length) e.set(path, out, 'tolerations for the target cloud');
  else e.remove(path, 'every toleration named a source cloud taint');
}

export const rewriteNodeSelection: TransformRule = (obj, ctx) => {
  const e = new Edit('rewriteNodeSelection', obj);
  for (const specPath of podSpecPaths(obj)) {
    const spec = asObject(e.get(specPath));
    const what = `${obj.kind} ${obj.metadata.name}`;
    const selector = asObject(spec.nodeSelector);
    if (Object.keys(selector).length)
      rewriteSelector(e, [...specPath, 'nodeSelector'], selector, ctx, `${what} nodeSelector`);
    rewriteAffinity(e, specPath, spec, ctx, what);
    rewriteTolerations(e, specPath, spec, ctx, what);
  }
  return e.result();
};
