import {
  checkPrimeSync,
  createHash,
  createPrivateKey,
  createPublicKey,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { b64url, hmac, isRecord } from '../module-util.ts';

/** Sandbox credentials are derived from the project id, so a reset or restart keeps them. */
const SECRET = 'dolly-sandbox-gcp-v1';
const TOKEN_LIFETIME_S = 3599;
const keyCache = new Map<string, string>();

export interface GcpProjectRec {
  projectId: string;
  displayName: string;
  projectNumber: string;
  clientEmail: string;
  clientId: string;
  privateKeyId: string;
  /** PKCS#8 PEM; persisted so a restart does not have to derive it again */
  privateKeyPem: string;
}

function seededBytes(seed: string): (n: number) => Buffer {
  let counter = 0;
  return (n: number) => {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      parts.push(block);
      have += block.length;
    }
    return Buffer.concat(parts).subarray(0, n);
  };
}

function toBig(buf: Buffer): bigint {
  return BigInt(`0x${buf.toString('hex') || '0'}`);
}

function fromBig(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

const SMALL_PRIMES: number[] = (() => {
  const out: number[] = [];
  for (let n = 3; out.length < 600; n += 2) if (out.every((p) => n % p !== 0)) out.push(n);
  return out;
})();

/** A 1024-bit prime found from a seeded start (small-prime sieve + node's native test), p mod e != 1. */
function seededPrime(next: (n: number) => Buffer, e: bigint): bigint {
  const start = next(128);
  start[0] = (start[0] ?? 0) | 0xc0;
  start[127] = (start[127] ?? 0) | 1;
  const base = toBig(start);
  const residues = SMALL_PRIMES.map((sp) => Number(base % BigInt(sp)));
  for (let step = 0; ; step += 2) {
    let composite = false;
    for (let i = 0; i < SMALL_PRIMES.length; i++) {
      const sp = SMALL_PRIMES[i] ?? 3;
      if (((residues[i] ?? 0) + step) % sp === 0) {
        composite = true;
        break;
      }
    }
    if (composite) continue;
    const candidate = base + BigInt(step);
    if (candidate % e !== 1n && checkPrimeSync(fromBig(candidate), { checks: 24 })) return candidate;
  }
}

/** RSA-2048 key derived from the project id (deterministic, so resets and restarts keep it). */
function deriveKeyPem(projectId: string): string {
  const cached = keyCache.get(projectId);
  if (cached) return cached;
  const e = 65537n;
  const next = seededBytes(`${SECRET}:key:${projectId}`);
  let p = seededPrime(next, e);
  let q = seededPrime(next, e);
  while (p === q) q = seededPrime(next, e);
  if (p < q) [p, q] = [q, p];
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  const d = modInverse(e, lambda);
  const b64 = (v: bigint) => fromBig(v).toString('base64url');
  const key = createPrivateKey({
    format: 'jwk',
    key: {
      kty: 'RSA',
      n: b64(p * q),
      e: b64(e),
      d: b64(d),
      p: b64(p),
      q: b64(q),
      dp: b64(d % (p - 1n)),
      dq: b64(d % (q - 1n)),
      qi: b64(modInverse(q, p)),
    },
  });
  const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  keyCache.set(projectId, pem);
  return pem;
}

export function deriveProject(projectId: string, displayName: string, storedKeyPem?: string): GcpProjectRec {
  const digits = BigInt(
    `0x${createHash('sha256').update(`${SECRET}:num:${projectId}`).digest('hex').slice(0, 12)}`,
  );
  const privateKeyPem = storedKeyPem ?? deriveKeyPem(projectId);
  if (storedKeyPem) keyCache.set(projectId, storedKeyPem);
  return {
    projectId,
    displayName,
    projectNumber: String(100000000000n + (digits % 899999999999n)),
    clientEmail: `dolly-sandbox@${projectId}.iam.gserviceaccount.com`,
    clientId: String(100000000000000000000n + (digits % 99999999999999n)),
    privateKeyId: createHash('sha1').update(`${SECRET}:kid:${projectId}`).digest('hex'),
    privateKeyPem,
  };
}

export interface JwtParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** Verify an RS256 JWT signed with one of the issued keys; returns the project and claims. */
export function verifyServiceAccountJwt(
  token: string,
  projects: Iterable<GcpProjectRec>,
  nowMs: number,
): { project: GcpProjectRec; jwt: JwtParts } | 'expired' | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(header) || !isRecord(payload) || header.alg !== 'RS256') return undefined;
  const iss = payload.iss;
  const project = [...projects].find((x) => x.clientEmail === iss);
  if (!project) return undefined;
  const pub = createPublicKey(project.privateKeyPem);
  const ok = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), pub, Buffer.from(s, 'base64url'));
  if (!ok) return undefined;
  const exp = typeof payload.exp === 'number' ? payload.exp : 0;
  if (exp * 1000 < nowMs - 60_000) return 'expired';
  return { project, jwt: { header, payload } };
}

/** OAuth access token in Google's "ya29." shape, HMAC-signed so no state is needed. */
export function issueAccessToken(
  project: GcpProjectRec,
  scope: string,
  nowMs: number,
): { token: string; expiresIn: number } {
  const exp = Math.floor(nowMs / 1000) + TOKEN_LIFETIME_S;
  const body = b64url(JSON.stringify({ p: project.projectId, e: project.clientEmail, s: scope, x: exp }));
  return { token: `ya29.${body}.${hmac(SECRET, body)}`, expiresIn: TOKEN_LIFETIME_S };
}

export function verifyAccessToken(
  token: string,
  nowMs: number,
): { projectId: string; email: string } | 'expired' | undefined {
  const m = /^ya29\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m?.[1] || !m[2]) return undefined;
  const want = Buffer.from(hmac(SECRET, m[1]));
  const got = Buffer.from(m[2]);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  try {
    const c: unknown = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
    if (!isRecord(c) || typeof c.p !== 'string' || typeof c.e !== 'string' || typeof c.x !== 'number')
      return undefined;
    if (c.x * 1000 < nowMs) return 'expired';
    return { projectId: c.p, email: c.e };
  } catch {
    return undefined;
  }
}
