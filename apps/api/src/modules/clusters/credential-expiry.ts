import { parse } from 'yaml';

/**
 * When the credential of a downloaded kubeconfig stops working. A JWT bearer token (an Entra token
 * for Azure AD AKS clusters) says so itself; otherwise each cloud's usual lifetime, a little short
 * so a script renews before the cloud refuses. Null when the cloud hands out a lasting credential
 * (AKS local accounts).
 */
export function credentialExpiry(cloud: string, kubeconfig: string, now = Date.now()): string | null {
  const exp = jwtExpiry(kubeconfig);
  if (exp !== undefined) return new Date(exp).toISOString();
  const minutes = cloud === 'aws' ? 14 : cloud === 'gcp' ? 55 : null;
  return minutes === null ? null : new Date(now + minutes * 60_000).toISOString();
}

/** The `exp` of the kubeconfig's bearer token when it is a JWT, in ms. */
function jwtExpiry(kubeconfig: string): number | undefined {
  try {
    // YAML (GKE, EKS) or JSON (AKS), both as YAML
    const doc = parse(kubeconfig) as { users?: { user?: { token?: unknown } }[] };
    const token = doc.users?.[0]?.user?.token;
    if (typeof token !== 'string') return undefined;
    const parts = token.split('.');
    if (parts.length !== 3 || !parts[1]) return undefined;
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
