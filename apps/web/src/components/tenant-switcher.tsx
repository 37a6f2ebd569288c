import { useState } from 'react';
import { useNavigate } from 'react-router';
import { problemMessage } from '../lib/api-client.ts';
import { type SessionInfo, useSessionActions } from '../lib/session.ts';

/** Switches the session to another tenant of the user; a single tenant is shown as plain text. */
export function TenantSwitcher({ session }: { session: SessionInfo }) {
  const { switchTenant } = useSessionActions();
  const navigate = useNavigate();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (session.tenants.length < 2) {
    return (
      <span className="muted" title="Tenant">
        {session.tenant.name} · {session.role}
      </span>
    );
  }
  return (
    <span className="inline-field">
      <select
        aria-label="Tenant"
        value={session.tenant.slug}
        disabled={busy}
        onChange={async (e) => {
          setBusy(true);
          setError(undefined);
          try {
            await switchTenant(e.target.value);
            navigate('/');
          } catch (err) {
            setError(problemMessage(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        {session.tenants.map((t) => (
          <option key={t.id} value={t.slug}>
            {t.name} ({t.role})
          </option>
        ))}
      </select>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </span>
  );
}
