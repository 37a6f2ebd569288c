/** One emulated cluster: object store, resource registry, watch fan-out and volume contents. */
import type { KubeClusterInfo } from '../context.ts';
import { apiVersionOf, BUILTIN_RESOURCES, type ResourceDef, resourceFromCrd } from './resources.ts';
import { asObject, clone, errors, isObject, type KubeObject, KubeError } from './types.ts';
import { isoTime, randomSuffix, stableJson, uuid } from './util.ts';

export interface VolumeFile {
  /** relative path without leading ./ ; directories have no trailing slash */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  data: Buffer;
  linkname?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  rv: number;
  rkey: string;
  type: WatchEventType;
  object: KubeObject;
  old?: KubeObject;
}

export interface Watcher {
  rkey: string;
  namespace?: string;
  send(ev: StoredEvent): void;
  close?(): void;
}

export function rkeyOf(def: Pick<ResourceDef, 'group' | 'plural'>): string {
  return `${def.group}/${def.plural}`;
}

/** Finalizers the emulated controllers clear at once (so they never block a delete). */
const SYSTEM_FINALIZERS = new Set([
  'kubernetes.io/pvc-protection',
  'kubernetes.io/pv-protection',
  'external-provisioner.volume.kubernetes.io/finalizer',
  'foregroundDeletion',
  'orphan',
  'batch.kubernetes.io/job-tracking',
  'customresourcecleanup.apiextensions.k8s.io',
]);

export function pendingFinalizers(o: KubeObject): string[] {
  return (o.metadata.finalizers ?? []).filter((f) => !SYSTEM_FINALIZERS.has(f));
}

export function okey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

const EVENT_BUFFER = 5000;

export interface WriteOptions {
  manager?: string;
  operation?: 'Update' | 'Apply';
  subresource?: string;
  dryRun?: boolean;
}

export class Cluster {
  rv = 0;
  readonly objects = new Map<string, Map<string, KubeObject>>();
  readonly crdDefs = new Map<string, ResourceDef>();
  /** PV name (or `pod:<uid>/<volume>` for emptyDir) -> files */
  readonly volumes = new Map<string, Map<string, VolumeFile>>();
  readonly events: StoredEvent[] = [];
  readonly watchers = new Set<Watcher>();
  /** counters for address allocation */
  counters: Record<string, number> = {};
  /** called after every stored change (persistence hook) */
  onWrite: (() => void) | undefined;
  /** c.now() of the last full reconcile */
  lastReconcile = Number.NEGATIVE_INFINITY;

  closeWatchers(): void {
    for (const w of [...this.watchers]) w.close?.();
    this.watchers.clear();
  }

  constructor(
    readonly id: string,
    public info: KubeClusterInfo,
    readonly now: () => number,
  ) {}

  next(counter: string): number {
    const n = (this.counters[counter] ?? 0) + 1;
    this.counters[counter] = n;
    return n;
  }

  // ---- resource registry ----
  allDefs(): ResourceDef[] {
    return [...BUILTIN_RESOURCES, ...this.crdDefs.values()];
  }

  findDef(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.allDefs().find(
      (d) => d.group === group && d.plural === plural && d.versions.includes(version),
    );
  }

  defForKind(apiVersion: string, kind: string): ResourceDef | undefined {
    return this.allDefs().find(
      (d) => d.kind === kind && d.versions.some((v) => apiVersionOf(d.group, v) === apiVersion),
    );
  }

  defByPlural(group: string, plural: string): ResourceDef {
    const d = this.allDefs().find((x) => x.group === group && x.plural === plural);
    if (!d) throw new Error(`unknown resource ${group}/${plural}`);
    return d;
  }

  refreshCrds(): void {
    this.crdDefs.clear();
    for (const crd of this.table('apiextensions.k8s.io/customresourcedefinitions').values()) {
      const d = resourceFromCrd(crd);
      if (d) this.crdDefs.set(rkeyOf(d), d);
    }
  }

  table(rkey: string): Map<string, KubeObject> {
    let t = this.objects.get(rkey);
    if (!t) {
      t = new Map();
      this.objects.set(rkey, t);
    }
    return t;
  }

