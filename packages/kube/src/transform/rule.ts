/**
 * What a transform rule is: a named pure function from an object (and the migration's context) to
 * the object it becomes, plus one change record per edit and the warnings a person must read.
 * Rules never mutate their input; `edit` clones lazily, on the first write.
 */
import type { MigrationRequest } from '@dolly/contracts';
import {
  asObject,
  type ChangeRecord,
  type ClusterInfo,
  clone,
  isObject,
  type JsonObject,
  type KubeObject,
  type MigrationWarning,
  type ObjectRef,
  toRef,
} from '../types.ts';

/** What discovery found in the target (target-discovery.ts), as far as rules need it. */
export interface TargetFacts {
  storageClasses: { name: string; provisioner: string; isDefault: boolean }[];
  ingressClasses: { name: string; controller: string; isDefault: boolean }[];
  nodes: {
    name: string;
    labels: Record<string, string>;
    taints: { key: string; value?: string; effect: string }[];
  }[];
  /** node pools with the label that names them */
  pools: {
    name: string;
    labelKey: string;
    spot: boolean;
    taints: { key: string; value?: string; effect: string }[];
  }[];
  namespaces: string[];
}

export type RuleRequest = Pick<
  MigrationRequest,
  | 'storageClassMap'
  | 'registryMap'
  | 'identityMap'
  | 'nodePoolMap'
  | 'ingressClassMap'
  | 'pullSecretMap'
  | 'copyVolumes'
>;

export interface TransformContext {
  migrationId: string;
  source: ClusterInfo;
  target: ClusterInfo;
  /** every selected source namespace → its target name */
  namespaceMap: Record<string, string>;
  request: RuleRequest;
  targetFacts?: TargetFacts;
  /** every exported object, for rules that look at neighbours (owners, services, pull secrets) */
  index: ObjectIndex;
}

export interface ObjectIndex {
  byKey: Map<string, KubeObject>;
  uids: Set<string>;
  get(
    apiVersionOrGroup: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
}

export function buildIndex(objects: KubeObject[]): ObjectIndex {
  const byKey = new Map<string, KubeObject>();
  const uids = new Set<string>();
  const key = (group: string, kind: string, ns: string | undefined, name: string) =>
    `${group}/${kind}/${ns ?? ''}/${name}`;
  for (const o of objects) {
    const g = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.lastIndexOf('/')) : '';
    byKey.set(key(g, o.kind, o.metadata.namespace, o.metadata.name ?? ''), o);
    if (o.metadata.uid) uids.add(o.metadata.uid);
  }
  return {
    byKey,
    uids,
    get(apiVersionOrGroup, kind, ns, name) {
      const g = apiVersionOrGroup.includes('/')
        ? apiVersionOrGroup.slice(0, apiVersionOrGroup.lastIndexOf('/'))
        : apiVersionOrGroup === 'v1'
          ? ''
          : apiVersionOrGroup;
      return byKey.get(key(g, kind, ns, name));
    },
  };
}

export interface RuleResult {
  object: KubeObject;
  changes: ChangeRecord[];
  warnings: MigrationWarning[];
}

export type TransformRule = (obj: KubeObject, ctx: TransformContext) => RuleResult;

/** A skip rule answers why an object is not migrated, or undefined to keep it. */
export type SkipRule = (obj: KubeObject, ctx: TransformContext) => string | undefined;

export type PathSegment = string | number;

export function formatPath(path: PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function getAt(obj: unknown, path: PathSegment[]): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (!isObject(cur)) return undefined;
      cur = cur[seg];
    }
  }
  return cur;
}

/** Lazily cloning editor: reads come from the original until the first write. */
export class Edit {
  private copy: KubeObject | undefined;
  readonly changes: ChangeRecord[] = [];
  readonly warnings: MigrationWarning[] = [];
  readonly ref: ObjectRef;

  constructor(
    readonly rule: string,
    private readonly original: KubeObject,
  ) {
    this.ref = toRef(original);
  }

  /** the object as edited so far (the original when nothing changed) */
  get current(): KubeObject {
    return this.copy ?? this.original;
  }

  get draft(): KubeObject {
    this.copy ??= clone(this.original);
    return this.copy;
  }

  get(path: PathSegment[]): unknown {
    return getAt(this.current, path);
  }

  /** Remove what is at path (no-op when absent); drops emptied maps of metadata. */
  remove(path: PathSegment[], note?: string): boolean {
    const from = this.get(path);
    if (from === undefined) return false;
    const parent = getAt(this.draft, path.slice(0, -1));
    const last = path[path.length - 1]!;
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else if (isObject(parent)) delete parent[last as string];
    this.changes.push({
      rule: this.rule,
      path: formatPath(path),
      op: 'remove',
      from,
      ...(note ? { note } : {}),
    });
    this.pruneEmpty(path.slice(0, -1));
    return true;
  }

  /** Set a value (creating maps on the way); recorded as `add` when there was nothing. */
  set(path: PathSegment[], value: unknown, note?: string): boolean {
    const from = this.get(path);
    if (from !== undefined && JSON.stringify(from) === JSON.stringify(value)) return false;
    let cur: unknown = this.draft;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      const next = (cur as JsonObject)[seg as string];
      if (next === undefined || next === null) {
        const created: JsonObject | unknown[] = typeof path[i + 1] === 'number' ? [] : {};
        (cur as Record<string | number, unknown>)[seg] = created;
        cur = created;
      } else cur = next;
    }
    (cur as Record<string | number, unknown>)[path[path.length - 1]!] = clone(value);
    this.changes.push({
      rule: this.rule,
      path: formatPath(path),
      op: from === undefined ? 'add' : 'set',
      ...(from === undefined ? {} : { from }),
      to: value,
      ...(note ? { note } : {}),
    });
    return true;
  }

  warn(message: string, action?: string): void {
    this.warnings.push({ rule: this.rule, message, ref: this.ref, ...(action ? { action } : {}) });
  }

  result(): RuleResult {
    return { object: this.current, changes: this.changes, warnings: this.warnings };
  }

  private pruneEmpty(path: PathSegment[]): void {
    // empty annotations/labels maps are noise in diffs; only metadata maps are pruned
    if (path.length === 2 && path[0] === 'metadata') {
      const v = getAt(this.draft, path);
      if (isObject(v) && Object.keys(v).length === 0) delete asObject(this.draft.metadata)[path[1] as string];
    }
  }
}

export function unchanged(obj: KubeObject): RuleResult {
  return { object: obj, changes: [], warnings: [] };
}

/** Where the pod specs of a kind live. */
export function podSpecPaths(obj: { kind: string }): PathSegment[][] {
  switch (obj.kind) {
    case 'Pod':
      return [['spec']];
    case 'PodTemplate':
      return [['template', 'spec']];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return [['spec', 'template', 'spec']];
    case 'CronJob':
      return [['spec', 'jobTemplate', 'spec', 'template', 'spec']];
    default:
      return [];
  }
}

/** The pod template metadata path that goes with a pod spec path. */
export function podMetaPath(specPath: PathSegment[]): PathSegment[] {
  return [...specPath.slice(0, -1), 'metadata'];
}

export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
