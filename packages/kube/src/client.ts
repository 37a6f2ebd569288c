/**
 * A small REST client for the Kubernetes API on raw JSON. Authentication, TLS and exec plugins come
 * from @kubernetes/client-node's KubeConfig; requests go through one keep-alive agent, bounded by a
 * client-side rate limit. Objects are never passed through client-node's typed models (see types.ts).
 */
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { type EgressPolicy, egressPolicyFromEnv, guardAgent } from '@dolly/contracts/egress';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { asArray, asObject, asString, groupOf, isObject, type KubeObject, type ObjectRef } from './types.ts';

export interface ResourceInfo {
  group: string;
  version: string;
  /** apiVersion this resource is served at */
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: string[];
  /** the group's preferred version serves this resource */
  preferred: boolean;
}

/** What the API server serves, from discovery. */
export interface ResourceCatalog {
  all: ResourceInfo[];
  /** by apiVersion and kind, any served version */
  find(apiVersion: string, kind: string): ResourceInfo | undefined;
  /** the preferred version of a group's kind */
  preferred(group: string, kind: string): ResourceInfo | undefined;
}

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof KubeApiError && e.status === 404;
}

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof KubeApiError && e.status === 409 && e.reason === 'AlreadyExists';
}

export interface KubeClientOptions {
  /** client-side rate limit, requests per second (0 = none) */
  qps?: number;
  burst?: number;
  /** concurrent connections to the API server */
  maxSockets?: number;
  timeoutMs?: number;
  userAgent?: string;
  /**
   * Where the client may connect. The server comes from a cloud's answer (or whatever a tenant's
   * endpoint posed as one): it is egress-checked at every connection, by default against this
   * process's DOLLY_ENDPOINT_ALLOWLIST.
   */
  egress?: EgressPolicy;
  /**
   * A fresh kubeconfig for the same cluster when the API server answers 401: cloud tokens outlive a
   * request but not a long step (an EKS token lasts 15 min, an Entra token about an hour). Called
   * once for all requests that hit the expiry together; each is retried once with the new one.
   */
  renew?: () => Promise<string>;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** page size; pages follow `continue` tokens */
  limit?: number;
  signal?: AbortSignal;
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface KubeClient {
  readonly server: string;
  readonly kubeConfig: KubeConfig;
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  discover(opts?: { refresh?: boolean; signal?: AbortSignal }): Promise<ResourceCatalog>;
  /** every item of a list, following `continue` pages; items get apiVersion and kind set */
  list(resource: ResourceInfo, opts?: ListOptions): Promise<KubeObject[]>;
  get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined>;
  create(
    obj: KubeObject,
    opts?: { fieldManager?: string; dryRun?: boolean; signal?: AbortSignal },
  ): Promise<KubeObject>;
  /** server-side apply (forced: the migration owns the fields it sends) */
  apply(obj: KubeObject, opts: { fieldManager: string; signal?: AbortSignal }): Promise<KubeObject>;
  mergePatch(ref: ObjectRef, patch: unknown, signal?: AbortSignal): Promise<KubeObject>;
  /** idempotent: a missing object is already deleted */
  delete(
    ref: ObjectRef,
    opts?: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; signal?: AbortSignal },
  ): Promise<boolean>;
  close(): void;
}

/**
 * Loads a kubeconfig for Dolly's own use. Credential plugins (`exec`, `auth-provider`) would run a
 * command on Dolly's host and `insecure-skip-tls-verify` would hand the token to whoever answers:
 * refused here, whatever produced the kubeconfig.
 */
export function kubeConfigFromYaml(kubeconfig: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  for (const u of kc.getUsers())
    if (u.exec || u.authProvider)
      throw new Error(
        `kubeconfig user ${u.name}: credential plugins (exec/auth-provider) are not run by Dolly`,
      );
  for (const c of kc.getClusters())
    if (c.skipTLSVerify)
      throw new Error(`kubeconfig cluster ${c.name}: insecure-skip-tls-verify is not accepted`);
  return kc;
}

