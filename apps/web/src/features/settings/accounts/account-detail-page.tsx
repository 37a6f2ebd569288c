import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { CloudBadge } from '../../../components/cloud-badge.tsx';
import { ActionButton } from '../../../components/disabled-reason.tsx';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { formatDateTime } from '../../../lib/format.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { QueryState } from '../components/loading.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { StateLabel } from '../components/state-label.tsx';
import { useSettingsScope } from '../settings-context.ts';
import { settingsKeys, useAccounts } from '../settings-api.ts';
import { type CloudAccount, isCloudProviderAccount } from './account-model.ts';
import { AccountSettingsForm } from './account-settings-form.tsx';
import { ConnectionStatus, ConnectionTestOutcome } from './connection-status.tsx';
import { readConnectionTest } from './connection-test.ts';
import { credentialKindLabel } from './credential-kinds.ts';
import { ReplaceCredentials } from './replace-credentials.tsx';
import { useTestConnection } from './use-test-connection.ts';

export function AccountDetailPage() {
  const { accountId = '' } = useParams();
  // The list is already cached when coming from it; one read serves both pages.
  const accounts = useAccounts();
  const account = accounts.data?.find((a) => a.id === accountId);
  if (accounts.data && !account)
    return (
      <section>
        <SectionHeader title="Cloud account" />
        <p role="alert">
          No cloud account {accountId} in this tenant. <Link to="/settings/accounts">All accounts</Link>
        </p>
      </section>
    );
  if (!account)
    return <QueryState isPending={accounts.isPending} error={accounts.error} what="the account" />;
  return <AccountDetail key={account.id} account={account} />;
}

function AccountDetail({ account }: { account: CloudAccount }) {
  const { permissions } = useSettingsScope();
  const location = useLocation();
  const justCreated = (location.state as { created?: boolean } | null)?.created === true;
  const test = useTestConnection(account.id);
  const [replacing, setReplacing] = useState(false);
  const [notice, setNotice] = useState(
    justCreated ? 'Account added. Its credentials are stored, encrypted.' : '',
  );
  return (
    <section aria-labelledby="st-account">
      <p className="st-breadcrumb">
        <Link to="/settings/accounts">Cloud accounts</Link> <span aria-hidden="true">›</span>
      </p>
      <SectionHeader id="st-account" title={account.name}>
        <CloudBadge cloud={account.cloud} />
      </SectionHeader>
      {notice && (
        <p role="status" className="st-notice">
          <StateLabel tone="success">{notice}</StateLabel>
        </p>
      )}
      <dl className="st-facts">
        <dt>Scope</dt>
        <dd>{account.scope ?? '—'}</dd>
        <dt>Clusters</dt>
        <dd>{account.clusters}</dd>
        <dt>Added</dt>
        <dd>{formatDateTime(account.createdAt)}</dd>
      </dl>

      <div className="st-card">
        <h3>Connection</h3>
        {/* A test just run speaks for itself below; the stored outcome would only repeat it. */}
        {!test.data && (
          <ConnectionStatus
            test={readConnectionTest(account.lastTestResult)}
            testedAt={account.lastTestedAt}
          />
        )}
        <div className="st-form-actions">
          <ActionButton
            permission={permissions.manageAccounts}
            busy={test.isPending}
            onClick={() => test.mutate()}
          >
            {test.isPending ? 'Testing…' : 'Test connection'}
          </ActionButton>
        </div>
        <ConnectionTestOutcome test={test.data} error={test.error} />
      </div>

      <div className="st-card">
        <h3>Credentials</h3>
        <p>
          {credentialKindLabel(account.credentialKind)}:{' '}
          <strong data-testid="credentials-stored">stored, encrypted</strong>. Dolly never shows credentials
          again; to change them, replace them with new ones.
        </p>
        {!isCloudProviderAccount(account) ? (
          <p>
            An imported cluster: rotate its credential from the <Link to="/clusters">inventory</Link> (
            <code>dolly clusters import</code> again, or the API).
          </p>
        ) : replacing ? (
          <ReplaceCredentials
            account={account}
            onDone={(message) => {
              setReplacing(false);
              setNotice(message);
            }}
          />
        ) : (
          <ActionButton
            permission={permissions.manageAccounts}
            className="secondary"
            onClick={() => {
              setNotice('');
              setReplacing(true);
            }}
          >
            Replace credentials
          </ActionButton>
        )}
      </div>

      <div className="st-card">
        <h3>Settings</h3>
        {isCloudProviderAccount(account) ? (
          <AccountSettingsForm account={account} />
        ) : (
          <p className="muted">Imported clusters take their environment when they are imported.</p>
        )}
      </div>

      <DeleteAccount account={account} />
    </section>
  );
}

function DeleteAccount({ account }: { account: CloudAccount }) {
  const { permissions } = useSettingsScope();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => unwrap(dolly.DELETE('/api/v1/accounts/{id}', { params: { path: { id: account.id } } })),
    onSuccess: async () => {
      setOpen(false);
      await client.invalidateQueries({ queryKey: settingsKeys.accounts });
      navigate('/settings/accounts');
    },
  });
  return (
    <div className="st-card st-danger-zone">
      <h3>Disconnect</h3>
      <p>
        Dolly forgets this account and its {account.clusters} discovered cluster
        {account.clusters === 1 ? '' : 's'}. The clusters in the cloud are not touched.
      </p>
      <ActionButton
        permission={permissions.manageAccounts}
        className="st-danger-button"
        onClick={() => setOpen(true)}
      >
        Delete account
      </ActionButton>
      <ConfirmDialog
        open={open}
        title={`Delete ${account.name}?`}
        confirmLabel="Delete account"
        typeToConfirm={account.name}
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate()}
        onClose={() => {
          remove.reset();
          setOpen(false);
        }}
      >
        <p>The account, its sealed credentials and its inventory are removed from Dolly.</p>
      </ConfirmDialog>
    </div>
  );
}
