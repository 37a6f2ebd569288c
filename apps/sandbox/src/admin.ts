import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudModule, KubeHub, SandboxAccount, SandboxCloud, SandboxContext } from './context.ts';
import { type Faults, parseFaultRule } from './faults.ts';
import { parseJson, sendJson, sendText } from './http-util.ts';

/** What the admin endpoints need from the running sandbox. */
export interface AdminCore {
  ctx: SandboxContext;
  faults: Faults;
  modules: () => CloudModule[];
  hub: () => KubeHub;
  adminToken: string;
  ready(): boolean;
  setSpeed(speed: number): void;
  setLatency(ms: number): void;
  latency(): number;
  accounts(): SandboxAccount[];
  stateView(): unknown;
  reset(opts: { seed: boolean }): void;
  seed(): unknown;
  clusterIdFor(cloud: SandboxCloud, scope: string, location: string, name: string): string | undefined;
}

function problem(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { status, message } });
}

/** Kubeconfig YAML (JSON is valid YAML; kubectl and @kubernetes/client-node read it). */
export function adminKubeconfig(opts: {
  clusterId: string;
  server: string;
  caCertPem: string;
  token: string;
  contextName?: string;
}): string {
  const name = opts.contextName ?? opts.clusterId;
  const q = (s: string) => JSON.stringify(s);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${q(name)}`,
    '  cluster:',
    `    server: ${q(opts.server)}`,
    `    certificate-authority-data: ${Buffer.from(opts.caCertPem).toString('base64')}`,
    'users:',
    `- name: ${q(`${name}-sandbox-admin`)}`,
    '  user:',
    `    token: ${q(opts.token)}`,
    'contexts:',
    `- name: ${q(name)}`,
    '  context:',
    `    cluster: ${q(name)}`,
    `    user: ${q(`${name}-sandbox-admin`)}`,
    `current-context: ${q(name)}`,
    '',
  ].join('\n');
}

/** Serve /_sandbox/*; returns false when the path is not an admin path. */
export async function handleAdmin(
  core: AdminCore,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  url: URL,
): Promise<boolean> {
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.startsWith('/_sandbox')) return false;
  const method = req.method ?? 'GET';
  let json: unknown;
  try {
    json = parseJson(body);
  } catch {
    problem(res, 400, 'body is not valid JSON');
    return true;
  }
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /_sandbox/healthz':
      sendJson(res, core.ready() ? 200 : 503, {
        ok: core.ready(),
        clouds: core.modules().map((m) => m.cloud),
        speed: core.ctx.speed(),
        urls: core.ctx.urls,
      });
      return true;
    case 'GET /_sandbox/state':
      sendJson(res, 200, core.stateView());
      return true;
    case 'POST /_sandbox/reset': {
      const seed = url.searchParams.get('seed');
      core.reset({ seed: seed === '1' || seed === 'true' });
      sendJson(res, 200, { ok: true });
      return true;
    }
    case 'POST /_sandbox/seed':
      sendJson(res, 200, core.seed());
      return true;
    case 'GET /_sandbox/accounts':
      sendJson(res, 200, core.accounts());
      return true;
    case 'POST /_sandbox/accounts': {
      const b = (json ?? {}) as {
        cloud?: string;
        id?: string;
        displayName?: string;
        fresh?: unknown;
        noDefaultVpc?: unknown;
      };
      const mod = core.modules().find((m) => m.cloud === b.cloud);
      const noDefaultVpc = b.noDefaultVpc;
      if (
        !mod ||
        typeof b.id !== 'string' ||
        b.id === '' ||
        (b.fresh !== undefined && typeof b.fresh !== 'boolean') ||
        (noDefaultVpc !== undefined &&
          (!Array.isArray(noDefaultVpc) || !noDefaultVpc.every((r) => typeof r === 'string')))
      ) {
        problem(
          res,
          400,
          'body must be {cloud, id, displayName?, fresh?: boolean, noDefaultVpc?: string[]} for a present cloud',
        );
        return true;
      }
      try {
        const opts = {
          ...(b.fresh ? { fresh: true } : {}),
          ...(Array.isArray(noDefaultVpc) ? { noDefaultVpc: noDefaultVpc as string[] } : {}),
        };
        sendJson(res, 200, mod.ensureAccount(b.id, b.displayName ?? b.id, opts));
      } catch (err) {
        problem(res, 400, err instanceof Error ? err.message : String(err));
      }
      return true;
    }
    case 'GET /_sandbox/faults':
      sendJson(res, 200, core.faults.list());
      return true;
    case 'POST /_sandbox/faults': {
      const rule = parseFaultRule(json);
      if (typeof rule === 'string') {
        problem(res, 400, rule);
        return true;
      }
      sendJson(res, 201, core.faults.add(rule));
      return true;
    }
    case 'DELETE /_sandbox/faults': {
      const id = url.searchParams.get('id');
      if (id) core.faults.remove(id);
      else core.faults.clear();
      sendJson(res, 200, { ok: true });
      return true;
    }
    case 'GET /_sandbox/config':
      sendJson(res, 200, { speed: core.ctx.speed(), latencyMs: core.latency() });
      return true;
    case 'PUT /_sandbox/config':
    case 'POST /_sandbox/config': {
      // Either field may be given alone; each is checked before anything changes.
      const b = (json ?? {}) as { speed?: unknown; latencyMs?: unknown };
      if (b.speed === undefined && b.latencyMs === undefined) {
        problem(res, 400, 'body must have speed and/or latencyMs');
        return true;
      }
      if (b.speed !== undefined && (typeof b.speed !== 'number' || !(b.speed > 0))) {
        problem(res, 400, 'speed must be a positive number');
        return true;
      }
      if (
        b.latencyMs !== undefined &&
        (typeof b.latencyMs !== 'number' || !(b.latencyMs >= 0) || b.latencyMs > 60_000)
      ) {
        problem(res, 400, 'latencyMs must be a number of milliseconds between 0 and 60000');
        return true;
      }
      if (typeof b.speed === 'number') core.setSpeed(b.speed);
      if (typeof b.latencyMs === 'number') core.setLatency(b.latencyMs);
      sendJson(res, 200, { speed: core.ctx.speed(), latencyMs: core.latency() });
      return true;
    }
    case 'GET /_sandbox/ca.pem':
      sendText(res, 200, core.ctx.caCertPem, 'application/x-pem-file');
      return true;
    case 'GET /_sandbox/kubeconfig': {
      const cloud = url.searchParams.get('cloud') as SandboxCloud | null;
      const scope = url.searchParams.get('scope');
      const location = url.searchParams.get('location');
      const name = url.searchParams.get('name');
      if (!cloud || !scope || !location || !name || !['aws', 'azure', 'gcp'].includes(cloud)) {
        problem(res, 400, 'query must have cloud (aws|azure|gcp), scope, location and name');
        return true;
      }
      const clusterId = core.clusterIdFor(cloud, scope, location, name);
      if (!clusterId || !core.hub().hasCluster(clusterId)) {
        problem(res, 404, `no running cluster ${cloud}/${scope}/${location}/${name}`);
        return true;
      }
      sendText(
        res,
        200,
        adminKubeconfig({
          clusterId,
          server: core.hub().serverUrl(clusterId),
          caCertPem: core.ctx.caCertPem,
          token: core.adminToken,
        }),
        'application/yaml',
      );
      return true;
    }
    default:
      problem(res, 404, `no admin endpoint ${route}`);
      return true;
  }
}
