import { randomBytes } from 'node:crypto';
import { DollyError } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import { HOST_IDENTITY_KINDS } from '@dolly/jobs';
import { checkTenantEndpoint } from '@dolly/providers';
import type { CredentialsInput } from './schemas.ts';

/**
 * The host's own identity reaches whatever the host may reach: only tenants the operator lists in
 * DOLLY_HOST_IDENTITY_TENANTS may connect an account with it.
 */
export async function assertCredentialKindAllowed(
  db: Database,
  allowedTenantSlugs: string[],
  tenantId: string,
  kind: string,
) {
  if (!HOST_IDENTITY_KINDS.has(kind)) return;
  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
  if (!allowedTenantSlugs.includes(tenant.slug))
    throw new DollyError(
      'forbidden',
      `${kind} uses Dolly's own host identity, which this tenant may not use`,
      [
        {
          path: 'body.credentials.kind',
          message: 'not enabled for this tenant (the operator lists tenants in DOLLY_HOST_IDENTITY_TENANTS)',
        },
      ],
    );
}

/**
 * The external id of an assumed role is Dolly's, one per account, kept across credential
 * rotations: a requester can never pick another customer's id (the confused-deputy problem).
 */
export function withExternalId(
  credentials: CredentialsInput,
  existing: string | undefined,
): { credentials: CredentialsInput; externalId?: string } {
  if (credentials.kind !== 'aws-assume-role') return { credentials };
  const externalId = existing ?? `dolly-${randomBytes(16).toString('hex')}`;
  return { credentials: { ...credentials, externalId }, externalId };
}

/**
 * Settings carry the external id Dolly generated; a tenant who sends another one is told so, never obeyed.
 * Sending back the account's own id (settings read, edited and written whole) is fine.
 */
export function refuseTenantExternalId(settings: Record<string, unknown> | undefined, current?: string) {
  if (settings && settings.externalId !== undefined && settings.externalId !== current)
    throw new DollyError('validation_failed', 'The external id of an assumed role is chosen by Dolly', [
      {
        path: 'body.settings.externalId',
        message: 'leave it out: Dolly generates one per account and keeps it across rotations',
      },
    ]);
}

/**
 * Every URL a tenant sets on an account is a request Dolly's hosts will make: each must pass the
 * endpoint policy (https, public addresses, or hosts the operator allow-listed), named by field.
 */
export async function assertTenantEndpoints(
  allowlist: string[],
  given: {
    endpoint?: string | null;
    settings?: Record<string, unknown>;
    credentials?: Record<string, unknown>;
  },
) {
  const urls: [string, string][] = [];
  if (given.endpoint) urls.push(['body.endpoint', given.endpoint]);
  const endpoints = given.settings?.endpoints;
  if (endpoints && typeof endpoints === 'object')
    for (const [k, v] of Object.entries(endpoints as Record<string, unknown>))
      if (typeof v === 'string') urls.push([`body.settings.endpoints.${k}`, v]);
  for (const k of ['token_uri', 'authorityHost'])
    if (typeof given.credentials?.[k] === 'string')
      urls.push([`body.credentials.${k}`, given.credentials[k] as string]);
  const errors: { path: string; message: string }[] = [];
  for (const [path, url] of urls) {
    const verdict = await checkTenantEndpoint(url, allowlist);
    if (!verdict.ok) errors.push({ path, message: verdict.reason });
  }
  if (errors.length)
    throw new DollyError('validation_failed', 'An endpoint is not one Dolly may call', errors);
}
