import type { components, paths } from '@dolly/api-client';
import type { BuildResult, Cloud, CreateAccountBody, CredentialsInput } from './credential-kinds.ts';

export type CloudAccount = components['schemas']['CloudAccount'];
/** A cloud account proper; `kubernetes` accounts are imported clusters, managed from the inventory. */
export type CloudProviderAccount = CloudAccount & { cloud: 'aws' | 'azure' | 'gcp' };
export function isCloudProviderAccount(a: CloudAccount): a is CloudProviderAccount {
  return a.cloud !== 'kubernetes';
}
export type PatchAccountBody =
  paths['/api/v1/accounts/{id}']['patch']['requestBody']['content']['application/json'];

/** The non-secret settings of an account as a form holds them: text in, text out. */
export interface AccountFormValues {
  name: string;
  scope: string;
  defaultEnvironment: string;
  endpoint: string;
  /** a new CA bundle; empty keeps the stored one when editing */
  caBundle: string;
  removeCaBundle: boolean;
  /** comma- or space-separated */
  regions: string;
  /** one `service=url` per line */
  endpoints: string;
  clusterRoleArn: string;
  nodeRoleArn: string;
  resourceGroup: string;
  network: string;
  createMissingRoles: boolean;
  createMissingNetwork: boolean;
}

export const emptyAccountForm: AccountFormValues = {
  name: '',
  scope: '',
  defaultEnvironment: '',
  endpoint: '',
  caBundle: '',
  removeCaBundle: false,
  regions: '',
  endpoints: '',
  clusterRoleArn: '',
  nodeRoleArn: '',
  resourceGroup: '',
  network: '',
  createMissingRoles: false,
  createMissingNetwork: false,
};

/** Settings each cloud uses when Dolly creates clusters there (see the README, "Running against real clouds"). */
export const cloudSettingFields: Record<
  Cloud,
  { key: 'clusterRoleArn' | 'nodeRoleArn' | 'resourceGroup' | 'network'; label: string; hint: string }[]
> = {
  aws: [
    {
      key: 'clusterRoleArn',
      label: 'Cluster role ARN',
      hint: 'IAM role for EKS control planes Dolly creates',
    },
    { key: 'nodeRoleArn', label: 'Node role ARN', hint: 'IAM role for EKS nodes Dolly creates' },
  ],
  azure: [{ key: 'resourceGroup', label: 'Resource group', hint: 'Where Dolly creates AKS clusters' }],
  gcp: [{ key: 'network', label: 'VPC network', hint: 'Network for GKE clusters Dolly creates' }],
};

/**
 * What apply may create in the target account when it is missing (recorded in the run's ledger and
 * removed by rollback). Off by default: creating IAM roles or networks is the account owner's call.
 */
export const cloudCreateToggles: Record<
  Cloud,
  { key: 'createMissingRoles' | 'createMissingNetwork'; label: string; hint: string }[]
> = {
  aws: [
    {
      key: 'createMissingRoles',
      label: 'Create missing IAM roles',
      hint: 'Apply creates the EKS cluster and node roles when the ARNs above are empty or do not exist; rollback deletes them.',
    },
    {
      key: 'createMissingNetwork',
      label: 'Create a VPC when a region has none',
      hint: 'Apply creates a VPC with subnets in two or more zones when a region has no default VPC and no subnets set; rollback deletes it.',
    },
  ],
  azure: [],
  gcp: [
    {
      key: 'createMissingNetwork',
      label: 'Create the VPC network when it does not exist',
      hint: 'Apply creates the network above (or `default`) with a subnet in the cluster region; rollback deletes it.',
    },
  ],
};

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function accountToForm(account: CloudAccount): AccountFormValues {
  const s = account.settings;
  const regions = Array.isArray(s.regions) ? s.regions.filter((r): r is string => typeof r === 'string') : [];
  const endpoints =
    typeof s.endpoints === 'object' && s.endpoints !== null
      ? Object.entries(s.endpoints as Record<string, unknown>)
          .map(([service, url]) => `${service}=${str(url)}`)
          .join('\n')
      : '';
  return {
    ...emptyAccountForm,
    name: account.name,
    scope: account.scope ?? '',
    defaultEnvironment: account.defaultEnvironment ?? '',
    endpoint: account.endpoint ?? '',
    regions: regions.join(', '),
    endpoints,
    clusterRoleArn: str(s.clusterRoleArn),
    nodeRoleArn: str(s.nodeRoleArn),
    resourceGroup: str(s.resourceGroup),
    network: str(s.network),
    createMissingRoles: s.createMissingRoles === true,
    createMissingNetwork: s.createMissingNetwork === true,
  };
}

