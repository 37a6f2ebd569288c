import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { FormProblem } from '../components/form-problem.tsx';
import { fieldErrors, problemOf } from '../problem.ts';
import { settingsKeys } from '../settings-api.ts';
import type { CloudProviderAccount } from './account-model.ts';
import { CredentialFields } from './credential-fields.tsx';
import {
  buildCredentials,
  type CredentialsInput,
  credentialForm,
  credentialForms,
  formsOf,
} from './credential-kinds.ts';

/**
 * The only way to change a stored secret: type a whole new credential. Nothing of the old one is
 * shown or pre-filled, because the API never returns it.
 */
export function ReplaceCredentials({
  account,
  onDone,
}: {
  account: CloudProviderAccount;
  onDone: (message: string) => void;
}) {
  const client = useQueryClient();
  const initial =
    credentialForms.find((f) => f.kind === account.credentialKind && f.cloud === account.cloud)?.id ??
    formsOf(account.cloud)[0]?.id ??
    '';
  const [formId, setFormId] = useState(initial);
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const replace = useMutation({
    mutationFn: (credentials: CredentialsInput) =>
      unwrap(
        dolly.PATCH('/api/v1/accounts/{id}', { params: { path: { id: account.id } }, body: { credentials } }),
      ),
    onSuccess: async () => {
      setSecrets({});
      await client.invalidateQueries({ queryKey: settingsKeys.accounts });
      onDone('Credentials replaced: stored, encrypted. Test the connection to check them.');
    },
  });
  const paths = [
    'credentials',
    'credentials.kind',
    ...(credentialForm(formId)?.fields ?? []).map((f) => `credentials.${f.key}`),
  ];
  const server = fieldErrors(problemOf(replace.error), paths);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    replace.reset();
    const form = credentialForm(formId);
    if (!form) return;
    const built = buildCredentials(form, secrets);
    setLocalErrors(built.ok ? {} : built.errors);
    if (built.ok) replace.mutate(built.value);
  };
  return (
    <form className="st-form" onSubmit={submit} noValidate aria-label="Replace credentials">
      <FormProblem error={replace.error} fields={server} />
      <CredentialFields
        cloud={account.cloud}
        formId={formId}
        onFormChange={(id) => {
          setFormId(id);
          setSecrets({});
        }}
        values={secrets}
        onValueChange={(key, value) => setSecrets((s) => ({ ...s, [key]: value }))}
        errors={{ ...server.byPath, ...localErrors }}
      />
      <div className="st-form-actions">
        <button type="submit" disabled={replace.isPending}>
          {replace.isPending ? 'Saving…' : 'Save new credentials'}
        </button>
        <button type="button" className="secondary" onClick={() => onDone('')}>
          Cancel
        </button>
      </div>
    </form>
  );
}
