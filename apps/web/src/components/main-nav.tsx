import { NavLink } from 'react-router';
import { permission } from '../lib/abilities.ts';
import type { Role } from '../lib/session.ts';
import { migratePermission } from '../features/migrate/migrate-state.ts';

interface NavEntry {
  to: string;
  label: string;
  end?: boolean;
  /** Shown only when the role may use what is behind it. */
  visible: (role: Role) => boolean;
}

const entries: NavEntry[] = [
  { to: '/', label: 'Overview', end: true, visible: () => true },
  { to: '/inventory', label: 'Inventory', visible: () => true },
  { to: '/clone', label: 'Clone', visible: (role) => permission(role, 'clone').allowed },
  { to: '/migrate', label: 'Migrate', visible: (role) => migratePermission(role).allowed },
  { to: '/recipes', label: 'Recipes', visible: () => true },
  { to: '/runs', label: 'Runs', visible: () => true },
  { to: '/settings', label: 'Settings', visible: () => true },
];

export function MainNav({ role }: { role: Role }) {
  return (
    <nav aria-label="Main" className="main-nav">
      {entries
        .filter((e) => e.visible(role))
        .map((e) => (
          <NavLink key={e.to} to={e.to} end={e.end}>
            {e.label}
          </NavLink>
        ))}
    </nav>
  );
}
