import type { CloudAccountConfig, CredentialKind, ProviderCloud } from './types';

/** A stored cloud account row (Prisma's CloudAccount), as far as providers care. */
export interface StoredCloudAccount {
  id: string;
  cloud: ProviderCloud;
  name: string;
  scope: string | null;
  endpoint: string | null;
  caBundle: string | null;
  credentialKind: string;
  settings: unknown;
}

/**
 * The provider configuration of a stored account, with its credentials just opened from the vault.
 * `scope` picks another project/subscription the same credentials reach (settings.scopes).
 */
export function accountConfigFromStored(
  row: StoredCloudAccount,
  credentials: Record<string, unknown>,
  opts: { scope?: string } = {},
): CloudAccountConfig {
  const settings = (row.settings ?? {}) as CloudAccountConfig['settings'] & { endpoints?: unknown };
  const { endpoints, ...rest } = settings;
  // The stored document names its kind too; the kind lives on the account.
  const { kind: _kind, ...fields } = credentials;
  let scope = opts.scope ?? row.scope;
  // Azure clusters are scoped "<subscription>/<resource group>"; the account takes the subscription.
  if (row.cloud === 'azure' && scope?.includes('/')) {
    const [subscription, resourceGroup] = scope.split('/', 2);
    scope = subscription ?? scope;
    if (resourceGroup) rest.resourceGroup = resourceGroup;
  }
  return {
    id: row.id,
    cloud: row.cloud,
    name: row.name,
    scope,
    endpoint: row.endpoint,
    ...(isStringRecord(endpoints) ? { endpoints } : {}),
    caBundle: row.caBundle,
    credentialKind: row.credentialKind as CredentialKind,
    credentials: fields,
    settings: rest,
  };
}

/** Every scope an account covers: settings.scopes, or its own scope. */
export function scopesOf(row: StoredCloudAccount): string[] {
  const scopes = (row.settings as { scopes?: unknown } | null)?.scopes;
  const list = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [];
  return list.length ? list : row.scope ? [row.scope] : [];
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');
}
