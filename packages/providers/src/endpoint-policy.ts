import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a tenant may point Dolly. Endpoints a tenant sets (service overrides, token URIs) are
 * requests Dolly's hosts make on the tenant's behalf: https only, and never into loopback,
 * link-local (cloud metadata), private or otherwise internal ranges — unless the operator lists
 * the host in DOLLY_ENDPOINT_ALLOWLIST (how a sandbox or a private cloud on the LAN is reached).
 */
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv6');

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return INTERNAL.check(mapped, 'ipv4');
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** `DOLLY_ENDPOINT_ALLOWLIST`: comma-separated host names or addresses (any port). */
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
  if (allowlist.includes(host)) return { ok: true };
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
  const internal = addresses.find(isInternalAddress);
  if (internal)
    return {
      ok: false,
      reason: `${host} is an internal address (${internal}); the operator can allow it in DOLLY_ENDPOINT_ALLOWLIST`,
    };
  return { ok: true };
}
