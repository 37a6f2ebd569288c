import type { Role } from '@dolly/authz';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { CopyOnce } from '../../../components/copy-once.tsx';
import { ActionButton } from '../../../components/disabled-reason.tsx';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { formatDateTime, formatRelative } from '../../../lib/format.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { SelectField, TextField } from '../components/field.tsx';
import { FormProblem } from '../components/form-problem.tsx';
import { QueryState } from '../components/loading.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { StateLabel, type Tone } from '../components/state-label.tsx';
import { grantableRoles } from '../permissions.ts';
import { fieldErrors, problemOf } from '../problem.ts';
import { useSettingsScope } from '../settings-context.ts';
import { settingsKeys, useTokens } from '../settings-api.ts';
import {
  type ApiToken,
  type ExpiryChoice,
  expiresInDays,
  expiryOptions,
  type TokenState,
  tokenState,
} from './token-model.ts';

type CreatedToken = ApiToken & { token: string };

export function TokensPage() {
  const { permissions } = useSettingsScope();
  const tokens = useTokens();
  // The secret is only ever in this state: not cached, not in the URL, gone on reload.
  const [created, setCreated] = useState<CreatedToken>();
  const createdHeading = useRef<HTMLHeadingElement>(null);
  // Keyboard and screen-reader users land on the one-time secret instead of staying on the form.
  useEffect(() => {
    if (created) createdHeading.current?.focus();
  }, [created]);
  return (
    <section aria-labelledby="st-tokens">
      <SectionHeader
        id="st-tokens"
        title="API tokens"
        intro={
          <>
            Tokens let scripts and the <code>dolly</code> CLI call the API. A token acts with the lower of its
            role and its creator's current role.{' '}
            {permissions.seeAllTokens
              ? 'You see every token of the tenant.'
              : 'You see the tokens you created.'}
          </>
        }
      />
      {created && (
        <section className="st-card st-secret" aria-labelledby="st-token-created">
          <h3 id="st-token-created" ref={createdHeading} tabIndex={-1}>
            Token “{created.name}” created
          </h3>
          <CopyOnce
            label="Your new API token"
            value={created.token}
            note="Copy it now and keep it somewhere safe: Dolly stores only a hash and will never show it again."
          />
          <button type="button" className="secondary" onClick={() => setCreated(undefined)}>
            I have copied it
          </button>
        </section>
      )}
      <CreateTokenForm onCreated={setCreated} />
      <QueryState isPending={tokens.isPending} error={tokens.error} what="API tokens" />
      {tokens.data && <TokenTable tokens={tokens.data} />}
    </section>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedToken) => void }) {
  const { session } = useSettingsScope();
  const client = useQueryClient();
  const roles = grantableRoles(session.role);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(roles.includes('developer') ? 'developer' : session.role);
  const [expiry, setExpiry] = useState<ExpiryChoice>('90');
  const [customDays, setCustomDays] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (body: { name: string; role: Role; expiresInDays?: number }) =>
      unwrap(dolly.POST('/api/v1/tokens', { body })),
    onSuccess: async (token) => {
      onCreated(token);
      setName('');
      await client.invalidateQueries({ queryKey: settingsKeys.tokens });
    },
  });
  const server = fieldErrors(problemOf(create.error), ['name', 'role', 'expiresInDays']);
  const errors = { ...server.byPath, ...localErrors };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.reset();
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.name = 'Name is required';
    const days = expiresInDays(expiry, customDays);
    if (!days.ok) problems.expiresInDays = days.error;
    setLocalErrors(problems);
    if (Object.keys(problems).length || !days.ok) return;
    create.mutate({ name: name.trim(), role, ...(days.days ? { expiresInDays: days.days } : {}) });
  };
  return (
    <form className="st-card st-form" onSubmit={submit} noValidate aria-label="Create an API token">
      <h3>Create a token</h3>
      <FormProblem error={create.error} fields={server} />
      <div className="st-row">
        <TextField
          label="Token name"
          hint="What uses it, e.g. ci-pipeline."
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
          autoComplete="off"
          required
        />
        <SelectField
          label="Role"
          hint={`Up to your own role (${session.role}).`}
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          error={errors.role}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Expires"
          value={expiry}
          onChange={(e) => setExpiry(e.target.value as ExpiryChoice)}
          error={expiry === 'custom' ? undefined : errors.expiresInDays}
        >
          {expiryOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </SelectField>
        {expiry === 'custom' && (
          <TextField
            label="Days until it expires"
            inputMode="numeric"
            value={customDays}
            onChange={(e) => setCustomDays(e.target.value)}
            error={errors.expiresInDays}
          />
        )}
      </div>
      <div className="st-form-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}

const stateLabels: Record<TokenState, { tone: Tone; label: string }> = {
  active: { tone: 'success', label: 'Active' },
  expired: { tone: 'attention', label: 'Expired' },
  revoked: { tone: 'neutral', label: 'Revoked' },
};

function TokenTable({ tokens }: { tokens: ApiToken[] }) {
  const [revoking, setRevoking] = useState<ApiToken>();
  const client = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(dolly.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setRevoking(undefined);
      await client.invalidateQueries({ queryKey: settingsKeys.tokens });
    },
  });
  return (
    <div className="st-table-wrap">
      <table className="st-table">
        <caption className="st-sr-only">API tokens</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Token</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="st-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.length === 0 && (
            <tr>
              <td colSpan={8} className="st-empty">
                No API tokens yet.
              </td>
            </tr>
          )}
          {tokens.map((token) => {
            const state = tokenState(token);
            return (
              <tr key={token.id} data-token={token.name}>
                <th scope="row">{token.name}</th>
                <td>
                  <code title="The first characters only; the secret is never stored">{token.prefix}…</code>
                </td>
                <td>{token.role}</td>
                <td>
                  <StateLabel tone={stateLabels[state].tone}>{stateLabels[state].label}</StateLabel>
                </td>
                <td>
                  <span title={formatDateTime(token.createdAt)}>{formatRelative(token.createdAt)}</span>
                  <span className="st-small muted"> by {token.createdBy}</span>
                </td>
                <td title={formatDateTime(token.expiresAt)}>
                  {token.expiresAt ? formatRelative(token.expiresAt) : 'Never'}
                </td>
                <td title={formatDateTime(token.lastUsedAt)}>
                  {token.lastUsedAt ? formatRelative(token.lastUsedAt) : 'Never used'}
                </td>
                <td>
                  <ActionButton
                    permission={
                      state === 'revoked' ? { allowed: false, reason: 'Already revoked' } : { allowed: true }
                    }
                    compact
                    className="secondary"
                    aria-label={`Revoke ${token.name}`}
                    onClick={() => setRevoking(token)}
                  >
                    Revoke
                  </ActionButton>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ConfirmDialog
        open={Boolean(revoking)}
        title={`Revoke ${revoking?.name ?? 'token'}?`}
        confirmLabel="Revoke token"
        busy={revoke.isPending}
        error={revoke.error}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => {
          revoke.reset();
          setRevoking(undefined);
        }}
      >
        <p>Scripts using this token stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
