/**
 * The sandbox core: one process, plain HTTP (AWS, GCP REST, admin) and HTTPS with the sandbox's
 * own CA (Azure ARM, token endpoints, kube APIs at /k8s/<clusterId>/..., admin).
 */
import { createHmac } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { bundledCatalog, type Catalog } from '@dolly/model';
import pino from 'pino';
import { type AdminCore, handleAdmin } from './admin.ts';
import { createAwsModule } from './aws/index.ts';
import type {
  CloudModule,
  KubeHub,
  KubeIdentity,
  SandboxAccount,
  SandboxCloud,
  SandboxContext,
  SandboxLogger,
} from './context.ts';
import { DEMO_FLEET, ensureDemoAccounts, type FleetAccount, seedDemoFleet } from './demo-fleet.ts';
import { Faults } from './faults.ts';
import { headerMap, readBody, sendJson } from './http-util.ts';
import { kubeFaultOperations, kubeRequestInfo } from './kube-request.ts';
import { NullKubeHub } from './null-hub.ts';
import { type PersistedState, StateStore } from './persistence.ts';
import { loadOrCreateTls } from './tls.ts';

/** What a KubeHub factory receives (the real one is createKubeHub in ./kube/index.ts). */
export interface KubeHubFactoryOptions {
  ctx: SandboxContext;
  /** https base URL; cluster API servers live at `${httpsUrl}/k8s/<clusterId>` */
  httpsUrl: string;
  /** = httpsUrl (the hub appends /k8s/<clusterId>) */
  baseUrl: string;
  caCertPem: string;
  log: SandboxLogger;
  markDirty(): void;
  now(): number;
  speed(): number;
}

export interface StartSandboxOptions {
  /** 0 = random free port (tests). Default 4510 / 4511. */
  port?: number;
  tlsPort?: number;
  host?: string;
  dataDir: string;
  /** SANDBOX_SPEED; default 60 */
  speed?: number;
  /**
   * Added before every cloud API answer (EKS / ARM / GKE, not the kube API or /_sandbox), in ms:
   * a real cloud is a network round trip away, and a client that calls one at a time pays it each time.
   */
  latencyMs?: number;
  /** Seed the demo fleet at start when the state is empty (default false). */
  seed?: boolean;
  /** Cloud modules; default: AWS only. */
  modules?: (ctx: SandboxContext) => CloudModule[];
  /** The kube hub, or a factory for it; default: a NullKubeHub. */
  kubeHub?: KubeHub | ((opts: KubeHubFactoryOptions) => KubeHub);
  catalog?: Catalog;
  logger?: SandboxLogger;
  logLevel?: string;
  /** Clock (ms); default Date.now. */
  now?: () => number;
  /** Timer period for module ticks; default 250 ms. */
  tickMs?: number;
  /** Demo fleet definition; default DEMO_FLEET. */
  fleet?: FleetAccount[];
  /** Persistence debounce; default 250 ms. */
  persistDebounceMs?: number;
}

export interface RunningSandbox {
  urls: { http: string; https: string };
  port: number;
  tlsPort: number;
  ctx: SandboxContext;
  modules: CloudModule[];
  hub: KubeHub;
  faults: Faults;
  caCertPem: string;
  adminToken: string;
  dataDir: string;
  accounts(): SandboxAccount[];
  stateView(): unknown;
  reset(opts?: { seed?: boolean }): void;
  seed(): unknown;
  setSpeed(speed: number): void;
  setLatency(ms: number): void;
  /** Write state.json now. */
  flush(): void;
  /** Flush state and close both servers. */
  stop(): Promise<void>;
}

type UpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  clusterId: string,
  subPath: string,
  who: KubeIdentity,
) => void;

const ADMIN_TOKEN_SEED = 'dolly-sandbox-admin-v1';

export function sandboxAdminToken(): string {
  return `sandbox-admin.${createHmac('sha256', ADMIN_TOKEN_SEED).update('admin').digest('hex').slice(0, 40)}`;
}

