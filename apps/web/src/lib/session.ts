import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, dolly, type Schemas, setCsrfToken, unwrap } from './api-client.ts';

export type SessionInfo = Schemas['SessionInfo'];
export type Role = SessionInfo['role'];

export function useSession() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        const me = await unwrap(dolly.GET('/api/v1/auth/me'));
        setCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
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
      const me = await unwrap(dolly.POST('/api/v1/auth/login', { body: { email, password } }));
      setCsrfToken(me.csrfToken);
      client.setQueryData(['session'], me);
    },
    async logout() {
      const out = await unwrap(dolly.POST('/api/v1/auth/logout'));
      setCsrfToken(undefined);
      client.clear();
      client.setQueryData(['session'], null);
      // a single sign-on session ends at the provider too; it sends the browser back here
      if (out && typeof out === 'object' && 'endSessionUrl' in out) window.location.assign(out.endSessionUrl);
    },
    /** Everything cached belongs to the previous tenant: drop it all, keep only the new session. */
    async switchTenant(slug: string) {
      const me = await unwrap(dolly.POST('/api/v1/auth/switch-tenant', { body: { tenant: slug } }));
      if (me.csrfToken) setCsrfToken(me.csrfToken);
      client.clear();
      client.setQueryData(['session'], me);
    },
  };
}
