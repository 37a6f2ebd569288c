/**
 * AWS Signature Version 4, server side: verify the Authorization header of a request or a
 * presigned URL (EKS kube tokens), with the same canonicalisation rules as @smithy/signature-v4
 * (non-S3: path segments normalised and URI-encoded a second time).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

export type SigV4Result =
  | { ok: true; scope: SigV4Scope; signedAt: number }
  | {
      ok: false;
      code: 'IncompleteSignature' | 'InvalidSignature' | 'UnknownKey' | 'Expired';
      message: string;
    };

/** RFC 3986 escaping exactly as smithy's escapeUri. */
export function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  let k = hmac(`AWS4${secret}`, date);
  for (const part of [region, service, 'aws4_request']) k = hmac(k, part);
  return k;
}

/** Raw query string → decoded [key, value] pairs (no '+' → space: AWS clients never send '+'). */
export function parseQuery(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  const out: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? '' : part.slice(i + 1);
    out.push([safeDecode(k), safeDecode(v)]);
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function canonicalPath(rawPath: string): string {
  const segs: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg.length === 0 || seg === '.') continue;
    if (seg === '..') segs.pop();
    else segs.push(seg);
  }
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segs.join('/')}${segs.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

export function canonicalQuery(pairs: [string, string][]): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    if (k.toLowerCase() === 'x-amz-signature') continue;
    const ek = escapeUri(k);
    const list = byKey.get(ek) ?? [];
    list.push(`${ek}=${escapeUri(v)}`);
    byKey.set(ek, list);
  }
  return [...byKey.keys()]
    .sort()
    .map((k) => (byKey.get(k) ?? []).sort().join('&'))
    .join('&');
}

