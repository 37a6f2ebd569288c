import type { ProviderCloud } from './types';

export type CloudErrorClass =
  | 'throttled'
  | 'quota'
  | 'rejected'
  | 'not_found'
  | 'conflict'
  | 'auth'
  | 'transient';

export interface CloudErrorInit {
  cloud: ProviderCloud;
  operation: string;
  class: CloudErrorClass;
  message: string;
  retryAfterMs?: number;
  requestId?: string;
  field?: string;
  cloudCode?: string;
  cause?: unknown;
}

/**
 * A cloud failure in Dolly's vocabulary. The message is the cloud's own (SDK error messages carry no
 * secrets); credentials are never put here.
 */
export class CloudError extends Error {
  readonly class: CloudErrorClass;
  readonly cloud: ProviderCloud;
  readonly operation: string;
  retryAfterMs?: number;
  requestId?: string;
  field?: string;
  cloudCode?: string;

  constructor(init: CloudErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'CloudError';
    this.class = init.class;
    this.cloud = init.cloud;
    this.operation = init.operation;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.field !== undefined) this.field = init.field;
    if (init.cloudCode !== undefined) this.cloudCode = init.cloudCode;
  }

  /** Throttled and transient failures are worth an automatic retry; the others need a person. */
  get retryable(): boolean {
    return this.class === 'throttled' || this.class === 'transient';
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      class: this.class,
      cloud: this.cloud,
      operation: this.operation,
      message: this.message,
      retryAfterMs: this.retryAfterMs,
      requestId: this.requestId,
      field: this.field,
      cloudCode: this.cloudCode,
    };
  }
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Reads a header from the shapes SDKs use (plain record, Headers-like `get`, raw header list). */
function header(headers: unknown, name: string): string | undefined {
  if (!isRec(headers)) return undefined;
  const get = headers.get;
  if (typeof get === 'function') {
    const v: unknown = get.call(headers, name);
    if (typeof v === 'string') return v;
  }
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name)
      return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : undefined;
  }
  return undefined;
}

/** Retry-After: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, Math.round(secs * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'TimeoutError',
  'RequestTimeout',
]);

function networkError(e: Rec): string | undefined {
  const code = str(e.code) ?? str(e.errno) ?? str(e.name);
  if (code && NETWORK_CODES.has(code)) return code;
  if (isRec(e.cause)) return networkError(e.cause);
  return undefined;
}

const TLS_CODES =
  /^(?:SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID)$/;

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (isRec(e) && typeof e.message === 'string') return e.message;
  return String(e);
}

const MAX_MESSAGE = 400;
const DOCUMENT = /<(?:!doctype|html|head|body|title|script|div|pre|\?xml)\b/i;

/**
 * The message a tenant may see. SDKs sometimes put the raw answer in the message when it is not a
 * cloud error document; Dolly is pointed at hosts by tenants, so a page such a host served (an
 * internal dashboard, metadata) is never relayed: documents are replaced, long text is cut.
 */
