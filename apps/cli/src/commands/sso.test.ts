import { ApiError } from '@dolly/api-client';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { namingFlags, ssoBody, type SsoSetOptions } from './sso.ts';

const opts = (o: Partial<SsoSetOptions> = {}): SsoSetOptions => ({ groupRole: [], ...o });
const current = {
  displayName: 'Acme Okta',
  issuerUrl: 'https://acme.okta.com',
  clientId: 'dolly',
  clientSecretSet: true,
  groupsClaim: 'roles',
  groupRoles: [{ group: 'platform', role: 'operator' as const }],
  defaultRole: 'viewer' as const,
  enabled: true,
  passwordSignInDisabled: false,
  updatedAt: '2026-12-07T00:00:00.000Z',
};

describe('dolly sso set body', () => {
  it('names every flag the first setup still needs', () => {
    expect(() => ssoBody(opts({ displayName: 'Acme' }), null, undefined)).toThrow(
      new CliError(
        'single sign-on is not set up yet: give --issuer-url, --client-id, --client-secret-file or --client-secret-env',
      ),
    );
  });

  it('keeps what the flags do not change, and the stored secret', () => {
    expect(ssoBody(opts({ disablePasswordSignIn: true }), current, undefined)).toEqual({
      displayName: 'Acme Okta',
      issuerUrl: 'https://acme.okta.com',
      clientId: 'dolly',
      groupsClaim: 'roles',
      groupRoles: [{ group: 'platform', role: 'operator' }],
      defaultRole: 'viewer',
      enabled: true,
      passwordSignInDisabled: true,
    });
  });

  it('replaces the group roles, clears the default role, and refuses a bad role by its flag', () => {
    const body = ssoBody(
      opts({ groupRole: ['a=b=developer', 'ops=admin'], defaultRole: 'none' }),
      current,
      's',
    );
    expect(body.groupRoles).toEqual([
      { group: 'a=b', role: 'developer' },
      { group: 'ops', role: 'admin' },
    ]);
    expect(body.defaultRole).toBeNull();
    expect(body.clientSecret).toBe('s');
    expect(() => ssoBody(opts({ groupRole: ['ops=root'] }), current, undefined)).toThrow(
      /--group-role "ops=root"/,
    );
    expect(() => ssoBody(opts({ enable: true, disable: true }), current, undefined)).toThrow(
      /--enable or --disable, not both/,
    );
  });
});

describe('server field errors', () => {
  it('carry the flag that set the field', () => {
    const error = new ApiError(403, {
      title: 'Forbidden',
      status: 403,
      errors: [
        { path: 'body.groupRoles.1.role', message: 'above your role (admin)' },
        { path: 'body.issuerUrl', message: 'not public' },
        { path: 'query.x', message: 'other' },
      ],
    });
    const named = namingFlags(error) as ApiError;
    expect(named.problem.errors?.map((e) => e.path)).toEqual([
      '--group-role #2 (body.groupRoles.1.role)',
      '--issuer-url (body.issuerUrl)',
      'query.x',
    ]);
  });
});
