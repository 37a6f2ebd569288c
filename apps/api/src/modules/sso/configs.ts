import type { Role } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import type { EgressPolicy } from '@dolly/contracts/egress';
import type { SsoConfig } from '@dolly/db';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { roleSchema } from '../../lib/schemas.ts';
import { installationSsoFrom } from './installation.ts';
import { discoverIssuer, endSessionUrl } from './oidc.ts';
import type { GroupRole } from './role-mapping.ts';

export const groupRoleSchema = z.object({ group: z.string().trim().min(1).max(200), role: roleSchema });

export function storedGroupRoles(value: unknown): GroupRole[] {
  const parsed = z.array(groupRoleSchema).safeParse(value);
  return parsed.success ? parsed.data : [];
}

/** What a sign-in needs, from a tenant's SsoConfig or from the installation's DOLLY_SSO_*. */
export interface SignInConfig {
  source: 'tenant' | 'installation';
  displayName: string;
  issuerUrl: string;
  clientId: string;
  clientSecret: () => string;
  groupsClaim: string;
  groupRoles: GroupRole[];
  defaultRole: Role | null;
  passwordSignInDisabled: boolean;
}

/**
 * Which sign-in a tenant offers: its own configuration when it has one (even turned off: the
 * tenant chose), else the installation's when that maps the tenant, else none.
 */
export function signInConfigs(deps: Pick<AppDeps, 'db' | 'vault' | 'config'>, egress: EgressPolicy) {
  const installation = installationSsoFrom(deps.config);
  const tenantConfig = (sso: SsoConfig): SignInConfig => ({
    source: 'tenant',
    displayName: sso.displayName,
    issuerUrl: sso.issuerUrl,
    clientId: sso.clientId,
    clientSecret: () =>
      deps.vault.open<string>({ cipher: sso.clientSecretCipher, keyId: sso.clientSecretKeyId }),
    groupsClaim: sso.groupsClaim,
    groupRoles: storedGroupRoles(sso.groupRoles),
    defaultRole: sso.defaultRole,
    passwordSignInDisabled: sso.passwordSignInDisabled,
  });
  /** The installation's sign-in for a tenant it maps, unless the tenant has its own (which wins). */
  const installationConfig = (slug: string): SignInConfig | undefined => {
    const mapped = installation?.tenants.get(slug);
    if (!installation || !mapped) return undefined;
    return {
      source: 'installation',
      displayName: installation.displayName,
      issuerUrl: installation.issuerUrl,
      clientId: installation.clientId,
      clientSecret: () => installation.clientSecret,
      groupsClaim: installation.groupsClaim,
      groupRoles: mapped.groupRoles,
      defaultRole: mapped.defaultRole,
      passwordSignInDisabled: installation.passwordSignInDisabled,
    };
  };
  const enabledConfig = async (slug: string) => {
    const tenant = await deps.db.tenant.findUnique({ where: { slug }, include: { sso: true } });
    const sso = tenant?.sso?.enabled
      ? tenantConfig(tenant.sso)
      : tenant && !tenant.sso
        ? installationConfig(slug)
        : undefined;
    // the same answer for an unknown tenant and one without SSO: no tenant list by probing
    if (!tenant || !sso) throw new DollyError('not_found', `No single sign-on for tenant ${slug}`);
    return { tenant, sso };
  };
  const clientOf = (sso: SignInConfig) =>
    discoverIssuer(
      { issuerUrl: sso.issuerUrl, clientId: sso.clientId, clientSecret: sso.clientSecret() },
      egress,
    );
  return { installationConfig, enabledConfig, clientOf };
}

/**
 * The sign-in a tenant's people must use instead of a password, or undefined when passwords work:
 * the tenant's own single sign-on decides while it is on; a tenant without one follows the
 * installation's (DOLLY_SSO_PASSWORD_SIGN_IN) when that serves it. A tenant that turned its own
 * off uses passwords, as it offers no button either.
 */
export function passwordSignInRefusedBy(
  config: AppDeps['config'],
  tenant: { slug: string; sso: SsoConfig | null },
): string | undefined {
  if (tenant.sso)
    return tenant.sso.enabled && tenant.sso.passwordSignInDisabled ? tenant.sso.displayName : undefined;
  const installation = installationSsoFrom(config);
  return installation?.passwordSignInDisabled && installation.tenants.has(tenant.slug)
    ? installation.displayName
    : undefined;
}

/**
 * The provider's sign-out address for a session single sign-on opened, or undefined (a password
 * session, a provider without end_session_endpoint, or one that cannot be reached: signing out of
 * Dolly never waits on the provider's health).
 */
export async function ssoSignOutUrl(
  deps: Pick<AppDeps, 'db' | 'vault' | 'config'>,
  egress: EgressPolicy,
  ssoTenantId: string | null,
): Promise<string | undefined> {
  if (!ssoTenantId) return undefined;
  try {
    const tenant = await deps.db.tenant.findUniqueOrThrow({ where: { id: ssoTenantId } });
    const configs = signInConfigs(deps, egress);
    const { sso } = await configs.enabledConfig(tenant.slug);
    const url = endSessionUrl(await configs.clientOf(sso), postLogoutRedirectUri(deps.config));
    return url?.toString();
  } catch {
    return undefined;
  }
}

/** Where the provider sends the browser after its sign-out; register it at the provider. */
export const postLogoutRedirectUri = (config: { DOLLY_PUBLIC_URL: string }) =>
  `${config.DOLLY_PUBLIC_URL.replace(/\/+$/, '')}/`;
