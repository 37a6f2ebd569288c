import { type RunStatus, isTerminalStatus } from '@dolly/contracts';
import { createCloudAccess } from '@dolly/jobs';
import type { Catalog } from '@dolly/model';
import { expect } from 'vitest';
import {
  type SandboxAccountInfo,
  startTestSandbox,
  type TestSandbox,
} from '../../../../packages/providers/test/support/sandbox.ts';
import { registerSandboxAccount, registerSandboxAccounts } from '../../src/modules/demo/sandbox-accounts.ts';
import { type Harness, login, startHarness } from './harness.ts';

export type Who = 'owner' | 'admin' | 'operator' | 'developer' | 'viewer';

export interface RunView {
  id: string;
  kind: string;
  status: RunStatus;
  title: string;
  parentRunId: string | null;
  result?: unknown;
  error?: { message?: string } & Record<string, unknown>;
  errorClass: string | null;
  steps?: { key: string; status: string; attempt: number; cloudRequestIds: string[]; error?: unknown }[];
  resources?: { kind: string; locator: Record<string, unknown>; deletedAt: string | null }[];
}

/**
 * The API and a worker (in process, or none when a test brings its own worker process) on the real
 * Postgres and Redis, the sandbox clouds in process, and the demo tenant's accounts pointed at them.
 */
