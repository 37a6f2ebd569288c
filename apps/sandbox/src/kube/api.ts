/** HTTP handling of the Kubernetes REST API for one cluster. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Cluster,
  okey,
  pendingFinalizers,
  rkeyOf,
  type StoredEvent,
  type WriteOptions,
} from './cluster.ts';
import { admit, reconcile } from './controllers.ts';
import {
  aggregated,
  apiGroupDoc,
  apiGroupList,
  apiVersions,
  openapiV3Doc,
  openapiV3Root,
  resourceList,
  versionInfo,
} from './discovery.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import { matchFields, matchRequirements, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { toTable, wantsTable } from './table.ts';
import {
  asArray,
  asObject,
  asString,
  clone,
  dig,
  errors,
  isObject,
  type JsonObject,
  type KubeObject,
  KubeError,
  type StatusCause,
} from './types.ts';
import { validate } from './validate.ts';

export interface ApiContext {
  cluster: Cluster;
  /** path prefix of this cluster's API server, e.g. /k8s/<id> */
  prefix: string;
  serverAddress: string;
}

export interface ResourcePath {
  def: ResourceDef;
  version: string;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** Aggregated discovery (apidiscovery.k8s.io/v2) when the client asks for it. */
function wantsAggregated(accept: string | undefined): boolean {
  return (
    !!accept &&
    /as=APIGroupDiscoveryList/.test(accept) &&
    /g=apidiscovery\.k8s\.io;v=v2(?![a-z0-9])/.test(accept)
  );
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': 'no-cache, private',
  });
  res.end(data);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err =
    e instanceof KubeError
      ? e
      : new KubeError(
          500,
          'InternalError',
          `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`,
        );
  sendJson(res, err.code, err.toStatus());
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  if (req.readableEnded) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const ch of req) chunks.push(typeof ch === 'string' ? Buffer.from(ch) : (ch as Buffer));
  return Buffer.concat(chunks);
}

function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8').trim();
  if (!text) throw errors.badRequest('the request body is empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(
      `error decoding request body: ${e instanceof Error ? e.message : String(e)} (only JSON bodies are supported by the sandbox)`,
    );
  }
}

/** Resolve /api/v1/... or /apis/g/v/... into a resource path. */
export function resolvePath(c: Cluster, path: string): ResourcePath | undefined {
  const segs = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs[1]) {
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs[1] && segs[2]) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  if (!rest.length) return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const def = c.findDef(group, version, rest[2]!);
    if (def?.namespaced)
      return { def, version, namespace: rest[1]!, name: rest[3], sub: rest.slice(4).join('/') || undefined };
  }
  const def = c.findDef(group, version, rest[0]!);
  if (!def) return undefined;
  return { def, version, name: rest[1], sub: rest.slice(2).join('/') || undefined };
}

function outVersion(o: KubeObject, p: ResourcePath): KubeObject {
  const out = { ...o, apiVersion: apiVersionOf(p.def.group, p.version), kind: p.def.kind };
  return out;
}

function managerOf(req: IncomingMessage, q: URLSearchParams): string {
  return (
    q.get('fieldManager') ??
    (req.headers['user-agent'] ?? 'unknown').split('/')[0]!.split(' ')[0]! ??
    'unknown'
  );
}

const FIELD_SELECTORS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  Job: ['status.successful'],
  ReplicaSet: ['status.replicas'],
  ReplicationController: ['status.replicas'],
  PersistentVolume: ['name'],
};

interface Filter {
  labels: ReturnType<typeof parseLabelSelector>;
  fields: ReturnType<typeof parseFieldSelector>;
}

function filterOf(p: ResourcePath, q: URLSearchParams): Filter {
  const labels = parseLabelSelector(q.get('labelSelector') ?? '');
  const fields = parseFieldSelector(q.get('fieldSelector') ?? '');
  const allowed = ['metadata.name', 'metadata.namespace', ...(FIELD_SELECTORS[p.def.kind] ?? [])];
  for (const f of fields)
    if (!allowed.includes(f.field)) throw errors.badRequest(`field label not supported: ${f.field}`);
  return { labels, fields };
}

