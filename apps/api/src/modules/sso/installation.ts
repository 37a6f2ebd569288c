import { type Role, roles } from '@dolly/authz';
import type { GroupRole } from './role-mapping.ts';

const isRole = (value: string | undefined): value is Role =>
  (roles as readonly string[]).includes(value ?? '');

/**
 * Single sign-on the operator sets for the whole installation (DOLLY_SSO_*), for tenants that
 * have none of their own: one identity provider, its groups mapped to a role per tenant.
 */
export interface InstallationSso {
  displayName: string;
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  groupsClaim: string;
  /** DOLLY_SSO_PASSWORD_SIGN_IN=disabled: the tenants it serves sign in through it only */
  passwordSignInDisabled: boolean;
  /** per tenant slug: the groups that give a role there, and the role everyone else gets (or none) */
  tenants: Map<string, { groupRoles: GroupRole[]; defaultRole: Role | null }>;
}

/**
 * Parses DOLLY_SSO_GROUP_ROLES: comma-separated `group=tenant:role`; the group `*` is the role
 * anyone the provider signs in gets in that tenant. Throws with the entry at fault.
 */
export function parseGroupRoles(text: string): InstallationSso['tenants'] {
  const tenants: InstallationSso['tenants'] = new Map();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const match = /^(.+)=([a-z0-9][a-z0-9-]*):([a-z]+)$/.exec(entry);
    const role = match?.[3];
    if (!match || !isRole(role))
      throw new Error(`"${entry}" is not group=tenant:role (role one of ${roles.join(', ')})`);
    const group = (match[1] ?? '').trim();
    const slug = match[2] ?? '';
    const tenant = tenants.get(slug) ?? { groupRoles: [], defaultRole: null };
    if (group === '*') tenant.defaultRole = role;
    else tenant.groupRoles.push({ group, role });
    tenants.set(slug, tenant);
  }
  return tenants;
}

export function installationSsoFrom(config: {
  DOLLY_SSO_ISSUER_URL?: string | undefined;
  DOLLY_SSO_CLIENT_ID?: string | undefined;
  DOLLY_SSO_CLIENT_SECRET?: string | undefined;
  DOLLY_SSO_DISPLAY_NAME: string;
  DOLLY_SSO_GROUPS_CLAIM: string;
  DOLLY_SSO_GROUP_ROLES: InstallationSso['tenants'];
  DOLLY_SSO_PASSWORD_SIGN_IN?: 'enabled' | 'disabled';
}): InstallationSso | undefined {
  const parts = [config.DOLLY_SSO_ISSUER_URL, config.DOLLY_SSO_CLIENT_ID, config.DOLLY_SSO_CLIENT_SECRET];
  if (parts.every((p) => !p)) {
    // turning passwords off with no provider to sign in with would lock everyone out
    if (config.DOLLY_SSO_PASSWORD_SIGN_IN === 'disabled')
      throw new Error(
        'DOLLY_SSO_PASSWORD_SIGN_IN=disabled needs DOLLY_SSO_ISSUER_URL, _CLIENT_ID and _CLIENT_SECRET',
      );
    return undefined;
  }
  // half a configuration is a typo, not "off": say so at start rather than show no button
  if (!config.DOLLY_SSO_ISSUER_URL || !config.DOLLY_SSO_CLIENT_ID || !config.DOLLY_SSO_CLIENT_SECRET)
    throw new Error(
      'DOLLY_SSO_ISSUER_URL, DOLLY_SSO_CLIENT_ID and DOLLY_SSO_CLIENT_SECRET are set together or not at all',
    );
  return {
    displayName: config.DOLLY_SSO_DISPLAY_NAME,
    issuerUrl: config.DOLLY_SSO_ISSUER_URL,
    clientId: config.DOLLY_SSO_CLIENT_ID,
    clientSecret: config.DOLLY_SSO_CLIENT_SECRET,
    groupsClaim: config.DOLLY_SSO_GROUPS_CLAIM,
    passwordSignInDisabled: config.DOLLY_SSO_PASSWORD_SIGN_IN === 'disabled',
    tenants: config.DOLLY_SSO_GROUP_ROLES,
  };
}
