import { ApiError, type Problem } from '@dolly/api-client';

/** Field errors keyed by the path a form field declares, plus what no field claimed. */
export interface FieldErrors {
  byPath: Record<string, string>;
  unclaimed: string[];
}

/**
 * Splits a problem's `errors[]` over a form's fields. The API names fields like
 * `body.credentials.accessKeyId`; forms name them without the `body.` prefix. A path that is
 * not a field of the form (or is deeper than one, like `settings.regions.0`) goes to the
 * nearest field that is a prefix of it, else into `unclaimed` so it is still shown.
 */
export function fieldErrors(problem: Problem | undefined, fields: readonly string[]): FieldErrors {
  const byPath: Record<string, string> = {};
  const unclaimed: string[] = [];
  for (const e of problem?.errors ?? []) {
    const path = e.path.replace(/^body\.?/, '');
    const field = [...fields]
      .filter((f) => path === f || path.startsWith(`${f}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (field === undefined) unclaimed.push(path ? `${path}: ${e.message}` : e.message);
    else byPath[field] = byPath[field] ? `${byPath[field]}; ${e.message}` : e.message;
  }
  return { byPath, unclaimed };
}

export function problemOf(error: unknown): Problem | undefined {
  return error instanceof ApiError ? error.problem : undefined;
}

/** The server's own words for an error, or a plain sentence when the server was not reached. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.problem.title;
  if (error instanceof Error) return `Could not reach Dolly's API: ${error.message}`;
  return 'Something went wrong';
}
