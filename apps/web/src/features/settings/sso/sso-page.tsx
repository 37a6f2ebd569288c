import { useMutation, useQueryClient } from '@tanstack/react-query';
import { roles } from '@dolly/authz';
import { type FormEvent, useState } from 'react';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { SelectField, TextAreaField, TextField } from '../components/field.tsx';
import { FormProblem } from '../components/form-problem.tsx';
import { QueryState } from '../components/loading.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { fieldErrors, problemOf } from '../problem.ts';
import { settingsKeys, useSsoSettings } from '../settings-api.ts';
import { formatGroupRoles, parseGroupRoles, type SsoConfig, type SsoConfigBody } from './sso-model.ts';

const FIELDS: string[] = [
  'displayName',
  'issuerUrl',
  'clientId',
  'clientSecret',
  'groupsClaim',
  'groupRoles',
  'defaultRole',
  'passwordSignInDisabled',
];

export function SsoPage() {
  const settings = useSsoSettings();
  return (
    <section aria-labelledby="st-sso">
      <SectionHeader
        id="st-sso"
        title="Single sign-on"
        intro={
          <>
            Members sign in with your OpenID Connect provider (Okta, Entra ID, Keycloak, Google…). The first
            sign-in creates the member, with the role their groups map to. See docs/sso.md.
          </>
        }
      />
      <QueryState isPending={settings.isPending} error={settings.error} what="single sign-on" />
      {settings.data && (
        <>
          <dl className="st-card">
            <dt>Redirect URI to register at the provider</dt>
            <dd>
              <code>{settings.data.redirectUri}</code>
            </dd>
            <dt>Post-logout redirect URI to register at the provider</dt>
            <dd>
              <code>{settings.data.postLogoutRedirectUri}</code>
            </dd>
            <dt>Sign-in link for your members</dt>
            <dd>
              <code>{settings.data.signInUrl}</code>
            </dd>
          </dl>
          {settings.data.installation && !settings.data.config && (
            <p className="st-card" data-testid="sso-installation">
              Your members can already sign in with <strong>{settings.data.installation.displayName}</strong>,
              the operator's sign-in for this installation ({settings.data.installation.issuerUrl}):{' '}
              {settings.data.installation.groupRoles.map((g) => `${g.group} → ${g.role}`).join(', ') ||
                'no groups'}
              {settings.data.installation.defaultRole
                ? `, everyone else ${settings.data.installation.defaultRole}`
                : ', everyone else refused'}
              . Saving a configuration below replaces it for this tenant.
            </p>
          )}
          {/* one form for the page's life: a save keeps what was typed and says so */}
          <SsoForm config={settings.data.config} />
        </>
      )}
    </section>
  );
}

