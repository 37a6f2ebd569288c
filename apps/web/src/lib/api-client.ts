import { ApiError, createDollyClient, type Schemas, unwrap } from '@dolly/api-client';

export { ApiError, unwrap };
export type { Schemas };

// The session's CSRF token lives in memory only: it arrives with /auth/me or /auth/login and goes
// back as X-CSRF-Token on every mutating request (the session cookie alone is not enough).
let csrfToken: string | undefined;
export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}
export function currentCsrfToken() {
  return csrfToken;
}

/** The typed client for every route in the API's OpenAPI document (packages/api-client). */
export const dolly = createDollyClient({ baseUrl: '', csrfToken: () => csrfToken });

/** The server's own words for an error, falling back to a generic one for network failures. */
export function problemMessage(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.problem.title;
  if (error instanceof TypeError) return 'Could not reach the Dolly API';
  return error instanceof Error ? error.message : String(error);
}

/** Field errors of a 400/422 problem, with the `body.` prefix that only the API cares about removed. */
export function problemFieldErrors(error: unknown, strip = 'body.'): { path: string; message: string }[] {
  if (!(error instanceof ApiError)) return [];
  return (error.problem.errors ?? []).map((e) => ({
    path: e.path.startsWith(strip) ? e.path.slice(strip.length) : e.path,
    message: e.message,
  }));
}

export function problemCode(error: unknown): string | undefined {
  return error instanceof ApiError ? error.problem.code : undefined;
}