function canonicalHeaderValue(v: string): string {
  return v
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

export function canonicalRequest(
  method: string,
  rawPath: string,
  query: [string, string][],
  headers: Record<string, string>,
  signedHeaders: string[],
  payloadHash: string,
): string {
  const sorted = [...signedHeaders].sort();
  return [
    method,
    canonicalPath(rawPath),
    canonicalQuery(query),
    sorted.map((h) => `${h}:${canonicalHeaderValue(headers[h] ?? '')}`).join('\n'),
    '',
    sorted.join(';'),
    payloadHash,
  ].join('\n');
}

export function stringToSign(longDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${longDate}\n${scope}\n${sha256Hex(canonical)}`;
}

export function signature(secret: string, s: SigV4Scope, longDate: string, canonical: string): string {
  const scope = `${s.date}/${s.region}/${s.service}/aws4_request`;
  return createHmac('sha256', signingKey(secret, s.date, s.region, s.service))
    .update(stringToSign(longDate, scope, canonical), 'utf8')
    .digest('hex');
}

function parseCredential(cred: string): SigV4Scope | undefined {
  const parts = cred.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

/** "20260101T120000Z" → epoch ms */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function safeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Parse the credential scope of a request without verifying it (for routing). */
export function peekScope(
  authorization: string | undefined,
  query: [string, string][],
): SigV4Scope | undefined {
  if (authorization?.startsWith(ALGORITHM)) {
    const m = /Credential=([^,\s]+)/.exec(authorization);
    return m?.[1] ? parseCredential(m[1]) : undefined;
  }
  const cred = query.find(([k]) => k === 'X-Amz-Credential')?.[1];
  return cred ? parseCredential(cred) : undefined;
}

export interface VerifyInput {
  method: string;
  rawPath: string;
  query: [string, string][];
  /** lower-case header names */
  headers: Record<string, string>;
  body: Buffer;
  secretFor(accessKeyId: string): string | undefined;
  now: number;
  /** allowed clock skew (AWS: 15 minutes) */
  maxSkewMs?: number;
}

/** Verify a request signed in the Authorization header. */
export function verifyAuthorizationHeader(input: VerifyInput): SigV4Result {
  const auth = input.headers.authorization ?? '';
  if (!auth.startsWith(`${ALGORITHM} `)) {
    return {
      ok: false,
      code: 'IncompleteSignature',
      message: 'Authorization header requires AWS4-HMAC-SHA256.',
    };
  }
  const cred = /Credential=([^,\s]+)/.exec(auth)?.[1];
  const signed = /SignedHeaders=([^,\s]+)/.exec(auth)?.[1];
  const sig = /Signature=([0-9a-f]+)/.exec(auth)?.[1];
  const scope = cred ? parseCredential(cred) : undefined;
  if (!scope || !signed || !sig) {
    return {
      ok: false,
      code: 'IncompleteSignature',
      message: "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
    };
  }
  const secret = input.secretFor(scope.accessKeyId);
  if (secret === undefined) {
    return {
      ok: false,
      code: 'UnknownKey',
      message: 'The security token included in the request is invalid.',
    };
  }
  const longDate = input.headers['x-amz-date'] ?? '';
  const signedAt = parseAmzDate(longDate);
  if (signedAt === undefined || !longDate.startsWith(scope.date)) {
    return { ok: false, code: 'IncompleteSignature', message: 'Missing or invalid X-Amz-Date header.' };
  }
  const skew = input.maxSkewMs ?? 15 * 60_000;
  if (Math.abs(input.now - signedAt) > skew) {
    return {
      ok: false,
      code: 'Expired',
      message: `Signature expired: ${longDate} is now earlier than the allowed time window.`,
    };
  }
  const signedHeaders = signed.split(';');
  const bodyHash = sha256Hex(input.body);
  const claimed = input.headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== 'UNSIGNED-PAYLOAD' && claimed !== bodyHash) {
    return {
      ok: false,
      code: 'InvalidSignature',
      message: 'The provided x-amz-content-sha256 header does not match what was computed.',
    };
  }
  const payloadHash = claimed ?? bodyHash;
  const canonical = canonicalRequest(
    input.method,
    input.rawPath,
    input.query,
    input.headers,
    signedHeaders,
    payloadHash,
  );
  const expected = signature(secret, scope, longDate, canonical);
  if (!safeEqualHex(expected, sig)) {
    return {
      ok: false,
      code: 'InvalidSignature',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return { ok: true, scope, signedAt };
}

/** Verify a presigned URL (query-string auth), e.g. the STS URL inside an EKS kube token. */
export function verifyPresigned(input: VerifyInput & { maxAgeMs?: number }): SigV4Result {
  const q = new Map(input.query);
  const algorithm = q.get('X-Amz-Algorithm');
  const cred = q.get('X-Amz-Credential');
  const longDate = q.get('X-Amz-Date') ?? '';
  const expires = Number(q.get('X-Amz-Expires') ?? 'NaN');
  const signed = q.get('X-Amz-SignedHeaders');
  const sig = q.get('X-Amz-Signature');
  const scope = cred ? parseCredential(cred) : undefined;
  if (algorithm !== ALGORITHM || !scope || !signed || !sig || !Number.isFinite(expires)) {
    return {
      ok: false,
      code: 'IncompleteSignature',
      message: 'Presigned URL is missing signature parameters.',
    };
  }
  const secret = input.secretFor(scope.accessKeyId);
  if (secret === undefined) {
    return {
      ok: false,
      code: 'UnknownKey',
      message: 'The security token included in the request is invalid.',
    };
  }
  const signedAt = parseAmzDate(longDate);
  if (signedAt === undefined) {
    return { ok: false, code: 'IncompleteSignature', message: 'Invalid X-Amz-Date.' };
  }
  // With maxAgeMs the verifier sets its own lifetime: aws-iam-authenticator accepts an EKS token
  // for 15 minutes although the presigned URL inside says X-Amz-Expires=60.
  const maxAge = input.maxAgeMs ?? Number.POSITIVE_INFINITY;
  const expired = input.maxAgeMs === undefined && input.now > signedAt + expires * 1000;
  if (expired || input.now - signedAt > maxAge || signedAt - input.now > 5 * 60_000) {
    return { ok: false, code: 'Expired', message: 'Request has expired.' };
  }
  const signedHeaders = signed.split(';');
  for (const payloadHash of [EMPTY_SHA256, 'UNSIGNED-PAYLOAD']) {
    const canonical = canonicalRequest(
      input.method,
      input.rawPath,
      input.query,
      input.headers,
      signedHeaders,
      payloadHash,
    );
    if (safeEqualHex(signature(secret, scope, longDate, canonical), sig))
      return { ok: true, scope, signedAt };
  }
  return {
    ok: false,
    code: 'InvalidSignature',
    message: 'The request signature we calculated does not match the signature you provided.',
  };
}

export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** Presign an STS GetCallerIdentity URL the way aws-iam-authenticator does (for tests and tools). */
export function presignGetCallerIdentity(opts: {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  clusterName: string;
  now: number;
  expiresSeconds?: number;
}): string {
  const url = new URL(opts.endpoint);
  const longDate = amzDate(opts.now);
  const scope: SigV4Scope = {
    accessKeyId: opts.accessKeyId,
    date: longDate.slice(0, 8),
    region: opts.region,
    service: 'sts',
  };
  const query: [string, string][] = [
    ['Action', 'GetCallerIdentity'],
    ['Version', '2011-06-15'],
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${opts.accessKeyId}/${scope.date}/${opts.region}/sts/aws4_request`],
    ['X-Amz-Date', longDate],
    ['X-Amz-Expires', String(opts.expiresSeconds ?? 60)],
    ['X-Amz-SignedHeaders', 'host;x-k8s-aws-id'],
  ];
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  const headers = { host: url.host, 'x-k8s-aws-id': opts.clusterName };
  const canonical = canonicalRequest('GET', path, query, headers, ['host', 'x-k8s-aws-id'], EMPTY_SHA256);
  query.push(['X-Amz-Signature', signature(opts.secretAccessKey, scope, longDate, canonical)]);
  return `${url.protocol}//${url.host}${path}?${query.map(([k, v]) => `${escapeUri(k)}=${escapeUri(v)}`).join('&')}`;
}
