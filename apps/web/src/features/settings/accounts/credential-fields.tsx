import { TextAreaField, TextField } from '../components/field.tsx';
import { type Cloud, credentialFieldPath, credentialForm, formsOf } from './credential-kinds.ts';

interface CredentialFieldsProps {
  cloud: Cloud;
  formId: string;
  onFormChange: (formId: string) => void;
  values: Record<string, string>;
  onValueChange: (key: string, value: string) => void;
  /** field errors by API path (`credentials.accessKeyId`, `credentials.kind`, ...) */
  errors: Record<string, string>;
}

/** The credential kinds of one cloud as a radio group, then the fields of the chosen kind. */
export function CredentialFields({
  cloud,
  formId,
  onFormChange,
  values,
  onValueChange,
  errors,
}: CredentialFieldsProps) {
  const form = credentialForm(formId);
  return (
    <>
      <fieldset className="st-choices">
        <legend>Credential kind</legend>
        {formsOf(cloud).map((f) => (
          <label key={f.id} className="st-choice">
            <input
              type="radio"
              name={`credential-kind-${cloud}`}
              value={f.id}
              checked={f.id === formId}
              onChange={() => onFormChange(f.id)}
            />
            <span>
              <strong>{f.label}</strong>
              <span className="st-hint">{f.description}</span>
            </span>
          </label>
        ))}
        {errors['credentials.kind'] && (
          <span className="st-error">
            <span aria-hidden="true">✕ </span>
            {errors['credentials.kind']}
          </span>
        )}
      </fieldset>
      {form && form.fields.length === 0 && (
        <p className="muted">Nothing to enter: Dolly uses the credentials of the machine it runs on.</p>
      )}
      {form?.fields.map((field) => {
        const common = {
          label: field.label,
          optional: field.optional,
          hint: field.secret ? (
            <>{field.hint ? `${field.hint} ` : ''}Write-only: encrypted on save and never shown again.</>
          ) : (
            field.hint
          ),
          error: errors[credentialFieldPath(form, field)],
          value: values[field.key] ?? '',
          autoComplete: field.secret ? 'new-password' : 'off',
          spellCheck: false,
          required: !field.optional,
        };
        return field.multiline ? (
          <TextAreaField
            key={`${form.id}:${field.key}`}
            rows={field.key === 'json' ? 8 : 5}
            className="st-mono"
            onChange={(e) => onValueChange(field.key, e.target.value)}
            {...common}
          />
        ) : (
          <TextField
            key={`${form.id}:${field.key}`}
            type={field.secret ? 'password' : 'text'}
            onChange={(e) => onValueChange(field.key, e.target.value)}
            {...common}
          />
        );
      })}
    </>
  );
}
