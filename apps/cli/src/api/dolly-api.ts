import { ApiError, createDollyClient, type DollyClient, type Problem, unwrap } from '@dolly/api-client';
import { CliError } from '../errors.ts';
import type {
  AccountCheck,
  ApiToken,
  ApplyPlanBody,
  CloudAccount,
  ClusterDetail,
  ClusterPage,
  ClusterQuery,
  CreatedToken,
  CreatePlanBody,
  CreateTokenBody,
  DriftHistory,
  DriftReport,
  ImportClusterBody,
  ImportedCluster,
  LoginBody,
  MigrationBody,
  MigrationDryRun,
  PutPlanBody,
  Run,
  RunAction,
  RunPage,
  RunQuery,
  SessionInfo,
  SsoConfigBody,
  SsoSettings,
  StoredPlan,
  SyncInventoryBody,
} from './types.ts';

const USER_AGENT = 'dolly-cli/0.1';

/** fetch that turns "cannot connect" into a message naming the server instead of "fetch failed". */
function reachingFetch(baseUrl: string): typeof fetch {
  return async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach ${baseUrl}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
        1,
        'is the server running? check the URL with dolly context list',
      );
    }
  };
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object' && 'title' in body) return body as Problem;
  } catch {}
  return {
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    ...(text ? { detail: text.slice(0, 500) } : {}),
  };
}

