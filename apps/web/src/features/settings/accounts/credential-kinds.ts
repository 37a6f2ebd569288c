import type { paths } from '@dolly/api-client';

export type CreateAccountBody =
  paths['/api/v1/accounts']['post']['requestBody']['content']['application/json'];
export type CredentialsInput = CreateAccountBody['credentials'];
export type CredentialKind = CredentialsInput['kind'];
export type Cloud = CreateAccountBody['cloud'];

export const clouds: { id: Cloud; label: string; scopeLabel: string }[] = [
  { id: 'aws', label: 'AWS', scopeLabel: 'AWS account id' },
  { id: 'azure', label: 'Azure', scopeLabel: 'Subscription id' },
  { id: 'gcp', label: 'Google Cloud', scopeLabel: 'Project id' },
];

export function cloudLabel(cloud: string): string {
  return clouds.find((c) => c.id === cloud)?.label ?? cloud;
}

export interface CredentialField {
  /** name of the field in the API's credentials document */
  key: string;
  label: string;
  /** write-only: typed once, sealed by the API and never shown again */
  secret?: boolean;
  optional?: boolean;
  multiline?: boolean;
  hint?: string;
}

/**
 * One credential form. GCP's service-account key has two forms for one API kind: paste the key
 * JSON as Google issues it, or type its fields.
 */
export interface CredentialForm {
  id: string;
  kind: CredentialKind;
  cloud: Cloud;
  label: string;
  description: string;
  fields: CredentialField[];
  /** the whole credentials document is one pasted JSON text */
  pasteJson?: boolean;
}

export const credentialForms: CredentialForm[] = [
  {
    id: 'aws-access-key',
    kind: 'aws-access-key',
    cloud: 'aws',
    label: 'Access key',
    description: 'An IAM user access key pair.',
    fields: [
      { key: 'accessKeyId', label: 'Access key id', hint: 'Starts with AKIA or ASIA.' },
      { key: 'secretAccessKey', label: 'Secret access key', secret: true },
      { key: 'sessionToken', label: 'Session token', secret: true, optional: true },
    ],
  },
  {
    id: 'aws-assume-role',
    kind: 'aws-assume-role',
    cloud: 'aws',
    label: 'Assume role',
    description:
      "Dolly assumes an IAM role in your account with the source keys you give and an external id Dolly generates (shown in the account's settings after saving; put it in the role's trust policy).",
    fields: [
      { key: 'roleArn', label: 'Role ARN', hint: 'arn:aws:iam::123456789012:role/dolly' },
      { key: 'sourceAccessKeyId', label: 'Source access key id' },
      { key: 'sourceSecretAccessKey', label: 'Source secret access key', secret: true },
    ],
  },
  {
    id: 'aws-default-chain',
    kind: 'aws-default-chain',
    cloud: 'aws',
    label: 'Default chain',
    description: "The AWS SDK's default chain where Dolly runs (environment, instance or pod role).",
    fields: [],
  },
  {
    id: 'azure-client-secret',
    kind: 'azure-client-secret',
    cloud: 'azure',
    label: 'Client secret',
    description: 'A service principal (app registration) with a client secret.',
    fields: [
      { key: 'tenantId', label: 'Directory (tenant) id' },
      { key: 'clientId', label: 'Application (client) id' },
      { key: 'clientSecret', label: 'Client secret', secret: true },
    ],
  },
  {
    id: 'azure-default',
    kind: 'azure-default',
    cloud: 'azure',
    label: 'Default credential',
    description: "Azure's DefaultAzureCredential where Dolly runs (environment, managed identity).",
    fields: [],
  },
  {
    id: 'gcp-service-account-json',
    kind: 'gcp-service-account-key',
    cloud: 'gcp',
    label: 'Service account key (paste JSON)',
    description: 'The key file Google Cloud gives you for a service account, pasted as it is.',
    pasteJson: true,
    fields: [{ key: 'json', label: 'Key JSON', secret: true, multiline: true }],
  },
  {
    id: 'gcp-service-account-fields',
    kind: 'gcp-service-account-key',
    cloud: 'gcp',
    label: 'Service account key (fields)',
    description: 'The fields of a service-account key, typed one by one.',
    fields: [
      { key: 'client_email', label: 'Client email', hint: 'name@project.iam.gserviceaccount.com' },
      { key: 'private_key', label: 'Private key (PEM)', secret: true, multiline: true },
      { key: 'project_id', label: 'Project id', optional: true },
      { key: 'token_uri', label: 'Token URI', optional: true },
    ],
  },
  {
    id: 'gcp-application-default',
    kind: 'gcp-application-default',
    cloud: 'gcp',
    label: 'Application default',
    description: 'Application default credentials where Dolly runs (workload identity, gcloud).',
    fields: [],
  },
];

export function formsOf(cloud: Cloud): CredentialForm[] {
  return credentialForms.filter((f) => f.cloud === cloud);
}

export function credentialForm(id: string): CredentialForm | undefined {
  return credentialForms.find((f) => f.id === id);
}

/** Label of a stored credential kind, for lists: the kind is all the API ever says about it. */
export function credentialKindLabel(kind: string): string {
  if (kind === 'gcp-service-account-key') return 'Service account key';
  return credentialForms.find((f) => f.kind === kind)?.label ?? kind;
}

/** Where a field's errors are shown: the API's path under `body.` (a pasted JSON owns them all). */
export function credentialFieldPath(form: CredentialForm, field: CredentialField): string {
  return form.pasteJson ? 'credentials' : `credentials.${field.key}`;
}

export type BuildResult<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/**
 * The credentials document for the API from a form's values. Only presence and JSON shape are
 * checked here; formats (key lengths, ARNs, PEM) are the API's, whose field errors land on the
 * same paths. Optional fields left empty are left out rather than sent as "".
 */
export function buildCredentials(
  form: CredentialForm,
  values: Readonly<Record<string, string>>,
): BuildResult<CredentialsInput> {
  const errors: Record<string, string> = {};
  if (form.pasteJson) {
    const text = values.json?.trim() ?? '';
    if (!text) return { ok: false, errors: { credentials: 'Paste the key JSON' } };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, errors: { credentials: 'This is not JSON: paste the whole key file' } };
    }
    if (!isRecord(parsed)) return { ok: false, errors: { credentials: 'The key JSON must be an object' } };
    if (parsed.type !== 'service_account')
      return {
        ok: false,
        errors: { credentials: 'Not a service-account key: "type" is not "service_account"' },
      };
    // The API keeps the rest of Google's key document (project_id, private_key_id, ...) as it is.
    return {
      ok: true,
      value: { ...parsed, kind: 'gcp-service-account-key', type: 'service_account' } as CredentialsInput,
    };
  }
  const document: Record<string, string> = {};
  for (const field of form.fields) {
    const value = field.secret ? (values[field.key] ?? '') : (values[field.key] ?? '').trim();
    if (value) document[field.key] = value;
    else if (!field.optional) errors[credentialFieldPath(form, field)] = `${field.label} is required`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const extra = form.kind === 'gcp-service-account-key' ? { type: 'service_account' } : {};
  return { ok: true, value: { kind: form.kind, ...extra, ...document } as CredentialsInput };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
