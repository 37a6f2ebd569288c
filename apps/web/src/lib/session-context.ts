import { createContext, useContext } from 'react';
import { type Permission, permission, type UiAction } from './abilities.ts';
import type { SessionInfo } from './session.ts';

/** The signed-in session, provided by the shell so pages deep in the tree need no prop drilling. */
export const SessionContext = createContext<SessionInfo | null>(null);

export function useCurrentSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useCurrentSession outside the signed-in shell');
  return session;
}

export function usePermission(what: UiAction): Permission {
  return permission(useCurrentSession().role, what);
}
