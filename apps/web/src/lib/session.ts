import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, setCsrfToken } from './api.ts';

export interface SessionInfo {
  user: { id: string; email: string; name: string };
  tenant: { id: string; slug: string; name: string };
  role: 'owner' | 'admin' | 'operator' | 'developer' | 'viewer';
  tenants: { id: string; slug: string; name: string; role: string }[];
  csrfToken?: string;
}

export function useSession() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        const me = await api<SessionInfo>('/api/v1/auth/me');
        setCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.problem.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function useSessionActions() {
  const client = useQueryClient();
  return {
    async login(email: string, password: string) {
      const me = await api<SessionInfo>('/api/v1/auth/login', { method: 'POST', body: { email, password } });
      setCsrfToken(me.csrfToken);
      client.setQueryData(['session'], me);
    },
    async logout() {
      await api('/api/v1/auth/logout', { method: 'POST' });
      setCsrfToken(undefined);
      client.setQueryData(['session'], null);
    },
  };
}
