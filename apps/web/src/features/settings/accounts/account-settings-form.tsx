import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { DisabledReason } from '../../../components/disabled-reason.tsx';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { TextField } from '../components/field.tsx';
import { FormProblem } from '../components/form-problem.tsx';
import { fieldErrors, problemOf } from '../problem.ts';
import { useSettingsScope } from '../settings-context.ts';
import { settingsKeys } from '../settings-api.ts';
import {
  type AccountFormValues,
  accountToForm,
  type CloudProviderAccount,
  type PatchAccountBody,
  patchAccountBody,
} from './account-model.ts';
import { AccountSettingsFields } from './account-settings-fields.tsx';

const formPaths = [
  'name',
  'defaultEnvironment',
  'endpoint',
  'caBundle',
  'settings.regions',
  'settings.endpoints',
  'settings.clusterRoleArn',
  'settings.nodeRoleArn',
  'settings.resourceGroup',
  'settings.network',
];

/** Edits what is not secret. Read-only (a disabled fieldset, with the reason) below admin. */
export function AccountSettingsForm({ account }: { account: CloudProviderAccount }) {
  const { permissions } = useSettingsScope();
  const client = useQueryClient();
  const [values, setValues] = useState<AccountFormValues>(() => accountToForm(account));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (body: PatchAccountBody) =>
      unwrap(dolly.PATCH('/api/v1/accounts/{id}', { params: { path: { id: account.id } }, body })),
    onSuccess: async (updated) => {
      setValues(accountToForm(updated));
      setSaved(true);
      await client.invalidateQueries({ queryKey: settingsKeys.accounts });
    },
  });
  const server = fieldErrors(problemOf(save.error), formPaths);
  const errors = { ...server.byPath, ...localErrors };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.reset();
    setSaved(false);
    const body = patchAccountBody(values, account);
    setLocalErrors(body.ok ? {} : body.errors);
    if (body.ok) save.mutate(body.value);
  };
  const change = (patch: Partial<AccountFormValues>) => {
    setSaved(false);
    setValues((v) => ({ ...v, ...patch }));
  };
  const readOnly = !permissions.manageAccounts.allowed;
  return (
    <form className="st-form" onSubmit={submit} noValidate aria-label="Account settings">
      {!permissions.manageAccounts.allowed && <DisabledReason reason={permissions.manageAccounts.reason} />}
      <FormProblem error={save.error} fields={server} />
      <fieldset disabled={readOnly} className="st-plain">
        <TextField
          label="Name"
          value={values.name}
          onChange={(e) => change({ name: e.target.value })}
          error={errors.name}
          required
          autoComplete="off"
        />
        <TextField
          label="Default environment"
          hint="Given to discovered clusters that have none."
          optional
          value={values.defaultEnvironment}
          onChange={(e) => change({ defaultEnvironment: e.target.value })}
          error={errors.defaultEnvironment}
          autoComplete="off"
        />
        <AccountSettingsFields
          cloud={account.cloud}
          values={values}
          onChange={change}
          errors={errors}
          hasCaBundle={account.hasCaBundle}
        />
        <div className="st-form-actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save settings'}
          </button>
          <span role="status" className="st-saved">
            {saved ? '✓ Settings saved' : ''}
          </span>
        </div>
      </fieldset>
    </form>
  );
}
