import { NavLink, Route, Routes } from 'react-router';
import { useSession, useSessionActions } from './lib/session.ts';
import { HomePage } from './pages/home-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { RunPage } from './pages/run-page.tsx';

export function App() {
  const session = useSession();
  const { logout } = useSessionActions();
  if (session.isPending) return <p className="center">Loading…</p>;
  if (session.error)
    return (
      <p role="alert" className="error center">
        Dolly's API is not reachable: {session.error.message}
      </p>
    );
  if (!session.data) return <LoginPage />;
  return (
    <div className="shell">
      <header>
        <strong className="brand">Dolly</strong>
        <nav aria-label="Main">
          <NavLink to="/">Overview</NavLink>
        </nav>
        <span className="muted">
          {session.data.user.email} · {session.data.tenant.slug}
        </span>
        <button type="button" className="link" onClick={() => void logout()}>
          Sign out
        </button>
      </header>
      <main>
        <Routes>
          <Route path="/" element={<HomePage session={session.data} />} />
          <Route path="/runs/:runId" element={<RunPage />} />
        </Routes>
      </main>
    </div>
  );
}