export function defaultClusterId(cloud: SandboxCloud, scope: string, location: string, name: string): string {
  return `${cloud}-${scope}-${location}-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

function makeLogger(level: string): SandboxLogger {
  const p = pino({ level, base: { svc: 'sandbox' } });
  return {
    info: (o, m) => (typeof o === 'string' ? p.info(o) : p.info(o, m)),
    warn: (o, m) => (typeof o === 'string' ? p.warn(o) : p.warn(o, m)),
    error: (o, m) => (typeof o === 'string' ? p.error(o) : p.error(o, m)),
    debug: (o, m) => (typeof o === 'string' ? p.debug(o) : p.debug(o, m)),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function kubeStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

export async function startSandbox(opts: StartSandboxOptions): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger ?? makeLogger(opts.logLevel ?? 'info');
  const now = opts.now ?? Date.now;
  let speed = opts.speed ?? 60;
  let latencyMs = opts.latencyMs ?? 0;
  const fleet = opts.fleet ?? DEMO_FLEET;
  const tls = loadOrCreateTls(opts.dataDir);
  const adminToken = sandboxAdminToken();

  let ready = false;
  let modules: CloudModule[] = [];
  let hub: KubeHub | undefined;
  let store: StateStore;
  let adminCore: AdminCore | undefined;
  const faults = new Faults({ onChange: () => store?.markDirty() });

  const dispatch = async (req: IncomingMessage, res: ServerResponse, transport: 'http' | 'https') => {
    const url = new URL(req.url ?? '/', `${transport}://${req.headers.host ?? host}`);
    if (url.pathname.startsWith('/_sandbox') && adminCore) {
      await handleAdmin(adminCore, req, res, await readBody(req), url);
      return;
    }
    if (!ready || !hub) {
      sendJson(
        res,
        503,
        { error: { code: 'SandboxStarting', message: 'sandbox is starting' } },
        { 'retry-after': '1' },
      );
      return;
    }
    if (transport === 'https' && url.pathname.startsWith('/k8s/')) {
      // the hub reads the request body itself (streaming, watch, exec)
      await handleKube(req, res, url);
      return;
    }
    const body = await readBody(req);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    for (const m of modules) {
      if (await m.handle(req, res, body, url, transport)) return;
    }
    sendJson(res, 404, {
      error: { code: 'NotFound', message: `no sandbox service at ${req.method} ${url.pathname}` },
    });
  };

  const kubeTarget = (pathname: string): { clusterId: string; subPath: string } | undefined => {
    if (!pathname.startsWith('/k8s/')) return undefined;
    const rest = pathname.slice('/k8s/'.length);
    const slash = rest.indexOf('/');
    let clusterId = slash < 0 ? rest : rest.slice(0, slash);
    try {
      clusterId = decodeURIComponent(clusterId);
    } catch {
      // keep it raw
    }
    return { clusterId, subPath: slash < 0 ? '/' : rest.slice(slash) };
  };

  const authenticateKube = (req: IncomingMessage, clusterId: string): KubeIdentity | undefined => {
    const auth = headerMap(req).authorization ?? '';
    const token = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : '';
    if (!token) return undefined;
    if (token === adminToken)
      return { username: 'sandbox-admin', groups: ['system:masters', 'system:authenticated'] };
    for (const m of modules) {
      try {
        const who = m.authenticateKube(clusterId, token);
        if (who) return who;
      } catch (err) {
        log.warn({ err: String(err), cloud: m.cloud }, 'authenticateKube threw');
      }
    }
    return undefined;
  };

  const handleKube = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const target = kubeTarget(url.pathname);
    const h = hub as KubeHub;
    if (!target || !h.hasCluster(target.clusterId)) {
      kubeStatus(res, 404, 'NotFound', `cluster ${target?.clusterId ?? ''} not found`);
      return;
    }
    const who = authenticateKube(req, target.clusterId);
    if (!who) {
      kubeStatus(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const fault = takeKubeFault(req.method ?? 'GET', target.subPath, url.searchParams);
    if (fault?.kind === 'timeout') {
      await new Promise((r) => setTimeout(r, (fault.retryAfterSeconds ?? 30) * 1000));
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'throttle') {
      sendJson(
        res,
        429,
        {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: fault.message ?? 'Too many requests, please try again later.',
          reason: 'TooManyRequests',
          details: { retryAfterSeconds: fault.retryAfterSeconds ?? 1 },
          code: 429,
        },
        { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
      );
      return;
    }
    if (fault?.kind === 'server-error') {
      kubeStatus(res, 500, 'InternalError', fault.message ?? 'Internal error occurred (sandbox fault)');
      return;
    }
    // the hub sees the path below /k8s/<clusterId> (the query string stays in req.url)
    await h.handle(req, res, target.clusterId, target.subPath, who);
    if (req.method !== 'GET' && req.method !== 'HEAD') store.markDirty();
  };

  const takeKubeFault = (method: string, subPath: string, query: URLSearchParams) => {
    for (const op of kubeFaultOperations(kubeRequestInfo(method, subPath, query))) {
      const f = faults.take('kube', op, ['throttle', 'server-error', 'timeout']);
      if (f) return f;
    }
    return undefined;
  };

  /** pods/exec, attach, port-forward: WebSocket upgrades, when the hub supports them. */
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? host}`);
    const target = kubeTarget(url.pathname);
    const h = hub as (KubeHub & { handleUpgrade?: UpgradeHandler }) | undefined;
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (!ready || !h || !target || !h.hasCluster(target.clusterId)) return refuse(404, 'Not Found');
    const who = authenticateKube(req, target.clusterId);
    if (!who) return refuse(401, 'Unauthorized');
    if (typeof h.handleUpgrade !== 'function') return refuse(501, 'Not Implemented');
    try {
      h.handleUpgrade(req, socket, head, target.clusterId, target.subPath, who);
    } catch (err) {
      log.error({ err: String(err) }, 'kube upgrade failed');
      socket.destroy();
    }
  };

  const onRequest = (transport: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    dispatch(req, res, transport).catch((err: unknown) => {
      log.error(
        { err: err instanceof Error ? (err.stack ?? err.message) : String(err), url: req.url },
        'request failed',
      );
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 'InternalError', message: 'sandbox internal error' } });
      else res.end();
    });
  };

  const httpServer = createHttpServer(onRequest('http'));
  const httpsServer = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, onRequest('https'));
  httpsServer.on('upgrade', onUpgrade);
  // keep-alive sockets must not hold the process (tests stop/start in one process)
  httpServer.keepAliveTimeout = 5_000;
  httpsServer.keepAliveTimeout = 5_000;
  const port = await listen(httpServer, opts.port ?? 4510, host);
  let tlsPort: number;
  try {
    tlsPort = await listen(httpsServer, opts.tlsPort ?? 4511, host);
  } catch (err) {
    await closeServer(httpServer);
    throw err;
  }
  const urls = { http: `http://${host}:${port}`, https: `https://${host}:${tlsPort}` };

  const ctx: SandboxContext = {
    catalog: opts.catalog ?? bundledCatalog,
    speed: () => speed,
    now,
    faults,
    get kube(): KubeHub {
      if (!hub) throw new Error('kube hub not ready');
      return hub;
    },
    urls,
    caCertPem: tls.caCertPem,
    markDirty: () => store.markDirty(),
    log,
  };

  store = new StateStore(
    opts.dataDir,
    (): PersistedState => ({
      version: 1,
      savedAt: new Date(now()).toISOString(),
      modules: Object.fromEntries(modules.map((m) => [m.cloud, m.snapshot()])),
      faults: faults.snapshot(),
      kube: hub?.snapshot(),
    }),
    opts.persistDebounceMs ?? 250,
    (err) => log.error({ err: String(err) }, 'state persistence failed'),
  );

  const hubOpt = opts.kubeHub;
  hub =
    typeof hubOpt === 'function'
      ? hubOpt({
          ctx,
          httpsUrl: urls.https,
          baseUrl: urls.https,
          caCertPem: tls.caCertPem,
          log,
          markDirty: () => store.markDirty(),
          now,
          speed: () => speed,
        })
      : (hubOpt ?? new NullKubeHub(urls.https));
  modules = (opts.modules ?? ((c) => [createAwsModule(c)]))(ctx);

  const clusterIdFor = (cloud: SandboxCloud, scope: string, location: string, name: string) => {
    const m = modules.find((x) => x.cloud === cloud);
    if (!m) return undefined;
    return m.clusterId ? m.clusterId(scope, location, name) : defaultClusterId(cloud, scope, location, name);
  };

  const tickAll = () => {
    for (const m of modules) {
      try {
        m.tick?.();
      } catch (err) {
        log.error({ err: String(err), cloud: m.cloud }, 'module tick failed');
      }
    }
  };

  const seed = () => {
    const result = seedDemoFleet(modules, log, fleet);
    tickAll();
    store.markDirty();
    return result;
  };

  const reset = (o: { seed?: boolean } = {}) => {
    for (const m of modules) m.reset();
    hub?.reset();
    faults.clear();
    ensureDemoAccounts(modules, log, fleet);
    if (o.seed) seed();
    store.markDirty();
  };

  const accounts = () => modules.flatMap((m) => m.accounts());

  const stateView = () => {
    tickAll();
    return {
      now: new Date(now()).toISOString(),
      speed,
      urls,
      clouds: Object.fromEntries(modules.map((m) => [m.cloud, m.stateView()])),
      kube: hub?.stateView(),
      faults: faults.list(),
    };
  };

  adminCore = {
    ctx,
    faults,
    modules: () => modules,
    hub: () => hub as KubeHub,
    adminToken,
    ready: () => ready,
    setSpeed: (s) => {
      speed = s;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    latency: () => latencyMs,
    accounts,
    stateView,
    reset,
    seed,
    clusterIdFor,
  };

  // restore
  const saved = store.load();
  if (saved) {
    try {
      hub.restore(saved.kube);
    } catch (err) {
      log.error({ err: String(err) }, 'kube hub restore failed');
    }
    faults.restore(saved.faults);
    for (const m of modules) {
      if (saved.modules[m.cloud] === undefined) continue;
      try {
        m.restore(saved.modules[m.cloud]);
      } catch (err) {
        log.error({ err: String(err), cloud: m.cloud }, 'module restore failed');
      }
    }
    log.info({ file: store.file, savedAt: saved.savedAt }, 'sandbox state restored');
  }
  ensureDemoAccounts(modules, log, fleet);
  if (!saved && opts.seed) {
    const r = seed();
    log.info(r, 'demo fleet seeded');
  }
  tickAll();
  const timer = setInterval(tickAll, opts.tickMs ?? 250);
  timer.unref();
  ready = true;
  log.info({ urls, clouds: modules.map((m) => m.cloud), dataDir: opts.dataDir, speed }, 'sandbox listening');

  return {
    urls,
    port,
    tlsPort,
    ctx,
    modules,
    hub,
    faults,
    caCertPem: tls.caCertPem,
    adminToken,
    dataDir: opts.dataDir,
    accounts,
    stateView,
    reset,
    seed,
    setSpeed: (s) => {
      speed = s;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    flush: () => {
      store.markDirty();
      store.flush();
    },
    stop: async () => {
      clearInterval(timer);
      ready = false;
      store.markDirty();
      store.flush();
      await Promise.all([closeServer(httpServer), closeServer(httpsServer as unknown as Server)]);
    },
  };
}
