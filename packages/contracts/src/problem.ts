import { z } from 'zod';

/**
 * Stable machine codes for every error Dolly returns. The `title` is for people; scripts switch
 * on `code`. Never rename a code: add a new one.
 */
export const errorCodes = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  unprocessable: { status: 422, title: 'The request cannot be processed' },
  unauthenticated: { status: 401, title: 'Sign in or send an API token' },
  forbidden: { status: 403, title: 'Not allowed' },
  policy_denied: { status: 403, title: 'A clone policy forbids this' },
  csrf_failed: { status: 403, title: 'Missing or wrong CSRF token' },
  password_change_required: { status: 403, title: 'Choose a new password first' },
  sso_required: { status: 403, title: "Sign in with the tenant's single sign-on" },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  invalid_state: { status: 409, title: 'The run is not in a state that allows this' },
  confirmation_required: { status: 422, title: 'Type the target name to confirm' },
  idempotency_conflict: { status: 409, title: 'Idempotency-Key reused with another request' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  cloud_failed: { status: 502, title: 'The cloud refused or failed the call' },
  unavailable: { status: 503, title: 'A dependency is not available' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export const problemFieldErrorSchema = z.object({
  path: z.string().meta({ description: 'Where the problem is, e.g. body.items[0].target.name' }),
  message: z.string(),
  code: z.string().optional(),
});

/** RFC 9457 problem details, the one error envelope of the API. */
export const problemSchema = z
  .object({
    type: z.string().meta({ example: 'https://dolly.dev/problems/validation_failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().meta({ description: 'Stable machine-readable error code' }),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(problemFieldErrorSchema).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;
export type ProblemFieldError = z.infer<typeof problemFieldErrorSchema>;

export function problemType(code: string) {
  return `https://dolly.dev/problems/${code}`;
}

/** An error that knows how to present itself as problem+json. Thrown by services, rendered by the API. */
export class DollyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: ProblemFieldError[];
  constructor(code: ErrorCode, detail?: string, errors?: ProblemFieldError[]) {
    super(detail ?? errorCodes[code].title);
    this.name = 'DollyError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.errors = errors;
  }

  toProblem(requestId?: string): Problem {
    return {
      type: problemType(this.code),
      title: errorCodes[this.code].title,
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(requestId ? { requestId } : {}),
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }
}