export function tenantSafeMessage(message: string, operation: string, status?: number): string {
  if (/^\s*[{[]/.test(message)) {
    // a JSON answer: only a cloud error document's own message is kept
    const inner = jsonErrorMessage(message);
    if (inner !== undefined) return tenantSafeMessage(inner, operation, status);
  }
  if (DOCUMENT.test(message) || message.split('\n').length > 5 || /^\s*[{[]/.test(message)) {
    return `${operation}: the endpoint answered${status ? ` HTTP ${status}` : ''} with something that is not a cloud API error (not shown)`;
  }
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

function jsonErrorMessage(text: string): string | undefined {
  try {
    const doc: unknown = JSON.parse(text);
    if (!isRec(doc)) return undefined;
    const err = isRec(doc.error) ? doc.error : undefined;
    const m = str(err?.message) ?? str(doc.error_description) ?? str(doc.message);
    return m && !/^\s*[{[]/.test(m) ? m : undefined;
  } catch {
    return undefined;
  }
}

function statusOf(e: unknown): number | undefined {
  if (!isRec(e)) return undefined;
  const meta = isRec(e.$metadata) ? e.$metadata : {};
  const response = isRec(e.response) ? e.response : {};
  return num(meta.httpStatusCode) ?? num(e.statusCode) ?? num(e.status) ?? num(response.status);
}

// ---------------------------------------------------------------- AWS
const AWS_THROTTLE = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
]);
const AWS_QUOTA = new Set([
  'ResourceLimitExceededException',
  'ServiceQuotaExceededException',
  'LimitExceededException',
  'LimitExceeded',
  'InstanceLimitExceeded',
  'VcpuLimitExceeded',
  'InsufficientInstanceCapacity',
  'UnsupportedAvailabilityZoneException',
]);
const AWS_AUTH = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'MissingAuthenticationToken',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'AccessDeniedException',
  'AccessDenied',
  'AuthFailure',
  'UnauthorizedOperation',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
  'NotAuthorizedException',
]);
const AWS_NOT_FOUND = new Set(['ResourceNotFoundException', 'NotFoundException']);
const AWS_CONFLICT = new Set(['ResourceInUseException', 'ResourceInUse', 'ConflictException']);
const AWS_REJECTED = new Set([
  'InvalidParameterException',
  'InvalidRequestException',
  'BadRequestException',
  'ValidationException',
  'ValidationError',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
  'UnsupportedOperation',
  'UnknownOperationException',
]);

function classifyAws(e: Rec): Omit<CloudErrorInit, 'cloud' | 'operation' | 'message'> | undefined {
  const name = str(e.name) ?? str(e.Code) ?? str(e.code);
  const meta = isRec(e.$metadata) ? e.$metadata : {};
  const status = num(meta.httpStatusCode);
  if (!name && status === undefined) return undefined;
  const requestId = str(meta.requestId) ?? str(meta.extendedRequestId);
  const response = isRec(e.$response) ? e.$response : undefined;
  const retryAfterMs = parseRetryAfter(header(response?.headers, 'retry-after'));
  const field = str(e.nodegroupName) ? 'nodegroupName' : str(e.addonName) ? 'addonName' : undefined;
  const base = {
    ...(requestId ? { requestId } : {}),
    ...(name ? { cloudCode: name } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(field ? { field } : {}),
  };
  const n = name ?? '';
  let cls: CloudErrorClass | undefined;
  if (AWS_THROTTLE.has(n) || status === 429) cls = 'throttled';
  else if (AWS_QUOTA.has(n)) cls = 'quota';
  else if (AWS_AUTH.has(n) || status === 401 || status === 403) cls = 'auth';
  else if (AWS_NOT_FOUND.has(n) || /\.NotFound$|NotFound$/.test(n) || status === 404) cls = 'not_found';
  else if (AWS_CONFLICT.has(n) || status === 409) cls = 'conflict';
  else if (AWS_REJECTED.has(n) || /^Invalid/.test(n)) cls = 'rejected';
  else if (
    (status !== undefined && status >= 500) ||
    /ServerException|InternalFailure|InternalError|ServiceUnavailable/.test(n)
  )
    cls = 'transient';
  else if (status !== undefined && status >= 400) cls = 'rejected';
  return cls ? { class: cls, ...base } : undefined;
}

// ---------------------------------------------------------------- Azure
const AZURE_QUOTA = /Quota|InsufficientVCPU|SkuNotAvailable|ZonalAllocationFailed|AllocationFailed/i;
const AZURE_BUSY = new Set(['OperationNotAllowed', 'AnotherOperationInProgress', 'EtagMismatch', 'Conflict']);

function classifyAzure(e: Rec): Omit<CloudErrorInit, 'cloud' | 'operation' | 'message'> | undefined {
  const name = str(e.name) ?? '';
  // @azure/identity: wrong secret, unknown tenant, no credential in the default chain
  if (
    name === 'AuthenticationError' ||
    name === 'AuthenticationRequiredError' ||
    name === 'CredentialUnavailableError' ||
    name === 'AggregateAuthenticationError'
  ) {
    return { class: 'auth', cloudCode: name };
  }
  const status = num(e.statusCode);
  const code = str(e.code);
  if (name !== 'RestError' && status === undefined) return undefined;
  const response = isRec(e.response) ? e.response : undefined;
  const headers = response?.headers;
  const requestId = header(headers, 'x-ms-request-id') ?? header(headers, 'x-ms-correlation-request-id');
  const retryAfterMs =
    parseRetryAfter(header(headers, 'retry-after')) ??
    parseRetryAfter(
      header(headers, 'retry-after-ms')
        ? String(Number(header(headers, 'retry-after-ms')) / 1000)
        : undefined,
    );
  let field: string | undefined;
  const body = isRec(response?.parsedBody) ? response.parsedBody : undefined;
  const err = isRec(body?.error) ? body.error : undefined;
  if (err && str(err.target)) field = str(err.target);
  const base = {
    ...(requestId ? { requestId } : {}),
    ...(code ? { cloudCode: code } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(field ? { field } : {}),
  };
  let cls: CloudErrorClass;
  if (status === 429 || code === 'TooManyRequests' || code === 'Throttled') cls = 'throttled';
  else if (
    status === 401 ||
    status === 403 ||
    code === 'AuthorizationFailed' ||
    code === 'InvalidAuthenticationToken'
  )
    cls = 'auth';
  else if (code && AZURE_QUOTA.test(code)) cls = 'quota';
  else if (status === 404) cls = 'not_found';
  // AKS allows one operation per cluster at a time: 409 OperationNotAllowed clears when it ends
  else if (status === 409 && code && AZURE_BUSY.has(code)) cls = 'transient';
  else if (status === 409) cls = 'conflict';
  else if (status !== undefined && status >= 500) cls = 'transient';
  else if (status !== undefined && status >= 400) cls = 'rejected';
  else if (networkError(e)) cls = 'transient';
  else return undefined;
  return { class: cls, ...base };
}

// ---------------------------------------------------------------- GCP
/** gRPC status codes (google.rpc.Code), as GoogleError.code and in Operation.error.code. */
const GRPC: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};
const HTTP_TO_GRPC: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 6,
  412: 9,
  429: 8,
  500: 13,
  501: 12,
  503: 14,
  504: 4,
};

export function grpcClass(code: number, message: string): CloudErrorClass {
  switch (code) {
    case 8:
      // RESOURCE_EXHAUSTED is both rate limiting and exhausted quota; the message tells them apart
      return /per minute|per second|rate|Requests'/i.test(message) &&
        !/insufficient|regional quota/i.test(message)
        ? 'throttled'
        : /quota|insufficient|exhausted/i.test(message)
          ? 'quota'
          : 'throttled';
    case 3:
    case 11:
    case 12:
      return 'rejected';
    case 9:
      // GKE answers a second mutating operation on a cluster with FAILED_PRECONDITION; it clears
      return /operation|in progress|currently|incompatible/i.test(message) ? 'transient' : 'rejected';
    case 5:
      return 'not_found';
    case 6:
      return 'conflict';
    case 7:
    case 16:
      return 'auth';
    default:
      return 'transient';
  }
}

function classifyGcp(e: Rec): Omit<CloudErrorInit, 'cloud' | 'operation' | 'message'> | undefined {
  let code = num(e.code);
  const name = str(e.name) ?? str(e.constructor && (e.constructor as { name?: unknown }).name) ?? '';
  // GaxiosError: HTTP status in .status (or .response.status), body JSON in the message
  const httpStatus = num(e.status) ?? (isRec(e.response) ? num(e.response.status) : undefined);
  if (code === undefined && httpStatus !== undefined)
    code = HTTP_TO_GRPC[httpStatus] ?? (httpStatus >= 500 ? 14 : 3);
  if (code === undefined && typeof e.code === 'string' && /^\d+$/.test(e.code)) {
    const s = Number(e.code);
    code = HTTP_TO_GRPC[s] ?? (s >= 500 ? 14 : 3);
  }
  // google-auth-library token errors (invalid_grant, invalid_client)
  const msg = messageOf(e);
  if (/invalid_grant|invalid_client|unauthorized_client|Could not load the default credentials/i.test(msg)) {
    return { class: 'auth', cloudCode: 'UNAUTHENTICATED' };
  }
  if (code === undefined || code < 1 || code > 16) return undefined;
  const metadata = isRec(e.metadata) ? e.metadata : undefined;
  const retryAfterMs = parseRetryAfter(
    header(metadata, 'retry-after') ??
      header(isRec(e.response) ? e.response.headers : undefined, 'retry-after'),
  );
  const requestId = header(metadata, 'x-goog-request-id') ?? undefined;
  let field: string | undefined;
  const details = Array.isArray(e.statusDetails) ? e.statusDetails : [];
  for (const d of details) {
    if (isRec(d) && Array.isArray(d.fieldViolations) && isRec(d.fieldViolations[0])) {
      field = str(d.fieldViolations[0].field);
    }
  }
  void name;
  return {
    class: grpcClass(code, msg),
    cloudCode: GRPC[code] ?? String(code),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(requestId ? { requestId } : {}),
    ...(field ? { field } : {}),
  };
}

/** Maps whatever an SDK threw to a CloudError (an existing CloudError passes through). */
export function classifyCloudError(cloud: ProviderCloud, operation: string, error: unknown): CloudError {
  if (error instanceof CloudError) return error;
  const message = tenantSafeMessage(messageOf(error), operation, statusOf(error));
  if (isRec(error)) {
    if (error.code === 'EDOLLY_EGRESS')
      return new CloudError({
        cloud,
        operation,
        message,
        class: 'rejected',
        cloudCode: 'EgressRefused',
        field: 'endpoint',
        cause: error,
      });
    const c =
      cloud === 'aws'
        ? classifyAws(error)
        : cloud === 'azure'
          ? classifyAzure(error)
          : cloud === 'gcp'
            ? classifyGcp(error)
            : undefined;
    if (c) return new CloudError({ cloud, operation, message, ...c, cause: error });
    const net = networkError(error);
    if (net)
      return new CloudError({ cloud, operation, message, class: 'transient', cloudCode: net, cause: error });
    const tls = str(error.code);
    if (tls && TLS_CODES.test(tls)) {
      // a certificate problem is configuration (the account's CA bundle), not something a retry fixes
      return new CloudError({
        cloud,
        operation,
        message,
        class: 'rejected',
        cloudCode: tls,
        field: 'caBundle',
        cause: error,
      });
    }
  }
  return new CloudError({ cloud, operation, message, class: 'transient', cause: error });
}

export function isAbortError(e: unknown): boolean {
  return isRec(e) && (e.name === 'AbortError' || e.code === 'ABORT_ERR');
}

/**
 * Runs one cloud call and classifies what it throws. Aborts (cancelled runs) pass through as they
 * are so the worker sees a cancellation, not a cloud failure.
 */
export async function cloudCall<T>(
  cloud: ProviderCloud,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isAbortError(e)) throw e;
    throw classifyCloudError(cloud, operation, e);
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof CloudError && e.class === 'not_found';
}
