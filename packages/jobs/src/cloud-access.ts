import { DollyError } from '@dolly/contracts';
import type { EgressPolicy } from '@dolly/contracts/egress';
import type { CloudAccount, CredentialVault, Database } from '@dolly/db';
import {
  type CloudProvider,
  type OperationContext,
  accountConfigFromStored,
  createProvider,
} from '@dolly/providers';
import type { AccountLimiter } from './account-limiter.ts';

export type CloudCallObserver = (call: {
  cloud: string;
  operation: string;
  ms: number;
  error?: unknown;
}) => void;

/** Kinds that act as Dolly's own host (instance role, managed identity, ADC), not as the tenant. */
export const HOST_IDENTITY_KINDS: ReadonlySet<string> = new Set([
  'aws-default-chain',
  'azure-default',
  'gcp-application-default',
]);

/** `a,b , c` → ['a','b','c'] (the form of DOLLY_HOST_IDENTITY_TENANTS). */
export function slugList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

export interface CloudAccess {
  /** The tenant's account or a 404 problem (another tenant's account does not exist for you). */
  account(tenantId: string, accountId: string): Promise<CloudAccount>;
  /** A provider with the account's credentials opened from the vault; `scope` picks another project. */
  provider(account: CloudAccount, scope?: string): CloudProvider;
}

/**
 * The one place credentials leave the vault: straight into the SDK clients of a provider, never
 * into a log, an event, a job payload or an answer. Every provider call first takes a token from
 * the account's rate-limit bucket (shared by all workers), and is observed for metrics.
 */
export function createCloudAccess(
  db: Database,
  vault: CredentialVault,
  opts: {
    limiter?: AccountLimiter;
    observe?: CloudCallObserver;
    egress?: EgressPolicy;
    /** tenant slugs whose accounts may use the host's identity; default DOLLY_HOST_IDENTITY_TENANTS */
    hostIdentityTenants?: readonly string[];
  } = {},
): CloudAccess {
  const hostIdentityTenants = new Set(
    opts.hostIdentityTenants ?? slugList(process.env.DOLLY_HOST_IDENTITY_TENANTS),
  );
  /**
   * Checked at every call, not only when the account was saved: an operator who takes a tenant off
   * the list (or a row written before the rule) must not keep lending the host's identity.
   */
  const assertUse = async (account: CloudAccount) => {
    if (!HOST_IDENTITY_KINDS.has(account.credentialKind)) return;
    const tenant = await db.tenant.findUnique({ where: { id: account.tenantId }, select: { slug: true } });
    if (!tenant || !hostIdentityTenants.has(tenant.slug))
      throw new DollyError(
        'forbidden',
        `Cloud account ${account.name} uses Dolly's own host identity (${account.credentialKind}), which this tenant may not use; the operator lists tenants in DOLLY_HOST_IDENTITY_TENANTS`,
      );
  };
  return {
    async account(tenantId, accountId) {
      const account = await db.cloudAccount.findFirst({ where: { id: accountId, tenantId } });
      if (!account) throw new DollyError('not_found', `No cloud account ${accountId}`);
      return account;
    },
    provider(account, scope) {
      if (!account.credentialsCipher || !account.credentialsKeyId)
        throw new DollyError('unprocessable', `Cloud account ${account.name} has no stored credentials`);
      const credentials = vault.open<Record<string, unknown>>({
        cipher: account.credentialsCipher,
        keyId: account.credentialsKeyId,
      });
      const provider = createProvider(accountConfigFromStored(account, credentials, scope ? { scope } : {}), {
        ...(opts.egress ? { egress: opts.egress } : {}),
      });
      return guarded(provider, account.id, { ...opts, assertUse: () => assertUse(account) });
    },
  };
}

function guarded(
  provider: CloudProvider,
  accountId: string,
  opts: { limiter?: AccountLimiter; observe?: CloudCallObserver; assertUse: () => Promise<void> },
): CloudProvider {
  return new Proxy(provider, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return async (...args: unknown[]) => {
        const ctx = args.find(isOperationContext);
        await opts.assertUse();
        await opts.limiter?.acquire(accountId, ctx?.signal);
        const started = Date.now();
        try {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          opts.observe?.({ cloud: provider.cloud, operation: property, ms: Date.now() - started });
          return result;
        } catch (error) {
          opts.observe?.({ cloud: provider.cloud, operation: property, ms: Date.now() - started, error });
          throw error;
        }
      };
    },
  });
}

function isOperationContext(v: unknown): v is OperationContext {
  return typeof v === 'object' && v !== null && ('signal' in v || 'planId' in v || 'onProgress' in v);
}