function SsoForm({ config }: { config: SsoConfig | null }) {
  const client = useQueryClient();
  const [form, setForm] = useState({
    displayName: config?.displayName ?? '',
    issuerUrl: config?.issuerUrl ?? '',
    clientId: config?.clientId ?? '',
    clientSecret: '',
    groupsClaim: config?.groupsClaim ?? 'groups',
    groupRoles: formatGroupRoles(config?.groupRoles ?? []),
    defaultRole: config?.defaultRole ?? '',
    enabled: config?.enabled ?? true,
    passwordSignInDisabled: config?.passwordSignInDisabled ?? false,
  });
  const [mappingProblem, setMappingProblem] = useState<string>();
  const [removing, setRemoving] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: settingsKeys.sso });
  const save = useMutation({
    mutationFn: (body: SsoConfigBody) => unwrap(dolly.PUT('/api/v1/sso', { body })),
    onSuccess: async () => {
      // the secret is sealed now; the field never shows it back
      setForm((f) => ({ ...f, clientSecret: '' }));
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(dolly.DELETE('/api/v1/sso')),
    onSuccess: async () => {
      setRemoving(false);
      await refresh();
    },
  });
  const server = fieldErrors(problemOf(save.error), FIELDS);
  const errors: Record<string, string | undefined> = {
    ...server.byPath,
    ...(mappingProblem ? { groupRoles: mappingProblem } : {}),
  };
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.reset();
    const parsed = parseGroupRoles(form.groupRoles);
    setMappingProblem(parsed.problem);
    if (parsed.problem) return;
    save.mutate({
      displayName: form.displayName.trim(),
      issuerUrl: form.issuerUrl.trim(),
      clientId: form.clientId.trim(),
      ...(form.clientSecret ? { clientSecret: form.clientSecret } : {}),
      groupsClaim: form.groupsClaim.trim() || 'groups',
      groupRoles: parsed.mapping,
      defaultRole: roles.find((r) => r === form.defaultRole) ?? null,
      enabled: form.enabled,
      passwordSignInDisabled: form.passwordSignInDisabled,
    });
  };
  return (
    <form className="st-card st-form" onSubmit={submit} noValidate aria-label="Single sign-on settings">
      <FormProblem error={save.error} fields={server} />
      {save.isSuccess && <p role="status">Saved.</p>}
      <div className="st-row">
        <TextField
          label="Button name"
          hint="Shown as “Sign in with …”"
          value={form.displayName}
          onChange={set('displayName')}
          error={errors.displayName}
          required
        />
        <TextField
          label="Issuer URL"
          hint="https; Dolly reads its .well-known/openid-configuration"
          value={form.issuerUrl}
          onChange={set('issuerUrl')}
          error={errors.issuerUrl}
          inputMode="url"
          required
        />
      </div>
      <div className="st-row">
        <TextField
          label="Client ID"
          value={form.clientId}
          onChange={set('clientId')}
          error={errors.clientId}
          autoComplete="off"
          required
        />
        <TextField
          label="Client secret"
          type="password"
          hint={
            config
              ? 'Stored sealed and never shown; leave empty to keep it'
              : 'Stored sealed and never shown again'
          }
          value={form.clientSecret}
          onChange={set('clientSecret')}
          error={errors.clientSecret}
          autoComplete="new-password"
        />
      </div>
      <div className="st-row">
        <TextField
          label="Groups claim"
          value={form.groupsClaim}
          onChange={set('groupsClaim')}
          error={errors.groupsClaim}
        />
        <SelectField
          label="When no group maps"
          value={form.defaultRole}
          onChange={set('defaultRole')}
          error={errors.defaultRole}
        >
          <option value="">Refuse sign-in</option>
          {roles.map((r) => (
            <option key={r} value={r}>
              Give the {r} role
            </option>
          ))}
        </SelectField>
      </div>
      <TextAreaField
        label="Group → role"
        hint="One per line: group = role (owner, admin, operator, developer, viewer). The highest match wins."
        value={form.groupRoles}
        onChange={set('groupRoles')}
        error={errors.groupRoles}
        rows={4}
      />
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.enabled}
          onChange={(e) => setForm((f) => ({ ...f, enabled: e.target.checked }))}
        />
        Single sign-on is on
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.passwordSignInDisabled}
          onChange={(e) => setForm((f) => ({ ...f, passwordSignInDisabled: e.target.checked }))}
        />
        Turn off password sign-in for this tenant (ends other password sessions; recovery: pnpm dolly-admin
        allow-password)
      </label>
      {errors.passwordSignInDisabled && <span className="st-error">✕ {errors.passwordSignInDisabled}</span>}
      <div className="st-form-actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Checking the issuer…' : 'Save single sign-on'}
        </button>
        {config && (
          <button type="button" className="secondary" onClick={() => setRemoving(true)}>
            Remove single sign-on
          </button>
        )}
      </div>
      <ConfirmDialog
        open={removing}
        title="Remove single sign-on?"
        confirmLabel="Remove"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate()}
        onClose={() => {
          remove.reset();
          setRemoving(false);
        }}
      >
        <p>
          Members sign in with their passwords again; people who only used single sign-on cannot sign in until
          it is back.
        </p>
      </ConfirmDialog>
    </form>
  );
}
