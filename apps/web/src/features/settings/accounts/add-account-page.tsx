import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { DisabledReason } from '../../../components/disabled-reason.tsx';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { TextField } from '../components/field.tsx';
import { FormProblem } from '../components/form-problem.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { fieldErrors, problemOf } from '../problem.ts';
import { useSettingsScope } from '../settings-context.ts';
import { settingsKeys } from '../settings-api.ts';
import { type AccountFormValues, createAccountBody, emptyAccountForm } from './account-model.ts';
import { AccountSettingsFields } from './account-settings-fields.tsx';
import { CredentialFields } from './credential-fields.tsx';
import {
  buildCredentials,
  type Cloud,
  type CreateAccountBody,
  clouds,
  credentialForm,
  formsOf,
} from './credential-kinds.ts';

/** Every path a field of this form shows errors for; the rest go to the summary. */
const formPaths = [
  'name',
  'cloud',
  'scope',
  'defaultEnvironment',
  'endpoint',
  'caBundle',
  'settings.regions',
  'settings.endpoints',
  'settings.clusterRoleArn',
  'settings.nodeRoleArn',
  'settings.resourceGroup',
  'settings.network',
  'credentials',
];

export function AddAccountPage() {
  const { permissions } = useSettingsScope();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [cloud, setCloud] = useState<Cloud>('aws');
  const [credentialFormId, setCredentialFormId] = useState('aws-access-key');
  // Secrets live only in this component's state: gone when the page is left or the account saved.
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [values, setValues] = useState<AccountFormValues>(emptyAccountForm);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (body: CreateAccountBody) => unwrap(dolly.POST('/api/v1/accounts', { body })),
    onSuccess: async (account) => {
      await client.invalidateQueries({ queryKey: settingsKeys.accounts });
      navigate(`/settings/accounts/${account.id}`, { state: { created: true } });
    },
  });
  const credentialPaths = (credentialForm(credentialFormId)?.fields ?? []).map((f) => `credentials.${f.key}`);
  const server = fieldErrors(problemOf(create.error), [...formPaths, 'credentials.kind', ...credentialPaths]);
  const errors = { ...server.byPath, ...localErrors };

  if (!permissions.manageAccounts.allowed)
    return (
      <section>
        <SectionHeader title="Add a cloud account" />
        <DisabledReason reason={permissions.manageAccounts.reason} />
      </section>
    );

  const chooseCloud = (next: Cloud) => {
    setCloud(next);
    setCredentialFormId(formsOf(next)[0]?.id ?? '');
    setSecrets({});
    setLocalErrors({});
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.reset();
    const form = credentialForm(credentialFormId);
    if (!form) return;
    const body = createAccountBody(values, cloud, buildCredentials(form, secrets));
    setLocalErrors(body.ok ? {} : body.errors);
    if (body.ok) create.mutate(body.value);
  };
  const scopeLabel = clouds.find((c) => c.id === cloud)?.scopeLabel ?? 'Scope';

  return (
    <section aria-labelledby="st-add-account">
      <SectionHeader
        id="st-add-account"
        title="Add a cloud account"
        intro="Credentials are sent once, encrypted with AES-256-GCM on the server, and never shown again."
      />
      <form className="st-form" onSubmit={submit} noValidate aria-label="Add a cloud account">
        <FormProblem error={create.error} fields={server} />
        <fieldset className="st-choices st-inline">
          <legend>Cloud</legend>
          {clouds.map((c) => (
            <label key={c.id} className="st-choice">
              <input
                type="radio"
                name="cloud"
                value={c.id}
                checked={cloud === c.id}
                onChange={() => chooseCloud(c.id)}
              />
              <strong>{c.label}</strong>
            </label>
          ))}
        </fieldset>
        <TextField
          label="Name"
          hint="How Dolly shows this account, e.g. prod-aws."
          value={values.name}
          onChange={(e) => setValues({ ...values, name: e.target.value })}
          error={errors.name}
          required
          autoComplete="off"
        />
        <TextField
          label={scopeLabel}
          optional
          value={values.scope}
          onChange={(e) => setValues({ ...values, scope: e.target.value })}
          error={errors.scope}
          autoComplete="off"
        />
        <TextField
          label="Default environment"
          hint="Given to discovered clusters that have none, e.g. dev or prod."
          optional
          value={values.defaultEnvironment}
          onChange={(e) => setValues({ ...values, defaultEnvironment: e.target.value })}
          error={errors.defaultEnvironment}
          autoComplete="off"
        />
        <h3>Credentials</h3>
        <CredentialFields
          cloud={cloud}
          formId={credentialFormId}
          onFormChange={(id) => {
            setCredentialFormId(id);
            setSecrets({});
          }}
          values={secrets}
          onValueChange={(key, value) => setSecrets((s) => ({ ...s, [key]: value }))}
          errors={errors}
        />
        <h3>Settings</h3>
        <AccountSettingsFields
          cloud={cloud}
          values={values}
          onChange={(patch) => setValues((v) => ({ ...v, ...patch }))}
          errors={errors}
        />
        <div className="st-form-actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Adding…' : 'Add account'}
          </button>
          <Link to="/settings/accounts">Cancel</Link>
        </div>
      </form>
    </section>
  );
}
