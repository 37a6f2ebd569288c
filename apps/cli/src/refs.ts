import type { DollyApi } from './api/dolly-api.ts';
import type { CloudAccount, ClusterSummary } from './api/types.ts';
import { CliError } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);

export const clusterPath = (c: Pick<ClusterSummary, 'cloud' | 'location' | 'name'>): string =>
  `${c.cloud}/${c.location}/${c.name}`;

/** An account by id, or by name (case-insensitive), as users see it in `dolly accounts list`. */
export async function resolveAccount(api: DollyApi, ref: string): Promise<CloudAccount> {
  if (isUuid(ref)) return api.getAccount(ref);
  const accounts = await api.listAccounts();
  const match = accounts.filter((a) => a.name.toLowerCase() === ref.toLowerCase());
  if (match.length === 1) return match[0]!;
  throw new CliError(
    `no cloud account "${ref}"`,
    1,
    accounts.length ? `accounts: ${accounts.map((a) => a.name).join(', ')}` : 'connect one first',
  );
}

export interface ClusterRef {
  name: string;
  location?: string;
  cloud?: string;
  scope?: string;
}

/** `name`, `location/name`, `cloud/location/name` or `cloud/scope/location/name`. */
export function parseClusterRef(ref: string): ClusterRef {
  const parts = ref.split('/');
  const name = parts.pop() ?? '';
  const out: ClusterRef = { name };
  if (parts.length === 1) out.location = parts[0]!;
  else if (parts.length === 2) [out.cloud, out.location] = parts as [string, string];
  else if (parts.length >= 3) {
    out.cloud = parts[0]!;
    out.location = parts[parts.length - 1]!;
    out.scope = parts.slice(1, -1).join('/');
  }
  return out;
}

/**
 * A cluster id from an id or a name. Names repeat across clouds (shop-prod in every cloud), so an
 * ambiguous name fails listing the qualified forms to use instead.
 */
export async function resolveClusterId(api: DollyApi, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const want = parseClusterRef(ref);
  const page = await api.listClusters({ q: want.name, limit: 1000 });
  const match = page.items.filter(
    (c) =>
      c.name === want.name &&
      (!want.location || c.location === want.location) &&
      (!want.cloud || c.cloud === want.cloud) &&
      (!want.scope || c.scope === want.scope),
  );
  if (match.length === 1) return match[0]!.id;
  if (match.length === 0)
    throw new CliError(`no cluster "${ref}" in the inventory`, 1, 'dolly clusters list');
  throw new CliError(
    `"${ref}" names ${match.length} clusters`,
    1,
    `use one of: ${match.map((c) => `${clusterPath(c)} (${c.id})`).join(', ')}`,
  );
}
