/** Label and field selectors, as strings (query parameters) and as LabelSelector objects. */
import { asArray, asObject, asString, dig, KubeError, type KubeObject } from './types.ts';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; values: [string] };

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^([a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

function checkKey(key: string, all: string): string {
  if (!KEY.test(key))
    throw new KubeError(
      400,
      'BadRequest',
      `unable to parse requirement: invalid label key "${key}" in "${all}"`,
    );
  return key;
}

export function parseLabelSelector(s: string): Requirement[] {
  const reqs: Requirement[] = [];
  for (const part of splitTopLevel(s)) {
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      reqs.push({ key: checkKey(m[1]!, s), op: m[2] as 'in' | 'notin', values });
      continue;
    }
    m = /^!\s*(\S+)$/.exec(part);
    if (m) {
      reqs.push({ key: checkKey(m[1]!, s), op: '!exists' });
      continue;
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      reqs.push({ key: checkKey(m[1]!, s), op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] });
      continue;
    }
    if (/^\S+$/.test(part)) {
      reqs.push({ key: checkKey(part, s), op: 'exists' });
      continue;
    }
    throw new KubeError(400, 'BadRequest', `unable to parse requirement: "${part}"`);
  }
  return reqs;
}

export function matchRequirements(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && v === r.values[0];
      case '!=':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
    }
    return false;
  });
}

/** Requirements of a metav1.LabelSelector object (matchLabels + matchExpressions). */
export function requirementsOf(selector: unknown): Requirement[] {
  const sel = asObject(selector);
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(asObject(sel.matchLabels)))
    reqs.push({ key: k, op: '=', values: [String(v)] });
  for (const e of asArray(sel.matchExpressions).map(asObject)) {
    const key = asString(e.key) ?? '';
    const values = asArray(e.values).map(String);
    switch (e.operator) {
      case 'In':
        reqs.push({ key, op: 'in', values });
        break;
      case 'NotIn':
        reqs.push({ key, op: 'notin', values });
        break;
      case 'Exists':
        reqs.push({ key, op: 'exists' });
        break;
      case 'DoesNotExist':
        reqs.push({ key, op: '!exists' });
        break;
    }
  }
  return reqs;
}

export function matchLabelSelector(selector: unknown, labels: Record<string, string> | undefined): boolean {
  return matchRequirements(requirementsOf(selector), labels);
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export function parseFieldSelector(s: string): FieldRequirement[] {
  return splitTopLevel(s).map((part) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new KubeError(400, 'BadRequest', `invalid selector: '${s}'; can't understand '${part}'`);
    return { field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]!.trim() };
  });
}

/** Value of a selectable field (undefined: the field is not supported for selection). */
export function fieldValue(obj: KubeObject, field: string): string | undefined {
  const path = field.split('.');
  const v = dig(obj, ...path);
  if (v === undefined) {
    // known fields that may be absent compare as ''
    if (
      [
        'metadata.name',
        'metadata.namespace',
        'status.phase',
        'spec.nodeName',
        'spec.unschedulable',
        'spec.type',
        'type',
        'reason',
        'involvedObject.name',
        'involvedObject.kind',
        'involvedObject.namespace',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'status.podIP',
        'status.successful',
        'spec.storageClassName',
      ].includes(field) ||
      field.startsWith('metadata.')
    )
      return '';
    return undefined;
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function matchFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => {
    const v = fieldValue(obj, r.field) ?? '';
    return r.op === '=' ? v === r.value : v !== r.value;
  });
}
