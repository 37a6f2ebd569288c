import { DollyError } from '@dolly/contracts';
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
  opts: { limiter?: AccountLimiter; observe?: CloudCallObserver } = {},
): CloudAccess {
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
      const provider = createProvider(accountConfigFromStored(account, credentials, scope ? { scope } : {}));
      return guarded(provider, account.id, opts);
    },
  };
}

function guarded(
  provider: CloudProvider,
  accountId: string,
  opts: { limiter?: AccountLimiter; observe?: CloudCallObserver },
): CloudProvider {
  return new Proxy(provider, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return async (...args: unknown[]) => {
        const ctx = args.find(isOperationContext);
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
