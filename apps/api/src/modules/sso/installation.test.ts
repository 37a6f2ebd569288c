import { describe, expect, it } from 'vitest';
import { installationSsoFrom, parseGroupRoles } from './installation.ts';

describe('parseGroupRoles', () => {
  it('reads group=tenant:role entries, * as the tenant default', () => {
    const tenants = parseGroupRoles(' platform=prod:operator,platform=dev:admin , *=dev:developer,,');
    expect(tenants.get('prod')).toEqual({
      groupRoles: [{ group: 'platform', role: 'operator' }],
      defaultRole: null,
    });
    expect(tenants.get('dev')).toEqual({
      groupRoles: [{ group: 'platform', role: 'admin' }],
      defaultRole: 'developer',
    });
    expect(parseGroupRoles('').size).toBe(0);
  });

  it('names the entry it cannot read', () => {
    expect(() => parseGroupRoles('a=prod:operator,platform=prod')).toThrow(
      /"platform=prod" is not group=tenant:role/,
    );
    expect(() => parseGroupRoles('x=Prod Env:viewer')).toThrow(/"x=Prod Env:viewer"/);
    expect(() => parseGroupRoles('x=prod:root')).toThrow(/role one of owner, admin/);
  });
});

describe('installationSsoFrom', () => {
  const base = {
    DOLLY_SSO_DISPLAY_NAME: 'Login',
    DOLLY_SSO_GROUPS_CLAIM: 'groups',
    DOLLY_SSO_GROUP_ROLES: parseGroupRoles('*=dev:viewer'),
  };
  it('is off with none of issuer, client id and secret, and refuses half of them', () => {
    expect(installationSsoFrom(base)).toBeUndefined();
    expect(() => installationSsoFrom({ ...base, DOLLY_SSO_ISSUER_URL: 'https://idp.example.com' })).toThrow(
      /set together or not at all/,
    );
    expect(
      installationSsoFrom({
        ...base,
        DOLLY_SSO_ISSUER_URL: 'https://idp.example.com',
        DOLLY_SSO_CLIENT_ID: 'dolly',
        DOLLY_SSO_CLIENT_SECRET: 's',
      }),
    ).toMatchObject({ displayName: 'Login', clientId: 'dolly', passwordSignInDisabled: false });
  });

  it('turns passwords off only with a provider to sign in with', () => {
    const full = {
      ...base,
      DOLLY_SSO_ISSUER_URL: 'https://idp.example.com',
      DOLLY_SSO_CLIENT_ID: 'dolly',
      DOLLY_SSO_CLIENT_SECRET: 's',
    };
    expect(installationSsoFrom({ ...full, DOLLY_SSO_PASSWORD_SIGN_IN: 'disabled' })).toMatchObject({
      passwordSignInDisabled: true,
    });
    // nobody could sign in at all
    expect(() => installationSsoFrom({ ...base, DOLLY_SSO_PASSWORD_SIGN_IN: 'disabled' })).toThrow(
      /DOLLY_SSO_PASSWORD_SIGN_IN=disabled needs DOLLY_SSO_ISSUER_URL/,
    );
  });
});