export function parseEndpoints(text: string): BuildResult<Record<string, string>> {
  const endpoints: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^([\w.-]+)\s*[=:]\s*(\S+)$/.exec(line);
    if (!match?.[1] || !match[2])
      return { ok: false, errors: { 'settings.endpoints': `Line ${index + 1} is not service=url` } };
    endpoints[match[1]] = match[2];
  }
  return { ok: true, value: endpoints };
}

/**
 * The account's settings object from the form. PATCH replaces `settings` as a whole, so keys the
 * form does not show (scopes, subnetIds, ...) are carried over from `base`.
 */
export function settingsFromForm(
  values: AccountFormValues,
  cloud: Cloud,
  base: Record<string, unknown> = {},
): BuildResult<Record<string, unknown>> {
  const endpoints = parseEndpoints(values.endpoints);
  if (!endpoints.ok) return endpoints;
  const settings: Record<string, unknown> = { ...base };
  const regions = values.regions
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean);
  setOrDelete(settings, 'regions', regions.length ? regions : undefined);
  setOrDelete(settings, 'endpoints', Object.keys(endpoints.value).length ? endpoints.value : undefined);
  // Only the fields of this account's cloud are the form's to set; anything else stays as it was.
  for (const field of cloudSettingFields[cloud])
    setOrDelete(settings, field.key, values[field.key].trim() || undefined);
  for (const toggle of cloudCreateToggles[cloud])
    setOrDelete(settings, toggle.key, values[toggle.key] ? true : undefined);
  return { ok: true, value: settings };
}

function setOrDelete(target: Record<string, unknown>, key: string, value: unknown) {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/**
 * The POST body, or every local mistake at once: the credential form's and the account form's
 * errors are merged so one submit marks all the fields that need fixing.
 */
export function createAccountBody(
  values: AccountFormValues,
  cloud: Cloud,
  credentials: BuildResult<CredentialsInput>,
): BuildResult<CreateAccountBody> {
  const errors: Record<string, string> = credentials.ok ? {} : { ...credentials.errors };
  if (!values.name.trim()) errors.name = 'Name is required';
  const settings = settingsFromForm(values, cloud);
  if (!settings.ok) Object.assign(errors, settings.errors);
  if (!settings.ok || !credentials.ok || Object.keys(errors).length) return { ok: false, errors };
  const optional = (v: string) => v.trim() || undefined;
  const body: CreateAccountBody = {
    name: values.name.trim(),
    cloud,
    credentials: credentials.value,
    settings: settings.value,
  };
  const scope = optional(values.scope);
  const endpoint = optional(values.endpoint);
  const caBundle = optional(values.caBundle);
  const defaultEnvironment = optional(values.defaultEnvironment);
  if (scope) body.scope = scope;
  if (endpoint) body.endpoint = endpoint;
  if (caBundle) body.caBundle = caBundle;
  if (defaultEnvironment) body.defaultEnvironment = defaultEnvironment;
  return { ok: true, value: body };
}

/** A PATCH of the non-secret settings; credentials are replaced through their own flow. */
export function patchAccountBody(
  values: AccountFormValues,
  account: CloudProviderAccount,
): BuildResult<PatchAccountBody> {
  if (!values.name.trim()) return { ok: false, errors: { name: 'Name is required' } };
  const settings = settingsFromForm(values, account.cloud, account.settings);
  if (!settings.ok) return settings;
  const body: PatchAccountBody = {
    name: values.name.trim(),
    endpoint: values.endpoint.trim() || null,
    defaultEnvironment: values.defaultEnvironment.trim() || null,
    settings: settings.value,
  };
  if (values.removeCaBundle) body.caBundle = null;
  else if (values.caBundle.trim()) body.caBundle = values.caBundle.trim();
  return { ok: true, value: body };
}
