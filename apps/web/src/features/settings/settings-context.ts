import { createContext, useContext } from 'react';
import type { SessionInfo } from '../../lib/session.ts';
import type { SettingsPermissions } from './permissions.ts';

export interface SettingsScope {
  session: SessionInfo;
  permissions: SettingsPermissions;
}

/** The signed-in session and what its role may do here, provided once by SettingsRoutes. */
export const SettingsContext = createContext<SettingsScope | null>(null);

export function useSettingsScope(): SettingsScope {
  const scope = useContext(SettingsContext);
  if (!scope) throw new Error('useSettingsScope outside SettingsRoutes');
  return scope;
}
