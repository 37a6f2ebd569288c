import { useQuery } from '@tanstack/react-query';
import { dolly, unwrap } from '../../lib/api-client.ts';
import type { AuditQuery } from './audit/audit-filters.ts';
import { type ConnectionTest, readConnectionTest } from './accounts/connection-test.ts';

/** Query keys of the settings area; every mutation invalidates the list it changed. */
export const settingsKeys = {
  all: ['settings'] as const,
  accounts: ['settings', 'accounts'] as const,
  members: ['settings', 'members'] as const,
  policies: ['settings', 'policies'] as const,
  tokens: ['settings', 'tokens'] as const,
  webhooks: ['settings', 'webhooks'] as const,
  sso: ['settings', 'sso'] as const,
  deliveries: (webhookId: string) => ['settings', 'webhooks', webhookId, 'deliveries'] as const,
  audit: (query: AuditQuery) => ['settings', 'audit', query] as const,
};

export function useAccounts() {
  return useQuery({
    queryKey: settingsKeys.accounts,
    queryFn: async () => (await unwrap(dolly.GET('/api/v1/accounts'))).items,
  });
}

export function useMembers() {
  return useQuery({
    queryKey: settingsKeys.members,
    queryFn: async () => (await unwrap(dolly.GET('/api/v1/members'))).items,
  });
}

export function usePolicies() {
  return useQuery({
    queryKey: settingsKeys.policies,
    queryFn: async () => (await unwrap(dolly.GET('/api/v1/policies'))).items,
  });
}

export function useTokens() {
  return useQuery({
    queryKey: settingsKeys.tokens,
    queryFn: async () => (await unwrap(dolly.GET('/api/v1/tokens'))).items,
  });
}

export function useWebhooks() {
  return useQuery({
    queryKey: settingsKeys.webhooks,
    queryFn: async () => (await unwrap(dolly.GET('/api/v1/webhooks'))).items,
  });
}

export function useSsoSettings() {
  return useQuery({
    queryKey: settingsKeys.sso,
    queryFn: () => unwrap(dolly.GET('/api/v1/sso')),
  });
}

/** The delivery log refreshes while something is still pending: retries land on their own. */
export function useWebhookDeliveries(webhookId: string) {
  return useQuery({
    queryKey: settingsKeys.deliveries(webhookId),
    queryFn: async () =>
      (await unwrap(dolly.GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id: webhookId } } })))
        .items,
    refetchInterval: (query) => (query.state.data?.some((d) => d.status === 'pending') ? 2000 : false),
  });
}

export function useAuditLog(query: AuditQuery) {
  return useQuery({
    queryKey: settingsKeys.audit(query),
    queryFn: () => unwrap(dolly.GET('/api/v1/audit', { params: { query } })),
    placeholderData: (previous) => previous,
  });
}

/** Tests an account's stored credentials against its cloud; a failed test is an answer, not an error. */
export async function testAccountConnection(accountId: string): Promise<ConnectionTest> {
  const answer = await unwrap(
    dolly.POST('/api/v1/accounts/{id}/test', { params: { path: { id: accountId } } }),
  );
  const result = readConnectionTest(answer);
  if (!result) throw new Error('The API answered the connection test with something unexpected');
  return result;
}