export async function startCloudStack(
  opts: {
    speed?: number;
    worker?: boolean;
    stalledMs?: number;
    /** the worker's work slots (default 8) */
    concurrency?: number;
    /** how often scheduled syncs compare a clone's workloads again (default 0: every sync) */
    workloadDriftIntervalMinutes?: number;
    logStream?: { write(line: string): void };
    /** configuration of the API and worker (e.g. a REDIS_URL of the test's own server) */
    overrides?: Record<string, string>;
    /** what the sandbox clouds offer (their live lists); default the bundled snapshot */
    catalog?: Catalog;
  } = {},
) {
  const sandbox: TestSandbox = await startTestSandbox({
    speed: opts.speed ?? 3000,
    ...(opts.catalog ? { catalog: opts.catalog } : {}),
  });
  const h: Harness = await startHarness(
    { ...(opts.logStream ? { DOLLY_LOG_LEVEL: 'debug' } : {}), ...opts.overrides },
    {
      worker: opts.worker !== false,
      pollIntervalMs: 20,
      ...(opts.stalledMs ? { stalledMs: opts.stalledMs } : {}),
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.workloadDriftIntervalMinutes !== undefined
        ? { workloadDriftIntervalMinutes: opts.workloadDriftIntervalMinutes }
        : {}),
      ...(opts.logStream ? { logStream: opts.logStream } : {}),
    },
  );
  const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
  await registerSandboxAccounts(h.db, h.vault, tenant.id, sandbox.sandbox.urls.http);
  const accounts = await h.db.cloudAccount.findMany({
    where: { tenantId: tenant.id, name: { startsWith: 'Sandbox ' } },
  });
  const account = (cloud: 'aws' | 'azure' | 'gcp', scope?: string) => {
    const a = accounts.find((x) => x.cloud === cloud && (!scope || x.scope === scope));
    if (!a) throw new Error(`no sandbox ${cloud} account`);
    return a;
  };
  const sessions = new Map<Who, { cookie: string; csrf: string }>();
  for (const who of ['owner', 'operator', 'developer', 'viewer'] as const)
    sessions.set(who, await login(h.app, `${who}@demo.dolly`));

  async function api<T = unknown>(
    who: Who,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; headers: Record<string, unknown> }> {
    const s = sessions.get(who);
    if (!s) throw new Error(`no session for ${who}`);
    const res = await h.app.inject({
      method,
      url,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T, headers: res.headers };
  }

  async function run(id: string): Promise<RunView> {
    const res = await api<RunView>('operator', 'GET', `/api/v1/runs/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  /** Polls the run until `until` holds (default: a final state). */
  async function waitRun(
    id: string,
    until: (r: RunView) => boolean = (r) => isTerminalStatus(r.status),
    timeoutMs = 60_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await run(id);
      if (until(r)) return r;
      if (Date.now() > deadline)
        throw new Error(`run ${id} still ${r.status} after ${timeoutMs} ms: ${JSON.stringify(r.steps)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  async function sync() {
    // Only the sandbox accounts: other test files leave accounts pointing nowhere in this database.
    const res = await api<RunView>('operator', 'POST', '/api/v1/inventory/sync', {
      accountIds: accounts.map((a) => a.id),
    });
    expect(res.status).toBe(202);
    const done = await waitRun(res.body.id);
    expect(done.status, JSON.stringify(done.result)).toBe('succeeded');
    return done;
  }

  async function clusterId(cloud: string, name: string, scope?: string) {
    const c = await h.db.cluster.findFirst({
      where: {
        tenantId: tenant.id,
        cloud: cloud as 'aws',
        name,
        vanishedAt: null,
        ...(scope ? { scope } : {}),
      },
    });
    if (!c) throw new Error(`no ${cloud} cluster ${name} in the inventory`);
    return c.id;
  }

  /**
   * A developer's clone of GKE shop-prod into the AWS sandbox, applied and waited for until one of
   * its steps is under way: the moment tests pull a dependency out from under a running run.
   */
  async function cloneUnderWay(nameSuffix: string): Promise<string> {
    const plan = await api<{ id: string }>('developer', 'POST', '/api/v1/plans', {
      source: { clusterIds: [await clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
      target: { accountId: account('aws').id, environment: 'dev', nameSuffix },
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const applied = await api<{ runs: { id: string }[] }>(
      'developer',
      'POST',
      `/api/v1/plans/${plan.body.id}/apply`,
      {},
    );
    expect(applied.status, JSON.stringify(applied.body)).toBe(202);
    const runId = applied.body.runs[0]?.id ?? '';
    await waitRun(
      runId,
      (r) => r.status === 'running' && (r.steps ?? []).some((st) => st.status === 'running'),
    );
    return runId;
  }

  const cloud = createCloudAccess(h.db, h.vault);
  /** What the cloud itself reports, through the official SDK, independent of Dolly's inventory. */
  async function discover(which: 'aws' | 'azure' | 'gcp', scope?: string) {
    return cloud.provider(account(which, scope), scope).discover();
  }

  const freshAccountIds: string[] = [];
  /**
   * A new account as its cloud hands it out (`fresh`: no IAM roles, AKS not registered, GKE API off,
   * a new account's quotas; plus what `sandbox` asks for, e.g. `noDefaultVpc`), added to Dolly under
   * `name` with `settings` on top. Removed again by close(): the tenant's other tests expect one
   * account per sandbox account (the CLI picks "the" account of a cloud). Not named "Sandbox …", so
   * sync() and other files leave it alone.
   */
  async function freshAccount(spec: {
    cloud: 'aws' | 'azure' | 'gcp';
    id: string;
    name: string;
    sandbox?: Record<string, unknown>;
    settings?: Record<string, unknown>;
  }) {
    const r = await sandbox.admin('POST', '/_sandbox/accounts', {
      cloud: spec.cloud,
      id: spec.id,
      fresh: true,
      ...spec.sandbox,
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const info = r.json as SandboxAccountInfo;
    await registerSandboxAccount(h.db, h.vault, tenant.id, info, spec.name);
    const stored = await h.db.cloudAccount.findFirstOrThrow({
      where: { tenantId: tenant.id, name: spec.name },
    });
    freshAccountIds.push(stored.id);
    const account = spec.settings
      ? await h.db.cloudAccount.update({
          where: { id: stored.id },
          data: { settings: { ...(stored.settings as object), ...spec.settings } as object },
        })
      : stored;
    return { info, account };
  }

  return {
    h,
    sandbox,
    tenant,
    account,
    api,
    run,
    waitRun,
    sync,
    clusterId,
    cloneUnderWay,
    discover,
    freshAccount,
    async close() {
      await h.db.cloudAccount.deleteMany({ where: { id: { in: freshAccountIds } } });
      await h.close();
      await sandbox.close();
    },
  };
}

export type CloudStack = Awaited<ReturnType<typeof startCloudStack>>;
