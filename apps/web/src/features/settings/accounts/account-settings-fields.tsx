import { useEffect, useState } from 'react';
import { TextAreaField, TextField } from '../components/field.tsx';
import { type AccountFormValues, cloudCreateToggles, cloudSettingFields } from './account-model.ts';
import type { Cloud } from './credential-kinds.ts';

interface Props {
  cloud: Cloud;
  values: AccountFormValues;
  onChange: (patch: Partial<AccountFormValues>) => void;
  errors: Record<string, string>;
  /** the stored CA bundle can be kept, replaced or removed when editing */
  hasCaBundle?: boolean;
}

/** Where clusters get created and how the cloud is reached: the non-secret part of an account. */
export function AccountSettingsFields({ cloud, values, onChange, errors, hasCaBundle }: Props) {
  // Open when something is set in it, and whenever the API marks one of its fields, but never
  // closed under the user's hands (clearing a field must not fold the section away).
  const [advancedOpen, setAdvancedOpen] = useState(
    Boolean(values.endpoint || values.endpoints || hasCaBundle),
  );
  const advancedError = Boolean(errors.endpoint || errors['settings.endpoints'] || errors.caBundle);
  useEffect(() => {
    if (advancedError) setAdvancedOpen(true);
  }, [advancedError]);
  return (
    <>
      {cloudSettingFields[cloud].map((field) => (
        <TextField
          key={field.key}
          label={field.label}
          hint={field.hint}
          optional
          value={values[field.key]}
          onChange={(e) => onChange({ [field.key]: e.target.value })}
          error={errors[`settings.${field.key}`]}
        />
      ))}
      {cloudCreateToggles[cloud].map((toggle) => (
        <label key={toggle.key} className="st-choice">
          <input
            type="checkbox"
            checked={values[toggle.key]}
            onChange={(e) => onChange({ [toggle.key]: e.target.checked })}
          />
          <span>
            <strong>{toggle.label}</strong>
            <span className="st-hint">{toggle.hint}</span>
          </span>
        </label>
      ))}
      <TextField
        label="Regions to discover"
        hint="Comma-separated, e.g. us-east-1, eu-west-1. Empty: every region of the cloud."
        optional
        value={values.regions}
        onChange={(e) => onChange({ regions: e.target.value })}
        error={errors['settings.regions']}
      />
      <details
        className="st-advanced"
        open={advancedOpen}
        onToggle={(event) => setAdvancedOpen(event.currentTarget.open)}
      >
        <summary>Endpoints and certificates (private clouds, sandboxes)</summary>
        <TextField
          label="Endpoint override"
          hint="One URL for every service of the cloud."
          optional
          type="url"
          value={values.endpoint}
          onChange={(e) => onChange({ endpoint: e.target.value })}
          error={errors.endpoint}
        />
        <TextAreaField
          label="Per-service endpoints"
          hint="One service=url per line, e.g. eks=https://eks.internal"
          optional
          rows={3}
          className="st-mono"
          value={values.endpoints}
          onChange={(e) => onChange({ endpoints: e.target.value })}
          error={errors['settings.endpoints']}
        />
        {hasCaBundle && (
          <label className="st-check">
            <input
              type="checkbox"
              checked={values.removeCaBundle}
              onChange={(e) => onChange({ removeCaBundle: e.target.checked })}
            />
            Remove the stored CA bundle
          </label>
        )}
        <TextAreaField
          label={hasCaBundle ? 'Replace the CA bundle' : 'CA bundle'}
          hint={
            hasCaBundle
              ? 'A CA bundle is stored. Paste a new PEM bundle to replace it; leave empty to keep it.'
              : 'PEM certificates to trust besides the public roots.'
          }
          optional
          rows={4}
          className="st-mono"
          disabled={values.removeCaBundle}
          value={values.caBundle}
          onChange={(e) => onChange({ caBundle: e.target.value })}
          error={errors.caBundle}
        />
      </details>
    </>
  );
}
