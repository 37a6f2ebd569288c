import { Link, useNavigate } from 'react-router';
import { CloudBadge } from '../../../components/cloud-badge.tsx';
import { ActionButton } from '../../../components/disabled-reason.tsx';
import { EnvBadge } from '../../../components/cloud-badge.tsx';
import { QueryState } from '../components/loading.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { useSettingsScope } from '../settings-context.ts';
import { useAccounts } from '../settings-api.ts';
import type { CloudAccount } from './account-model.ts';
import { ConnectionStatus, ConnectionTestOutcome } from './connection-status.tsx';
import { readConnectionTest } from './connection-test.ts';
import { CredentialsStored } from './credentials-stored.tsx';
import { useTestConnection } from './use-test-connection.ts';

export function AccountsPage() {
  const { permissions } = useSettingsScope();
  const accounts = useAccounts();
  const navigate = useNavigate();
  return (
    <section aria-labelledby="st-accounts">
      <SectionHeader
        id="st-accounts"
        title="Cloud accounts"
        intro="Dolly discovers clusters through these accounts. Credentials are write-only: they are encrypted when you add them and never shown again."
      >
        <ActionButton
          permission={permissions.manageAccounts}
          onClick={() => navigate('/settings/accounts/new')}
        >
          Add account
        </ActionButton>
      </SectionHeader>
      <QueryState isPending={accounts.isPending} error={accounts.error} what="cloud accounts" />
      {accounts.data && (
        <div className="st-table-wrap">
          <table className="st-table" id="st-accounts-table">
            <caption className="st-sr-only">Cloud accounts</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Cloud</th>
                <th scope="col">Scope</th>
                <th scope="col">Credentials</th>
                <th scope="col" className="num">
                  Clusters
                </th>
                <th scope="col">Connection</th>
                <th scope="col">
                  <span className="st-sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.data.length === 0 && (
                <tr>
                  <td colSpan={7} className="st-empty">
                    No cloud accounts yet.
                  </td>
                </tr>
              )}
              {accounts.data.map((account) => (
                <AccountRow key={account.id} account={account} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AccountRow({ account }: { account: CloudAccount }) {
  const { permissions } = useSettingsScope();
  const test = useTestConnection(account.id);
  return (
    <tr data-account={account.name}>
      <th scope="row">
        <Link to={`/settings/accounts/${account.id}`}>{account.name}</Link>
        {account.defaultEnvironment && (
          <span className="st-small">
            {' '}
            <EnvBadge env={account.defaultEnvironment} />
          </span>
        )}
      </th>
      <td>
        <CloudBadge cloud={account.cloud} />
      </td>
      <td>{account.scope ?? <span className="muted">—</span>}</td>
      <td>
        <CredentialsStored kind={account.credentialKind} />
      </td>
      <td className="num">{account.clusters}</td>
      <td>
        {!test.data && (
          <ConnectionStatus
            test={readConnectionTest(account.lastTestResult)}
            testedAt={account.lastTestedAt}
          />
        )}
        <ConnectionTestOutcome test={test.data} error={test.error} />
      </td>
      <td>
        <ActionButton
          permission={permissions.manageAccounts}
          compact
          busy={test.isPending}
          onClick={() => test.mutate()}
          aria-label={`Test connection of ${account.name}`}
          className="secondary"
        >
          {test.isPending ? 'Testing…' : 'Test'}
        </ActionButton>
      </td>
    </tr>
  );
}