  // ---- reads ----
  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.table(rkeyOf(def)).get(okey(def.namespaced ? namespace : undefined, name));
  }

  getByKey(rkey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(rkey)?.get(okey(namespace, name));
  }

  list(def: ResourceDef | string, namespace?: string): KubeObject[] {
    const rkey = typeof def === 'string' ? def : rkeyOf(def);
    const out: KubeObject[] = [];
    for (const o of this.table(rkey).values())
      if (!namespace || o.metadata.namespace === namespace) out.push(o);
    return out.sort((a, b) =>
      okey(a.metadata.namespace, a.metadata.name ?? '').localeCompare(
        okey(b.metadata.namespace, b.metadata.name ?? ''),
      ),
    );
  }

  findByUid(uid: string): KubeObject | undefined {
    for (const t of this.objects.values()) for (const o of t.values()) if (o.metadata.uid === uid) return o;
    return undefined;
  }

  // ---- writes ----
  private emit(ev: StoredEvent): void {
    this.events.push(ev);
    if (this.events.length > EVENT_BUFFER) this.events.splice(0, this.events.length - EVENT_BUFFER);
    for (const w of this.watchers) {
      if (w.rkey !== ev.rkey) continue;
      if (w.namespace && ev.object.metadata.namespace !== w.namespace) continue;
      w.send(ev);
    }
  }

  private stampManaged(obj: KubeObject, def: ResourceDef, opts: WriteOptions): void {
    const manager = opts.manager ?? 'unknown';
    const operation = opts.operation ?? 'Update';
    const entry: Record<string, unknown> = {
      manager,
      operation,
      apiVersion: obj.apiVersion,
      time: isoTime(this.now()),
      fieldsType: 'FieldsV1',
      fieldsV1: fieldSet(
        opts.subresource === 'status'
          ? { status: obj.status }
          : { ...obj, status: undefined, apiVersion: undefined, kind: undefined },
      ),
    };
    if (opts.subresource) entry.subresource = opts.subresource;
    const existing = (obj.metadata.managedFields ?? []).filter(
      (m) =>
        !(
          isObject(m) &&
          m.manager === manager &&
          m.operation === operation &&
          m.subresource === opts.subresource
        ),
    );
    obj.metadata.managedFields = [...existing, entry];
    void def;
  }

  /** Validate + store a new object. Returns the stored copy. */
  create(def: ResourceDef, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const obj = clone(input);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix(5)}`;
    const name = meta.name ?? '';
    if (def.namespaced) {
      const ns = meta.namespace ?? 'default';
      meta.namespace = ns;
      const nsObj = this.getByKey('/namespaces', undefined, ns);
      if (!nsObj) throw errors.notFound('', 'namespaces', ns);
      if (nsObj.metadata.deletionTimestamp)
        throw new KubeError(
          403,
          'Forbidden',
          `${def.plural} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        );
    } else delete meta.namespace;
    if (this.get(def, meta.namespace, name)) throw errors.alreadyExists(def.group, def.plural, name);
    this.rv++;
    meta.uid = uuid();
    meta.resourceVersion = String(this.rv);
    meta.creationTimestamp = isoTime(this.now());
    delete meta.deletionTimestamp;
    if ('spec' in obj || def.crd) meta.generation = 1;
    else delete meta.generation;
    this.stampManaged(obj, def, opts);
    if (opts.dryRun) {
      this.rv--;
      return obj;
    }
    this.table(rkeyOf(def)).set(okey(meta.namespace, name), obj);
    if (def.plural === 'customresourcedefinitions') this.refreshCrds();
    this.emit({ rv: this.rv, rkey: rkeyOf(def), type: 'ADDED', object: clone(obj) });
    this.onWrite?.();
    return clone(obj);
  }

  /**
   * Replace an existing object. `input.metadata.resourceVersion` (when set) must match.
   * Status is kept from the live object unless writing the status subresource (and vice versa).
   */
  update(def: ResourceDef, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const name = input.metadata.name ?? '';
    const ns = def.namespaced ? input.metadata.namespace : undefined;
    const live = this.get(def, ns, name);
    if (!live) throw errors.notFound(def.group, def.plural, name);
    const rv = input.metadata.resourceVersion;
    if (rv && rv !== live.metadata.resourceVersion)
      throw errors.conflict(
        def.group,
        def.plural,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    let obj = clone(input);
    const statusSub = def.subresources.includes('status');
    if (opts.subresource === 'status') {
      obj = { ...clone(live), status: obj.status };
    } else if (statusSub) {
      if (live.status === undefined) delete obj.status;
      else obj.status = clone(live.status);
    }
    // immutable / server-owned metadata
    const meta = obj.metadata;
    meta.uid = live.metadata.uid;
    meta.creationTimestamp = live.metadata.creationTimestamp;
    meta.namespace = live.metadata.namespace;
    if (!def.namespaced) delete meta.namespace;
    meta.name = name;
    if (live.metadata.deletionTimestamp) meta.deletionTimestamp = live.metadata.deletionTimestamp;
    if (meta.managedFields === undefined) meta.managedFields = live.metadata.managedFields;
    const specOf = (o: KubeObject) => stableJson({ ...o, metadata: undefined, status: undefined });
    const gen = live.metadata.generation;
    if (gen !== undefined)
      meta.generation = specOf(obj) !== specOf(live) && opts.subresource !== 'status' ? gen + 1 : gen;
    else delete meta.generation;
    // no-op writes keep the resourceVersion
    meta.resourceVersion = live.metadata.resourceVersion;
    const same =
      stableJson({ ...obj, metadata: { ...meta, managedFields: undefined } }) ===
      stableJson({ ...live, metadata: { ...live.metadata, managedFields: undefined } });
    if (same) return clone(live);
    this.stampManaged(obj, def, opts);
    if (opts.dryRun) {
      meta.resourceVersion = String(this.rv + 1);
      return obj;
    }
    this.rv++;
    meta.resourceVersion = String(this.rv);
    this.table(rkeyOf(def)).set(okey(meta.namespace, name), obj);
    if (def.plural === 'customresourcedefinitions') this.refreshCrds();
    this.emit({ rv: this.rv, rkey: rkeyOf(def), type: 'MODIFIED', object: clone(obj), old: clone(live) });
    this.onWrite?.();
    if (meta.deletionTimestamp && pendingFinalizers(obj).length === 0)
      return this.remove(def, meta.namespace, name);
    return clone(obj);
  }

  /** Controller-side full write keeping everything given (status included). */
  putInternal(def: ResourceDef, obj: KubeObject): KubeObject {
    const live = this.get(def, obj.metadata.namespace, obj.metadata.name ?? '');
    if (!live) return this.create(def, obj, { manager: 'kube-controller-manager' });
    const withStatus = {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: live.metadata.resourceVersion },
    };
    // write spec/metadata first then status so both land
    let out = this.update(def, withStatus, { manager: 'kube-controller-manager' });
    if (def.subresources.includes('status') && stableJson(out.status) !== stableJson(obj.status)) {
      out = this.update(
        def,
        { ...out, status: obj.status },
        { manager: 'kube-controller-manager', subresource: 'status' },
      );
    }
    return out;
  }

  /** Remove an object now (no finalizer handling) and emit DELETED. */
  remove(def: ResourceDef, namespace: string | undefined, name: string, dryRun = false): KubeObject {
    const key = okey(def.namespaced ? namespace : undefined, name);
    const t = this.table(rkeyOf(def));
    const live = t.get(key);
    if (!live) throw errors.notFound(def.group, def.plural, name);
    if (dryRun) return clone(live);
    t.delete(key);
    this.rv++;
    const gone = clone(live);
    gone.metadata.resourceVersion = String(this.rv);
    gone.metadata.deletionTimestamp ??= isoTime(this.now());
    if (def.plural === 'customresourcedefinitions') {
      const d = resourceFromCrd(live);
      if (d)
        for (const o of this.list(rkeyOf(d))) this.remove(d, o.metadata.namespace, o.metadata.name ?? '');
      this.refreshCrds();
    }
    if (def.plural === 'persistentvolumes') this.volumes.delete(name);
    this.emit({ rv: this.rv, rkey: rkeyOf(def), type: 'DELETED', object: gone });
    this.onWrite?.();
    return gone;
  }

  // ---- persistence ----
  toJSON(): unknown {
    const objects: KubeObject[] = [];
    for (const [rkey, t] of this.objects)
      for (const o of t.values()) objects.push({ ...o, _rkey: rkey } as KubeObject);
    const volumes: Record<string, unknown[]> = {};
    for (const [k, files] of this.volumes)
      volumes[k] = [...files.values()].map((f) => ({ ...f, data: f.data.toString('base64') }));
    return { id: this.id, info: this.info, rv: this.rv, counters: this.counters, objects, volumes };
  }

  static fromJSON(raw: unknown, now: () => number): Cluster {
    const r = asObject(raw);
    const c = new Cluster(String(r.id), r.info as KubeClusterInfo, now);
    c.rv = Number(r.rv ?? 0);
    c.counters = asObject(r.counters) as Record<string, number>;
    for (const o of Array.isArray(r.objects) ? r.objects : []) {
      if (!isObject(o)) continue;
      const { _rkey, ...obj } = o;
      const ko = obj as KubeObject;
      c.table(String(_rkey)).set(okey(ko.metadata.namespace, ko.metadata.name ?? ''), ko);
    }
    for (const [k, files] of Object.entries(asObject(r.volumes))) {
      const m = new Map<string, VolumeFile>();
      for (const f of Array.isArray(files) ? files : []) {
        const x = asObject(f);
        m.set(String(x.path), {
          path: String(x.path),
          type: x.type === 'dir' ? 'dir' : x.type === 'symlink' ? 'symlink' : 'file',
          mode: Number(x.mode ?? 0o644),
          uid: Number(x.uid ?? 0),
          gid: Number(x.gid ?? 0),
          mtime: Number(x.mtime ?? 0),
          data: Buffer.from(String(x.data ?? ''), 'base64'),
          ...(typeof x.linkname === 'string' ? { linkname: x.linkname } : {}),
        });
      }
      c.volumes.set(k, m);
    }
    c.refreshCrds();
    return c;
  }
}

/** A simplified FieldsV1 set of an object's fields (maps recursed, lists as leaves). */
function fieldSet(v: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObject(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    if (
      [
        'uid',
        'resourceVersion',
        'generation',
        'creationTimestamp',
        'managedFields',
        'name',
        'namespace',
      ].includes(k)
    )
      continue;
    out[`f:${k}`] = isObject(x) ? fieldSet(x) : {};
  }
  return out;
}