function matches(f: Filter, o: KubeObject): boolean {
  return matchRequirements(f.labels, o.metadata.labels) && matchFields(f.fields, o);
}

function encodeContinue(rv: number, key: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: key })).toString('base64url');
}

function decodeContinue(tok: string): { rv: number; start: string } {
  try {
    const x = asObject(JSON.parse(Buffer.from(tok, 'base64url').toString('utf8')));
    if (typeof x.start !== 'string') throw new Error('bad');
    return { rv: Number(x.rv), start: x.start };
  } catch {
    throw errors.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

function listObjects(
  ctx: ApiContext,
  p: ResourcePath,
  q: URLSearchParams,
): { items: KubeObject[]; meta: JsonObject } {
  const c = ctx.cluster;
  const f = filterOf(p, q);
  const all = c.list(p.def, p.namespace).filter((o) => matches(f, o));
  const limit = Number(q.get('limit') ?? 0);
  const cont = q.get('continue');
  let start = 0;
  if (cont) {
    const tok = decodeContinue(cont);
    start = all.findIndex((o) => okey(o.metadata.namespace, o.metadata.name ?? '') > tok.start);
    if (start < 0) start = all.length;
  }
  const meta: JsonObject = { resourceVersion: String(c.rv) };
  let items = all.slice(start);
  if (limit > 0 && items.length > limit) {
    const rest = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1]!;
    meta.continue = encodeContinue(c.rv, okey(last.metadata.namespace, last.metadata.name ?? ''));
    meta.remainingItemCount = rest;
  }
  return { items: items.map((o) => outVersion(o, p)), meta };
}

function respondObject(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  code: number,
  p: ResourcePath,
  o: KubeObject,
): void {
  if (wantsTable(req.headers.accept)) {
    sendJson(
      res,
      code,
      toTable(p.def.kind, [o], { resourceVersion: o.metadata.resourceVersion }, ctx.cluster.now()),
    );
    return;
  }
  sendJson(res, code, outVersion(o, p));
}

function scaleOf(o: KubeObject, _p: ResourcePath): KubeObject {
  const sel = asObject(dig(o, 'spec', 'selector'));
  const labels = Object.entries(asObject(sel.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: dig(o, 'spec', 'replicas') ?? 0 },
    status: { replicas: dig(o, 'status', 'replicas') ?? 0, selector: labels.join(',') },
  };
}

function write(ctx: ApiContext, fn: () => KubeObject, dryRun: boolean): KubeObject {
  const out = fn();
  if (!dryRun) reconcile(ctx.cluster);
  return out;
}

function checkBodyMatches(p: ResourcePath, body: KubeObject, forCreate: boolean): void {
  const want = apiVersionOf(p.def.group, p.version);
  if (body.kind && body.kind !== p.def.kind)
    throw errors.badRequest(
      `the kind in the data (${body.kind}) does not match the expected kind (${p.def.kind})`,
    );
  if (
    body.apiVersion &&
    body.apiVersion !== want &&
    !(p.def.crd && body.apiVersion.startsWith(`${p.def.group}/`))
  )
    throw errors.badRequest(
      `the API version in the data (${body.apiVersion}) does not match the expected API version (${want})`,
    );
  const ns = body.metadata.namespace;
  if (p.def.namespaced && ns && p.namespace && ns !== p.namespace)
    throw errors.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  if (!forCreate && p.name && body.metadata.name && body.metadata.name !== p.name)
    throw errors.badRequest(
      `the name of the object (${body.metadata.name}) does not match the name on the URL (${p.name})`,
    );
}

function asKubeObject(v: unknown, p: ResourcePath): KubeObject {
  if (!isObject(v)) throw errors.badRequest('the request body must be a JSON object');
  const meta = isObject(v.metadata) ? v.metadata : {};
  return {
    ...v,
    apiVersion: asString(v.apiVersion) ?? apiVersionOf(p.def.group, p.version),
    kind: asString(v.kind) ?? p.def.kind,
    metadata: { ...meta },
  };
}

function createObject(ctx: ApiContext, p: ResourcePath, body: KubeObject, opts: WriteOptions): KubeObject {
  const c = ctx.cluster;
  checkBodyMatches(p, body, true);
  const obj: KubeObject = { ...body, apiVersion: apiVersionOf(p.def.group, p.version), kind: p.def.kind };
  if (p.def.namespaced) obj.metadata.namespace = p.namespace ?? obj.metadata.namespace ?? 'default';
  validate(c, p.def, obj, undefined);
  if (p.def.namespaced && !c.getByKey('/namespaces', undefined, obj.metadata.namespace ?? ''))
    throw errors.notFound('', 'namespaces', obj.metadata.namespace ?? '');
  admit(c, p.def, obj, undefined);
  return write(ctx, () => c.create(p.def, obj, opts), !!opts.dryRun);
}

function updateObject(ctx: ApiContext, p: ResourcePath, body: KubeObject, opts: WriteOptions): KubeObject {
  const c = ctx.cluster;
  checkBodyMatches(p, body, false);
  const live = c.get(p.def, p.namespace, p.name ?? '');
  if (!live) throw errors.notFound(p.def.group, p.def.plural, p.name ?? '');
  const obj: KubeObject = { ...body, apiVersion: apiVersionOf(p.def.group, p.version), kind: p.def.kind };
  obj.metadata = { ...obj.metadata, name: p.name };
  if (p.def.namespaced) obj.metadata.namespace = p.namespace;
  if (opts.subresource !== 'status') {
    validate(c, p.def, obj, live);
    admit(c, p.def, obj, live);
  }
  return write(ctx, () => c.update(p.def, obj, opts), !!opts.dryRun);
}

function applyScale(ctx: ApiContext, p: ResourcePath, scale: KubeObject, opts: WriteOptions): KubeObject {
  const c = ctx.cluster;
  const live = c.get(p.def, p.namespace, p.name ?? '');
  if (!live) throw errors.notFound(p.def.group, p.def.plural, p.name ?? '');
  const rv = scale.metadata.resourceVersion;
  if (rv && rv !== live.metadata.resourceVersion)
    throw errors.conflict(
      p.def.group,
      p.def.plural,
      p.name ?? '',
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  const replicas = dig(scale, 'spec', 'replicas');
  if (typeof replicas !== 'number' || replicas < 0)
    throw errors.invalid('autoscaling', 'Scale', p.name ?? '', [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: `Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
      },
    ]);
  const next = clone(live);
  next.spec = { ...asObject(live.spec), replicas };
  next.metadata.resourceVersion = live.metadata.resourceVersion;
  const out = write(ctx, () => c.update(p.def, next, opts), !!opts.dryRun);
  return scaleOf(out, p);
}

function patchBody(
  ctx: ApiContext,
  p: ResourcePath,
  live: KubeObject,
  contentType: string,
  body: Buffer,
): KubeObject {
  const ct = contentType.split(';')[0]!.trim();
  const patch = parseJson(body);
  let out: unknown;
  switch (ct) {
    case 'application/json-patch+json':
      out = jsonPatch(live, patch);
      break;
    case 'application/merge-patch+json':
      out = mergePatch(live, patch);
      break;
    case 'application/strategic-merge-patch+json':
      if (p.def.crd)
        throw new KubeError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
        );
      out = strategicMergePatch(live, patch);
      break;
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      out = p.def.crd ? mergePatch(live, patch) : strategicMergePatch(live, patch);
      break;
    default:
      throw errors.unsupportedMediaType(ct);
  }
  void ctx;
  if (!isObject(out)) throw errors.badRequest('patch result is not an object');
  const result = out as KubeObject;
  if (!isObject(result.metadata)) result.metadata = {};
  return result;
}

async function handlePatch(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  p: ResourcePath,
  q: URLSearchParams,
  opts: WriteOptions,
): Promise<void> {
  const c = ctx.cluster;
  const contentType = String(req.headers['content-type'] ?? '');
  const body = await readBody(req);
  const isApply = contentType.startsWith('application/apply-patch');
  if (isApply) {
    opts.operation = 'Apply';
    if (!q.get('fieldManager'))
      throw errors.badRequest(
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
  }
  const live = c.get(p.def, p.namespace, p.name ?? '');
  if (p.sub === 'scale') {
    if (!live) throw errors.notFound(p.def.group, p.def.plural, p.name ?? '');
    const scale = patchBody(ctx, p, scaleOf(live, p), contentType, body);
    sendJson(res, 200, applyScale(ctx, p, scale, opts));
    return;
  }
  if (!live) {
    if (isApply) {
      const obj = asKubeObject(parseJson(body), p);
      obj.metadata.name ??= p.name;
      const created = createObject(ctx, p, obj, opts);
      respondObject(ctx, req, res, 201, p, created);
      return;
    }
    throw errors.notFound(p.def.group, p.def.plural, p.name ?? '');
  }
  const patched = patchBody(ctx, p, clone(live), contentType, body);
  const patchedRv = patched.metadata.resourceVersion;
  if (patchedRv && patchedRv !== live.metadata.resourceVersion)
    throw errors.conflict(
      p.def.group,
      p.def.plural,
      p.name ?? '',
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  patched.metadata.resourceVersion = live.metadata.resourceVersion;
  if (patched.metadata.name && patched.metadata.name !== p.name)
    throw errors.badRequest(
      `the name of the object (${patched.metadata.name}) does not match the name on the URL (${p.name})`,
    );
  const out = updateObject(ctx, p, patched, opts);
  respondObject(ctx, req, res, 200, p, out);
}

function deleteOne(
  ctx: ApiContext,
  p: ResourcePath,
  name: string,
  options: JsonObject,
  dryRun: boolean,
): KubeObject {
  const c = ctx.cluster;
  const live = c.get(p.def, p.namespace, name);
  if (!live) throw errors.notFound(p.def.group, p.def.plural, name);
  const pre = asObject(options.preconditions);
  if (typeof pre.uid === 'string' && pre.uid !== live.metadata.uid)
    throw errors.conflict(
      p.def.group,
      p.def.plural,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${live.metadata.uid}`,
    );
  if (typeof pre.resourceVersion === 'string' && pre.resourceVersion !== live.metadata.resourceVersion)
    throw errors.conflict(
      p.def.group,
      p.def.plural,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion}`,
    );
  if (dryRun) return clone(live);
  const policy =
    asString(options.propagationPolicy) ?? (options.orphanDependents === true ? 'Orphan' : undefined);
  const uid = live.metadata.uid;
  if (policy === 'Orphan') {
    for (const d of c.allDefs())
      for (const o of c.list(d)) {
        const refs = o.metadata.ownerReferences;
        if (!refs?.some((r) => r.uid === uid)) continue;
        const next = clone(o);
        next.metadata.ownerReferences = refs.filter((r) => r.uid !== uid);
        if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
        c.putInternal(d, next);
      }
  }
  let gone: KubeObject;
  if (rkeyOf(p.def) === '/namespaces') {
    const ns = name;
    for (const d of c.allDefs()) {
      if (!d.namespaced) continue;
      for (const o of c.list(d, ns))
        if (c.get(d, ns, o.metadata.name ?? '')) c.remove(d, ns, o.metadata.name ?? '');
    }
    gone = c.remove(p.def, undefined, ns);
    gone.status = { phase: 'Terminating' };
  } else if (pendingFinalizers(live).length) {
    // finalizers held by someone other than the emulated controllers keep the object until removed
    const marked = clone(live);
    marked.metadata.deletionTimestamp = new Date(c.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    marked.metadata.deletionGracePeriodSeconds = 0;
    gone = c.putInternal(p.def, marked);
  } else gone = c.remove(p.def, p.namespace, name);
  reconcile(c);
  return gone;
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<JsonObject> {
  const body = await readBody(req);
  let opts: JsonObject = {};
  if (body.length && body.toString().trim()) {
    const parsed = parseJson(body);
    if (isObject(parsed)) opts = parsed;
  }
  const pp = q.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp;
  return opts;
}

function deletedResponse(p: ResourcePath, gone: KubeObject): unknown {
  if (
    ['/pods', '/namespaces', 'apiextensions.k8s.io/customresourcedefinitions'].includes(rkeyOf(p.def)) ||
    p.def.crd
  )
    return outVersion(gone, p);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: gone.metadata.name, group: p.def.group, kind: p.def.plural, uid: gone.metadata.uid },
  };
}

function podLog(c: Cluster, p: ResourcePath): string {
  const pod = c.get(p.def, p.namespace, p.name ?? '');
  if (!pod) throw errors.notFound('', 'pods', p.name ?? '');
  if (!dig(pod, 'spec', 'nodeName'))
    throw errors.badRequest(
      `container "${asString(dig(pod, 'spec', 'containers', 0, 'name')) ?? ''}" in pod "${p.name}" is waiting to start: ContainerCreating`,
    );
  const t = asString(dig(pod, 'status', 'startTime')) ?? '';
  return `${t} sandbox: container started\n${t} sandbox: listening\n`;
}

function watch(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  p: ResourcePath,
  q: URLSearchParams,
): void {
  const c = ctx.cluster;
  const f = filterOf(p, q);
  if (p.name) f.fields.push({ field: 'metadata.name', op: '=', value: p.name });
  const rvParam = q.get('resourceVersion');
  const timeout = Number(q.get('timeoutSeconds') ?? 1800);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const table = wantsTable(req.headers.accept);
  const out = (type: string, object: KubeObject) =>
    res.write(
      `${JSON.stringify({
        type,
        object:
          table && type !== 'ERROR'
            ? toTable(p.def.kind, [object], { resourceVersion: object.metadata.resourceVersion }, c.now())
            : object,
      })}\n`,
    );
  const deliver = (ev: StoredEvent) => {
    const now = matches(f, ev.object);
    const before = ev.old ? matches(f, ev.old) : false;
    let type: string = ev.type;
    if (ev.type === 'MODIFIED') {
      if (now && !before) type = 'ADDED';
      else if (!now && before) type = 'DELETED';
      else if (!now) return;
    } else if (!now) return;
    out(type, outVersion(ev.object, p));
  };
  if (!rvParam || rvParam === '0') {
    for (const o of c.list(p.def, p.namespace)) if (matches(f, o)) out('ADDED', outVersion(o, p));
  } else {
    const since = Number(rvParam);
    const oldest = c.events[0]?.rv ?? c.rv + 1;
    if (!Number.isFinite(since) || (since < oldest - 1 && since < c.rv)) {
      out(
        'ERROR',
        new KubeError(410, 'Expired', `too old resource version: ${rvParam} (${oldest - 1})`).toStatus(),
      );
      res.end();
      return;
    }
    for (const ev of c.events)
      if (
        ev.rv > since &&
        ev.rkey === rkeyOf(p.def) &&
        (!p.namespace || ev.object.metadata.namespace === p.namespace)
      )
        deliver(ev);
  }
  const watcher = {
    rkey: rkeyOf(p.def),
    ...(p.namespace ? { namespace: p.namespace } : {}),
    send: deliver,
    close: () => stop(),
  };
  c.watchers.add(watcher);
  const stop = () => {
    c.watchers.delete(watcher);
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(stop, Math.max(1, timeout) * 1000);
  timer.unref?.();
  req.on('close', stop);
  res.on('close', stop);
}

export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  subPath: string,
): Promise<void> {
  const c = ctx.cluster;
  const url = new URL(req.url ?? '/', 'https://sandbox.invalid');
  const q = url.searchParams;
  let path = subPath.split('?')[0] ?? '/';
  // clients that resolve server-relative URLs may repeat our prefix
  if (path.startsWith(`${ctx.prefix}/`)) path = path.slice(ctx.prefix.length);
  path = path.replace(/\/+$/, '') || '/';
  const method = (req.method ?? 'GET').toUpperCase();
  try {
    // time-driven controllers (CronJobs, progress deadlines) catch up at most once a second
    if (c.now() - c.lastReconcile >= 1000) reconcile(c);
    if (method === 'GET') {
      if (path === '/version') return sendJson(res, 200, versionInfo(c));
      if (path === '/healthz' || path === '/livez' || path === '/readyz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      }
      if ((path === '/api' || path === '/apis') && wantsAggregated(req.headers.accept)) {
        const body = JSON.stringify(aggregated(c, path === '/api', 'apidiscovery.k8s.io/v2'));
        res.writeHead(200, {
          'Content-Type': 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
          'Content-Length': Buffer.byteLength(body),
          Vary: 'Accept',
        });
        res.end(body);
        return;
      }
      if (path === '/api') return sendJson(res, 200, apiVersions(ctx.serverAddress));
      if (path === '/apis') return sendJson(res, 200, apiGroupList(c));
      if (path === '/openapi/v3') return sendJson(res, 200, openapiV3Root(c, ctx.prefix));
      if (path.startsWith('/openapi/v3/')) {
        const doc = openapiV3Doc(c, path.slice('/openapi/v3/'.length));
        if (!doc) throw errors.pathNotFound();
        return sendJson(res, 200, doc);
      }
      const m = /^\/apis\/([^/]+)$/.exec(path);
      if (m) {
        const g = apiGroupDoc(c, m[1]!);
        if (!g) throw errors.pathNotFound();
        return sendJson(res, 200, g);
      }
      const rl = /^\/api\/(v1)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
      if (rl) {
        const [g, v] = rl[1]!.includes('/') ? rl[1]!.split('/') : ['', rl[1]!];
        const doc = resourceList(c, g!, v!);
        if (!doc) throw errors.pathNotFound();
        return sendJson(res, 200, doc);
      }
    }
    const p = resolvePath(c, path);
    if (!p) throw errors.pathNotFound();
    if (p.namespace && !p.def.namespaced) throw errors.pathNotFound();
    const dryRun = q.getAll('dryRun').includes('All');
    const opts: WriteOptions = {
      manager: managerOf(req, q),
      dryRun,
      ...(p.sub ? { subresource: p.sub } : {}),
    };
    const subOk = !p.sub || p.def.subresources.includes(p.sub);
    if (!subOk) throw errors.pathNotFound();
    switch (method) {
      case 'GET': {
        const watching = q.get('watch') === 'true' || q.get('watch') === '1';
        if (!p.name || watching) {
          if (watching) return watch(ctx, req, res, p, q);
          const { items, meta } = listObjects(ctx, p, q);
          if (wantsTable(req.headers.accept))
            return sendJson(res, 200, toTable(p.def.kind, items, meta, c.now()));
          return sendJson(res, 200, {
            apiVersion: apiVersionOf(p.def.group, p.version),
            kind: p.def.listKind,
            metadata: meta,
            items,
          });
        }
        if (p.sub === 'log') {
          const text = podLog(c, p);
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end(text);
          return;
        }
        if (p.sub === 'exec' || p.sub === 'attach' || p.sub === 'portforward')
          throw errors.badRequest('Upgrade request required');
        const o = c.get(p.def, p.namespace, p.name);
        if (!o) throw errors.notFound(p.def.group, p.def.plural, p.name);
        if (p.sub === 'scale') return sendJson(res, 200, scaleOf(o, p));
        return respondObject(ctx, req, res, 200, p, o);
      }
      case 'POST': {
        if (p.name) {
          if (p.sub === 'eviction') {
            const gone = deleteOne(ctx, { ...p, sub: undefined }, p.name, {}, dryRun);
            void gone;
            return sendJson(res, 201, {
              kind: 'Status',
              apiVersion: 'v1',
              metadata: {},
              status: 'Success',
              code: 201,
            });
          }
          if (p.sub === 'binding') {
            const b = asObject(parseJson(await readBody(req)));
            const pod = c.get(p.def, p.namespace, p.name);
            if (!pod) throw errors.notFound('', 'pods', p.name);
            c.putInternal(p.def, {
              ...clone(pod),
              spec: { ...asObject(pod.spec), nodeName: asString(dig(b, 'target', 'name')) },
            });
            reconcile(c);
            return sendJson(res, 201, {
              kind: 'Status',
              apiVersion: 'v1',
              metadata: {},
              status: 'Success',
              code: 201,
            });
          }
          if (p.sub === 'exec' || p.sub === 'attach' || p.sub === 'portforward')
            throw errors.badRequest('Upgrade request required');
          if (p.sub === 'token') {
            return sendJson(res, 201, {
              kind: 'TokenRequest',
              apiVersion: 'authentication.k8s.io/v1',
              metadata: { name: p.name, namespace: p.namespace },
              spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600 },
              status: {
                token: `sandbox-sa-token.${Buffer.from(`${p.namespace}/${p.name}`).toString('base64url')}`,
                expirationTimestamp: new Date(c.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
              },
            });
          }
          throw errors.methodNotAllowed();
        }
        const body = asKubeObject(parseJson(await readBody(req)), p);
        const created = createObject(ctx, p, body, opts);
        return respondObject(ctx, req, res, 201, p, created);
      }
      case 'PUT': {
        if (!p.name) throw errors.methodNotAllowed();
        const body = asKubeObject(parseJson(await readBody(req)), p);
        if (p.sub === 'scale') return sendJson(res, 200, applyScale(ctx, p, body, opts));
        if (p.sub === 'finalize')
          return respondObject(ctx, req, res, 200, p, c.get(p.def, undefined, p.name) ?? body);
        const out = updateObject(ctx, p, body, opts);
        return respondObject(ctx, req, res, 200, p, out);
      }
      case 'PATCH': {
        if (!p.name) throw errors.methodNotAllowed();
        return await handlePatch(ctx, req, res, p, q, opts);
      }
      case 'DELETE': {
        const options = await deleteOptions(req, q);
        if (asArray(options.dryRun).includes('All')) opts.dryRun = true;
        if (p.name) {
          const gone = deleteOne(ctx, p, p.name, options, !!opts.dryRun);
          return sendJson(res, 200, deletedResponse(p, gone));
        }
        if (!p.def.verbs.includes('deletecollection')) throw errors.methodNotAllowed();
        const { items } = listObjects(ctx, p, q);
        const gone: KubeObject[] = [];
        for (const o of items)
          if (c.get(p.def, o.metadata.namespace, o.metadata.name ?? ''))
            gone.push(
              deleteOne(
                ctx,
                { ...p, namespace: o.metadata.namespace },
                o.metadata.name ?? '',
                options,
                !!opts.dryRun,
              ),
            );
        return sendJson(res, 200, {
          apiVersion: apiVersionOf(p.def.group, p.version),
          kind: p.def.listKind,
          metadata: { resourceVersion: String(c.rv) },
          items: gone.map((o) => outVersion(o, p)),
        });
      }
      default:
        throw errors.methodNotAllowed();
    }
  } catch (e) {
    if (!res.headersSent) sendError(res, e);
    else res.end();
  }
}

export type { StatusCause };
