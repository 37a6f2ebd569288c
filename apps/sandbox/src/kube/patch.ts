/** JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes strategic merge patch. */
import { clone, isObject, type JsonObject, KubeError } from './types.ts';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Merge keys of lists merged by key, by field name (and for `ports`, by the items' shape). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  readinessGates: 'conditionType',
  resourceClaims: 'name',
  schedulingGates: 'name',
};
/** Lists of primitives merged as sets. */
const SET_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') {
    const first = items.find(isObject);
    if (first && 'containerPort' in first) return 'containerPort';
    return 'port';
  }
  return MERGE_KEYS[field];
}

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const directive = patch.$patch;
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (directive === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? patch.$retainKeys.map(String) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      out[k] = mergeList(k, out[k], v, patch[`$setElementOrder/${k}`]);
      continue;
    }
    if (isObject(v)) {
      const merged = strategicMergePatch(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    out[k] = v;
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

function mergeList(field: string, current: unknown, patch: unknown[], order: unknown): unknown[] {
  const cur = Array.isArray(current) ? current : [];
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace')).map(stripDirectives);
  }
  if (SET_LISTS.has(field)) {
    const out = [...cur];
    for (const p of patch) if (!out.includes(p)) out.push(p);
    return out;
  }
  const key = mergeKeyFor(field, [...patch, ...cur]);
  if (!key) return patch.map(stripDirectives);
  const out = cur.map((x) => (isObject(x) ? { ...x } : x));
  for (const p of patch) {
    if (!isObject(p)) continue;
    const kv = p[key];
    const idx = out.findIndex(
      (x) =>
        isObject(x) &&
        x[key] === kv &&
        (key !== 'port' || x.protocol === p.protocol || !p.protocol || !x.protocol),
    );
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], p);
    else out.push(stripDirectives(p));
  }
  if (Array.isArray(order)) {
    const rank = (x: unknown) => {
      const i = order.findIndex((o) => isObject(o) && isObject(x) && o[key] === x[key]);
      return i < 0 ? order.length : i;
    };
    out.sort((a, b) => rank(a) - rank(b));
  }
  return out;
}

function decodePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new KubeError(400, 'BadRequest', `invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: unknown, parts: string[]): unknown {
  let cur = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw new KubeError(400, 'BadRequest', 'json patch must be an array of operations');
  let out = clone(doc);
  const fail = (msg: string) => new KubeError(422, 'Invalid', msg);
  const setAt = (parts: string[], value: unknown, insert: boolean) => {
    if (parts.length === 0) {
      out = value;
      return;
    }
    const parent = getAt(out, parts.slice(0, -1));
    const last = parts[parts.length - 1]!;
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw fail(`array index out of range: ${last}`);
      if (insert) parent.splice(i, 0, value);
      else parent[i] = value;
    } else if (isObject(parent)) {
      if (!insert && !(last in parent))
        throw fail(`replace operation does not apply: doc is missing key: ${last}`);
      parent[last] = value;
    } else throw fail(`doc is missing path: /${parts.join('/')}`);
  };
  const removeAt = (parts: string[]) => {
    const parent = getAt(out, parts.slice(0, -1));
    const last = parts[parts.length - 1]!;
    if (Array.isArray(parent)) {
      const i = Number(last);
      if (!(i >= 0 && i < parent.length)) throw fail(`array index out of range: ${last}`);
      return parent.splice(i, 1)[0];
    }
    if (isObject(parent) && last in parent) {
      const v = parent[last];
      delete parent[last];
      return v;
    }
    throw fail(`remove operation does not apply: doc is missing path: /${parts.join('/')}`);
  };
  for (const raw of ops) {
    if (!isObject(raw)) throw fail('invalid operation');
    const path = decodePointer(String(raw.path ?? ''));
    switch (raw.op) {
      case 'add':
        setAt(path, clone(raw.value), true);
        break;
      case 'replace':
        setAt(path, clone(raw.value), false);
        break;
      case 'remove':
        removeAt(path);
        break;
      case 'move': {
        const v = removeAt(decodePointer(String(raw.from ?? '')));
        setAt(path, v, true);
        break;
      }
      case 'copy':
        setAt(path, clone(getAt(out, decodePointer(String(raw.from ?? '')))), true);
        break;
      case 'test':
        if (JSON.stringify(getAt(out, path)) !== JSON.stringify(raw.value))
          throw fail(`testing value /${path.join('/')} failed`);
        break;
      default:
        throw fail(`unexpected kind: ${String(raw.op)}`);
    }
  }
  return out;
}

/** Server-side apply, simplified: the applied configuration is strategically merged over the live object. */
export function applyPatch(target: unknown, applied: unknown): unknown {
  return strategicMergePatch(target, applied);
}