export interface RawRequest {
  query?: Record<string, string | number | string[] | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Every call the CLI makes, in one place, through the typed client generated from the API's
 * OpenAPI document. `raw` is for requests the client cannot make (the password session's cookie)
 * and for a route not yet in the generated spec, typed from `./types.ts` until `pnpm openapi`.
 */
export function createDollyApi(opts: { baseUrl: string; token?: string }) {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = reachingFetch(baseUrl);
  const auth: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const client: DollyClient = createDollyClient({
    baseUrl,
    ...(opts.token ? { token: opts.token } : {}),
    fetch: doFetch,
    headers: { 'user-agent': USER_AGENT },
  });

  function url(path: string, query?: RawRequest['query']): string {
    const u = new URL(`${baseUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(one));
    }
    return u.toString();
  }

  async function raw<T>(method: string, path: string, req: RawRequest = {}): Promise<T> {
    const res = await doFetch(url(path, req.query), {
      method,
      headers: {
        ...auth,
        'user-agent': USER_AGENT,
        accept: 'application/json',
        ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...req.headers,
      },
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
    });
    if (!res.ok) throw new ApiError(res.status, await problemOf(res));
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const enc = encodeURIComponent;

  return {
    baseUrl,
    client,
    raw,

    me: (): Promise<SessionInfo> => unwrap(client.GET('/api/v1/auth/me')),

    listClusters: (query: ClusterQuery): Promise<ClusterPage> =>
      unwrap(client.GET('/api/v1/clusters', { params: { query } })),
    getCluster: (id: string): Promise<ClusterDetail> =>
      unwrap(client.GET('/api/v1/clusters/{id}', { params: { path: { id } } })),
    importCluster: (body: ImportClusterBody): Promise<ImportedCluster> =>
      unwrap(client.POST('/api/v1/clusters/import', { body })),
    clusterKubeconfig: (id: string) =>
      unwrap(client.GET('/api/v1/clusters/{id}/kubeconfig', { params: { path: { id } } })),
    checkDrift: (id: string): Promise<DriftReport> =>
      unwrap(client.POST('/api/v1/clusters/{id}/drift', { params: { path: { id } } })),
    driftHistory: (id: string, query: { cursor?: string; limit?: number } = {}): Promise<DriftHistory> =>
      unwrap(client.GET('/api/v1/clusters/{id}/drift', { params: { path: { id }, query } })),

    listAccounts: async (): Promise<CloudAccount[]> => (await unwrap(client.GET('/api/v1/accounts'))).items,
    getAccount: (id: string): Promise<CloudAccount> =>
      unwrap(client.GET('/api/v1/accounts/{id}', { params: { path: { id } } })),
    testAccount: (id: string): Promise<AccountCheck> =>
      unwrap(client.POST('/api/v1/accounts/{id}/test', { params: { path: { id } } })),

    listTokens: async (): Promise<ApiToken[]> => (await unwrap(client.GET('/api/v1/tokens'))).items,
    createToken: (body: CreateTokenBody): Promise<CreatedToken> =>
      unwrap(client.POST('/api/v1/tokens', { body })),
    revokeToken: async (id: string): Promise<void> => {
      await unwrap(client.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } }));
    },

    createPlan: (body: CreatePlanBody): Promise<StoredPlan> => unwrap(client.POST('/api/v1/plans', { body })),
    getPlan: (id: string): Promise<StoredPlan> =>
      unwrap(client.GET('/api/v1/plans/{id}', { params: { path: { id } } })),
    putPlan: (id: string, body: PutPlanBody): Promise<StoredPlan> =>
      unwrap(client.PUT('/api/v1/plans/{id}', { params: { path: { id } }, body })),
    applyPlan: (id: string, body: ApplyPlanBody, idempotencyKey: string): Promise<{ runs: Run[] }> =>
      unwrap(
        client.POST('/api/v1/plans/{id}/apply', {
          params: { path: { id }, header: { 'idempotency-key': idempotencyKey } },
          body,
        }),
      ),

    syncInventory: (body: SyncInventoryBody, idempotencyKey: string): Promise<Run> =>
      unwrap(
        client.POST('/api/v1/inventory/sync', {
          params: { header: { 'idempotency-key': idempotencyKey } },
          body,
        }),
      ),

    listRuns: (query: RunQuery): Promise<RunPage> =>
      unwrap(client.GET('/api/v1/runs', { params: { query } })),
    getRun: async (id: string): Promise<Run> =>
      unwrap(client.GET('/api/v1/runs/{id}', { params: { path: { id } } })),
    /** retry and rollback start a new run (the key makes a repeated request return the same one). */
    runAction: (
      id: string,
      action: RunAction,
      opts: { reason?: string; idempotencyKey: string },
    ): Promise<Run> => {
      const path = { id };
      const body = opts.reason ? { reason: opts.reason } : {};
      const header = { 'idempotency-key': opts.idempotencyKey };
      switch (action) {
        case 'cancel':
          return unwrap(client.POST('/api/v1/runs/{id}/cancel', { params: { path }, body }));
        case 'approve':
          return unwrap(client.POST('/api/v1/runs/{id}/approve', { params: { path }, body }));
        case 'reject':
          return unwrap(client.POST('/api/v1/runs/{id}/reject', { params: { path }, body }));
        case 'retry':
          return unwrap(client.POST('/api/v1/runs/{id}/retry', { params: { path, header } }));
        case 'rollback':
          return unwrap(client.POST('/api/v1/runs/{id}/rollback', { params: { path, header } }));
      }
    },
    /** The live SSE stream; the caller reads and parses the body. */
    openRunEvents: async (id: string, lastEventId: string | undefined, signal: AbortSignal) => {
      const res = await doFetch(url(`/api/v1/runs/${enc(id)}/events`), {
        headers: {
          ...auth,
          'user-agent': USER_AGENT,
          accept: 'text/event-stream',
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        signal,
      });
      if (!res.ok) throw new ApiError(res.status, await problemOf(res));
      return res;
    },

    /** A dry run answers the plan document (200), otherwise the queued migrate run (202). */
    createMigration: (body: MigrationBody): Promise<Run | MigrationDryRun> =>
      unwrap(client.POST('/api/v1/migrations', { body })),

    getSso: (): Promise<SsoSettings> => unwrap(client.GET('/api/v1/sso')),
    putSso: (body: SsoConfigBody): Promise<SsoSettings> => unwrap(client.PUT('/api/v1/sso', { body })),
    deleteSso: async (): Promise<void> => {
      await unwrap(client.DELETE('/api/v1/sso'));
    },

    /** Email and password sign-in for `dolly login --email`: a short session used to mint a token. */
    async passwordSession(email: string, password: string, tenant?: string) {
      const res = await doFetch(`${baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
        body: JSON.stringify({ email, password, ...(tenant ? { tenant } : {}) } satisfies LoginBody),
      });
      if (!res.ok) throw new ApiError(res.status, await problemOf(res));
      const info = (await res.json()) as SessionInfo;
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0] ?? '')
        .find((c) => c.startsWith('dolly_session='));
      if (!cookie) throw new CliError('the server did not open a session');
      const headers = { cookie, 'x-csrf-token': info.csrfToken ?? '' };
      return {
        info,
        createToken: (body: CreateTokenBody) =>
          raw<CreatedToken>('POST', '/api/v1/tokens', { body, headers }),
        close: () => raw<void>('POST', '/api/v1/auth/logout', { headers }).catch(() => undefined),
      };
    },
  };
}

export type DollyApi = ReturnType<typeof createDollyApi>;
