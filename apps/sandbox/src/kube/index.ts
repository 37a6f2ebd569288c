/** The KubeHub: one emulated Kubernetes API server per sandbox cluster. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeClusterInfo, KubeHub, KubeIdentity, SandboxLogger } from '../context.ts';
import { handleApi, resolvePath, sendError } from './api.ts';
import { Cluster } from './cluster.ts';
import { bootstrap, reconcile, syncNodes } from './controllers.ts';
import { seedDemo } from './demo.ts';
import { handleExecUpgrade } from './exec.ts';
import { asArray, asObject, asString, dig, errors, isObject, KubeError } from './types.ts';
import { rejectUpgrade } from './websocket.ts';

export type { KubeObject } from './types.ts';

export interface KubeHubWithUpgrade extends KubeHub {
  /** Serve an HTTP upgrade (pods/exec over WebSocket) for the cluster; subPath as for handle(). */
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    clusterId: string,
    subPath: string,
    who: KubeIdentity,
  ): void;
}

export interface KubeHubOptions {
  /** e.g. https://127.0.0.1:4511; clusters are served at <baseUrl>/k8s/<clusterId> */
  baseUrl: string;
  now?: () => number;
  log?: SandboxLogger;
  /** called after any change to cluster state (objects or volume files) */
  onChange?: () => void;
  /** the core's persistence hook (KubeHubFactoryOptions.markDirty); called like onChange */
  markDirty?: () => void;
}

export function createKubeHub(opts: KubeHubOptions): KubeHubWithUpgrade {
  const now = opts.now ?? (() => Date.now());
  const base = new URL(opts.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const clusters = new Map<string, Cluster>();
  const serverAddress = base.host;

  const changed = () => {
    opts.onChange?.();
    opts.markDirty?.();
  };
  const ctxFor = (c: Cluster) => ({
    cluster: c,
    prefix: `${basePath}/k8s/${encodeURIComponent(c.id)}`,
    serverAddress,
  });

  const hub: KubeHubWithUpgrade = {
    ensureCluster(clusterId: string, info: KubeClusterInfo) {
      let c = clusters.get(clusterId);
      if (!c) {
        c = new Cluster(clusterId, info, now);
        c.onWrite = changed;
        clusters.set(clusterId, c);
        bootstrap(c);
        opts.log?.debug({ clusterId, cloud: info.cloud }, 'kube cluster created');
      } else c.info = info;
      syncNodes(c);
      reconcile(c);
    },
    removeCluster(clusterId: string) {
      const c = clusters.get(clusterId);
      if (!c) return;
      c.closeWatchers();
      clusters.delete(clusterId);
      changed();
    },
    hasCluster(clusterId: string) {
      return clusters.has(clusterId);
    },
    serverUrl(clusterId: string) {
      return `${opts.baseUrl.replace(/\/+$/, '')}/k8s/${encodeURIComponent(clusterId)}`;
    },
    async handle(
      req: IncomingMessage,
      res: ServerResponse,
      clusterId: string,
      subPath: string,
      who: KubeIdentity,
    ) {
      const c = clusters.get(clusterId);
      if (!c) {
        sendError(res, errors.pathNotFound());
        return;
      }
      void who;
      await handleApi(ctxFor(c), req, res, subPath);
    },
    handleUpgrade(
      req: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      clusterId: string,
      subPath: string,
      who: KubeIdentity,
    ) {
      void who;
      const c = clusters.get(clusterId);
      const fail = (e: KubeError) => rejectUpgrade(socket, e.code, e.toStatus());
      if (!c) return fail(errors.pathNotFound());
      try {
        reconcile(c);
        const url = new URL(req.url ?? '/', 'https://sandbox.invalid');
        const p = resolvePath(c, subPath.split('?')[0] ?? '/');
        if (p?.def.plural !== 'pods' || !p.namespace || !p.name) return fail(errors.pathNotFound());
        if (p.sub !== 'exec')
          return fail(
            errors.badRequest(
              `${p.sub ?? 'pods'} is not supported over an upgraded connection by the sandbox`,
            ),
          );
        handleExecUpgrade(c, req, socket, head, p.namespace, p.name, url.searchParams, changed);
      } catch (e) {
        fail(e instanceof KubeError ? e : new KubeError(500, 'InternalError', String(e)));
      }
    },
    seedDemoWorkloads(clusterId: string) {
      const c = clusters.get(clusterId);
      if (!c) throw new Error(`unknown kube cluster ${clusterId}`);
      seedDemo(c);
    },
    snapshot() {
      return { version: 1, clusters: [...clusters.values()].map((c) => c.toJSON()) };
    },
    restore(state: unknown) {
      for (const c of clusters.values()) c.closeWatchers();
      clusters.clear();
      for (const raw of asArray(asObject(state).clusters)) {
        if (!isObject(raw)) continue;
        const c = Cluster.fromJSON(raw, now);
        c.onWrite = changed;
        clusters.set(c.id, c);
      }
    },
    reset() {
      for (const c of clusters.values()) c.closeWatchers();
      clusters.clear();
    },
    stateView() {
      return [...clusters.values()].map((c) => {
        const counts: Record<string, number> = {};
        for (const d of c.allDefs()) {
          const n = c.list(d).length;
          if (n) counts[d.kind] = n;
        }
        const podsByPhase: Record<string, number> = {};
        for (const p of c.list('/pods')) {
          const phase = asString(dig(p, 'status', 'phase')) ?? 'Unknown';
          podsByPhase[phase] = (podsByPhase[phase] ?? 0) + 1;
        }
        return {
          id: c.id,
          cloud: c.info.cloud,
          name: c.info.name,
          location: c.info.location,
          kubernetesVersion: c.info.kubernetesVersion,
          resourceVersion: c.rv,
          counts,
          nodes: c.list('/nodes').map((n) => ({
            name: n.metadata.name,
            pool: Object.entries(n.metadata.labels ?? {}).find(([k]) =>
              /nodegroup|agentpool|gke-nodepool/.test(k),
            )?.[1],
            ready: asArray(dig(n, 'status', 'conditions')).some(
              (x) => isObject(x) && x.type === 'Ready' && x.status === 'True',
            ),
          })),
          podsByPhase,
          namespaces: c.list('/namespaces').map((n) => n.metadata.name),
        };
      });
    },
  };
  return hub;
}
