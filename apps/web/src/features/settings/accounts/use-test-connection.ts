import { useMutation, useQueryClient } from '@tanstack/react-query';
import { settingsKeys, testAccountConnection } from '../settings-api.ts';

/** Runs a connection test; the list re-reads afterwards to show the stored outcome. */
export function useTestConnection(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationKey: ['settings', 'accounts', accountId, 'test'],
    mutationFn: () => testAccountConnection(accountId),
    onSettled: () => client.invalidateQueries({ queryKey: settingsKeys.accounts }),
  });
}
