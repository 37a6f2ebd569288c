import { lazy, Suspense } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router';
import { MainNav } from './components/main-nav.tsx';
import { RouteErrorBoundary } from './components/route-error-boundary.tsx';
import { TenantSwitcher } from './components/tenant-switcher.tsx';
import { ThemeToggle } from './components/theme-toggle.tsx';
import { problemMessage } from './lib/api-client.ts';
import { type SessionInfo, useSession, useSessionActions } from './lib/session.ts';
import { SessionContext } from './lib/session-context.ts';
import { HomePage } from './pages/home-page.tsx';
import { ChangePasswordForm, ForcedPasswordChangePage } from './pages/change-password-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';

// The first page (sign-in, overview) ships alone; every other area loads when first visited.
const InventoryPage = lazy(() =>
  import('./features/inventory/inventory-page.tsx').then((m) => ({ default: m.InventoryPage })),
);
const ClusterPage = lazy(() =>
  import('./features/inventory/cluster-page.tsx').then((m) => ({ default: m.ClusterPage })),
);
const CloneWizardPage = lazy(() =>
  import('./features/clone/clone-wizard-page.tsx').then((m) => ({ default: m.CloneWizardPage })),
);
const MigrateWizardPage = lazy(() =>
  import('./features/migrate/migrate-wizard-page.tsx').then((m) => ({ default: m.MigrateWizardPage })),
);
const RecipesPage = lazy(() =>
  import('./features/recipes/recipes-page.tsx').then((m) => ({ default: m.RecipesPage })),
);
const RunsPage = lazy(() => import('./features/runs/runs-page.tsx').then((m) => ({ default: m.RunsPage })));
const RunPage = lazy(() => import('./features/runs/run-page.tsx').then((m) => ({ default: m.RunPage })));
const SettingsRoutes = lazy(() =>
  import('./features/settings/index.tsx').then((m) => ({ default: m.SettingsRoutes })),
);

export function App() {
  const session = useSession();
  if (session.isPending)
    return (
      <p className="center" role="status">
        Loading…
      </p>
    );
  if (session.error)
    return (
      <p role="alert" className="error center">
        Dolly's API is not reachable: {problemMessage(session.error)}
      </p>
    );
  if (!session.data) return <LoginPage />;
  if (session.data.mustChangePassword) return <ForcedPasswordChangePage />;
  return (
    <SessionContext value={session.data}>
      <Shell session={session.data} />
    </SessionContext>
  );
}

function Shell({ session }: { session: SessionInfo }) {
  const { logout } = useSessionActions();
  const location = useLocation();
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header>
        <strong className="brand">
          <span aria-hidden="true">◆ </span>Dolly
        </strong>
        <MainNav role={session.role} />
        <TenantSwitcher session={session} />
        <ThemeToggle />
        <Link className="muted user" title={`${session.user.name}: change password`} to="/account/password">
          {session.user.email}
        </Link>
        <button type="button" className="link" onClick={() => void logout()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <RouteErrorBoundary key={location.pathname}>
          <Suspense
            fallback={
              <p className="muted" role="status">
                Loading…
              </p>
            }
          >
            <Routes>
              <Route path="/" element={<HomePage session={session} />} />
              <Route path="/account/password" element={<ChangePasswordForm forced={false} />} />
              <Route path="/inventory" element={<InventoryPage />} />
              <Route path="/clusters/:clusterId" element={<ClusterPage />} />
              <Route path="/clone" element={<CloneWizardPage />} />
              <Route path="/migrate" element={<MigrateWizardPage />} />
              <Route path="/recipes" element={<RecipesPage />} />
              <Route path="/runs" element={<RunsPage />} />
              <Route path="/runs/:runId" element={<RunPage />} />
              <Route path="/settings/*" element={<SettingsRoutes session={session} />} />
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Suspense>
        </RouteErrorBoundary>
      </main>
    </div>
  );
}
