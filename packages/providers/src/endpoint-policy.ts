import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostAllowed, isInternalAddress, parseEgressPolicy } from '@dolly/contracts/egress';

export { isInternalAddress };

/**
 * Where a tenant may point Dolly. Endpoints a tenant sets (service overrides, token URIs) are
 * requests Dolly's hosts make on the tenant's behalf: https only, and never into loopback,
 * link-local (cloud metadata), private or otherwise internal ranges — unless the operator lists
 * the host in DOLLY_ENDPOINT_ALLOWLIST (how a sandbox or a private cloud on the LAN is reached).
 * This is the save-time check with a clear answer for the tenant; the same policy is enforced
 * again at every connection (`@dolly/contracts/egress`).
 *
 * `DOLLY_ENDPOINT_ALLOWLIST`: comma-separated host names, addresses, `.suffix` domains or CIDRs.
 */
export function parseEndpointAllowlist(spec: string | undefined): string[] {
  return (spec ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
}

export type EndpointVerdict = { ok: true } | { ok: false; reason: string };

/** Checks one tenant-set URL, resolving its host name: every address it resolves to must be public. */
export async function checkTenantEndpoint(
  raw: string,
  allowlist: string[],
  resolve: (host: string) => Promise<string[]> = async (host) =>
    (await lookup(host, { all: true, verbatim: true })).map((a) => a.address),
): Promise<EndpointVerdict> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const policy = parseEgressPolicy(allowlist);
  if (hostAllowed(policy, host)) return { ok: true };
  if (url.protocol !== 'https:')
    return { ok: false, reason: 'must be https (plain http only for hosts in DOLLY_ENDPOINT_ALLOWLIST)' };
  if (url.username || url.password) return { ok: false, reason: 'must not carry credentials' };
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      return { ok: false, reason: `${host} does not resolve` };
    }
  }
  const internal = addresses.find(
    (a) =>
      isInternalAddress(a) &&
      !policy.hosts.has(a) &&
      !policy.ranges.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4'),
  );
  if (internal)
    return {
      ok: false,
      reason: `${host} is an internal address (${internal}); the operator can allow it in DOLLY_ENDPOINT_ALLOWLIST`,
    };
  return { ok: true };
}
