import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.ts';

export type { components, paths };
export type Schemas = components['schemas'];

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/**
 * Bodies and queries of one operation, read from the spec so the CLI and the dashboard never keep
 * their own copy of what a route accepts or answers: `RequestBody<'/api/v1/plans', 'post'>`.
 */
export type RequestBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
export type QueryParams<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
export type ResponseBody<P extends keyof paths, M extends Method, S extends number = 200> =
  Operation<P, M> extends { responses: { [K in S]: { content: { 'application/json': infer R } } } }
    ? R
    : never;

/** RFC 9457 problem details as every Dolly error answers. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { path: string; message: string }[];
  requestId?: string;
  [k: string]: unknown;
}

/** Thrown by `unwrap` so callers (CLI, dashboard) show the server's own words and field paths. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
  }
}

export interface DollyClientOptions {
  baseUrl: string;
  /** API token (dolly_...) for scripts and the CLI; the browser uses its session cookie instead. */
  token?: string;
  /** The browser's CSRF token for mutating requests with a session cookie. */
  csrfToken?: () => string | undefined;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export type DollyClient = Client<paths>;

export function createDollyClient(opts: DollyClientOptions): DollyClient {
  const client = createClient<paths>({
    baseUrl: opts.baseUrl.replace(/\/$/, ''),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    credentials: 'same-origin',
  });
  if (opts.csrfToken) {
    const csrf: Middleware = {
      onRequest({ request }) {
        const token = opts.csrfToken?.();
        if (token && request.method !== 'GET' && request.method !== 'HEAD')
          request.headers.set('x-csrf-token', token);
        return request;
      },
    };
    client.use(csrf);
  }
  return client;
}

/** The data of an openapi-fetch result, or an ApiError carrying the problem details. */
export async function unwrap<T>(
  result: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await result;
  if (response.ok) return data as T;
  throw new ApiError(response.status, toProblem(error, response));
}

function toProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === 'object' && 'title' in error) return error as Problem;
  return {
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    ...(typeof error === 'string' && error ? { detail: error } : {}),
  };
}
