/**
 * Per-object diff of what the target holds against what the migration would write. The live object
 * is projected onto the fields the migration sets, so server defaults and status are not noise;
 * Secret values are compared but never shown.
 */
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { withoutServerFields } from './transform/strip.ts';
import { asObject, isObject, type KubeObject } from './types.ts';

/** The parts of `live` at the paths `desired` has (objects by key, arrays by index). */
export function projectOnto(live: unknown, desired: unknown): unknown {
  if (isObject(desired) && isObject(live)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(desired)) if (k in live) out[k] = projectOnto(live[k], desired[k]);
    return out;
  }
  if (Array.isArray(desired) && Array.isArray(live))
    return live.map((item, i) => (i < desired.length ? projectOnto(item, desired[i]) : item));
  return live;
}

export const REDACTED = '<redacted>';
const REDACTED_CHANGED = '<redacted: differs>';

/** A Secret with its values replaced, for plans, logs and anything a person may see. */
export function redactSecret(obj: KubeObject): KubeObject {
  if (obj.kind !== 'Secret') return obj;
  const out: KubeObject = { ...obj };
  for (const field of ['data', 'stringData'] as const)
    if (isObject(obj[field]))
      out[field] = Object.fromEntries(Object.keys(asObject(obj[field])).map((k) => [k, REDACTED]));
  return out;
}

/** Both sides redacted, keeping whether each value differs. */
function redactPair(live: KubeObject, desired: KubeObject): [KubeObject, KubeObject] {
  const l: KubeObject = { ...live };
  const d: KubeObject = { ...desired };
  for (const field of ['data', 'stringData'] as const) {
    const lv = asObject(live[field]);
    const dv = asObject(desired[field]);
    if (isObject(live[field])) l[field] = Object.fromEntries(Object.keys(lv).map((k) => [k, REDACTED]));
    if (isObject(desired[field]))
      d[field] = Object.fromEntries(
        Object.keys(dv).map((k) => [k, k in lv && lv[k] !== dv[k] ? REDACTED_CHANGED : REDACTED]),
      );
  }
  return [l, d];
}

function toYaml(v: unknown): string {
  return stringify(v, { sortMapEntries: true, lineWidth: 0 });
}

export interface ObjectDiff {
  /** unified diff; empty when the target already matches */
  diff: string;
  equal: boolean;
}

export function diffAgainstLive(name: string, live: KubeObject | undefined, desired: KubeObject): ObjectDiff {
  const shownDesired = desired.kind === 'Secret' ? redactSecret(desired) : desired;
  if (!live) {
    return {
      diff: createTwoFilesPatch(`${name} (absent)`, `${name} (migrated)`, '', toYaml(shownDesired)),
      equal: false,
    };
  }
  const cleanLive = withoutServerFields(live).object;
  const projected = projectOnto(cleanLive, desired) as KubeObject;
  const [l, d] = desired.kind === 'Secret' ? redactPair(projected, desired) : [projected, desired];
  const a = toYaml(l);
  const b = toYaml(d);
  if (a === b && (desired.kind !== 'Secret' || JSON.stringify(projected) === JSON.stringify(desired)))
    return { diff: '', equal: true };
  return { diff: createTwoFilesPatch(`${name} (target)`, `${name} (migrated)`, a, b), equal: false };
}
