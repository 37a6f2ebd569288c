import { timingSafeEqual } from 'node:crypto';
import { b64url, hmac, isRecord, uuidFrom } from '../module-util.ts';

/** Sandbox credentials are derived from the subscription id, so a reset or restart keeps them. */
const SECRET = 'dolly-sandbox-azure-v1';
const TOKEN_LIFETIME_S = 3599;

/**
 * The AKS AAD server application: AKS-managed Azure AD clusters accept Entra access tokens whose
 * audience is this app id (kubelogin's `--server-id`; a client asks for `<id>/.default`).
 */
export const AKS_AAD_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
/** The public client kubelogin's interactive modes sign users in with (`--client-id` in AKS kubeconfigs). */
export const KUBELOGIN_CLIENT_ID = '80faf920-1908-4b52-b5ef-a8e7bedfc67a';

export interface AzureAccountRec {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export function deriveAccount(subscriptionId: string, displayName: string): AzureAccountRec {
  return {
    subscriptionId,
    displayName,
    tenantId: uuidFrom(`${SECRET}:tenant:${subscriptionId}`),
    clientId: uuidFrom(`${SECRET}:client:${subscriptionId}`),
    clientSecret: `dolly~${hmac(SECRET, `secret:${subscriptionId}`).slice(0, 34)}`,
  };
}

export interface AzureTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  oid: string;
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
}

/** Issues a JWT-shaped access token (HS256 with a sandbox key; clients treat it as opaque). */
export function issueAccessToken(
  acc: AzureAccountRec,
  scope: string,
  nowMs: number,
): { token: string; expiresIn: number } {
  const now = Math.floor(nowMs / 1000);
  const aud = scope.replace(/\/\.default$/, '').replace(/\/$/, '') || 'https://management.azure.com';
  const oid = uuidFrom(`${SECRET}:sp:${acc.clientId}`);
  const claims: AzureTokenClaims = {
    aud,
    iss: `https://sts.windows.net/${acc.tenantId}/`,
    tid: acc.tenantId,
    appid: acc.clientId,
    oid,
    sub: oid,
    iat: now,
    nbf: now,
    exp: now + TOKEN_LIFETIME_S,
  };
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'dolly-sandbox' }));
  const body = b64url(JSON.stringify(claims));
  return { token: `${head}.${body}.${hmac(SECRET, `${head}.${body}`)}`, expiresIn: TOKEN_LIFETIME_S };
}

export function verifyAccessToken(token: string, nowMs: number): AzureTokenClaims | 'expired' | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, sig] = parts as [string, string, string];
  const want = Buffer.from(hmac(SECRET, `${head}.${body}`));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(claims) || typeof claims.exp !== 'number' || typeof claims.appid !== 'string')
    return undefined;
  if (claims.exp * 1000 < nowMs) return 'expired';
  return claims as unknown as AzureTokenClaims;
}

/** The static bearer token put in a cluster's clusterUser kubeconfig (like AKS local accounts). */
export function kubeUserToken(clusterId: string): string {
  return Buffer.from(hmac(SECRET, `kube:${clusterId}`))
    .toString('hex')
    .slice(0, 64);
}
