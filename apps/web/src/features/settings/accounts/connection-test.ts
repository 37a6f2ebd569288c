import type { ResponseBody } from '@dolly/api-client';

/**
 * What a connection test found: the test route's answer without its time. The account DTO types
 * `lastTestResult` as unknown, so it is read defensively here.
 */
export type ConnectionTest = Omit<ResponseBody<'/api/v1/accounts/{id}/test', 'post'>, 'testedAt'>;

export function readConnectionTest(value: unknown): ConnectionTest | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  // A route may answer `{ result: {...} }` or the account with `lastTestResult`; accept both.
  if (typeof v.ok !== 'boolean') {
    if ('lastTestResult' in v) return readConnectionTest(v.lastTestResult);
    if ('result' in v) return readConnectionTest(v.result);
    return null;
  }
  const strings = (x: unknown) =>
    Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
  return {
    ok: v.ok,
    ...(typeof v.identity === 'string' ? { identity: v.identity } : {}),
    ...(typeof v.message === 'string' ? { message: v.message } : {}),
    scopes: strings(v.scopes),
    missing: strings(v.missing),
  };
}

/** One line for a list cell: never colour alone, so the words carry the outcome. */
export function connectionSummary(test: ConnectionTest | null, testedAt: string | null): string {
  if (!test || !testedAt) return 'Not tested yet';
  if (test.ok && test.missing.length === 0) return 'Connected';
  if (test.ok) return `Connected, missing: ${test.missing.join(', ')}`;
  return `Failed${test.message ? `: ${test.message}` : ''}`;
}
