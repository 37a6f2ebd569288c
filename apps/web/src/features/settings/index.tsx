import { type ReactNode, useMemo } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { DisabledReason } from '../../components/disabled-reason.tsx';
import type { SessionInfo } from '../../lib/session.ts';
import { AccountDetailPage } from './accounts/account-detail-page.tsx';
import { AccountsPage } from './accounts/accounts-page.tsx';
import { AddAccountPage } from './accounts/add-account-page.tsx';
import { AuditPage } from './audit/audit-page.tsx';
import { MembersPage } from './members/members-page.tsx';
import { type Permission, settingsPermissions } from './permissions.ts';
import { PoliciesPage } from './policies/policies-page.tsx';
import { PolicyEditorPage } from './policies/policy-editor-page.tsx';
import { SettingsContext } from './settings-context.ts';
import { SsoPage } from './sso/sso-page.tsx';
import { TokensPage } from './tokens/tokens-page.tsx';
import { WebhooksPage } from './webhooks/webhooks-page.tsx';
import './settings.css';

interface Section {
  path: string;
  label: string;
  permission: Permission;
}

/**
 * The settings area, mounted by the shell at `/settings/*`: a sub-navigation of the sections the
 * role may open, the ones it may not (with the reason), and their nested routes.
 */
export function SettingsRoutes({ session }: { session: SessionInfo }) {
  const permissions = useMemo(() => settingsPermissions(session.role), [session.role]);
  const scope = useMemo(() => ({ session, permissions }), [session, permissions]);
  const sections: Section[] = [
    { path: 'accounts', label: 'Cloud accounts', permission: permissions.readAccounts },
    { path: 'members', label: 'Members and roles', permission: permissions.readMembers },
    { path: 'policies', label: 'Clone policies', permission: permissions.readPolicies },
    { path: 'tokens', label: 'API tokens', permission: permissions.useTokens },
    { path: 'webhooks', label: 'Webhooks', permission: permissions.manageWebhooks },
    { path: 'sso', label: 'Single sign-on', permission: permissions.manageSso },
    { path: 'audit', label: 'Audit log', permission: permissions.readAudit },
  ];
  const open = sections.filter((s) => s.permission.allowed);
  const closed = sections.filter((s) => !s.permission.allowed);
  const guard = (path: string, element: ReactNode) => {
    const section = sections.find((s) => s.path === path);
    return section && !section.permission.allowed ? <NotAvailable section={section} /> : element;
  };
  return (
    <SettingsContext value={scope}>
      <div className="settings">
        <h1>Settings</h1>
        <div className="st-layout">
          <nav aria-label="Settings" className="st-nav">
            <ul>
              {open.map((s) => (
                <li key={s.path}>
                  <NavLink to={`/settings/${s.path}`}>{s.label}</NavLink>
                </li>
              ))}
            </ul>
            {closed.length > 0 && (
              <div className="st-nav-closed">
                <p className="muted">Not available to your role:</p>
                <ul>
                  {closed.map((s) => (
                    <li key={s.path}>
                      <span>{s.label}</span>
                      {!s.permission.allowed && <DisabledReason reason={s.permission.reason} />}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </nav>
          <div className="st-content">
            <Routes>
              <Route index element={<Navigate to={`/settings/${open[0]?.path ?? 'accounts'}`} replace />} />
              <Route path="accounts" element={guard('accounts', <AccountsPage />)} />
              <Route path="accounts/new" element={guard('accounts', <AddAccountPage />)} />
              <Route path="accounts/:accountId" element={guard('accounts', <AccountDetailPage />)} />
              <Route path="members" element={guard('members', <MembersPage />)} />
              <Route path="policies" element={guard('policies', <PoliciesPage />)} />
              <Route path="policies/new" element={guard('policies', <PolicyEditorPage />)} />
              <Route path="policies/:policyId" element={guard('policies', <PolicyEditorPage />)} />
              <Route path="tokens" element={guard('tokens', <TokensPage />)} />
              <Route path="webhooks" element={guard('webhooks', <WebhooksPage />)} />
              <Route path="sso" element={guard('sso', <SsoPage />)} />
              <Route path="audit" element={guard('audit', <AuditPage />)} />
              <Route
                path="*"
                element={
                  <p role="alert">
                    No such settings page. <NavLink to="/settings">Back to settings</NavLink>
                  </p>
                }
              />
            </Routes>
          </div>
        </div>
      </div>
    </SettingsContext>
  );
}

function NotAvailable({ section }: { section: Section }) {
  return (
    <section aria-labelledby="st-not-available">
      <h2 id="st-not-available">{section.label}</h2>
      <p>{section.permission.allowed ? null : <DisabledReason reason={section.permission.reason} />}</p>
    </section>
  );
}