export function createKubeClient(kubeconfig: string | KubeConfig, opts: KubeClientOptions = {}): KubeClient {
  let kc = typeof kubeconfig === 'string' ? kubeConfigFromYaml(kubeconfig) : kubeconfig;
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const server = cluster.server.replace(/\/+$/, '');
  const base = new URL(server);
  const secure = base.protocol === 'https:';
  const egress = opts.egress ?? egressPolicyFromEnv();
  const limiter: RateLimiter = createRateLimiter({ qps: opts.qps ?? 50, burst: opts.burst ?? 100 });
  let agent: http.Agent | undefined;
  let authCache: { headers: Record<string, string>; at: number } | undefined;

  async function connection(): Promise<{ agent: http.Agent; headers: Record<string, string> }> {
    // Credentials can expire (exec plugins, OAuth tokens): re-read them every minute.
    if (!agent || !authCache || Date.now() - authCache.at > 60_000) {
      const o: https.RequestOptions = { headers: {} };
      await kc.applyToHTTPSOptions(o);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      if (o.auth) headers.Authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
      authCache = { headers, at: Date.now() };
      if (!agent) {
        const agentOpts = {
          keepAlive: true,
          maxSockets: opts.maxSockets ?? 32,
          ...(o.ca ? { ca: o.ca } : {}),
          ...(o.cert ? { cert: o.cert } : {}),
          ...(o.key ? { key: o.key } : {}),
          ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
          ...(o.servername ? { servername: o.servername } : {}),
        };
        agent = guardAgent(secure ? new https.Agent(agentOpts) : new http.Agent(agentOpts), egress);
      }
    }
    return { agent, headers: authCache.headers };
  }

  let renewing: Promise<void> | undefined;
  /** bumped by every renewal, so a request knows whether its 401 was for the credential in use */
  let generation = 0;
  /** Swaps in a fresh credential; requests that saw the old one's 401 all wait on the same renewal. */
  function renewCredentials(renew: () => Promise<string>): Promise<void> {
    renewing ??= (async () => {
      const next = kubeConfigFromYaml(await renew());
      const nextServer = next.getCurrentCluster()?.server.replace(/\/+$/, '');
      if (nextServer !== server) throw new Error('the renewed kubeconfig names another API server');
      kc = next;
      generation++;
      authCache = undefined;
      // a client certificate lives in the agent: the next request builds one with the new credential
      agent = undefined;
    })().finally(() => {
      renewing = undefined;
    });
    return renewing;
  }

  const raised = new WeakSet<AbortSignal>();

  async function request<T>(method: string, path: string, ro: RequestOptions = {}): Promise<T> {
    const used = generation;
    try {
      return await send<T>(method, path, ro);
    } catch (e) {
      if (!(e instanceof KubeApiError) || e.status !== 401 || !opts.renew) throw e;
      // renewed meanwhile by a request that failed first: retry with that, do not renew again
      if (used === generation) await renewCredentials(opts.renew);
      return await send<T>(method, path, ro);
    }
  }

  async function send<T>(method: string, path: string, ro: RequestOptions): Promise<T> {
    ro.signal?.throwIfAborted();
    // every request in flight listens on the run's one signal; dozens at once are expected
    if (ro.signal && !raised.has(ro.signal)) {
      setMaxListeners(1000, ro.signal);
      raised.add(ro.signal);
    }
    await limiter.take(ro.signal);
    const { agent: a, headers } = await connection();
    const url = new URL(`${base.pathname.replace(/\/+$/, '')}${path}`, base);
    for (const [k, v] of Object.entries(ro.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const payload = ro.body === undefined ? undefined : Buffer.from(JSON.stringify(ro.body));
    return await new Promise<T>((resolve, reject) => {
      const req = (secure ? https : http).request(
        url,
        {
          method,
          agent: a,
          headers: {
            ...headers,
            Accept: 'application/json',
            'User-Agent': opts.userAgent ?? 'dolly-kube/0.1',
            ...(payload
              ? { 'Content-Type': ro.contentType ?? 'application/json', 'Content-Length': payload.length }
              : {}),
          },
          timeout: opts.timeoutMs ?? 60_000,
          ...(ro.signal ? { signal: ro.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(json as T);
            // Only a Kubernetes Status is read: anything else the server sent is never echoed, so a
            // host posing as an API server cannot have its pages relayed to the tenant.
            const st = asObject(json);
            const isStatus = st.kind === 'Status';
            reject(
              new KubeApiError(
                status,
                (isStatus ? asString(st.reason) : undefined) ?? (status === 404 ? 'NotFound' : 'Unknown'),
                (isStatus ? asString(st.message) : undefined) ?? `${method} ${url.pathname}: HTTP ${status}`,
                isStatus ? st.details : undefined,
              ),
            );
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  let catalog: ResourceCatalog | undefined;

  async function discover(o: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<ResourceCatalog> {
    if (catalog && !o.refresh) return catalog;
    const all: ResourceInfo[] = [];
    const add = (group: string, version: string, preferred: boolean, list: unknown) => {
      for (const r of asArray(asObject(list).resources).map(asObject)) {
        const name = asString(r.name) ?? '';
        // subresources (pods/exec, deployments/scale) are not objects
        if (!name || name.includes('/')) continue;
        all.push({
          group,
          version,
          apiVersion: group ? `${group}/${version}` : version,
          kind: asString(r.kind) ?? '',
          plural: name,
          namespaced: r.namespaced === true,
          verbs: asArray(r.verbs).filter((v): v is string => typeof v === 'string'),
          preferred,
        });
      }
    };
    add('', 'v1', true, await request('GET', '/api/v1', { signal: o.signal }));
    const groups = asArray(asObject(await request('GET', '/apis', { signal: o.signal })).groups).map(
      asObject,
    );
    await Promise.all(
      groups.flatMap((g) => {
        const name = asString(g.name) ?? '';
        const preferred = asString(asObject(g.preferredVersion).version);
        return asArray(g.versions)
          .map(asObject)
          .map(async (v) => {
            const version = asString(v.version) ?? '';
            try {
              add(
                name,
                version,
                version === preferred,
                await request('GET', `/apis/${name}/${version}`, { signal: o.signal }),
              );
            } catch (e) {
              // an aggregated API that is down (metrics-server, say) must not stop discovery
              if (!(e instanceof KubeApiError)) throw e;
            }
          });
      }),
    );
    const byVersionKind = new Map(all.map((r) => [`${r.apiVersion}|${r.kind}`, r]));
    const byGroupKind = new Map(all.filter((r) => r.preferred).map((r) => [`${r.group}|${r.kind}`, r]));
    catalog = {
      all,
      find: (apiVersion, kind) => byVersionKind.get(`${apiVersion}|${kind}`),
      preferred: (group, kind) =>
        byGroupKind.get(`${group}|${kind}`) ?? all.find((r) => r.group === group && r.kind === kind),
    };
    return catalog;
  }

  async function resourceFor(apiVersion: string, kind: string, signal?: AbortSignal): Promise<ResourceInfo> {
    let r = (await discover({ signal })).find(apiVersion, kind);
    // CRDs created a moment ago are not in the cached discovery yet
    if (!r) r = (await discover({ refresh: true, signal })).find(apiVersion, kind);
    if (!r) throw new KubeApiError(404, 'NotFound', `the server does not serve ${kind} in ${apiVersion}`);
    return r;
  }

  function objectPath(r: ResourceInfo, namespace: string | undefined, name?: string): string {
    const root = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
    return `${root}${ns}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  const client: KubeClient = {
    server,
    get kubeConfig() {
      return kc;
    },
    request,
    discover,
    async list(resource, lo = {}) {
      const out: KubeObject[] = [];
      let cont: string | undefined;
      const root = resource.group
        ? `/apis/${resource.group}/${resource.version}`
        : `/api/${resource.version}`;
      const path =
        resource.namespaced && lo.namespace
          ? `${root}/namespaces/${encodeURIComponent(lo.namespace)}/${resource.plural}`
          : `${root}/${resource.plural}`;
      do {
        const page = asObject(
          await request('GET', path, {
            query: {
              limit: String(lo.limit ?? 500),
              continue: cont,
              labelSelector: lo.labelSelector,
              fieldSelector: lo.fieldSelector,
            },
            signal: lo.signal,
          }),
        );
        for (const item of asArray(page.items)) {
          if (!isObject(item)) continue;
          // list items carry neither apiVersion nor kind on real API servers
          out.push({
            ...(item as unknown as KubeObject),
            apiVersion: resource.apiVersion,
            kind: resource.kind,
          });
        }
        cont = asString(asObject(page.metadata).continue) || undefined;
      } while (cont);
      return out;
    },
    async get(ref, signal) {
      const r = await resourceFor(ref.apiVersion, ref.kind, signal);
      try {
        return await request<KubeObject>('GET', objectPath(r, ref.namespace, ref.name), { signal });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async create(obj, o = {}) {
      const r = await resourceFor(obj.apiVersion, obj.kind, o.signal);
      return await request<KubeObject>('POST', objectPath(r, obj.metadata.namespace), {
        body: obj,
        query: { fieldManager: o.fieldManager, dryRun: o.dryRun ? 'All' : undefined },
        signal: o.signal,
      });
    },
    async apply(obj, o) {
      const r = await resourceFor(obj.apiVersion, obj.kind, o.signal);
      return await request<KubeObject>('PATCH', objectPath(r, obj.metadata.namespace, obj.metadata.name), {
        body: obj,
        // JSON is YAML, and API servers (and the sandbox) take JSON apply bodies
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: o.fieldManager, force: 'true' },
        signal: o.signal,
      });
    },
    async mergePatch(ref, patch, signal) {
      const r = await resourceFor(ref.apiVersion, ref.kind, signal);
      return await request<KubeObject>('PATCH', objectPath(r, ref.namespace, ref.name), {
        body: patch,
        contentType: 'application/merge-patch+json',
        signal,
      });
    },
    async delete(ref, o = {}) {
      const r = await resourceFor(ref.apiVersion, ref.kind, o.signal);
      try {
        await request('DELETE', objectPath(r, ref.namespace, ref.name), {
          body: {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            propagationPolicy: o.propagationPolicy ?? 'Background',
          },
          signal: o.signal,
        });
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    },
    close() {
      agent?.destroy();
    },
  };
  return client;
}

/** The group of an object's apiVersion, for catalog lookups by preferred version. */
export function groupOfObject(o: { apiVersion: string }): string {
  return groupOf(o.apiVersion);
}
